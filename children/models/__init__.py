from children.models.child import (
    BenefitCategoryPeriod,
    Child,
    ChildAssistance,
    ChildCircumstance,
)
from children.models.history import ChangeLog
from children.models.household import Household

__all__ = [
    "BenefitCategoryPeriod",
    "ChangeLog",
    "Child",
    "ChildAssistance",
    "ChildCircumstance",
    "Household",
]
