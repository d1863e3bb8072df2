"""Scoring of the screening instruments.

Pure functions over plain dicts (item number -> answer) so the rules can be tested
without a database and reused by imports, forms and reports alike. Item counts and
answer ranges come from ``instruments``; thresholds come from ``cutoffs``; what is
defined here is only the arithmetic: reverse-scored items, subscale membership,
proration and alerts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .cutoffs import CutoffTable, get_cutoffs, table_for_version
from .instruments import Instrument, get_instrument

__all__ = [
    "ALERT_SUICIDAL_IDEATION",
    "ALERT_SUICIDE_ATTEMPT",
    "RISK_ALERTS",
    "SCARED_SUBSCALES",
    "SDQ_DIFFICULTY_SUBSCALES",
    "SDQ_SUBSCALES",
    "InvalidAnswersError",
    "ScreeningResult",
    "score",
]

ALERT_SUICIDAL_IDEATION = "suicidal_ideation"
ALERT_SUICIDE_ATTEMPT = "suicide_attempt"
# Alerts that make a result positive on their own, whatever the total: a child who
# reports thoughts of self-harm, or a past attempt, needs follow-up even with an otherwise
# low score.
RISK_ALERTS = frozenset({ALERT_SUICIDAL_IDEATION, ALERT_SUICIDE_ATTEMPT})

_PHQ_SUICIDE_ITEM = 9
# PHQ-A supplementary: 12 = serious thoughts of ending one's life in the past month
# (ideation), 13 = ever attempted suicide in one's life (an attempt: its own alert, the
# strongest predictor of a later one).
_PHQA_IDEATION_ITEM = 12
_PHQA_ATTEMPT_ITEM = 13

SCARED_SUBSCALES: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {
        "panic_somatic": (1, 6, 9, 12, 15, 18, 19, 22, 24, 27, 30, 34, 38),
        "generalized_anxiety": (5, 7, 14, 21, 23, 28, 33, 35, 37),
        "separation": (4, 8, 13, 16, 20, 25, 29, 31),
        "social": (3, 10, 26, 32, 39, 40, 41),
        "school_avoidance": (2, 11, 17, 36),
    }
)

# CES-DC items 4, 8, 12, 16 are worded positively ("I was happy"), so a high answer
# means fewer symptoms and is reversed as 3 - x.
_CESDC_REVERSED = frozenset({4, 8, 12, 16})

# SDQ subscales, identical item numbering on the self, parent and teacher forms.
SDQ_SUBSCALES: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {
        "emotional": (3, 8, 13, 16, 24),
        "conduct": (5, 7, 12, 18, 22),
        "hyperactivity": (2, 10, 15, 21, 25),
        "peer": (6, 11, 14, 19, 23),
        "prosocial": (1, 4, 9, 17, 20),
    }
)
# Total difficulties excludes prosocial, which measures strengths, not problems.
SDQ_DIFFICULTY_SUBSCALES = ("emotional", "conduct", "hyperactivity", "peer")
# Positively worded SDQ items, reversed as 2 - x.
_SDQ_REVERSED = frozenset({7, 11, 14, 21, 25})
# Published SDQ rule: a subscale is scored if at least 3 of its 5 items are answered.
_SDQ_MIN_ANSWERED = 3
_SDQ_CODES = frozenset({"SDQ_S", "SDQ_P", "SDQ_T"})


class InvalidAnswersError(ValueError):
    """Answers that cannot be scored. A ValueError, with the offending item or
    subscale attached so a form can show the error next to the right question."""

    def __init__(
        self,
        message: str,
        *,
        code: str,
        item: int | None = None,
        subscale: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.item = item
        self.subscale = subscale


@dataclass(frozen=True)
class ScreeningResult:
    """The scored outcome of one questionnaire.

    ``version`` is the cut-off table version the band was computed with and should
    be stored alongside the result. ``severity`` is the 0-based rank of ``band``
    within its instrument (0 = least concerning), so it only compares results of the
    same instrument.
    """

    code: str
    version: str
    total: int
    band: str
    subscales: dict[str, int] = field(default_factory=dict)
    alerts: list[str] = field(default_factory=list)
    positive: bool = False
    severity: int = 0

    def to_dict(self) -> dict[str, Any]:
        """JSON-serialisable form for storing next to the raw answers."""
        return {
            "code": self.code,
            "version": self.version,
            "total": self.total,
            "band": self.band,
            "subscales": dict(self.subscales),
            "alerts": list(self.alerts),
            "positive": self.positive,
            "severity": self.severity,
        }


def score(
    code: str,
    answers: Mapping[int, int],
    *,
    norm: str | None = None,
    version: str | None = None,
) -> ScreeningResult:
    """Score ``answers`` (1-based item number -> answer value) for instrument ``code``.

    With the current cut-off table, or the ``norm`` one (SCARED: ``"birmaher"`` or
    ``"chinese"``; ignored by instruments without norms), or a given published
    ``version`` (to re-read a stored result against the table it was scored with).

    Raises ValueError (``InvalidAnswersError``) for an unknown code, unknown item
    numbers, non-integer or out-of-range answers, missing required items and, for the
    SDQ, a difficulty subscale with fewer than 3 of its 5 items answered.
    """
    if version:
        cutoffs = table_for_version(version)
        if cutoffs.code != code:
            raise ValueError(f"cut-off table {version!r} is not a table of {code!r}")
    else:
        cutoffs = get_cutoffs(code, norm=norm)
    instrument = get_instrument(code)
    if not isinstance(answers, Mapping):
        raise TypeError(f"{code} answers must be a mapping of item number to answer")
    _validate(instrument, answers)

    if code in _SDQ_CODES:
        return _score_sdq(instrument, cutoffs, answers)

    _require_all_core_items(instrument, answers)
    if code in ("PHQ9", "PHQA"):
        return _score_phq(instrument, cutoffs, answers)
    if code == "GAD7":
        return _result(cutoffs, _sum(instrument, answers))
    if code == "SCARED":
        return _score_scared(instrument, cutoffs, answers)
    if code == "CESDC":
        total = sum(
            instrument.max_value - answers[n] if n in _CESDC_REVERSED else answers[n]
            for n in instrument.item_numbers
        )
        return _result(cutoffs, total)
    # Reached only if an instrument is defined without scoring rules.
    raise ValueError(f"No scoring rules for screening instrument code: {code!r}")


def _validate(instrument: Instrument, answers: Mapping[Any, Any]) -> None:
    code = instrument.code
    allowed_values = {
        number: (instrument.min_value, instrument.max_value) for number in instrument.item_numbers
    }
    for item in instrument.supplementary:
        values = [option.value for option in item.options]
        allowed_values[item.number] = (min(values), max(values))

    last = max(allowed_values)
    for number in answers:
        # bool is an int subclass; True as an item number is almost certainly a bug.
        is_number = isinstance(number, int) and not isinstance(number, bool)
        if not is_number or number not in allowed_values:
            raise InvalidAnswersError(
                f"{code} item {number!r} is not an item of this instrument (items 1–{last})",
                code=code,
                item=number if is_number else None,
            )
    for number in sorted(answers):
        value = answers[number]
        low, high = allowed_values[number]
        # Refuse bools too: True/False would silently score as 1/0.
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidAnswersError(
                f"{code} item {number}: {value!r} is not an integer answer",
                code=code,
                item=number,
            )
        if not low <= value <= high:
            raise InvalidAnswersError(
                f"{code} item {number}: {value} is out of range {low}–{high}",
                code=code,
                item=number,
            )


def _require_all_core_items(instrument: Instrument, answers: Mapping[int, int]) -> None:
    missing = [number for number in instrument.item_numbers if number not in answers]
    if missing:
        message = f"{instrument.code} item {missing[0]} is missing"
        if len(missing) > 1:
            message += f" (also missing: {', '.join(map(str, missing[1:]))})"
        raise InvalidAnswersError(message, code=instrument.code, item=missing[0])


def _sum(instrument: Instrument, answers: Mapping[int, int]) -> int:
    # Only core items: supplementary PHQ-A questions never count toward the total.
    return sum(answers[number] for number in instrument.item_numbers)


def _result(
    cutoffs: CutoffTable,
    total: int,
    subscales: dict[str, int] | None = None,
    alerts: list[str] | None = None,
) -> ScreeningResult:
    band = cutoffs.band_for(total)
    alerts = alerts or []
    positive = cutoffs.is_positive(total) or any(a in RISK_ALERTS for a in alerts)
    if cutoffs.subscales_positive and any(a.startswith("scared_") for a in alerts):
        positive = True
    return ScreeningResult(
        code=cutoffs.code,
        version=cutoffs.version,
        total=total,
        band=band.name,
        subscales=subscales or {},
        alerts=alerts,
        positive=positive,
        severity=cutoffs.severity_of(band.name),
    )


def _score_phq(
    instrument: Instrument, cutoffs: CutoffTable, answers: Mapping[int, int]
) -> ScreeningResult:
    suicidal = answers[_PHQ_SUICIDE_ITEM] >= 1
    attempted = False
    if instrument.code == "PHQA":
        suicidal = suicidal or answers.get(_PHQA_IDEATION_ITEM) == 1
        attempted = answers.get(_PHQA_ATTEMPT_ITEM) == 1
    alerts = []
    if suicidal:
        alerts.append(ALERT_SUICIDAL_IDEATION)
    if attempted:
        alerts.append(ALERT_SUICIDE_ATTEMPT)
    return _result(cutoffs, _sum(instrument, answers), alerts=alerts)


def _score_scared(
    instrument: Instrument, cutoffs: CutoffTable, answers: Mapping[int, int]
) -> ScreeningResult:
    subscales = {
        name: sum(answers[number] for number in items) for name, items in SCARED_SUBSCALES.items()
    }
    alerts = [
        f"scared_{name}"
        for name, value in subscales.items()
        if value >= cutoffs.subscale_cutoffs[name]
    ]
    return _result(cutoffs, _sum(instrument, answers), subscales=subscales, alerts=alerts)


def _prorate(item_sum: int, answered: int, size: int) -> int:
    """Scale a partial subscale sum up to ``size`` items, rounding halves up.

    The published SDQ scoring syntax computes RND(mean * 5); SPSS RND rounds halves
    away from zero, so 2.5 -> 3. Python's round() would give 2 (banker's rounding),
    hence integer arithmetic: floor(x + 1/2) with x = item_sum * size / answered.
    """
    return (2 * item_sum * size + answered) // (2 * answered)


def _score_sdq(
    instrument: Instrument, cutoffs: CutoffTable, answers: Mapping[int, int]
) -> ScreeningResult:
    code = instrument.code
    subscales: dict[str, int] = {}
    for name, items in SDQ_SUBSCALES.items():
        answered = [number for number in items if number in answers]
        if name not in SDQ_DIFFICULTY_SUBSCALES and len(answered) < _SDQ_MIN_ANSWERED:
            # Prosocial is a strength, not part of the total: reported only when it can be
            # scored, and never a reason to refuse the total difficulties.
            continue
        if len(answered) < _SDQ_MIN_ANSWERED:
            missing = [number for number in items if number not in answers]
            raise InvalidAnswersError(
                f"{code} subscale {name}: only {len(answered)} of {len(items)} items answered "
                f"(at least {_SDQ_MIN_ANSWERED} needed); missing items "
                f"{', '.join(map(str, missing))}",
                code=code,
                item=missing[0],
                subscale=name,
            )
        item_sum = sum(
            instrument.max_value - answers[n] if n in _SDQ_REVERSED else answers[n]
            for n in answered
        )
        subscales[name] = _prorate(item_sum, len(answered), len(items))
    total = sum(subscales[name] for name in SDQ_DIFFICULTY_SUBSCALES)
    return _result(cutoffs, total, subscales=subscales)
