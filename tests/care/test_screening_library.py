"""Tests for the pure-Python screening package (no Django needed).

Expected values are worked out by hand here, from the published scoring rules, rather
than read back from the package's own tables, so a wrong table fails a test.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from care.screening import (
    CUTOFFS,
    INSTRUMENT_CODES,
    INSTRUMENTS,
    RESPONDENT_KINDS,
    InvalidAnswersError,
    ScreeningResult,
    get_instrument,
    score,
)

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SDQ_CODES = ("SDQ_S", "SDQ_P", "SDQ_T")
FREE_CODES = ("PHQ9", "PHQA", "GAD7", "SCARED", "CESDC")


def spread(total: int, items, max_value: int) -> dict[int, int]:
    """Answers for ``items`` summing to ``total``, filling items in order."""
    answers = {}
    remaining = total
    for number in items:
        answers[number] = min(max_value, remaining)
        remaining -= answers[number]
    assert remaining == 0, "total does not fit in these items"
    return answers


# --- PHQ-9 / PHQ-A ---------------------------------------------------------------------


def phq_answers(total: int, item9: int = 0) -> dict[int, int]:
    # Items 1-8 carry the score so item 9 (the suicide item) stays under test control.
    answers = spread(total - item9, range(1, 9), 3)
    answers[9] = item9
    return answers


@pytest.mark.parametrize("code", ["PHQ9", "PHQA"])
@pytest.mark.parametrize(
    ("total", "band"),
    [
        (0, "minimal"),
        (4, "minimal"),
        (5, "mild"),
        (9, "mild"),
        (10, "moderate"),
        (14, "moderate"),
        (15, "moderately_severe"),
        (19, "moderately_severe"),
        (20, "severe"),
        (24, "severe"),
    ],
)
def test_phq_band_boundaries(code, total, band):
    result = score(code, phq_answers(total))
    assert result.total == total
    assert result.band == band
    assert result.alerts == []
    assert result.subscales == {}


@pytest.mark.parametrize("code", ["PHQ9", "PHQA"])
def test_phq_maximum_total_is_severe_with_alert(code):
    result = score(code, dict.fromkeys(range(1, 10), 3))
    assert (result.total, result.band) == (27, "severe")
    assert result.alerts == ["suicidal_ideation"]


@pytest.mark.parametrize("code", ["PHQ9", "PHQA"])
@pytest.mark.parametrize(
    ("total", "positive"),
    [(14, False), (15, True), (19, True), (20, True), (9, False)],
)
def test_phq_2026_1_was_positive_from_moderately_severe_up(code, total, positive):
    result = score(code, phq_answers(total), version=f"{code}-2026.1")
    assert result.positive is positive
    assert result.version == f"{code}-2026.1"


# The published screening cut-offs (2026.2): PHQ-9 >= 10 (Kroenke, Spitzer & Williams
# 2001), PHQ-A >= 11 (Richardson et al. 2010). The bands are unchanged.
@pytest.mark.parametrize(
    ("code", "total", "band", "positive"),
    [
        ("PHQ9", 9, "mild", False),
        ("PHQ9", 10, "moderate", True),
        ("PHQA", 10, "moderate", False),
        ("PHQA", 11, "moderate", True),
        ("PHQ9", 27, "severe", True),
    ],
)
def test_phq_published_cutoffs(code, total, band, positive):
    result = score(code, phq_answers(total) if total < 27 else dict.fromkeys(range(1, 10), 3))
    assert (result.total, result.band, result.positive) == (total, band, positive)
    assert result.version == f"{code}-2026.2"


@pytest.mark.parametrize("code", ["PHQ9", "PHQA"])
@pytest.mark.parametrize("item9", [1, 2, 3])
def test_phq_item9_alerts_whatever_the_total(code, item9):
    result = score(code, phq_answers(item9, item9=item9))
    assert result.total == item9
    assert result.band == "minimal"
    assert result.alerts == ["suicidal_ideation"]
    # A child reporting thoughts of self-harm must raise risk even with a low total.
    assert result.positive is True


def test_phq_item9_one_with_total_one_is_minimal_with_alert():
    result = score("PHQ9", {**dict.fromkeys(range(1, 9), 0), 9: 1})
    assert (result.total, result.band, result.alerts) == (1, "minimal", ["suicidal_ideation"])


@pytest.mark.parametrize(("item", "alert"), [(12, "suicidal_ideation"), (13, "suicide_attempt")])
def test_phqa_supplementary_suicide_items_alert_without_counting(item, alert):
    # 12: serious thoughts of ending one's life this past month (ideation); 13: ever
    # attempted suicide (an attempt, its own alert).
    answers = {**phq_answers(3), item: 1}
    result = score("PHQA", answers)
    assert result.total == 3
    assert result.band == "minimal"
    assert result.alerts == [alert]
    assert result.positive is True


def test_phqa_supplementary_other_items_do_not_count_or_alert():
    answers = {**phq_answers(6), 10: 1, 11: 3, 12: 0, 13: 0}
    result = score("PHQA", answers)
    assert (result.total, result.band, result.alerts) == (6, "mild", [])


def test_phqa_alert_is_not_duplicated():
    answers = {**phq_answers(2, item9=2), 12: 1, 13: 1}
    assert score("PHQA", answers).alerts == ["suicidal_ideation", "suicide_attempt"]


def test_phqa_supplementary_items_are_optional():
    assert score("PHQA", phq_answers(10)).band == "moderate"


@pytest.mark.parametrize(("item", "value"), [(10, 2), (12, 2), (13, -1), (11, 4)])
def test_phqa_supplementary_out_of_range(item, value):
    with pytest.raises(ValueError, match=rf"^PHQA item {item}: {value} is out of range"):
        score("PHQA", {**phq_answers(0), item: value})


@pytest.mark.parametrize("item", [10, 12, 13])
def test_phq9_has_no_supplementary_items(item):
    with pytest.raises(ValueError, match=rf"PHQ9 item {item} is not an item"):
        score("PHQ9", {**phq_answers(0), item: 0})


# --- GAD-7 -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [
        (0, "minimal", False),
        (4, "minimal", False),
        (5, "mild", False),
        (9, "mild", False),
        (10, "moderate", True),
        (14, "moderate", True),
        (15, "severe", True),
        (21, "severe", True),
    ],
)
def test_gad7_band_boundaries(total, band, positive):
    # Positive from 10 (Spitzer et al. 2006).
    result = score("GAD7", spread(total, range(1, 8), 3))
    assert (result.total, result.band, result.positive) == (total, band, positive)
    assert result.alerts == []


@pytest.mark.parametrize(("total", "positive"), [(10, False), (14, False), (15, True)])
def test_gad7_2026_1_was_positive_from_severe(total, positive):
    result = score("GAD7", spread(total, range(1, 8), 3), version="GAD7-2026.1")
    assert result.positive is positive


# --- SCARED ----------------------------------------------------------------------------

# Written out from Birmaher et al. (1999), independently of the package's table.
SCARED_HAND_SUBSCALES = {
    "panic_somatic": [1, 6, 9, 12, 15, 18, 19, 22, 24, 27, 30, 34, 38],
    "generalized_anxiety": [5, 7, 14, 21, 23, 28, 33, 35, 37],
    "separation": [4, 8, 13, 16, 20, 25, 29, 31],
    "social": [3, 10, 26, 32, 39, 40, 41],
    "school_avoidance": [2, 11, 17, 36],
}
SCARED_HAND_CUTOFFS = {
    "panic_somatic": 7,
    "generalized_anxiety": 9,
    "separation": 5,
    "social": 8,
    "school_avoidance": 3,
}


def scared_zeros() -> dict[int, int]:
    return dict.fromkeys(range(1, 42), 0)


def test_scared_crafted_answers_subscales_by_hand():
    answers = scared_zeros()
    # panic_somatic: 2 + 2 + 2 + 1 = 7 (exactly at its cut-off of 7)
    answers.update({1: 2, 6: 2, 9: 2, 12: 1})
    # generalized_anxiety: 2 + 2 + 2 + 2 = 8 (one below its cut-off of 9)
    answers.update({5: 2, 7: 2, 14: 2, 21: 2})
    # separation: 2 + 2 + 1 = 5 (at its cut-off of 5)
    answers.update({4: 2, 8: 2, 13: 1})
    # social: 1 + 1 = 2
    answers.update({3: 1, 10: 1})
    # school_avoidance: 2 + 1 = 3 (at its cut-off of 3)
    answers.update({2: 2, 11: 1})

    result = score("SCARED", answers)

    assert result.subscales == {
        "panic_somatic": 7,
        "generalized_anxiety": 8,
        "separation": 5,
        "social": 2,
        "school_avoidance": 3,
    }
    assert result.total == 25
    assert result.band == "positive"
    assert result.positive is True
    assert result.alerts == [
        "scared_panic_somatic",
        "scared_separation",
        "scared_school_avoidance",
    ]


def test_scared_subscales_cover_each_item_once():
    items = sorted(n for members in SCARED_HAND_SUBSCALES.values() for n in members)
    assert items == list(range(1, 42))
    # Each item on its own must land in exactly the subscale listed above.
    for name, members in SCARED_HAND_SUBSCALES.items():
        for number in members:
            result = score("SCARED", {**scared_zeros(), number: 1})
            assert result.subscales[name] == 1, (name, number)
            assert sum(result.subscales.values()) == 1


def scared_total_without_subscale_alerts(total: int) -> dict[int, int]:
    """SCARED answers summing to ``total`` with every subscale below its cut-off (so the
    total alone decides): up to each subscale's cut-off - 1, spread over its items."""
    answers = scared_zeros()
    remaining = total
    for name, items in SCARED_HAND_SUBSCALES.items():
        share = min(remaining, SCARED_HAND_CUTOFFS[name] - 1)
        answers.update(spread(share, items, 2) if share else {})
        remaining -= share
    assert remaining == 0, "total too high to stay under every subscale cut-off"
    return answers


