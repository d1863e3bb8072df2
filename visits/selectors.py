"""Reads of home visits. Everything starts from ``Visit.objects.visible_to(user)`` or
``Child.objects.visible_to(user)``; due and overdue come from ``visits.schedule`` only."""

import datetime as dt
from collections import defaultdict

from django.db.models import Count, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from children.models import Child
from children.timeline import TimelineEntries, TimelineEntry, newest
from core.choices import choice_labels
from core.extensions import Panel
from notifications.choices import NotificationKind
from notifications.services import DigestItem
from visits import schedule
from visits.choices import STATE_PARTS, Problem, ReviewStatus, StateRating, VisitKind
from visits.models import Visit, VisitAttachment, VisitProblem
from visits.services import can_record

VIEW = "visits.view_visit"


def _problems_prefetch() -> Prefetch:
    return Prefetch("problems", queryset=VisitProblem.objects.order_by("pk"))


def visit_list(user):
    """The visit list: scoped, with what the table shows, in a fixed number of queries."""
    return (
        Visit.objects.visible_to(user)
        .select_related("child", "child__village", "child__township", "visitor")
        .prefetch_related(_problems_prefetch())
    )


def pending_review(user):
    """Visits waiting for this user's review: pending, in their area, not their own."""
    return visit_list(user).filter(review_status=ReviewStatus.PENDING).exclude(created_by=user)


def returned_to(user):
    """Visits this user recorded that a supervisor returned for correction."""
    return visit_list(user).filter(review_status=ReviewStatus.RETURNED, created_by=user)


def visit_detail(user, pk) -> Visit:
    """One visit for its page, or DoesNotExist when absent or outside the user's area."""
    return (
        Visit.objects.visible_to(user)
        .select_related(
            "child", "child__village", "child__township", "visitor", "reviewer", "created_by"
        )
        .prefetch_related(
            _problems_prefetch(),
            Prefetch("attachments", queryset=VisitAttachment.objects.order_by("pk")),
        )
        .get(pk=pk)
    )


def visit_history(visit: Visit):
    from children.models import ChangeLog

    return (
        ChangeLog.objects.filter(child_id=visit.child_id, record_type="visit", record_id=visit.pk)
        .select_related("actor")
        .order_by("-at", "-pk")
    )


def visitor_choices(user, child: Child | None):
    """Who may be named as the visitor: the user, and the staff whose area holds the child
    (its village's director, its township's supervisor). Narrowed so a form never offers,
    or reveals, anyone else."""
    if child is None:
        return User.objects.filter(pk=user.pk)
    area = Q(role=Role.VILLAGE_DIRECTOR, village_id=child.village_id) | Q(
        role=Role.TOWNSHIP_SUPERVISOR, township_id=child.township_id
    )
    return User.objects.filter(Q(pk=user.pk) | (area & Q(is_active=True))).order_by(
        "role", "username"
    )


# --- the schedule lists ------------------------------------------------------------------


def schedule_children(user, today: dt.date | None = None, *, rules=None):
    """Active children of the user's area with their visit schedule annotated."""
    base = (
        Child.objects.visible_to(user)
        .active()
        .select_related("township", "village", "responsible_director")
    )
    return schedule.annotate_next_due(base, today, rules=rules)


def overdue_list(user, today: dt.date | None = None):
    today = today or timezone.localdate()
    return schedule.overdue_children(schedule_children(user, today), today).order_by(
        "next_visit_due", "village__code", "name_pinyin", "pk"
    )


def due_week_list(user, today: dt.date | None = None):
    today = today or timezone.localdate()
    return schedule.due_this_week(schedule_children(user, today), today).order_by(
        "next_visit_due", "village__code", "name_pinyin", "pk"
    )


def counts_by_village(queryset):
    """(village name, count) of a schedule list, for the per-village summary: one query."""
    return list(
        queryset.order_by()
        .values("village_id", "village__name")
        .annotate(n=Count("pk"))
        .order_by("village__name")
    )


