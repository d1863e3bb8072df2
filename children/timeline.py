"""The child page's timeline: care records of every app, newest first.

An app contributes by naming, on its AppConfig, ``child_timeline = "app.selectors.fn"``:
``fn(child, user) -> list[TimelineEntry]``, run with a fixed number of queries whatever the
number of records. The child page merges them, so it never needs to know which apps exist.
"""

import datetime as dt
from dataclasses import dataclass, field

from longsheng_care.extensions import collect


@dataclass(frozen=True)
class TimelineEntry:
    date: dt.date
    kind: str  # short Chinese label: 家访, 心理测评, 关爱方案 …
    title: str
    summary: str = ""
    url: str = ""
    tone: str = "secondary"  # Bootstrap colour of the badge
    sort_key: tuple = field(default=())  # tie-breaker within a day (e.g. the record's pk)


def timeline_for(child, user) -> list[TimelineEntry]:
    entries: list[TimelineEntry] = collect("child_timeline", child, user)
    entries.sort(key=lambda e: (e.date, e.sort_key), reverse=True)
    return entries