@pytest.mark.parametrize(
    ("total", "band"),
    [(0, "negative"), (24, "negative"), (25, "positive"), (82, "positive")],
)
def test_scared_total_cutoff_is_birmaher_25_by_default(total, band):
    answers = (
        scared_total_without_subscale_alerts(total)
        if total < 25
        else spread(total, range(1, 42), 2)
    )
    result = score("SCARED", answers)
    assert (result.total, result.band) == (total, band)
    assert result.positive is (band == "positive")
    assert result.version == "SCARED-2026.2"


def test_scared_24_and_25_without_subscale_alerts():
    # Every subscale one below its cut-off sums to 6 + 8 + 4 + 7 + 2 = 27, so both totals
    # can be reached without a subscale alert: the total alone decides.
    below = score("SCARED", scared_total_without_subscale_alerts(24))
    at = score("SCARED", scared_total_without_subscale_alerts(25))
    assert (below.total, below.band, below.positive, below.alerts) == (24, "negative", False, [])
    assert (at.total, at.band, at.positive, at.alerts) == (25, "positive", True, [])


@pytest.mark.parametrize(
    ("total", "band", "positive"),
    [(22, "negative", False), (23, "positive", True)],
)
def test_scared_chinese_norm_23_as_a_county_setting(total, band, positive):
    answers = scared_total_without_subscale_alerts(total)
    result = score("SCARED", answers, norm="chinese")
    assert (result.total, result.band, result.positive) == (total, band, positive)
    assert result.version == "SCARED-CN-2026.2"
    # The same answers under Birmaher's original cut-off are negative.
    assert score("SCARED", answers, norm="birmaher").positive is False


