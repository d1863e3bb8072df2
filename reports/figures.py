"""The figures of a campaign report, computed from recorded data, never typed.

``area_figures(campaign, scope)`` returns a JSON-ready dict (frozen as it is in a submitted
version) for a township, the county center's own records or the whole county;
``county_rollup(campaign)`` gives the ten townships' key figures with grouped queries (one
GROUP BY township per table), the county center's row and the county total, each computed
alone (``live_key_figures``) rather than as a whole report. Everything is aggregated in SQL;
no Python loop runs over records.

Counting people (docs/domain.md §7a, written once here and in activities.selectors.beneficiaries):
人数 counts each identified person once within the scope asked — township or county — and
人次 counts attendances. The county total is computed over the county, never added up from
the townships (a child at activities of two townships is one 人 and two 人次), and includes
the county center's own activities, trainings and purchased services. Anonymous headcounts
typed per record (guardians, teachers, the public, volunteers, people trained, children of a
purchased service outside the ledger) are 人次 once added across records.

Time: figures are taken *as of* a day (the earlier of that day and the period's end) and, for
a version being frozen, of the records entered by its submission instant (``recorded_by``):
nothing dated after the day and nothing entered after the instant is counted, and alerts
open/closed are as they stood at that instant.

Definitions (the campaign period is ``campaign.start_date`` … ``as_of``):

* ledger children (台账儿童): children of the scope registered by *as of* and not closed
  before the start; circumstances, benefit category and risk are their current values (the
  ledger keeps no dated history of them); new registrations: registered within the period;
* screening coverage: ledger children screened within the period ÷ ledger children, in %;
  severe: a 重度 band or a suicidal-ideation alert;
* alerts raised / closed within the period, and open at the moment taken;
* visits within the period (人次); of the active children, those visited within the period,
  those overdue as of *as of* (visits.schedule, the one definition), due = visited ∪ overdue;
* pairings live during the period; followed up within it; overdue (care.due, as of *as of*);
  follow-ups within the period (人次);
* services delivered (服务记录) within the period: sessions (人次) and the distinct children
  served (人), by kind; the one rule, here and in ``live_key_figures``;
* incidents (强制报告) reported within the period: a count, never a detail or a kind;
* activities (held by *as of*), beneficiaries, leaders, brands, channels, partners,
  purchased services and trainings: the campaign's records of the scope.

Why one module: it holds the definitions above for one township (``township_figures``, one
function per group of figures) and its key figures alone, for one scope or grouped by
township, for the county roll-up (``live_key_figures``). Where a rule is more than a filter
and a count, both call the same function (the visits' ``visit_figures_by_area``); the others
are the same record sets (``_screenings``, ``_visits``, ``ledger_q`` …) counted the same
way, grouped or not. Tests hold the two equal, township by township and for the county and
its center.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Township
from activities.choices import ActivityForm, Channel, LeaderLevel
from activities.models import (
    Activity,
    ActivityLeader,
    ActivityPlan,
    NeedFound,
    Participation,
    PurchasedService,
    RoleModelStory,
    Training,
)
from activities.notice_records import NeedKind
from activities.selectors import beneficiaries, beneficiaries_by_township, campaign_summary
from care import due as care_due
from care.choices import (
    SUICIDE_KINDS,
    AlertStatus,
    PairingStatus,
    PlanStatus,
    ReferralStatus,
    SessionKind,
)
from care.models import (
    CarePlan,
    FollowUp,
    Incident,
    Pairing,
    Referral,
    SafetyAlert,
    Screening,
    ServiceSession,
)
from children.choices import BenefitCategory, CaseStatus, Circumstance, RiskLevel
from children.models import Child, ChildCircumstance
from core.planning import planned_for_parameters
from reports.choices import ReportStatus
from reports.models import ReportVersion, TownshipReport, deadline_end
from visits import schedule
from visits.models import Visit

# --- the period and the scope ----------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The campaign period and the instant figures are taken at.

    ``as_of`` is the last day counted (the earlier of the period's end and the day the
    figures are taken); ``recorded_by``, when given, is the freeze instant: a record entered
    after it is left out even if it is dated inside the period (a version holds what was
    known when it was submitted, docs/domain.md §7a)."""

    start: dt.date
    end: dt.date
    as_of: dt.date
    recorded_by: dt.datetime | None = None

    @classmethod
    def of(
        cls, campaign, today: dt.date | None = None, recorded_by: dt.datetime | None = None
    ) -> Period:
        if today is None:
            today = timezone.localdate(recorded_by) if recorded_by else timezone.localdate()
        as_of = min(today, campaign.end_date)
        return cls(campaign.start_date, campaign.end_date, as_of, recorded_by)

    def q(self, field: str) -> Q:
        """Dated inside the period and no later than ``as_of``."""
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.as_of})

    def until(self, field: str) -> Q:
        """Dated no later than ``as_of`` (whatever the start)."""
        return Q(**{f"{field}__lte": self.as_of})

    def recorded(self, field: str) -> Q:
        """Entered no later than the freeze instant (every record, when there is none)."""
        return Q(**{f"{field}__lte": self.recorded_by}) if self.recorded_by else Q()

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            **(
                {"recorded_by": timezone.localtime(self.recorded_by).isoformat()}
                if self.recorded_by
                else {}
            ),
        }


