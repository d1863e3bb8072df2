from children.models.child import (
    BenefitCategoryPeriod,
    Child,
    ChildAssistance,
    ChildCircumstance,
)
from children.models.duplicates import (
    DuplicateCheck,
    DuplicateCheckKind,
    DuplicateCheckSource,
    DuplicateCheckStatus,
)
from children.models.history import ChangeLog

__all__ = [
    "BenefitCategoryPeriod",
    "ChangeLog",
    "Child",
    "ChildAssistance",
    "ChildCircumstance",
    "DuplicateCheck",
    "DuplicateCheckKind",
    "DuplicateCheckSource",
    "DuplicateCheckStatus",
]