# --- extension points --------------------------------------------------------------------


class _TimelineText:
    """The timeline's wording, translated once per page rather than once per visit."""

    def __init__(self):
        self.kind = _("家访")
        self.title = _("%(kind)s · %(visitor)s")
        self.problems = _("发现问题：%(p)s")
        self.poor = _("%(parts)s较差")
        self.follow_up = _("需跟进")
        self.nothing_found = _("未发现明显问题")
        self.kinds = choice_labels(VisitKind)
        self.problem_labels = choice_labels(Problem)
        self.review_statuses = choice_labels(ReviewStatus)
        self.state_parts = [(f"{prefix}_state", str(label)) for prefix, label in STATE_PARTS]


def _summary(row: dict, problem_codes: list[str], text: _TimelineText) -> str:
    """A one-line summary for the timeline: problems found, poor states, follow-up, status."""
    parts = []
    problems = [text.problem_labels.get(code, code) for code in problem_codes]
    if problems:
        parts.append(text.problems % {"p": "、".join(problems)})
    poor = [label for field, label in text.state_parts if row[field] == StateRating.POOR]
    if poor:
        parts.append(text.poor % {"parts": "、".join(poor)})
    if row["follow_up_needed"]:
        parts.append(text.follow_up)
    summary = "；".join(parts) or text.nothing_found
    if row["review_status"] != ReviewStatus.APPROVED:
        status = text.review_statuses.get(row["review_status"], row["review_status"])
        summary += f"（{status}）"
    return summary


TONES = {
    ReviewStatus.APPROVED: "primary",
    ReviewStatus.PENDING: "secondary",
    ReviewStatus.RETURNED: "warning",
}

# What a timeline entry reads of a visit (the notes and measures stay in the database), and
# its problems' codes through a LEFT JOIN: one row per problem, or one row with None.
_TIMELINE_VALUES = (
    "pk",
    "date",
    "kind",
    "review_status",
    "follow_up_needed",
    "created_at",
    *(f"{prefix}_state" for prefix, _label in STATE_PARTS),
    "visitor__name",
    "visitor__username",
    "problems__code",
)


def timeline_entries(child, user, limit=None) -> TimelineEntries:
    """Visits on the child page's timeline, newest first, the newest ``limit`` of them: one
    query whatever their number (two when there are more than ``limit``)."""
    if not user.has_perm(VIEW):
        return TimelineEntries()
    queryset = Visit.objects.visible_to(user).filter(child=child)
    # The timeline's order (date, then created_at as the entries' sort_key), pk for ties.
    order = ("-date", "-created_at", "-pk")
    rows = queryset
    if limit is not None:
        # The query has a row per problem, so the newest visits are cut in a subquery: one
        # more than the limit, to know whether there are older ones (then counted apart).
        rows = queryset.filter(pk__in=queryset.order_by(*order).values("pk")[: limit + 1])
    rows = rows.order_by(*order, "problems__pk").values(*_TIMELINE_VALUES)
    visits: dict[int, dict] = {}  # in the query's order
    problems: dict[int, list[str]] = defaultdict(list)
    for row in rows:
        visits.setdefault(row["pk"], row)
        if row["problems__code"] is not None:
            problems[row["pk"]].append(row["problems__code"])
    if not visits:
        return TimelineEntries()
    total = len(visits)
    if limit is not None and total > limit:
        visits = dict(list(visits.items())[:limit])
        total = queryset.count()
    text = _TimelineText()
    entries = [
        TimelineEntry(
            date=row["date"],
            kind=text.kind,
            title=text.title
            % {
                "kind": text.kinds.get(row["kind"], row["kind"]),
                # User.display_name: the name, or the username when no name was given.
                "visitor": row["visitor__name"] or row["visitor__username"],
            },
            summary=_summary(row, problems[pk], text),
            url=reverse("visits:detail", args=[pk]),
            tone=TONES.get(row["review_status"], "secondary"),
            sort_key=(row["created_at"].timestamp(),),
        )
        for pk, row in visits.items()
    ]
    return newest(entries, limit, total)