@dataclass(frozen=True)
class Scope:
    """Where people are counted (docs/domain.md §7a): one township, the county center's own
    records (activities, trainings and purchased services with no township), or the whole
    county. A person is counted once within the scope; the county is never a sum of
    townships."""

    kind: str  # township | center | county
    township: Township | None = None

    @classmethod
    def of(cls, township) -> Scope:
        return cls("township", township)

    @property
    def has_ledger(self) -> bool:
        return self.kind != "center"

    @property
    def key(self) -> str:
        return str(self.township.pk) if self.kind == "township" else self.kind

    def children(self, prefix: str = "") -> Q:
        """On a model reaching a child through ``prefix``: the children of the scope."""
        if self.kind == "township":
            return Q(**{f"{prefix}township": self.township})
        if self.kind == "center":
            return Q(**{f"{prefix}pk__in": []})  # the center keeps no ledger of its own
        return Q()

    def records(self, field: str = "township") -> Q:
        """On an activity, a training or a purchased service: the records of the scope."""
        if self.kind == "township":
            return Q(**{field: self.township})
        if self.kind == "center":
            return Q(**{f"{field}__isnull": True})
        return Q()

    def as_dict(self) -> dict:
        return {
            "kind": self.kind,
            "name": self.township.name if self.township else self.label,
        }

    @property
    def label(self) -> str:
        if self.kind == "township":
            return self.township.name
        return _("县级（县未保中心）") if self.kind == "center" else _("全县")


COUNTY = Scope("county")
COUNTY_CENTER = Scope("center")


def ledger_q(period: Period, prefix: str = "") -> Q:
    """Children in the ledger at some time during the period (up to ``as_of``), entered by
    the freeze instant."""
    return (
        Q(**{f"{prefix}registered_on__lte": period.as_of})
        & (
            Q(**{f"{prefix}closed_on__isnull": True})
            | Q(**{f"{prefix}closed_on__gte": period.start})
        )
        & period.recorded(f"{prefix}created_at")
    )


def _followed_in(period: Period) -> Exists:
    return Exists(_follow_ups(period).filter(pairing=OuterRef("pk")))


# The records a period counts: dated in it (up to as_of) and entered by the freeze instant.
def _screenings(period: Period):
    return Screening.objects.filter(period.q("screened_on") & period.recorded("created_at"))


def _visits(period: Period):
    return Visit.objects.filter(period.q("date") & period.recorded("created_at"))


def _follow_ups(period: Period):
    return FollowUp.objects.filter(period.q("followed_on") & period.recorded("created_at"))


def _sessions(period: Period):
    """Services delivered (服务记录) in the period: each session is one 人次 of its child."""
    return ServiceSession.objects.filter(period.q("delivered_on") & period.recorded("created_at"))


def _alerts(period: Period):
    """Alerts raised by the freeze (raised_at is the instant it was recorded)."""
    cutoff = period.recorded_by
    alerts = SafetyAlert.objects.filter(raised_at__date__lte=period.as_of)
    return alerts.filter(raised_at__lte=cutoff) if cutoff else alerts


def _activities(campaign, period: Period):
    """The campaign's activities held by ``as_of`` (a planned one is not yet done) and
    recorded by the freeze instant."""
    return Activity.objects.filter(campaign=campaign).filter(
        period.until("start_date") & period.recorded("created_at")
    )


def _services(campaign, period: Period):
    return PurchasedService.objects.filter(campaign=campaign).filter(
        period.until("start_date") & period.recorded("created_at")
    )


def _trainings(campaign, period: Period):
    return Training.objects.filter(campaign=campaign).filter(
        period.until("date") & period.recorded("created_at")
    )


def _participations(activities, period: Period):
    return Participation.objects.filter(
        Q(activity__in=activities.order_by().values("pk")) & period.recorded("added_at")
    )


SEVERE_Q = Q(band="severe") | Q(safety_alert__kind__in=SUICIDE_KINDS)


def coverage(screened: int, children: int) -> float:
    """Percentage with one decimal; 0.0 for a township with no ledger children."""
    return round(screened * 100 / children, 1) if children else 0.0


def _codes(rows, codes) -> dict[str, int]:
    """A complete {code: n} for the given codes (0 where no row), from (code, n) pairs."""
    found = dict(rows)
    return {code: found.get(code, 0) for code in codes}


def _count_each(field: str, codes) -> dict[str, Count]:
    """Aggregates counting the rows of each code of ``field``, to read with ``_each``: a
    breakdown in the same statement as the totals beside it."""
    return {f"n_{field}_{code}": Count("pk", filter=Q(**{field: code})) for code in codes}


def _each(counts: dict, field: str, codes) -> dict[str, int]:
    """{code: n} from an aggregate of ``_count_each(field, codes)``."""
    return {code: counts[f"n_{field}_{code}"] for code in codes}


def _money(value) -> str:
    return str((value or Decimal("0")).quantize(Decimal("0.01")))


