"""The child page's timeline: care records of every app, newest first.

An app contributes by naming, on its AppConfig, ``child_timeline = "app.selectors.fn"``:
``fn(child, user, limit=None) -> TimelineEntries``, run with a fixed number of queries
whatever the number of records. The child page merges them, so it never needs to know which
apps exist.

A child visited for years has hundreds of records, so the page shows only the newest
``LIMIT`` entries. For the merged top ``LIMIT`` to be exactly the top of the full timeline,
each provider returns its own newest ``limit`` entries in timeline order (``timeline_order``),
fetched by queries ordered the same way (the date, then what sort_key is made of, then pk,
all descending) and cut in SQL, so their cost no longer grows with the child's history; and
it says how many it has in all (``total``; ``newest_rows`` counts only a kind of record that
has more than ``limit``).
"""

import datetime as dt
from dataclasses import dataclass, field

from core.extensions import call_each

# Entries the child page shows unless asked for all.
LIMIT = 30


@dataclass(frozen=True)
class TimelineEntry:
    date: dt.date
    kind: str  # short Chinese label: 家访, 心理测评, 关爱方案 …
    title: str
    summary: str = ""
    url: str = ""
    tone: str = "secondary"  # Bootstrap colour of the badge
    sort_key: tuple = field(default=())  # tie-breaker within a day (e.g. the record's pk)


def timeline_order(entry: TimelineEntry) -> tuple:
    """The sort key of the timeline, newest first when reversed."""
    return (entry.date, entry.sort_key)


class NewestFirst(list):
    """Records newest first, with how many there are in all (``total``): a limited list
    holds only the newest of them. The child page's timeline and its change history."""

    def __init__(self, entries=(), total: int | None = None):
        super().__init__(entries)
        self.total = len(self) if total is None else total

    @property
    def older(self) -> int:
        """How many older records were left out."""
        return self.total - len(self)


class TimelineEntries(NewestFirst):
    """The timeline's entries (TimelineEntry), newest first, with the full timeline's total."""


def newest(entries, limit: int | None, total: int | None = None) -> TimelineEntries:
    """``entries`` in timeline order, the newest ``limit`` of them (all when None). The sort
    is stable, so entries equal in (date, sort_key) keep the order they were given in: a
    provider gives them in its query's order, the same whether limited or not."""
    ordered = sorted(entries, key=timeline_order, reverse=True)
    if total is None:
        total = len(ordered)
    return TimelineEntries(ordered if limit is None else ordered[:limit], total)


def newest_rows(queryset, limit: int | None) -> tuple[list, int]:
    """The first ``limit`` rows of an ordered queryset (all when None) and how many rows it
    has in all. One row more than the limit is fetched: when it is not there, the rows are
    all there is; only a record type with more than ``limit`` rows is counted apart."""
    if limit is None:
        rows = list(queryset)
        return rows, len(rows)
    rows = list(queryset[: limit + 1])
    if len(rows) <= limit:
        return rows, len(rows)
    return rows[:limit], queryset.count()


def timeline_for(child, user, limit: int | None = None) -> TimelineEntries:
    """The child's timeline, newest first: all of it, or the newest ``limit`` entries with the
    total of the full timeline."""
    if limit is not None and limit < 1:
        raise ValueError("a timeline limit is at least 1")
    parts: list[TimelineEntries] = call_each("child_timeline", child, user, limit=limit)
    total = sum(part.total for part in parts)
    return newest((entry for part in parts for entry in part), limit, total)
