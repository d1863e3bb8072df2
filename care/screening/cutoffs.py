"""Versioned cut-off tables for the screening instruments.

Thresholds live here, apart from the scoring arithmetic, because they are a clinical
decision that may be revised (for example when a local norm is adopted). Every table
carries a version string that is stored with each scored result, so a result can
always be re-read against the thresholds it was actually scored with. Never edit a
published table in place: add a new version and point ``CUTOFFS`` at it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

__all__ = ["CUTOFFS", "Band", "CutoffTable", "get_cutoffs"]


@dataclass(frozen=True)
class Band:
    """A named, inclusive range of total scores."""

    name: str
    low: int
    high: int

    def contains(self, total: int) -> bool:
        return self.low <= total <= self.high


@dataclass(frozen=True)
class CutoffTable:
    """Thresholds for one instrument.

    ``bands`` are ordered from least to most concerning and must tile the whole
    score range without gaps, so every possible total maps to exactly one band.
    ``positive_bands`` are the bands that should raise a child's risk level.
    ``subscale_cutoffs`` maps a subscale name to the score at or above which that
    subscale adds an alert.
    """

    code: str
    version: str
    bands: tuple[Band, ...]
    positive_bands: frozenset[str]
    subscale_cutoffs: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    source: str = ""

    def __post_init__(self) -> None:
        # Validate at import time: a gap or overlap would silently mis-band a child.
        if not self.bands:
            raise ValueError(f"{self.code}: a cut-off table needs at least one band")
        for previous, current in zip(self.bands, self.bands[1:], strict=False):
            if current.low != previous.high + 1:
                raise ValueError(
                    f"{self.code}: bands {previous.name} and {current.name} do not tile"
                )
        unknown = self.positive_bands - {band.name for band in self.bands}
        if unknown:
            raise ValueError(f"{self.code}: unknown positive bands {sorted(unknown)}")

    @property
    def min_total(self) -> int:
        return self.bands[0].low

    @property
    def max_total(self) -> int:
        return self.bands[-1].high

    @property
    def band_names(self) -> tuple[str, ...]:
        return tuple(band.name for band in self.bands)

    def band_for(self, total: int) -> Band:
        for band in self.bands:
            if band.contains(total):
                return band
        raise ValueError(f"{self.code}: total {total} is outside {self.min_total}–{self.max_total}")

    def severity_of(self, band_name: str) -> int:
        """0-based rank of a band, so results of one instrument can be compared."""
        return self.band_names.index(band_name)


def _bands(*spec: tuple[str, int, int]) -> tuple[Band, ...]:
    return tuple(Band(name, low, high) for name, low, high in spec)


# PHQ-9 and PHQ-A share the Kroenke & Spitzer (2001/2002) severity bands.
_PHQ_BANDS = _bands(
    ("minimal", 0, 4),
    ("mild", 5, 9),
    ("moderate", 10, 14),
    ("moderately_severe", 15, 19),
    ("severe", 20, 27),
)
# Only the two top bands raise risk on their own; item 9 raises it via an alert
# whatever the band (see scoring).
_PHQ_POSITIVE = frozenset({"moderately_severe", "severe"})

_TABLES = (
    CutoffTable(
        code="PHQ9",
        version="PHQ9-2026.1",
        bands=_PHQ_BANDS,
        positive_bands=_PHQ_POSITIVE,
        source="Kroenke, Spitzer & Williams 2001 severity bands",
    ),
    CutoffTable(
        code="PHQA",
        version="PHQA-2026.1",
        bands=_PHQ_BANDS,
        positive_bands=_PHQ_POSITIVE,
        source="Johnson et al. 2002 (PHQ-A); PHQ-9 severity bands",
    ),
    CutoffTable(
        code="GAD7",
        version="GAD7-2026.1",
        bands=_bands(("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("severe", 15, 21)),
        positive_bands=frozenset({"severe"}),
        source="Spitzer et al. 2006 severity bands",
    ),
    CutoffTable(
        code="SCARED",
        version="SCARED-2026.1",
        # Chinese urban norm: total >= 23 is positive. Birmaher et al.'s original
        # cut-off is >= 25; the lower local norm is used because this service screens
        # Chinese children and a missed case costs more than a follow-up interview.
        bands=_bands(("negative", 0, 22), ("positive", 23, 82)),
        positive_bands=frozenset({"positive"}),
        subscale_cutoffs=MappingProxyType(
            {
                "panic_somatic": 7,
                "generalized_anxiety": 9,
                "separation": 5,
                "social": 8,
                "school_avoidance": 3,
            }
        ),
        source="Chinese urban norm (total >= 23); Birmaher et al. 1997/1999 subscale cut-offs",
    ),
    CutoffTable(
        code="CESDC",
        version="CESDC-2026.1",
        # "> 15" in the literature, i.e. 16 and above.
        bands=_bands(("negative", 0, 15), ("positive", 16, 60)),
        positive_bands=frozenset({"positive"}),
        source="Weissman, Orvaschel & Padian 1980 (> 15)",
    ),
    # SDQ bands are on the total difficulties score (0–40), using the published
    # original three-band cut-offs, which differ by informant.
    CutoffTable(
        code="SDQ_S",
        version="SDQ_S-2026.1",
        bands=_bands(("normal", 0, 15), ("borderline", 16, 19), ("abnormal", 20, 40)),
        positive_bands=frozenset({"abnormal"}),
        source="Goodman, original three-band cut-offs, self-report",
    ),
    CutoffTable(
        code="SDQ_P",
        version="SDQ_P-2026.1",
        bands=_bands(("normal", 0, 13), ("borderline", 14, 16), ("abnormal", 17, 40)),
        positive_bands=frozenset({"abnormal"}),
        source="Goodman, original three-band cut-offs, parent report",
    ),
    CutoffTable(
        code="SDQ_T",
        version="SDQ_T-2026.1",
        bands=_bands(("normal", 0, 11), ("borderline", 12, 15), ("abnormal", 16, 40)),
        positive_bands=frozenset({"abnormal"}),
        source="Goodman, original three-band cut-offs, teacher report",
    ),
)

CUTOFFS: Mapping[str, CutoffTable] = MappingProxyType({table.code: table for table in _TABLES})


def get_cutoffs(code: str) -> CutoffTable:
    try:
        return CUTOFFS[code]
    except KeyError:
        raise ValueError(f"Unknown screening instrument code: {code!r}") from None
