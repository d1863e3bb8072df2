from children.models.child import (
    BenefitCategoryPeriod,
    Child,
    ChildAssistance,
    ChildCircumstance,
)
from children.models.closure import ClosureRequest
from children.models.consent import Consent
from children.models.duplicates import (
    DuplicateCheck,
    DuplicateCheckKind,
    DuplicateCheckSource,
    DuplicateCheckStatus,
)
from children.models.history import ChangeLog
from children.models.household import Household
from children.models.transfer import CaseloadHandover, ChildTransfer

__all__ = [
    "BenefitCategoryPeriod",
    "CaseloadHandover",
    "ChangeLog",
    "Child",
    "ChildAssistance",
    "ChildCircumstance",
    "ChildTransfer",
    "ClosureRequest",
    "Consent",
    "DuplicateCheck",
    "DuplicateCheckKind",
    "DuplicateCheckSource",
    "DuplicateCheckStatus",
    "Household",
]