def test_scared_norm_is_ignored_by_instruments_without_norms():
    assert score("PHQ9", phq_answers(10), norm="chinese").version == "PHQ9-2026.2"


def test_scared_unknown_norm_is_refused():
    with pytest.raises(ValueError, match="no norm"):
        score("SCARED", scared_zeros(), norm="martian")


@pytest.mark.parametrize(("name", "cutoff"), list(SCARED_HAND_CUTOFFS.items()))
def test_scared_subscale_alert_boundaries(name, cutoff):
    items = SCARED_HAND_SUBSCALES[name]
    below = score("SCARED", {**scared_zeros(), **spread(cutoff - 1, items, 2)})
    at = score("SCARED", {**scared_zeros(), **spread(cutoff, items, 2)})
    assert below.subscales[name] == cutoff - 1
    assert below.alerts == []
    assert at.subscales[name] == cutoff
    assert at.alerts == [f"scared_{name}"]
    # A subscale at its cut-off makes the result positive for that domain (2026.2).
    assert below.positive is False
    assert at.positive is True
    assert at.band == "negative"  # the band is still the total's


@pytest.mark.parametrize(("name", "cutoff"), list(SCARED_HAND_CUTOFFS.items()))
def test_scared_2026_1_subscale_alerts_did_not_make_it_positive(name, cutoff):
    answers = {**scared_zeros(), **spread(cutoff, SCARED_HAND_SUBSCALES[name], 2)}
    assert score("SCARED", answers, version="SCARED-2026.1").positive is False


