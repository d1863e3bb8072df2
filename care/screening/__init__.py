"""Psychological screening instruments: definitions, versioned cut-offs and scoring.

Deliberately free of Django so scoring can be unit-tested and reused anywhere
(imports, forms, reports). Typical use::

    from care.screening import score

    result = score("PHQA", {1: 1, 2: 0, ..., 9: 1})
    result.total, result.band, result.alerts, result.positive, result.version
"""

from .cutoffs import CUTOFFS, Band, CutoffTable, get_cutoffs
from .instruments import (
    INSTRUMENT_CODES,
    INSTRUMENTS,
    RESPONDENT_KINDS,
    RESPONDENT_PARENT,
    RESPONDENT_SELF,
    RESPONDENT_TEACHER,
    AnswerOption,
    Instrument,
    SupplementaryItem,
    get_instrument,
)
from .scoring import (
    ALERT_SUICIDAL_IDEATION,
    RISK_ALERTS,
    InvalidAnswersError,
    ScreeningResult,
    score,
)

__all__ = [
    "ALERT_SUICIDAL_IDEATION",
    "CUTOFFS",
    "INSTRUMENTS",
    "INSTRUMENT_CODES",
    "RESPONDENT_KINDS",
    "RESPONDENT_PARENT",
    "RESPONDENT_SELF",
    "RESPONDENT_TEACHER",
    "RISK_ALERTS",
    "AnswerOption",
    "Band",
    "CutoffTable",
    "Instrument",
    "InvalidAnswersError",
    "ScreeningResult",
    "SupplementaryItem",
    "get_cutoffs",
    "get_instrument",
    "score",
]
