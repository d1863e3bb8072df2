"""The one definition of when a child's next visit is due and when it is overdue.

Every page that shows or counts due or overdue visits (the child page, the ledger filter, the
home pages, the dashboards, the township report) calls this module; nothing else computes it.

The rule (docs/domain.md §6, configurable in ``VisitRule`` / ``VisitScheduleSetting``):

* only an **active** child has a due date; a closed case has none (closing cancels its due
  visits, reopening brings them back, computed afresh);
* ``last_visit_date`` is the latest date of **any** visit of the child, whatever its review
  status: a returned visit (已退回) still happened, the supervisor only asked for the record
  to be corrected, so it counts like a pending or approved one;
* if the child has been visited: ``next_visit_due = last_visit_date + interval`` where the
  interval is the rule for the child's **current** risk level (so raising the risk shortens
  the wait at once, with nothing stored to recompute);
* never visited: ``next_visit_due = registered_on + N working days`` (N = 5 by default).
  Working days are Monday–Friday only: there is no holiday calendar (national holidays and
  their swapped weekend working days are not modelled), so around 国庆/春节 the date is early;
* **overdue** means ``next_visit_due < today``: a visit due today is not yet overdue, the
  day after it is.

It is computed, never stored, so it is always current after a visit, a risk change, a rule
change, a close or a reopen: as SQL annotations for lists, filters and counts, and for the one
child of a page (``child_schedule``) as the same rule in Python (``next_visit_due``), which a
test checks against the SQL for every risk level, weekday and state. Reading the
rules costs two small queries per call (pass ``rules=`` to reuse them).

Public API::

    rules = load_rules()                                   # ScheduleRules (2 queries)
    qs = annotate_next_due(Child.objects.visible_to(u), today)
        # + last_visit_date (date|None), next_visit_due (date|None), visit_overdue (bool)
    overdue_children(qs, today)                             # next_visit_due < today
    due_between(qs, start, end)                             # start <= next_visit_due <= end
    due_this_week(qs, today)                                # today .. this Sunday
    week_bounds(today)                                      # (today, this Sunday)
    overdue_q(today), due_between_q(start, end)             # Q objects on an annotated qs
    overdue_count_q(today, rules)                           # Q for counting, no annotation
    child_schedule(child, today)                            # ChildSchedule for one child
    schedules_for(rows, today)                              # {pk: ChildSchedule} of read rows
    next_visit_due(status=…, risk_level=…, registered_on=…, last_visit_date=…, rules=…)
    first_visit_due(registered_on, working_days)            # the same rule in Python
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    DateField,
    DurationField,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, ExtractIsoWeekDay
from django.utils import timezone

from children.choices import CaseStatus, RiskLevel
from visits.models import (
    DEFAULT_FIRST_VISIT_WORKING_DAYS,
    DEFAULT_INTERVALS,
    Visit,
    VisitRule,
    VisitScheduleSetting,
)

__all__ = [
    "ChildSchedule",
    "ScheduleRules",
    "annotate_next_due",
    "child_schedule",
    "due_between",
    "due_between_q",
    "due_this_week",
    "first_visit_due",
    "load_rules",
    "next_visit_due",
    "overdue_children",
    "overdue_count_q",
    "overdue_q",
    "schedules_for",
    "week_bounds",
    "working_day_offsets",
]


@dataclass(frozen=True)
class ScheduleRules:
    intervals: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_INTERVALS))
    first_visit_working_days: int = DEFAULT_FIRST_VISIT_WORKING_DAYS

    def interval(self, risk_level: str) -> int:
        return self.intervals.get(risk_level, DEFAULT_INTERVALS.get(risk_level, 30))


_FIRST_VISIT_KEY = "first_visit"  # not a risk level: the setting's row in load_rules' union


def load_rules() -> ScheduleRules:
    """The current rules; a missing row falls back to the docs/domain.md §6 default."""
    # One round trip for both tables: every ledger page, child page and visit form reads them.
    first_visit = VisitScheduleSetting.objects.filter(pk=1).values_list(
        Value(_FIRST_VISIT_KEY, output_field=CharField()), "first_visit_working_days"
    )
    rows = dict(
        VisitRule.objects.order_by()
        .values_list("risk_level", "interval_days")
        .union(first_visit.order_by(), all=True)
    )
    days = rows.pop(_FIRST_VISIT_KEY, DEFAULT_FIRST_VISIT_WORKING_DAYS)
    return ScheduleRules(intervals={**DEFAULT_INTERVALS, **rows}, first_visit_working_days=days)


def working_day_offsets(working_days: int) -> dict[int, int]:
    """Calendar days from a date to the ``working_days``-th working day after it, for each
    ISO weekday of the start date (1 = Monday … 7 = Sunday). Mon–Fri only, no holidays."""
    offsets = {}
    for weekday in range(1, 8):
        day, counted, offset = weekday, 0, 0
        while counted < working_days:
            offset += 1
            day = day % 7 + 1
            if day <= 5:
                counted += 1
        offsets[weekday] = offset
    return offsets


def first_visit_due(registered_on: dt.date, working_days: int) -> dt.date:
    """The same first-visit rule in Python (for forms and messages; lists use SQL)."""
    offset = working_day_offsets(working_days)[registered_on.isoweekday()]
    return registered_on + dt.timedelta(days=offset)


def _days(days: int) -> Value:
    return Value(dt.timedelta(days=days), output_field=DurationField())


def _last_visit_subquery(child_ref: str = "pk") -> Subquery:
    # A correlated subquery rather than a join + Max, so it composes with other annotations
    # (counts of circumstances, alerts…) without multiplying their rows. The newest visit by
    # ORDER BY … LIMIT 1 reads one entry of the (child, date) index backwards, where MAX
    # groups all of the child's visits.
    latest = Visit.objects.filter(child=OuterRef(child_ref)).order_by("-date").values("date")[:1]
    return Subquery(latest, output_field=DateField())


def _next_due_expression(rules: ScheduleRules):
    interval = Case(
        *[When(risk_level=level, then=_days(rules.interval(level))) for level in RiskLevel.values],
        default=_days(rules.interval(RiskLevel.YELLOW)),
        output_field=DurationField(),
    )
    first_offset = Case(
        *[
            When(registered_isoweekday=weekday, then=_days(offset))
            for weekday, offset in working_day_offsets(rules.first_visit_working_days).items()
        ],
        output_field=DurationField(),
    )
    # date + interval is a timestamp on PostgreSQL and a text datetime on SQLite: cast back.
    # COALESCE rather than CASE WHEN last IS NULL: the last-visit subquery then appears once,
    # and the database runs it once per child instead of twice (last + interval is NULL
    # exactly when the child has never been visited).
    return Case(
        When(~Q(status=CaseStatus.ACTIVE), then=Value(None, output_field=DateField())),
        default=Coalesce(
            Cast(F("last_visit_date") + interval, DateField()),
            Cast(F("registered_on") + first_offset, DateField()),
        ),
        output_field=DateField(),
    )


def annotate_next_due(
    queryset: QuerySet, today: dt.date | None = None, *, rules: ScheduleRules | None = None
) -> QuerySet:
    """Annotate a Child queryset with ``last_visit_date``, ``next_visit_due`` (None for a
    closed case) and ``visit_overdue`` (bool, as of ``today``). Scope it before calling."""
    today = today or timezone.localdate()
    rules = rules or load_rules()
    return (
        queryset.annotate(
            last_visit_date=_last_visit_subquery(),
            registered_isoweekday=ExtractIsoWeekDay("registered_on"),
        )
        .annotate(next_visit_due=_next_due_expression(rules))
        .annotate(
            visit_overdue=Case(
                When(next_visit_due__lt=today, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def overdue_count_q(today: dt.date, rules: ScheduleRules | None = None) -> Q:
    """The children overdue on ``today``, for counting, on any Child queryset (no
    annotation needed): the same rule as ``annotate_next_due`` + ``overdue_q`` turned around,
    ``last + interval < today`` ⟺ no visit on or after ``today − interval``, and
    ``registered + offset < today`` ⟺ ``registered < today − offset``. PostgreSQL answers it
    with index probes instead of evaluating the last-visit subquery several times per child
    (bench/RESULTS.md §2); a test checks it against the annotation."""
    rules = rules or load_rules()
    visits = Visit.objects.filter(child=OuterRef("pk"))
    stale = Q()
    for level in RiskLevel.values:
        since = today - dt.timedelta(days=rules.interval(level))
        stale |= Q(risk_level=level) & ~Exists(visits.filter(date__gte=since))
    since = today - dt.timedelta(days=rules.interval(RiskLevel.YELLOW))  # as the SQL's default
    stale |= ~Q(risk_level__in=RiskLevel.values) & ~Exists(visits.filter(date__gte=since))
    first_visit_late = Q()
    for weekday, offset in working_day_offsets(rules.first_visit_working_days).items():
        first_visit_late |= Q(
            registered_on__iso_week_day=weekday,
            registered_on__lt=today - dt.timedelta(days=offset),
        )
    # Never visited, a child is "stale" too; so: stale, and either visited at some time or
    # late for the first visit. The date test first: it spares most children a subquery.
    return Q(status=CaseStatus.ACTIVE) & stale & (first_visit_late | Exists(visits))


def overdue_q(today: dt.date) -> Q:
    """On an annotated queryset: the children whose visit is overdue on ``today``."""
    return Q(next_visit_due__lt=today)


def due_between_q(start: dt.date, end: dt.date) -> Q:
    """On an annotated queryset: next visit due in [start, end] (both inclusive)."""
    return Q(next_visit_due__gte=start, next_visit_due__lte=end)


def _annotated(queryset: QuerySet, today, rules) -> QuerySet:
    if "next_visit_due" in queryset.query.annotations:
        return queryset
    return annotate_next_due(queryset, today, rules=rules)


def overdue_children(
    queryset: QuerySet, today: dt.date | None = None, *, rules: ScheduleRules | None = None
) -> QuerySet:
    """Active children of ``queryset`` whose next visit was due before ``today``."""
    today = today or timezone.localdate()
    return _annotated(queryset, today, rules).filter(overdue_q(today))


def due_between(
    queryset: QuerySet,
    start: dt.date,
    end: dt.date,
    *,
    today: dt.date | None = None,
    rules: ScheduleRules | None = None,
) -> QuerySet:
    """Active children of ``queryset`` whose next visit falls due in [start, end]."""
    return _annotated(queryset, today, rules).filter(due_between_q(start, end))


def week_bounds(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """「本周到期」: from today to this Sunday. Days before today are overdue, not due."""
    today = today or timezone.localdate()
    return today, today + dt.timedelta(days=7 - today.isoweekday())


def due_this_week(
    queryset: QuerySet, today: dt.date | None = None, *, rules: ScheduleRules | None = None
) -> QuerySet:
    start, end = week_bounds(today)
    return due_between(queryset, start, end, today=start, rules=rules)


@dataclass(frozen=True)
class ChildSchedule:
    last_visit_date: dt.date | None
    next_visit_due: dt.date | None
    overdue: bool


def next_visit_due(
    *, status: str, risk_level: str, registered_on: dt.date, last_visit_date, rules: ScheduleRules
) -> dt.date | None:
    """The rule of ``annotate_next_due`` for one child already in memory (its page, the
    visit form). tests/visits/test_schedule.py checks that both give the same dates."""
    if status != CaseStatus.ACTIVE:
        return None
    if last_visit_date is None:
        return first_visit_due(registered_on, rules.first_visit_working_days)
    return last_visit_date + dt.timedelta(days=rules.interval(risk_level))


def schedules_for(rows, today: dt.date | None = None, *, rules: ScheduleRules | None = None):
    """``{child pk: ChildSchedule}`` for children already read (the fifty rows of a ledger
    page), given as ``(pk, status, risk_level, registered_on)``: their latest visits in one
    query, then the rule in Python."""
    rows = list(rows)
    today = today or timezone.localdate()
    rules = rules or load_rules()
    latest = dict(
        Visit.objects.filter(child_id__in=[row[0] for row in rows])
        .order_by()
        .values_list("child_id")
        .annotate(latest=Max("date"))
    )
    result = {}
    for pk, status, risk_level, registered_on in rows:
        last = latest.get(pk)
        due = next_visit_due(
            status=status,
            risk_level=risk_level,
            registered_on=registered_on,
            last_visit_date=last,
            rules=rules,
        )
        result[pk] = ChildSchedule(last, due, due is not None and due < today)
    return result


def child_schedule(
    child, today: dt.date | None = None, *, rules: ScheduleRules | None = None
) -> ChildSchedule:
    """One child's schedule for its page: its current state and latest visit (one query),
    then the rule in Python — not the lists' SQL built for one row (~5 ms of compiling)."""
    from children.models import Child

    today = today or timezone.localdate()
    rules = rules or load_rules()
    rows = (
        Child.objects.filter(pk=child.pk)
        .values("status", "risk_level", "registered_on")
        .annotate(last_visit_date=Max("visits__date"))
        .order_by()
    )
    if not rows:
        return ChildSchedule(None, None, False)
    row = rows[0]
    last = row.pop("last_visit_date")
    due = next_visit_due(**row, last_visit_date=last, rules=rules)
    return ChildSchedule(last, due, due is not None and due < today)