# --- CES-DC ----------------------------------------------------------------------------


def cesdc_zeros() -> dict[int, int]:
    return dict.fromkeys(range(1, 21), 0)


def test_cesdc_all_zero_scores_twelve_from_reversed_items():
    # Items 4, 8, 12, 16 are reversed (3 - 0 = 3 each): 4 * 3 = 12.
    result = score("CESDC", cesdc_zeros())
    assert (result.total, result.band, result.positive) == (12, "negative", False)


@pytest.mark.parametrize("item", [4, 8, 12, 16])
def test_cesdc_reversed_item_at_three_scores_zero(item):
    assert score("CESDC", {**cesdc_zeros(), item: 3}).total == 9


@pytest.mark.parametrize("item", [1, 5, 20])
def test_cesdc_plain_item_is_not_reversed(item):
    assert score("CESDC", {**cesdc_zeros(), item: 3}).total == 15


@pytest.mark.parametrize(
    ("extra", "total", "band"),
    [
        ({1: 3}, 15, "negative"),
        ({1: 3, 2: 1}, 16, "positive"),
    ],
)
def test_cesdc_cutoff_above_fifteen(extra, total, band):
    result = score("CESDC", {**cesdc_zeros(), **extra})
    assert (result.total, result.band) == (total, band)
    assert result.positive is (band == "positive")


def test_cesdc_maximum_is_sixty():
    answers = {n: 0 if n in (4, 8, 12, 16) else 3 for n in range(1, 21)}
    assert score("CESDC", answers).total == 60


# --- SDQ -------------------------------------------------------------------------------

SDQ_HAND_SUBSCALES = {
    "emotional": [3, 8, 13, 16, 24],
    "conduct": [5, 7, 12, 18, 22],
    "hyperactivity": [2, 10, 15, 21, 25],
    "peer": [6, 11, 14, 19, 23],
    "prosocial": [1, 4, 9, 17, 20],
}
SDQ_HAND_REVERSED = {7, 11, 14, 21, 25}
SDQ_DIFFICULTY_ITEMS = [
    n
    for name in ("emotional", "conduct", "hyperactivity", "peer")
    for n in SDQ_HAND_SUBSCALES[name]
]


def sdq_answers_for_total(total: int) -> dict[int, int]:
    """Raw answers whose total difficulties score is ``total`` (prosocial all 2)."""
    scored = spread(total, SDQ_DIFFICULTY_ITEMS, 2)
    answers = {n: 2 - v if n in SDQ_HAND_REVERSED else v for n, v in scored.items()}
    answers.update(dict.fromkeys(SDQ_HAND_SUBSCALES["prosocial"], 2))
    return answers


@pytest.mark.parametrize("code", SDQ_CODES)
def test_sdq_all_zero_answers_show_reverse_scoring(code):
    result = score(code, dict.fromkeys(range(1, 26), 0))
    # Reversed items answered 0 score 2: conduct has item 7, hyperactivity 21 and 25,
    # peer 11 and 14.
    assert result.subscales == {
        "emotional": 0,
        "conduct": 2,
        "hyperactivity": 4,
        "peer": 4,
        "prosocial": 0,
    }
    assert result.total == 10


@pytest.mark.parametrize("code", SDQ_CODES)
def test_sdq_all_two_answers_show_reverse_scoring(code):
    result = score(code, dict.fromkeys(range(1, 26), 2))
    assert result.subscales == {
        "emotional": 10,
        "conduct": 8,
        "hyperactivity": 6,
        "peer": 6,
        "prosocial": 10,
    }
    # Prosocial is a strength and is not part of total difficulties.
    assert result.total == 30
    assert result.alerts == []