def _hours(value) -> str:
    return str((value or Decimal("0")).quantize(Decimal("0.1")))


# --- one scope --------------------------------------------------------------------------------


def _ledger_figures(children, period: Period) -> dict:
    counts = children.aggregate(
        children=Count("pk"),
        new_registrations=Count("pk", filter=Q(registered_on__gte=period.start)),
        **_count_each("benefit_category", BenefitCategory.values),
        **_count_each("risk_level", RiskLevel.values),
    )
    circumstances = (
        ChildCircumstance.objects.filter(child__in=children.values("pk"))
        .order_by()
        .values_list("code")
        .annotate(n=Count("pk"))  # (child, code) is unique: each child once per circumstance
    )
    return {
        "children": counts["children"],
        "new_registrations": counts["new_registrations"],
        "by_circumstance": _codes(circumstances, Circumstance.values),
        "by_benefit_category": _each(counts, "benefit_category", BenefitCategory.values),
        "by_risk": _each(counts, "risk_level", RiskLevel.values),
    }


def _screening_figures(children, period: Period, ledger_children: int) -> dict:
    # Aliases differ from the model's field names (``positive``), which an aggregate may
    # not shadow while its filter still reads the field.
    counts = (
        _screenings(period)
        .filter(child__in=children.values("pk"))
        .aggregate(
            n_screenings=Count("pk"),
            n_children=Count("child", distinct=True),
            n_positive=Count("pk", filter=Q(positive=True)),
            n_positive_children=Count("child", distinct=True, filter=Q(positive=True)),
            n_severe=Count("pk", filter=SEVERE_Q),
            n_severe_children=Count("child", distinct=True, filter=SEVERE_Q),
        )
    )
    return {
        "screenings": counts["n_screenings"],
        "children_screened": counts["n_children"],
        "coverage": coverage(counts["n_children"], ledger_children),
        "positive": counts["n_positive"],
        "positive_children": counts["n_positive_children"],
        "severe": counts["n_severe"],
        "severe_children": counts["n_severe_children"],
    }


def _open_at(period: Period) -> Q:
    """Open at the moment the figures are taken: open now, or closed after that moment."""
    later = Q(closed_at__date__gt=period.as_of)
    if period.recorded_by:
        later |= Q(closed_at__gt=period.recorded_by)
    return Q(status=AlertStatus.OPEN) | later


def _alert_figures(scope: Scope, period: Period) -> dict:
    closed_q = period.q("closed_at__date") & period.recorded("closed_at")
    return (
        _alerts(period)
        .filter(scope.children("child__"))
        .aggregate(
            raised=Count("pk", filter=Q(raised_at__date__gte=period.start)),
            closed=Count("pk", filter=closed_q),
            open=Count("pk", filter=_open_at(period)),
        )
    )


def _care_plan_figures(scope: Scope, period: Period) -> dict:
    # A plan is made (制定) when the township supervisor approves it: drafts, plans waiting
    # for approval and returned plans are not counted.
    plans = (
        CarePlan.objects.approved()
        .filter(scope.children("child__"))
        .filter(period.recorded("created_at"))
    )
    return plans.aggregate(
        started=Count("pk", filter=period.q("started_on")),
        active=Count("pk", filter=Q(status=PlanStatus.ACTIVE) & period.until("started_on")),
    )


def _service_figures(scope: Scope, period: Period) -> dict:
    """服务记录: sessions (人次), the distinct children served within the scope (人), hours,
    and sessions by kind."""
    sessions = _sessions(period).filter(scope.children("child__"))
    counts = sessions.aggregate(
        n_sessions=Count("pk"),
        n_children=Count("child", distinct=True),
        minutes=Sum("duration_minutes"),
        **_count_each("kind", SessionKind.values),
    )
    return {
        "sessions": counts["n_sessions"],
        "children": counts["n_children"],
        "hours": _hours(Decimal(counts["minutes"] or 0) / 60),
        "by_kind": _each(counts, "kind", SessionKind.values),
    }


def _incident_figures(scope: Scope, period: Period) -> dict:
    """强制报告 made within the period: how many, never which or of what kind."""
    return (
        Incident.objects.filter(scope.children("child__"))
        .filter(period.q("reported_on") & period.recorded("created_at"))
        .aggregate(reported=Count("pk"))
    )


