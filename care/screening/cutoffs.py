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

__all__ = [
    "CUTOFFS",
    "NORM_BIRMAHER",
    "NORM_CHINESE",
    "PUBLISHED_TABLES",
    "SCARED_NORMS",
    "Band",
    "CutoffTable",
    "get_cutoffs",
    "table_for_version",
]

# The two SCARED norms a county may choose between (stored with each SCARED result).
NORM_BIRMAHER = "birmaher"
NORM_CHINESE = "chinese"
SCARED_NORMS = (NORM_BIRMAHER, NORM_CHINESE)


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
    ``positive_bands`` are the bands that should raise a child's risk level, unless
    ``positive_at`` is given: then a total at or above it is positive, whatever its band
    (the published screening cut-offs do not all fall on a band edge: PHQ-A >= 11).
    ``subscale_cutoffs`` maps a subscale name to the score at or above which that
    subscale adds an alert; with ``subscales_positive`` such an alert also makes the
    result positive (for that domain).
    ``norm`` names the local norm a table implements, when an instrument has several.
    """

    code: str
    version: str
    bands: tuple[Band, ...]
    positive_bands: frozenset[str] = frozenset()
    subscale_cutoffs: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    source: str = ""
    positive_at: int | None = None
    subscales_positive: bool = False
    norm: str = ""

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
        if self.positive_at is None and not self.positive_bands:
            raise ValueError(f"{self.code}: a table needs positive bands or a positive cut-off")
        if self.positive_at is not None and not (
            self.min_total < self.positive_at <= self.max_total
        ):
            raise ValueError(f"{self.code}: positive cut-off {self.positive_at} out of range")

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

    def is_positive(self, total: int) -> bool:
        """Whether a total is a positive screen on this table (alerts aside)."""
        if self.positive_at is not None:
            return total >= self.positive_at
        return self.band_for(total).name in self.positive_bands


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

# --- 2026.1: the first published tables (kept: results scored with them keep them) ------
# Only the top PHQ/GAD bands were positive and SCARED used the Chinese norm alone. Read
# again by ``table_for_version`` for the results stored with these versions.
_TABLES_2026_1 = (
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

# --- 2026.2: the published screening cut-offs ------------------------------------------
# A positive screen (the result raises risk and counts as 阳性) from the cut-off each
# instrument was validated with; the band names are unchanged.
_SCARED_SUBSCALE_CUTOFFS = MappingProxyType(
    {
        "panic_somatic": 7,
        "generalized_anxiety": 9,
        "separation": 5,
        "social": 8,
        "school_avoidance": 3,
    }
)
_TABLES_2026_2 = (
    CutoffTable(
        code="PHQ9",
        version="PHQ9-2026.2",
        bands=_PHQ_BANDS,
        positive_at=10,
        source="Kroenke, Spitzer & Williams 2001: total >= 10 (sensitivity 88%, "
        "specificity 88% for major depression)",
    ),
    CutoffTable(
        code="PHQA",
        version="PHQA-2026.2",
        bands=_PHQ_BANDS,
        positive_at=11,
        source="Richardson et al. 2010 (Pediatrics 126:1117): PHQ-9 for adolescents, "
        "total >= 11; Johnson et al. 2002 (PHQ-A)",
    ),
    CutoffTable(
        code="GAD7",
        version="GAD7-2026.2",
        bands=_bands(("minimal", 0, 4), ("mild", 5, 9), ("moderate", 10, 14), ("severe", 15, 21)),
        positive_at=10,
        source="Spitzer, Kroenke, Williams & Löwe 2006: total >= 10",
    ),
    CutoffTable(
        code="SCARED",
        version="SCARED-2026.2",
        bands=_bands(("negative", 0, 24), ("positive", 25, 82)),
        positive_at=25,
        subscale_cutoffs=_SCARED_SUBSCALE_CUTOFFS,
        subscales_positive=True,
        norm=NORM_BIRMAHER,
        source="Birmaher et al. 1997/1999: total >= 25; subscales panic/somatic >= 7, "
        "generalised anxiety >= 9, separation >= 5, social >= 8, school avoidance >= 3",
    ),
    # The Chinese urban norm (Su Linyan et al. 2008: total >= 23) as an alternative
    # table a county may choose (CareSettings); the choice is stored with each result.
    CutoffTable(
        code="SCARED",
        version="SCARED-CN-2026.2",
        bands=_bands(("negative", 0, 22), ("positive", 23, 82)),
        positive_at=23,
        subscale_cutoffs=_SCARED_SUBSCALE_CUTOFFS,
        subscales_positive=True,
        norm=NORM_CHINESE,
        source="Chinese urban norm (Su et al. 2008): total >= 23; Birmaher subscale cut-offs",
    ),
    CutoffTable(
        code="CESDC",
        version="CESDC-2026.2",
        bands=_bands(("negative", 0, 15), ("positive", 16, 60)),
        positive_at=16,
        source="Weissman, Orvaschel & Padian 1980: total > 15",
    ),
    CutoffTable(
        code="SDQ_S",
        version="SDQ_S-2026.2",
        bands=_bands(("normal", 0, 15), ("borderline", 16, 19), ("abnormal", 20, 40)),
        positive_bands=frozenset({"abnormal"}),
        source="Goodman 1997/2001, original three-band cut-offs, self-report: abnormal",
    ),
    CutoffTable(
        code="SDQ_P",
        version="SDQ_P-2026.2",
        bands=_bands(("normal", 0, 13), ("borderline", 14, 16), ("abnormal", 17, 40)),
        positive_bands=frozenset({"abnormal"}),
        source="Goodman 1997/2001, original three-band cut-offs, parent report: abnormal",
    ),
    CutoffTable(
        code="SDQ_T",
        version="SDQ_T-2026.2",
        bands=_bands(("normal", 0, 11), ("borderline", 12, 15), ("abnormal", 16, 40)),
        positive_bands=frozenset({"abnormal"}),
        source="Goodman 1997/2001, original three-band cut-offs, teacher report: abnormal",
    ),
)

# Every table ever published, by version: a stored result is re-read with its own.
PUBLISHED_TABLES: Mapping[str, CutoffTable] = MappingProxyType(
    {table.version: table for table in (*_TABLES_2026_1, *_TABLES_2026_2)}
)
# The current table of each instrument (SCARED: Birmaher's original, the default norm).
CUTOFFS: Mapping[str, CutoffTable] = MappingProxyType(
    {table.code: table for table in _TABLES_2026_2 if table.norm != NORM_CHINESE}
)
_CURRENT_BY_NORM: Mapping[tuple[str, str], CutoffTable] = MappingProxyType(
    {(table.code, table.norm): table for table in _TABLES_2026_2 if table.norm}
)


def get_cutoffs(code: str, *, norm: str | None = None) -> CutoffTable:
    """The current table of ``code``; for an instrument with norms, the ``norm`` one
    (None: the default). A norm the instrument does not have is an error."""
    try:
        table = CUTOFFS[code]
    except KeyError:
        raise ValueError(f"Unknown screening instrument code: {code!r}") from None
    # Only an instrument with norms (SCARED) looks at the norm: the county's choice can be
    # passed along with every screening.
    if norm and table.norm and norm != table.norm:
        try:
            return _CURRENT_BY_NORM[(code, norm)]
        except KeyError:
            raise ValueError(f"{code} has no norm {norm!r}") from None
    return table


def table_for_version(version: str) -> CutoffTable:
    try:
        return PUBLISHED_TABLES[version]
    except KeyError:
        raise ValueError(f"Unknown cut-off table version: {version!r}") from None