@pytest.mark.parametrize(
    ("code", "total", "band"),
    [
        ("SDQ_S", 0, "normal"),
        ("SDQ_S", 15, "normal"),
        ("SDQ_S", 16, "borderline"),
        ("SDQ_S", 19, "borderline"),
        ("SDQ_S", 20, "abnormal"),
        ("SDQ_S", 40, "abnormal"),
        ("SDQ_P", 13, "normal"),
        ("SDQ_P", 14, "borderline"),
        ("SDQ_P", 16, "borderline"),
        ("SDQ_P", 17, "abnormal"),
        ("SDQ_T", 11, "normal"),
        ("SDQ_T", 12, "borderline"),
        ("SDQ_T", 15, "borderline"),
        ("SDQ_T", 16, "abnormal"),
    ],
)
def test_sdq_band_boundaries_per_informant(code, total, band):
    result = score(code, sdq_answers_for_total(total))
    assert (result.total, result.band) == (total, band)
    assert result.positive is (band == "abnormal")
    assert result.subscales["prosocial"] == 10


def sdq_full(**overrides) -> dict[int, int]:
    return {**dict.fromkeys(range(1, 26), 0), **overrides}


@pytest.mark.parametrize(
    ("emotional_answers", "expected"),
    [
        # 3 answered, sum 5: 5 / 3 * 5 = 8.33 -> 8
        ({3: 2, 8: 2, 13: 1}, 8),
        # 3 answered, sum 1: 1 / 3 * 5 = 1.67 -> 2
        ({3: 1, 8: 0, 13: 0}, 2),
        # 4 answered, sum 3: 3 / 4 * 5 = 3.75 -> 4
        ({3: 1, 8: 1, 13: 1, 16: 0}, 4),
        # 4 answered, sum 2: 2 / 4 * 5 = 2.5 -> 3 (halves round up, as SPSS RND does)
        ({3: 1, 8: 1, 13: 0, 16: 0}, 3),
        # 4 answered, sum 1: 1 / 4 * 5 = 1.25 -> 1
        ({3: 1, 8: 0, 13: 0, 16: 0}, 1),
        # all 5 answered: no scaling
        ({3: 1, 8: 1, 13: 0, 16: 0, 24: 0}, 2),
    ],
)
def test_sdq_prorates_partially_answered_subscale(emotional_answers, expected):
    answers = sdq_full()
    for number in SDQ_HAND_SUBSCALES["emotional"]:
        del answers[number]
    answers.update(emotional_answers)
    result = score("SDQ_P", answers)
    assert result.subscales["emotional"] == expected
    # The all-zero baseline contributes 10 from reversed items (see above).
    assert result.total == 10 + expected


def test_sdq_prorating_uses_reversed_values():
    answers = sdq_full()
    for number in (19, 23):
        del answers[number]
    # Peer items 6, 11, 14 answered; 11 and 14 are reversed: 1 + (2-2) + (2-0) = 3,
    # prorated 3 / 3 * 5 = 5.
    answers.update({6: 1, 11: 2, 14: 0})
    assert score("SDQ_S", answers).subscales["peer"] == 5


@pytest.mark.parametrize("code", SDQ_CODES)
@pytest.mark.parametrize("name", ["emotional", "conduct", "hyperactivity", "peer"])
def test_sdq_two_of_five_answered_raises_naming_subscale_and_items(code, name):
    items = SDQ_HAND_SUBSCALES[name]
    answers = sdq_full()
    for number in items[2:]:
        del answers[number]
    missing = ", ".join(str(n) for n in items[2:])
    with pytest.raises(ValueError, match=rf"{code} subscale {name}: .*missing items {missing}$"):
        score(code, answers)


@pytest.mark.parametrize("code", SDQ_CODES)
@pytest.mark.parametrize("kept", [0, 2])
def test_sdq_total_without_prosocial(code, kept):
    """Prosocial is not part of total difficulties (Goodman 1997): missing, it is simply
    not reported, and the total is the same as with it answered."""
    answers = sdq_full()
    with_prosocial = score(code, answers)
    for number in SDQ_HAND_SUBSCALES["prosocial"][kept:]:
        del answers[number]
    result = score(code, answers)
    assert "prosocial" not in result.subscales
    assert result.total == with_prosocial.total == 10
    assert result.band == with_prosocial.band