def _referral_figures(scope: Scope, period: Period) -> dict:
    rows = (
        Referral.objects.filter(scope.children("child__"))
        .filter(period.q("referred_on") & period.recorded("created_at"))
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    by_status = _codes(rows, ReferralStatus.values)
    return {"total": sum(by_status.values()), "by_status": by_status}


def _pairings_live(period: Period) -> Q:
    return (
        period.until("started_on")
        & (Q(ended_on__isnull=True) | Q(ended_on__gte=period.start))
        & period.recorded("created_at")
    )


def _pairing_overdue_q(period: Period) -> Q:
    return Q(status=PairingStatus.ACTIVE) & care_due.overdue_q("next_follow_up_on", on=period.as_of)


def _pairing_figures(scope: Scope, period: Period) -> dict:
    followed = _followed_in(period)
    overdue = _pairing_overdue_q(period)
    counts = (
        Pairing.objects.filter(scope.children("child__"))
        .filter(_pairings_live(period))
        .aggregate(
            pairings=Count("pk"),
            followed=Count("pk", filter=followed),
            overdue=Count("pk", filter=overdue),
            due=Count("pk", filter=followed | overdue),
        )
    )
    counts["follow_ups"] = _follow_ups(period).filter(scope.children("pairing__child__")).count()
    return counts


def _active_children(period: Period):
    return Child.objects.active().filter(period.recorded("created_at"))


def _visit_figures(scope: Scope, period: Period, rules) -> dict:
    """The visits of the period, and the children visited, overdue and due, of one scope
    (``visit_figures_by_area``)."""
    return visit_figures_by_area(scope, period, rules)[None]


def visit_figures_by_area(
    scope: Scope, period: Period, rules, *, by_township: bool = False
) -> dict[int | None, dict]:
    """The visits of the period (人次), and the children visited, overdue and due (visited ∪
    overdue), of the scope as one area (key None) or of each of its townships (key: the
    township's id; a township with no active child and no visit has no row). The report
    and the county roll-up both count by this one rule. Two queries, each read once:

    * the visits and the children visited: one aggregate over the scope's visits of the period
      (a child is visited when active, entered by the freeze and with a visit counted);
    * the children overdue: the schedule's annotation (one probe of each active child's
      newest visit), as a column of a subquery fenced by OFFSET 0, which PostgreSQL does not
      flatten; rather than ``overdue_count_q``, whose NOT EXISTS per risk level PostgreSQL may
      answer by hashing every recent visit of the county to count one township (it took half
      of the county roll-up's time at 100,000 children);
    * in the same statement, the children both overdue and visited, so that due = visited +
      overdue − both: whether an *overdue* child has a visit of the period, asked in a CASE,
      so only of those few.

    A child is in one township, so a township's visited, overdue and due children are
    distinct people within it. Asking every child whether it was visited, as a column beside
    the overdue one, made PostgreSQL hash all the county's visits of the period first
    (bench/RESULTS.md)."""
    visited_child = Q(child__status=CaseStatus.ACTIVE) & period.recorded("child__created_at")
    aggregates = {
        # COUNT(*), not of the id: the (date, child) index answers it without the table.
        "n_visits": Count("*"),
        "n_visited": Count("child", distinct=True, filter=visited_child),
    }
    visits = _scope_visits(scope, period)
    if by_township:
        rows = visits.order_by().values(area=F("child__township")).annotate(**aggregates)
        counts = {row["area"]: row for row in rows}
    else:
        counts = {None: visits.aggregate(**aggregates)}
    area = {"area": F("township")} if by_township else {}
    facts = schedule.annotate_next_due(
        _active_children(period).filter(scope.children()).order_by(), period.as_of, rules=rules
    ).values("visit_overdue", child=F("pk"), **area)
    # The visits of the period of the child of the outer row (``facts.child``).
    of_the_period = _visits(period).filter(child_id=RawSQL('"facts"."child"', ())).values("pk")[:1]
    overdue: dict[int | None, tuple[int, int]] = {}
    try:
        inner, inner_params = facts.query.sql_with_params()
        visited_sql, visited_params = of_the_period.query.sql_with_params()
    except EmptyResultSet:  # the county center keeps no ledger: no child at all
        pass
    else:
        fence = " OFFSET 0" if connection.vendor == "postgresql" else ""
        key, group = ('"facts"."area"', ' GROUP BY "facts"."area"') if by_township else ("NULL", "")
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {key}, "  # noqa: S608 (only Django's compiled SQL and constants)
                "COALESCE(SUM(CASE WHEN visit_overdue THEN 1 ELSE 0 END), 0), "
                "COALESCE(SUM(CASE WHEN visit_overdue THEN "
                f"CASE WHEN EXISTS({visited_sql}) THEN 1 ELSE 0 END ELSE 0 END), 0) "
                f"FROM ({inner}{fence}) facts{group}",
                (*visited_params, *inner_params),
            )
            overdue = {row[0]: (int(row[1]), int(row[2])) for row in cursor.fetchall()}
    figures = {}
    for key in counts.keys() | overdue.keys():
        visited = counts.get(key, {}).get("n_visited", 0)
        n_overdue, both = overdue.get(key, (0, 0))
        figures[key] = {
            "children_visited": visited,
            "children_overdue": n_overdue,
            "children_due": visited + n_overdue - both,
            "visits": counts.get(key, {}).get("n_visits", 0),
        }
    return figures


def _scope_visits(scope: Scope, period: Period):
    """The visits of the period of the scope's children: the report's 家访人次 and the
    dashboard's."""
    return _visits(period).filter(scope.children("child__"))


def _leader_list(activity_ids) -> list[dict]:
    rows = (
        ActivityLeader.objects.filter(activity__in=activity_ids)
        .order_by("level", "post", "name")
        .values("level", "post", "name")
        .distinct()
    )
    return list(rows)


