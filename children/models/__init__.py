from children.models.child import (
    BenefitCategoryPeriod,
    Child,
    ChildAssistance,
    ChildCircumstance,
)
from children.models.history import ChangeLog
from children.models.transfer import CaseloadHandover, ChildTransfer

__all__ = [
    "BenefitCategoryPeriod",
    "CaseloadHandover",
    "ChangeLog",
    "Child",
    "ChildAssistance",
    "ChildCircumstance",
    "ChildTransfer",
]