def test_sdq_prosocial_three_of_five_is_prorated_and_reported():
    answers = sdq_full()
    for number in (17, 20):
        del answers[number]
    answers.update({1: 2, 4: 1, 9: 2})  # 5 over 3 items -> 5 * 5 / 3 = 8.33 -> 8
    result = score("SDQ_S", answers)
    assert result.subscales["prosocial"] == 8
    assert result.total == 10  # prosocial never counts


def test_sdq_error_carries_subscale_for_forms():
    answers = sdq_full()
    for number in (13, 16, 24):
        del answers[number]
    with pytest.raises(InvalidAnswersError) as excinfo:
        score("SDQ_T", answers)
    assert excinfo.value.subscale == "emotional"
    assert excinfo.value.item == 13


# --- validation ------------------------------------------------------------------------


def full_answers(code: str, value: int = 0) -> dict[int, int]:
    return dict.fromkeys(range(1, INSTRUMENTS[code].item_count + 1), value)


@pytest.mark.parametrize("code", FREE_CODES)
def test_missing_item_raises_naming_it(code):
    answers = full_answers(code)
    del answers[4]
    with pytest.raises(ValueError, match=rf"^{code} item 4 is missing$"):
        score(code, answers)


def test_missing_items_message_names_first_and_lists_rest():
    answers = full_answers("PHQ9")
    del answers[4], answers[7]
    with pytest.raises(InvalidAnswersError, match=r"^PHQ9 item 4 is missing \(also missing: 7\)$"):
        score("PHQ9", answers)


@pytest.mark.parametrize("code", FREE_CODES)
def test_empty_answers_raise(code):
    with pytest.raises(ValueError, match=rf"^{code} item 1 is missing"):
        score(code, {})


@pytest.mark.parametrize(
    ("code", "value", "range_text"),
    [
        ("GAD7", 5, "0–3"),
        ("GAD7", 4, "0–3"),
        ("PHQ9", -1, "0–3"),
        ("PHQA", 4, "0–3"),
        ("SCARED", 3, "0–2"),
        ("CESDC", 4, "0–3"),
        ("SDQ_S", 3, "0–2"),
        ("SDQ_P", -1, "0–2"),
        ("SDQ_T", 3, "0–2"),
    ],
)
def test_out_of_range_answer_raises(code, value, range_text):
    answers = {**full_answers(code), 2: value}
    with pytest.raises(ValueError, match=rf"^{code} item 2: {value} is out of range {range_text}$"):
        score(code, answers)


@pytest.mark.parametrize("code", INSTRUMENT_CODES)
@pytest.mark.parametrize("value", [True, False, "1", 1.0, None])
def test_non_integer_answers_are_refused(code, value):
    answers = {**full_answers(code), 3: value}
    with pytest.raises(ValueError, match=rf"^{code} item 3: .* is not an integer answer$"):
        score(code, answers)


@pytest.mark.parametrize("code", INSTRUMENT_CODES)
def test_unknown_item_numbers_raise(code):
    last = INSTRUMENTS[code].item_count
    beyond = 14 if code == "PHQA" else last + 1
    for number in (0, -1, beyond):
        with pytest.raises(ValueError, match=rf"^{code} item {number} is not an item"):
            score(code, {**full_answers(code), number: 0})


@pytest.mark.parametrize("key", [True, "1"])
def test_non_integer_item_numbers_raise(key):
    # Key first: True == 1, so adding it after item 1 would only overwrite item 1's value.
    answers = {key: 0, **{n: 0 for n in range(2, 8)}}
    with pytest.raises(ValueError, match="is not an item"):
        score("GAD7", answers)


@pytest.mark.parametrize("code", ["PHQ-9", "phq9", "", "SDQ", "BDI"])
def test_unknown_code_raises(code):
    with pytest.raises(ValueError, match="Unknown screening instrument code"):
        score(code, {})


def test_answers_must_be_a_mapping():
    with pytest.raises(TypeError):
        score("GAD7", [0] * 7)


# --- result object ---------------------------------------------------------------------


@pytest.mark.parametrize("code", INSTRUMENT_CODES)
def test_result_records_cutoff_version(code):
    result = score(code, full_answers(code))
    assert isinstance(result, ScreeningResult)
    assert result.code == code
    assert result.version == CUTOFFS[code].version
    assert result.version.startswith(f"{code}-")


def test_phq9_version_string():
    assert score("PHQ9", full_answers("PHQ9")).version == "PHQ9-2026.2"