def _activity_figures(campaign, scope: Scope, period: Period) -> dict:
    activities = _activities(campaign, period).filter(scope.records())
    summary = campaign_summary(
        campaign,
        activities=activities,
        services=_services(campaign, period).filter(scope.records()),
        trainings=_trainings(campaign, period).filter(scope.records()),
        participations=_participations(activities, period),
    )
    people = summary["beneficiaries"]
    activity_ids = activities.order_by().values("pk")
    leaders = _leader_list(activity_ids)
    partners = summary["partners"]
    services = summary["purchased_services"]
    trainings = summary["trainings"]
    return {
        "activities": {
            "activities": summary["activities"],
            "on_time": summary["activities_on_time"],
            "with_leaders": summary["activities_with_leaders"],
            "by_form": {code: summary["by_form"].get(code, 0) for code in ActivityForm.values},
            "distinct_children": people["distinct_children"],
            "attendances": people["attendances"],
            "guardians": people["guardians"],
            "other_children": people["other_children"],
            "teachers": people["teachers"],
            "public": people["public"],
            "other_beneficiaries": people["other_beneficiaries"],
            "beneficiaries": people["total_beneficiaries"],
            "beneficiary_attendances": people["total_attendances"],
            "volunteers": people["volunteers"],
            "timeline": summary["timeline"],
        },
        "leaders": {
            "attendances": sum(summary["leaders_by_level"].values()),
            "by_level": {
                level: summary["leaders_by_level"].get(level, 0) for level in LeaderLevel.values
            },
            "people": len(leaders),
            "list": leaders,
        },
        "brands": list(summary["brands"]),
        "channels": {code: summary["by_channel"].get(code, 0) for code in Channel.values},
        "partners": {"count": len(partners), "names": partners},
        "purchased_services": {
            "count": services["count"],
            "amount": _money(services["amount"]),
            "ledger_children": services["ledger_children"],
            "other_children": services["other_children"],
        },
        "trainings": {
            "count": trainings["count"],
            "hours": _hours(trainings["hours"]),
            "supervisors": trainings["supervisors"],
            "directors": trainings["directors"],
            "others": trainings["others"],
            "attendances": trainings["supervisors"] + trainings["directors"] + trainings["others"],
            "accounts": trainings["accounts"],
        },
    }


def _notice_figures(campaign, scope: Scope, period: Period) -> dict:
    """The notice's other items: the 活动方案 and when it was reported to the 党委政府, the
    励志故事/榜样, and the needs found (急难愁盼) — counts only, no child is named."""
    entered = period.recorded("created_at")
    plans = ActivityPlan.objects.filter(campaign=campaign).filter(scope.records() & entered)
    plan_counts = plans.aggregate(
        plans=Count("pk"),
        reported=Count("pk", filter=period.until("reported_to_party_on")),
        first_reported=Min("reported_to_party_on", filter=period.until("reported_to_party_on")),
    )
    stories = RoleModelStory.objects.filter(campaign=campaign).filter(scope.records() & entered)
    story_counts = stories.aggregate(
        stories=Count("pk"), used=Count("pk", filter=Q(activity__isnull=False))
    )
    needs = NeedFound.objects.filter(campaign=campaign).filter(
        scope.records() & entered & period.until("found_on")
    )
    resolved = period.until("resolved_on")
    need_counts = needs.aggregate(
        needs=Count("pk"),
        resolved=Count("pk", filter=resolved),
        overdue=Count("pk", filter=~resolved & Q(due_on__lt=period.as_of)),
        children=Count("child", distinct=True),
        **_count_each("kind", NeedKind.values),
    )
    first = plan_counts["first_reported"]
    return {
        "plans": plan_counts["plans"],
        "plans_reported": plan_counts["reported"],
        "first_reported_on": first.isoformat() if first else None,
        "stories": story_counts["stories"],
        "stories_used": story_counts["used"],
        "needs": need_counts["needs"],
        "needs_resolved": need_counts["resolved"],
        "needs_open": need_counts["needs"] - need_counts["resolved"],
        "needs_overdue": need_counts["overdue"],
        "needs_children": need_counts["children"],
        "needs_by_kind": _each(need_counts, "kind", NeedKind.values),
    }


def area_figures(
    campaign,
    scope: Scope,
    *,
    today: dt.date | None = None,
    recorded_by: dt.datetime | None = None,
) -> dict:
    """All the figures of a campaign report for one scope (a township, the county center's
    own records, or the whole county), JSON-ready, as of ``today`` and — for a version being
    frozen — of the records entered by ``recorded_by``. Unscoped: the caller has checked the
    user may see the area. A fixed number of queries, whatever the data, each planned for
    its own township and dates (core.planning)."""
    with planned_for_parameters():
        return _area_figures(campaign, scope, Period.of(campaign, today, recorded_by))


