from children.models.child import (
    BenefitCategoryPeriod,
    Child,
    ChildAssistance,
    ChildCircumstance,
)
from children.models.closure import ClosureRequest
from children.models.consent import Consent
from children.models.history import ChangeLog

__all__ = [
    "BenefitCategoryPeriod",
    "ChangeLog",
    "Child",
    "ChildAssistance",
    "ChildCircumstance",
    "ClosureRequest",
    "Consent",
]