def test_an_earlier_version_can_still_be_read():
    assert score("PHQ9", full_answers("PHQ9"), version="PHQ9-2026.1").version == "PHQ9-2026.1"
    with pytest.raises(ValueError, match="not a table of"):
        score("PHQ9", full_answers("PHQ9"), version="GAD7-2026.1")
    with pytest.raises(ValueError, match="Unknown cut-off table version"):
        score("PHQ9", full_answers("PHQ9"), version="PHQ9-1999.1")


def test_result_is_frozen():
    result = score("GAD7", full_answers("GAD7"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.total = 99


def test_result_to_dict_is_json_serialisable():
    result = score("SCARED", full_answers("SCARED", 1))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["total"] == 41
    assert data["band"] == "positive"
    assert data["version"] == "SCARED-2026.2"
    assert data["subscales"]["school_avoidance"] == 4
    assert ScreeningResult(**data) == result


@pytest.mark.parametrize(
    ("code", "answers_total", "severity"),
    [("PHQ9", 0, 0), ("PHQ9", 5, 1), ("PHQ9", 12, 2), ("PHQ9", 16, 3), ("PHQ9", 22, 4)],
)
def test_severity_ranks_bands(code, answers_total, severity):
    assert score(code, phq_answers(answers_total)).severity == severity


def test_results_for_separate_calls_do_not_share_containers():
    first = score("GAD7", full_answers("GAD7"))
    first.alerts.append("x")
    first.subscales["x"] = 1
    second = score("GAD7", full_answers("GAD7"))
    assert second.alerts == []
    assert second.subscales == {}


# --- definitions and cut-off tables ----------------------------------------------------


def test_instrument_codes():
    assert set(INSTRUMENT_CODES) == {
        "PHQ9",
        "PHQA",
        "GAD7",
        "SCARED",
        "CESDC",
        "SDQ_S",
        "SDQ_P",
        "SDQ_T",
    }
    assert set(INSTRUMENTS) == set(INSTRUMENT_CODES) == set(CUTOFFS)


@pytest.mark.parametrize(
    ("code", "item_count"),
    [("PHQ9", 9), ("PHQA", 9), ("GAD7", 7), ("SCARED", 41), ("CESDC", 20)],
)
def test_free_instruments_have_chinese_text_for_every_item(code, item_count):
    instrument = get_instrument(code)
    assert instrument.item_count == item_count
    assert len(instrument.item_texts) == item_count
    assert len(set(instrument.item_texts)) == item_count
    for number in range(1, item_count + 1):
        text = instrument.item_text(number)
        assert re.search(r"[\u4e00-\u9fff]", text), (code, number)
    assert instrument.licensed_only is False
    assert re.search(r"[\u4e00-\u9fff]", instrument.title)


@pytest.mark.parametrize("code", SDQ_CODES)
def test_sdq_definitions_carry_no_item_texts(code):
    instrument = get_instrument(code)
    assert instrument.licensed_only is True
    assert instrument.item_count == 25
    assert instrument.item_texts == ()
    assert instrument.item_text(1) is None
    assert [o.value for o in instrument.options] == [0, 1, 2]


@pytest.mark.parametrize(
    ("code", "respondents"),
    [
        ("PHQ9", ("self",)),
        ("PHQA", ("self",)),
        ("GAD7", ("self",)),
        ("SCARED", ("self",)),
        ("CESDC", ("self",)),
        ("SDQ_S", ("self",)),
        ("SDQ_P", ("parent",)),
        ("SDQ_T", ("teacher",)),
    ],
)
def test_respondent_kinds(code, respondents):
    assert get_instrument(code).respondents == respondents
    assert set(respondents) <= set(RESPONDENT_KINDS)


@pytest.mark.parametrize(
    ("code", "labels"),
    [
        ("PHQ9", ["完全不会", "好几天", "一半以上的天数", "几乎每天"]),
        ("PHQA", ["完全不会", "好几天", "一半以上的天数", "几乎每天"]),
        ("GAD7", ["完全不会", "好几天", "一半以上的天数", "几乎每天"]),
        ("SCARED", ["没有或几乎没有", "有时有", "经常有"]),
        ("CESDC", ["一点也不", "有一点", "有一些", "很多"]),
    ],
)
def test_answer_option_labels(code, labels):
    options = get_instrument(code).options
    assert [o.value for o in options] == list(range(len(labels)))
    assert [o.label for o in options] == labels


def test_phqa_supplementary_definitions():
    supplementary = get_instrument("PHQA").supplementary
    assert [item.number for item in supplementary] == [10, 11, 12, 13]
    for item in supplementary:
        assert re.search(r"[\u4e00-\u9fff]", item.text)
    assert get_instrument("PHQ9").supplementary == ()


@pytest.mark.parametrize("code", INSTRUMENT_CODES)
def test_cutoff_table_covers_the_full_score_range(code):
    table = CUTOFFS[code]
    instrument = get_instrument(code)
    expected_max = 40 if code in SDQ_CODES else instrument.item_count * instrument.max_value
    assert table.min_total == 0
    assert table.max_total == expected_max
    for total in range(expected_max + 1):
        table.band_for(total)  # raises if a total falls in a gap
    assert table.positive_bands <= set(table.band_names)


def test_attributions():
    assert "Birmaher" in get_instrument("SCARED").attribution
    assert "1997" in get_instrument("SCARED").attribution
    assert "1999" in get_instrument("SCARED").attribution
    for code in ("PHQ9", "PHQA", "GAD7"):
        assert "Pfizer" in get_instrument(code).attribution


def test_get_instrument_unknown_code():
    with pytest.raises(ValueError, match="Unknown screening instrument code"):
        get_instrument("SDQ")


def test_package_does_not_import_django():
    code = (
        "import sys, care.screening; print(any(m.split('.')[0] == 'django' for m in sys.modules))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert output == "False"
    sources = (PROJECT_ROOT / "care" / "screening").glob("*.py")
    for path in sources:
        assert not re.search(r"^\s*(from|import)\s+django", path.read_text(), re.M), path


def test_old_import_path_still_scores():
    """Scripts that import ``children.screening.score`` keep working after the move."""
    from children import screening as old_path

    result = old_path.score("GAD7", dict.fromkeys(range(1, 8), 2))
    assert result.total == 14
    assert old_path.score is score


# --- age ranges (docs/domain.md §7) ---------------------------------------------------------

AGE_VECTORS = [
    ("PHQA", "self", 10, False),
    ("PHQA", "self", 11, True),
    ("PHQA", "self", 17, True),
    ("PHQA", "self", 18, False),
    ("PHQ9", "self", 11, False),
    ("PHQ9", "self", 12, True),
    ("PHQ9", "self", 40, True),
    ("GAD7", "self", 11, False),
    ("GAD7", "self", 12, True),
    ("SCARED", "self", 7, False),
    ("SCARED", "self", 8, True),
    ("SCARED", "self", 18, True),
    ("SCARED", "self", 19, False),
    ("CESDC", "self", 5, False),
    ("CESDC", "self", 6, True),
    ("CESDC", "self", 17, True),
    ("CESDC", "self", 18, False),
    ("SDQ_S", "self", 10, False),
    ("SDQ_S", "self", 11, True),
    ("SDQ_S", "self", 17, True),
    ("SDQ_P", "parent", 3, False),
    ("SDQ_P", "parent", 4, True),
    ("SDQ_P", "parent", 17, True),
    ("SDQ_P", "parent", 18, False),
    ("SDQ_T", "teacher", 4, True),
    ("SDQ_T", "teacher", 18, False),
]


@pytest.mark.parametrize(("code", "respondent", "age", "fits"), AGE_VECTORS)
def test_age_ranges_are_the_published_ones(code, respondent, age, fits):
    assert get_instrument(code).fits_age(respondent, age) is fits


def test_age_in_years_counts_completed_years():
    import datetime as dt

    from care.screening import age_in_years

    birth = dt.date(2015, 6, 4)
    assert age_in_years(birth, dt.date(2026, 6, 3)) == 10
    assert age_in_years(birth, dt.date(2026, 6, 4)) == 11


def test_instruments_for_a_four_year_old_are_the_sdq_parent_and_teacher_forms():
    from care.screening import instruments_for_age

    assert instruments_for_age(4) == [("SDQ_P", "parent"), ("SDQ_T", "teacher")]
    assert ("PHQA", "self") in instruments_for_age(11)
    assert ("PHQ9", "self") not in instruments_for_age(11)