def _area_figures(campaign, scope: Scope, period: Period) -> dict:
    rules = schedule.load_rules()
    children = Child.objects.filter(scope.children()).filter(ledger_q(period))
    ledger = _ledger_figures(children, period)
    figures = {
        "period": period.as_dict(),
        "scope": scope.as_dict(),
        "ledger": ledger,
        "screening": _screening_figures(children, period, ledger["children"]),
        "alerts": _alert_figures(scope, period),
        "care_plans": _care_plan_figures(scope, period),
        "services": _service_figures(scope, period),
        "incidents": _incident_figures(scope, period),
        "referrals": _referral_figures(scope, period),
        "pairings": _pairing_figures(scope, period),
        "visits": _visit_figures(scope, period, rules),
    }
    figures.update(_activity_figures(campaign, scope, period))
    figures["notice"] = _notice_figures(campaign, scope, period)
    return figures


def township_figures(
    campaign, township, *, today: dt.date | None = None, recorded_by: dt.datetime | None = None
) -> dict:
    """All the figures of one township's report for a campaign (``area_figures``)."""
    return area_figures(campaign, Scope.of(township), today=today, recorded_by=recorded_by)


# --- key figures and the county roll-up ----------------------------------------------------

# (key, dotted path into the figures, label): the columns of the roll-up, of the county
# workbook's summary sheet and of the dashboard's figures. A frozen version is read through
# the same paths. Every label says 人 only for a distinct count (docs/domain.md §7a).
KEY_FIGURES = [
    ("children", "ledger.children", gettext_lazy("台账儿童(人)")),
    ("new_registrations", "ledger.new_registrations", gettext_lazy("新登记(人)")),
    ("screenings", "screening.screenings", gettext_lazy("测评人次")),
    ("children_screened", "screening.children_screened", gettext_lazy("测评儿童(人)")),
    ("coverage", "screening.coverage", gettext_lazy("测评覆盖率(%)")),
    ("positive", "screening.positive", gettext_lazy("阳性结果(人次)")),
    ("alerts_raised", "alerts.raised", gettext_lazy("新增预警(条)")),
    ("visits", "visits.visits", gettext_lazy("家访人次")),
    ("children_visited", "visits.children_visited", gettext_lazy("已访儿童(人)")),
    ("children_due", "visits.children_due", gettext_lazy("应访儿童(人)")),
    ("children_overdue", "visits.children_overdue", gettext_lazy("逾期未访(人)")),
    ("services", "services.sessions", gettext_lazy("关爱服务人次")),
    ("children_served", "services.children", gettext_lazy("接受关爱服务儿童(人)")),
    ("activities", "activities.activities", gettext_lazy("活动场次")),
    ("distinct_children", "activities.distinct_children", gettext_lazy("参与儿童(人)")),
    ("attendances", "activities.attendances", gettext_lazy("儿童参与人次")),
    (
        "other_beneficiaries",
        "activities.other_beneficiaries",
        gettext_lazy("其他受益人员(人次)"),
    ),
    ("beneficiary_attendances", "activities.beneficiary_attendances", gettext_lazy("受益人次")),
    (
        "beneficiaries",
        "activities.beneficiaries",
        gettext_lazy("受益人数(儿童去重，其他人员未去重)"),
    ),
    ("leader_attendances", "leaders.attendances", gettext_lazy("领导参与(人次)")),
    ("trainings", "trainings.count", gettext_lazy("培训场次")),
    ("training_attendances", "trainings.attendances", gettext_lazy("培训人次")),
    ("purchased_services", "purchased_services.count", gettext_lazy("购买服务(项)")),
    ("purchased_amount", "purchased_services.amount", gettext_lazy("购买金额(元)")),
]
KEY_NAMES = [key for key, _path, _label in KEY_FIGURES]
# Figures of the children's ledger: the county center keeps none (its row shows "—").
LEDGER_KEYS = frozenset(KEY_NAMES[: KEY_NAMES.index("activities")])
# Older versions were frozen before a figure was renamed: read them through the old path.
LEGACY_PATHS = {"trainings.attendances": "trainings.people"}


def dig(figures: dict, path: str):
    value = figures
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            legacy = LEGACY_PATHS.get(path)
            return dig(figures, legacy) if legacy else None
        value = value[part]
    return value


def key_figures(figures: dict) -> dict:
    return {key: dig(figures, path) for key, path, _label in KEY_FIGURES}


# The key figures the dashboard shows beside its charts (dashboards.build).
HEADLINE_KEYS = (
    "coverage",
    "screenings",
    "visits",
    "activities",
    "distinct_children",
    "beneficiary_attendances",
)


def headline_figures(campaign, scope: Scope, *, today: dt.date | None = None) -> dict:
    """``HEADLINE_KEYS`` of ``key_figures(area_figures(campaign, scope))``, by the same rules
    and helpers, without the rest of the report: the dashboard shows six figures, and the
    whole report's ~30 queries (every child's visit facts among them) were two thirds of its
    build time at 10,000 children. A test holds the two equal."""
    period = Period.of(campaign, today)
    children = Child.objects.filter(scope.children()).filter(ledger_q(period))
    screening = _screening_figures(children, period, children.count())
    activities = _activities(campaign, period).filter(scope.records())
    people = beneficiaries(activities, participations=_participations(activities, period))
    return {
        "coverage": screening["coverage"],
        "screenings": screening["screenings"],
        "visits": _scope_visits(scope, period).count(),
        "activities": people["activities"],
        "distinct_children": people["distinct_children"],
        "beneficiary_attendances": people["total_attendances"],
    }