def child_actions(child, user) -> list[tuple[str, str]]:
    """「记录家访」 on the child page, with the due date from the one schedule definition."""
    if not can_record(user, child):
        return []
    url = reverse("visits:create", args=[child.pk])
    # A child of a household: the whole home may be visited at once (家庭走访).
    household = []
    if child.household_id:
        household = [
            (
                _("记录家庭走访（全户）"),
                reverse("visits:household_create", args=[child.household_id]),
            )
        ]
    status = schedule.child_schedule(child)
    if status.next_visit_due is None:
        return [(_("记录家访"), url), *household]
    if status.overdue:
        label = _("记录家访（已逾期，应于 %(d)s 前完成）")
    else:
        label = _("记录家访（下次应于 %(d)s 前完成）")
    return [(label % {"d": status.next_visit_due.isoformat()}, url), *household]


def home_panels(user):
    """Figures on the home page, for the user's area, aggregated in SQL (4 queries)."""
    if not user.has_perm(VIEW):
        return []
    today = timezone.localdate()
    week_start, week_end = schedule.week_bounds(today)
    children = schedule.annotate_next_due(Child.objects.visible_to(user).active(), today)
    child_counts = children.aggregate(
        overdue=Count("pk", filter=schedule.overdue_q(today)),
        due_week=Count("pk", filter=schedule.due_between_q(week_start, week_end)),
    )
    month_start = today.replace(day=1)
    visit_counts = Visit.objects.visible_to(user).aggregate(
        pending=Count("pk", filter=Q(review_status=ReviewStatus.PENDING) & ~Q(created_by=user)),
        returned=Count("pk", filter=Q(review_status=ReviewStatus.RETURNED, created_by=user)),
        month=Count("pk", filter=Q(date__gte=month_start, date__lte=today)),
    )
    list_url = reverse("visits:list")
    overdue = Panel(
        _("家访逾期儿童"),
        child_counts["overdue"],
        reverse("visits:overdue"),
        tone="danger",
        order=20,
    )
    month = Panel(
        _("本月家访"),
        visit_counts["month"],
        f"{list_url}?date_from={month_start.isoformat()}&date_to={today.isoformat()}",
        tone="primary",
        order=23,
    )
    if user.has_perm("visits.review_visit"):
        return [
            overdue,
            Panel(
                _("待审核家访"),
                visit_counts["pending"],
                reverse("visits:pending"),
                tone="warning",
                order=22,
            ),
            month,
        ]
    if user.has_perm("visits.add_visit"):
        return [
            Panel(
                _("本周到期家访"),
                child_counts["due_week"],
                reverse("visits:due_week"),
                tone="info",
                order=19,
            ),
            overdue,
            Panel(
                _("被退回的家访"),
                visit_counts["returned"],
                f"{list_url}?review_status={ReviewStatus.RETURNED}&mine=on",
                tone="warning",
                order=21,
            ),
        ]
    return [overdue, month]


def digest_items(user, today):
    """The visits line of a daily digest: how many children in the user's own village or
    township are overdue for a visit, with the link (a count, no names). For the people who
    visit (directors) and supervise the visits (township supervisors)."""
    if user.role not in (Role.VILLAGE_DIRECTOR, Role.TOWNSHIP_SUPERVISOR):
        return []
    if not user.has_perm(VIEW):
        return []
    count = Child.objects.visible_to(user).active().filter(schedule.overdue_count_q(today)).count()
    if not count:
        return []
    return [
        DigestItem(
            NotificationKind.VISIT_OVERDUE,
            _("本辖区有 %(n)d 名儿童家访已逾期。") % {"n": count},
            reverse("visits:overdue"),
        )
    ]
