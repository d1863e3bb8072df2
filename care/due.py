"""When something is due and when it is overdue: the one definition used by care.

Overdue means the due date is strictly before today (a review or follow-up due today is
"due", not yet overdue) — the same rule the visit schedule uses (visits/schedule.py), so a
child page, the lists and the home figures never disagree. "Due this week" (本周到期) is, as
for visits, from today to this Sunday: earlier days are overdue, not due. Today is
``timezone.localdate()`` (Asia/Shanghai).
"""

import datetime as dt

from django.db.models import Q
from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()


def is_overdue(due_on: dt.date | None, *, on: dt.date | None = None) -> bool:
    return due_on is not None and due_on < (on or today())


def week_bounds(on: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """「本周到期」: from today to this Sunday (inclusive)."""
    on = on or today()
    return on, on + dt.timedelta(days=7 - on.isoweekday())


def is_due_this_week(due_on: dt.date | None, *, on: dt.date | None = None) -> bool:
    start, end = week_bounds(on)
    return due_on is not None and start <= due_on <= end


def overdue_q(field: str, *, on: dt.date | None = None) -> Q:
    """The SQL form of ``is_overdue`` for a date column (``review_on``, ``next_follow_up_on``)."""
    return Q(**{f"{field}__lt": on or today()})


def due_this_week_q(field: str, *, on: dt.date | None = None) -> Q:
    start, end = week_bounds(on)
    return Q(**{f"{field}__gte": start, f"{field}__lte": end})


def next_follow_up(*, started_on: dt.date, last_follow_up_on: dt.date | None, interval_days: int):
    """Next follow-up of a pairing: the last follow-up (or the start) plus the interval."""
    return (last_follow_up_on or started_on) + dt.timedelta(days=interval_days)