def _by_township(queryset, field: str, **aggregates) -> dict[int, dict]:
    rows = queryset.order_by().values(field).annotate(**aggregates)
    return {row[field]: row for row in rows}


def _tally(queryset, field: str, by_township: bool, **aggregates) -> dict:
    """``aggregates`` over ``queryset``: per township id (grouped by ``field``), or once over
    the whole set (key None)."""
    if by_township:
        return _by_township(queryset, field, **aggregates)
    return {None: queryset.aggregate(**aggregates)}


def live_key_figures(
    campaign, scope: Scope = COUNTY, *, today: dt.date | None = None, by_township: bool = False
) -> dict:
    """The key figures (``KEY_FIGURES``), live, of one scope (key None), or of every township
    of the county (``by_township``, keyed by township id), one query per source table.

    The same record sets and counts as ``area_figures`` (a test holds them equal, township by
    township and for the county and its center), without the rest of the report; the visit
    figures by the report's own function. Grouped or not, a person is counted once in the
    area of the row: the county's distinct children are counted over the county, never
    added up from the townships' rows."""
    if by_township and scope != COUNTY:
        raise ValueError("by_township groups the whole county")
    period = Period.of(campaign, today)
    with planned_for_parameters():
        sources = _key_sources(campaign, scope, period, by_township)
    keys = Township.objects.values_list("pk", flat=True) if by_township else [None]
    return {key: _key_row(sources, key) for key in keys}


def _key_sources(campaign, scope: Scope, period: Period, by_township: bool) -> dict:
    """Each source table's aggregates for ``live_key_figures``, by township or once."""
    rules = schedule.load_rules()
    activities = _activities(campaign, period).filter(scope.records())
    participations = _participations(activities, period)
    if by_township:
        people = beneficiaries_by_township(activities, participations=participations)
    else:
        people = {None: beneficiaries(activities, participations=participations)}
    return {
        "ledger": _tally(
            Child.objects.filter(scope.children()).filter(ledger_q(period)),
            "township",
            by_township,
            children=Count("pk"),
            new_registrations=Count("pk", filter=Q(registered_on__gte=period.start)),
        ),
        "screenings": _tally(
            _screenings(period).filter(scope.children("child__") & ledger_q(period, "child__")),
            "child__township",
            by_township,
            n_screenings=Count("pk"),
            children_screened=Count("child", distinct=True),
            n_positive=Count("pk", filter=Q(positive=True)),
        ),
        "alerts": _tally(
            _alerts(period).filter(scope.children("child__"), raised_at__date__gte=period.start),
            "child__township",
            by_township,
            alerts_raised=Count("pk"),
        ),
        "visits": visit_figures_by_area(scope, period, rules, by_township=by_township),
        "sessions": _tally(
            _sessions(period).filter(scope.children("child__")),
            "child__township",
            by_township,
            services=Count("pk"),
            children_served=Count("child", distinct=True),
        ),
        "people": people,
        "leaders": _tally(
            ActivityLeader.objects.filter(activity__in=activities.order_by().values("pk")),
            "activity__township",
            by_township,
            leader_attendances=Count("pk"),
        ),
        "trainings": _tally(
            _trainings(campaign, period).filter(scope.records()),
            "township",
            by_township,
            trainings=Count("pk"),
            training_attendances=Coalesce(
                Sum("supervisors_count") + Sum("directors_count") + Sum("others_count"),
                Value(0),
                output_field=IntegerField(),
            ),
        ),
        "services": _tally(
            _services(campaign, period).filter(scope.records()),
            "township",
            by_township,
            purchased_services=Count("pk"),
            purchased_amount=Sum("amount"),
        ),
    }


def _key_row(sources: dict, key) -> dict:
    """The key figures of one row (a township id, or None for the one scope) of
    ``_key_sources``; 0 where a source has no row for it."""

    def get(source: str, name: str):
        return sources[source].get(key, {}).get(name) or 0

    children, screened = get("ledger", "children"), get("screenings", "children_screened")
    figures = {
        "children": children,
        "new_registrations": get("ledger", "new_registrations"),
        "screenings": get("screenings", "n_screenings"),
        "children_screened": screened,
        "coverage": coverage(screened, children),
        "positive": get("screenings", "n_positive"),
        "alerts_raised": get("alerts", "alerts_raised"),
        "activities": get("people", "activities"),
        "distinct_children": get("people", "distinct_children"),
        "attendances": get("people", "attendances"),
        "other_beneficiaries": get("people", "other_beneficiaries"),
        "beneficiary_attendances": get("people", "total_attendances"),
        "beneficiaries": get("people", "total_beneficiaries"),
        "leader_attendances": get("leaders", "leader_attendances"),
        "trainings": get("trainings", "trainings"),
        "training_attendances": get("trainings", "training_attendances"),
        "purchased_services": get("services", "purchased_services"),
        "purchased_amount": _money(get("services", "purchased_amount")),
    }
    for name in ("visits", "children_visited", "children_overdue", "children_due"):
        figures[name] = get("visits", name)
    for name in ("services", "children_served"):
        figures[name] = get("sessions", name)
    return {name: figures[name] for name in KEY_NAMES}


