"""Psychological screening instruments: definitions, versioned cut-offs and scoring.

Deliberately free of Django so scoring can be unit-tested and reused anywhere
(imports, forms, reports). Typical use::

    from care.screening import score

    result = score("PHQA", {1: 1, 2: 0, ..., 9: 1})
    result.total, result.band, result.alerts, result.positive, result.version
"""

from .cutoffs import (
    CUTOFFS,
    NORM_BIRMAHER,
    NORM_CHINESE,
    PUBLISHED_TABLES,
    SCARED_NORMS,
    Band,
    CutoffTable,
    get_cutoffs,
    table_for_version,
)
from .instruments import (
    AGE_SOURCES,
    INSTRUMENT_CODES,
    INSTRUMENTS,
    RESPONDENT_KINDS,
    RESPONDENT_PARENT,
    RESPONDENT_SELF,
    RESPONDENT_TEACHER,
    AnswerOption,
    Instrument,
    SupplementaryItem,
    age_in_years,
    get_instrument,
    instruments_for_age,
)
from .scoring import (
    ALERT_SUICIDAL_IDEATION,
    ALERT_SUICIDE_ATTEMPT,
    RISK_ALERTS,
    InvalidAnswersError,
    ScreeningResult,
    score,
)

__all__ = [
    "AGE_SOURCES",
    "ALERT_SUICIDAL_IDEATION",
    "ALERT_SUICIDE_ATTEMPT",
    "CUTOFFS",
    "INSTRUMENTS",
    "INSTRUMENT_CODES",
    "NORM_BIRMAHER",
    "NORM_CHINESE",
    "PUBLISHED_TABLES",
    "RESPONDENT_KINDS",
    "RESPONDENT_PARENT",
    "RESPONDENT_SELF",
    "RESPONDENT_TEACHER",
    "RISK_ALERTS",
    "SCARED_NORMS",
    "AnswerOption",
    "Band",
    "CutoffTable",
    "Instrument",
    "InvalidAnswersError",
    "ScreeningResult",
    "SupplementaryItem",
    "age_in_years",
    "get_cutoffs",
    "get_instrument",
    "instruments_for_age",
    "score",
    "table_for_version",
]
