from children.models.child import (
    BenefitCategoryPeriod,
    Child,
    ChildAssistance,
    ChildCircumstance,
)
from children.models.history import ChangeLog

__all__ = [
    "BenefitCategoryPeriod",
    "ChangeLog",
    "Child",
    "ChildAssistance",
    "ChildCircumstance",
]