def live_key_figures_by_township(campaign, *, today: dt.date | None = None) -> dict[int, dict]:
    """The key figures of every township, live (``live_key_figures`` grouped): the roll-up's
    rows of townships whose report is not submitted."""
    return live_key_figures(campaign, today=today, by_township=True)


def county_key_figures(campaign, *, today: dt.date | None = None) -> dict:
    """The county's key figures, counted over the county (a child at activities of two
    townships is one 人; the county center's own records included), never added up from
    the townships' rows. The roll-up's 合计, the county workbook's and the county
    dashboard's figures are this one computation."""
    return live_key_figures(campaign, COUNTY, today=today)[None]


def center_key_figures(campaign, *, today: dt.date | None = None) -> dict:
    """The key figures of the county center's own activities, trainings and purchased
    services (the roll-up's 县级 row); ledger figures do not apply (None)."""
    figures = live_key_figures(campaign, COUNTY_CENTER, today=today)[None]
    return {key: (None if key in LEDGER_KEYS else value) for key, value in figures.items()}


# --- the county roll-up --------------------------------------------------------------------


def _on_time_label(on_time) -> str:
    if on_time is None:
        return ""
    return _("按时") if on_time else _("逾期")


@dataclass
class RollupRow:
    township: Township
    report: object  # TownshipReport | None
    figures: dict
    snapshot: dict | None  # the shown version's {"number", "figures", "on_time", ...}
    missing: bool  # never submitted and the deadline has passed: highlighted

    @property
    def source(self) -> str:
        """Whether the figures are the latest submitted version's or computed now."""
        return "snapshot" if self.snapshot is not None else "live"

    @property
    def values(self) -> list:
        return [self.figures.get(key) for key in KEY_NAMES]

    @property
    def status(self) -> str:
        return self.report.status if self.report else ""

    @property
    def status_label(self) -> str:
        return str(self.report.get_status_display()) if self.report else _("未填报")

    @property
    def version_number(self) -> int | None:
        return self.snapshot["number"] if self.snapshot else None

    @property
    def version_on_time(self) -> bool | None:
        """按时/逾期 of the version shown (its own submission against the deadline)."""
        return self.snapshot["on_time"] if self.snapshot else None

    @property
    def version_submitted_at(self):
        return self.snapshot["submitted_at"] if self.snapshot else None

    @property
    def first_on_time(self) -> bool | None:
        """Whether the township's first submission was on time (the report's 按时报送)."""
        return self.report.on_time if self.report else None

    @property
    def source_label(self) -> str:
        """Which figures the row shows, in words (the page, the workbook)."""
        if self.snapshot is None:
            return _("实时统计")
        return _("第%(n)s版（%(t)s）") % {
            "n": self.version_number,
            "t": _on_time_label(self.version_on_time),
        }

    @property
    def first_label(self) -> str:
        return _on_time_label(self.first_on_time)


@dataclass
class Rollup:
    campaign: object
    rows: list[RollupRow]
    center: dict  # the county center's own records (县级)
    totals: dict  # counted over the county, never summed
    deadline_passed: bool

    @property
    def center_values(self) -> list:
        return [self.center.get(key) for key in KEY_NAMES]

    @property
    def total_values(self) -> list:
        return [self.totals.get(key) for key in KEY_NAMES]


def county_rollup(campaign, *, now: dt.datetime | None = None) -> Rollup:
    """One row per township (all ten, in code order) with its report's status, the version
    shown (its number and its own 按时/逾期), whether the first submission was on time, and
    key figures; the county center's own row (县级); and the county total counted over the
    county. A submitted or accepted report shows the figures its latest version froze; the
    others show live figures. A fixed number of queries whatever the data."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    live = live_key_figures_by_township(campaign, today=today)
    reports = {
        report.township_id: report
        for report in TownshipReport.objects.filter(campaign=campaign).select_related(
            "submitted_by"
        )
    }
    latest_number = (
        ReportVersion.objects.filter(report=OuterRef("report"))
        .order_by("-number")
        .values("number")[:1]
    )
    frozen = {
        version["report__township"]: version
        for version in ReportVersion.objects.filter(
            report__campaign=campaign,
            report__status__in=[ReportStatus.SUBMITTED, ReportStatus.ACCEPTED],
            number=Subquery(latest_number),
        ).values("report__township", "number", "figures", "narratives", "on_time", "submitted_at")
    }
    deadline_passed = now >= deadline_end(campaign.report_deadline)
    rows = []
    for township in Township.objects.order_by("code"):
        report = reports.get(township.pk)
        snapshot = frozen.get(township.pk)
        figures = key_figures(snapshot["figures"]) if snapshot else live[township.pk]
        never_submitted = report is None or report.first_submitted_at is None
        rows.append(
            RollupRow(township, report, figures, snapshot, deadline_passed and never_submitted)
        )
    return Rollup(
        campaign,
        rows,
        center_key_figures(campaign, today=today),
        county_key_figures(campaign, today=today),
        deadline_passed,
    )
