"""Screenings for the list and the details page (answers and item scores only there)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from care.choices import band_label
from care.models import (
    Screening,
)
from care.screening import CUTOFFS, get_cutoffs, get_instrument, score
from care.selectors.common import (
    CHILD_RELATED,
)


def screening_list(user):
    """Screenings for the list page: who and when, never answers or results."""
    return (
        Screening.objects.visible_to(user)
        .select_related(*CHILD_RELATED, "entered_by")
        .defer("answers", "subscales", "alerts")
    )


def screening_for_page(user, pk):
    return (
        Screening.objects.visible_to(user)
        .select_related(*CHILD_RELATED, "entered_by", "safety_alert")
        .get(pk=pk)
    )


# --- screening details ---------------------------------------------------------------------

# Items whose answer is reversed when scored (3 - x for CES-DC, 2 - x for the SDQ): the
# published scoring rules, repeated here only to show item scores on the details page.
# tests/care/test_screening_details.py checks that these item scores add up to the stored
# total, so a change in the scoring package cannot pass unnoticed.
REVERSED_ITEMS = {
    "CESDC": frozenset({4, 8, 12, 16}),
    "SDQ_S": frozenset({7, 11, 14, 21, 25}),
    "SDQ_P": frozenset({7, 11, 14, 21, 25}),
    "SDQ_T": frozenset({7, 11, 14, 21, 25}),
}


@dataclass(frozen=True)
class ItemRow:
    number: int
    text: str
    value: int | None
    answer: str
    item_score: int | None
    reversed: bool = False
    supplementary: bool = False


def screening_rows(screening: Screening) -> list[ItemRow]:
    """Each item with its answer and the score it contributed (details page only)."""
    instrument = get_instrument(screening.instrument)
    answers = screening.answers_by_item()
    labels = {option.value: option.label for option in instrument.options}
    reversed_items = REVERSED_ITEMS.get(screening.instrument, frozenset())
    rows = []
    for number in instrument.item_numbers:
        value = answers.get(number)
        is_reversed = number in reversed_items
        item_score = None
        if value is not None:
            item_score = instrument.max_value - value if is_reversed else value
        rows.append(
            ItemRow(
                number=number,
                text=instrument.item_text(number) or "",
                value=value,
                answer=labels.get(value, "—") if value is not None else _("未作答"),
                item_score=item_score,
                reversed=is_reversed,
            )
        )
    for item in instrument.supplementary:
        value = answers.get(item.number)
        option_labels = {option.value: option.label for option in item.options}
        rows.append(
            ItemRow(
                number=item.number,
                text=item.text,
                value=value,
                answer=option_labels.get(value, "—") if value is not None else _("未作答"),
                item_score=None,
                supplementary=True,
            )
        )
    return rows


# --- cut-off versions --------------------------------------------------------------------


def current_versions(norm: str) -> list[str]:
    """The version each instrument is scored with now (SCARED: the county's norm)."""
    return [get_cutoffs(code, norm=norm).version for code in CUTOFFS]


@dataclass(frozen=True)
class CutoffChange:
    screening: Screening
    new_version: str
    new_band: str
    new_positive: bool
    new_alerts: tuple[str, ...]

    @property
    def new_band_label(self) -> str:
        return band_label(self.new_band)

    @property
    def band_changed(self) -> bool:
        return self.new_band != self.screening.band

    @property
    def positive_changed(self) -> bool:
        return self.new_positive != self.screening.positive


def cutoff_changes(user, *, norm: str) -> list[CutoffChange]:
    """Every stored result in the user's area that today's tables would band or flag
    differently. Scored again in memory only (the library is pure): nothing is written.

    Results already scored with a current table are skipped in SQL; the rest are read
    without their children's details until a row is shown."""
    versions = current_versions(norm)
    candidates = (
        Screening.objects.visible_to(user)
        .exclude(cutoff_version__in=versions)
        .select_related(*CHILD_RELATED)
        .order_by("-screened_on", "-pk")
    )
    changes = []
    for screening in candidates.iterator(chunk_size=500):
        try:
            result = score(
                screening.instrument,
                screening.answers_by_item(),
                norm=(screening.norm or norm) or None,
            )
        except ValueError:
            continue  # answers no longer scorable (cannot happen for stored results)
        if (
            result.band != screening.band
            or result.positive != screening.positive
            or sorted(result.alerts) != sorted(screening.alerts or [])
        ):
            changes.append(
                CutoffChange(
                    screening=screening,
                    new_version=result.version,
                    new_band=result.band,
                    new_positive=result.positive,
                    new_alerts=tuple(result.alerts),
                )
            )
    return changes
