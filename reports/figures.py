"""The figures of a township's campaign report, computed from recorded data, never typed.

``township_figures(campaign, township)`` returns a JSON-ready dict (it is frozen as it is in
a submitted version); ``county_rollup(campaign)`` gives the ten townships' key figures with
grouped queries (one GROUP BY township per table, whatever the number of townships or rows).
Everything is aggregated in SQL (``aggregate``/``annotate`` with ``Count(filter=…)``,
``Count(distinct=True)``, ``Exists``); no Python loop runs over records.

Definitions (the campaign period is ``campaign.start_date`` … ``campaign.end_date``; *as of*
is the earlier of today and the period's end):

* ledger children (台账儿童): children of the township registered by the end of the period
  and not closed before its start; circumstances, benefit category and risk are their current
  values; new registrations: registered within the period;
* screening coverage: ledger children screened within the period ÷ ledger children, in %;
  severe: a 重度 band or a suicidal-ideation alert (what care.choices.risk_for_result maps
  to red);
* alerts raised / closed within the period, and open now;
* visits: visits within the period (人次); of the active children, those visited within the
  period, those overdue as of the *as of* date (visits.schedule, the one definition), and
  those due = visited ∪ overdue (a child who needed a visit either had one or is overdue);
* pairings live during the period; followed up within it; overdue (care.due, as of the
  *as of* date); due = followed ∪ overdue; follow-ups within the period (人次);
* activities, beneficiaries (受益人数 = distinct ledger children + other beneficiaries;
  受益人次 = attendances + other beneficiaries), leaders, brands, channels, partners,
  purchased services and trainings: the campaign's records of the township (the
  activities app's definitions, activities.selectors).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Township
from activities.choices import ActivityForm, Channel, LeaderLevel
from activities.models import Activity, ActivityLeader, PurchasedService, Training
from activities.selectors import beneficiaries_by_township, township_summary
from care import due as care_due
from care.choices import (
    SUICIDE_KINDS,
    AlertStatus,
    PairingStatus,
    PlanStatus,
    ReferralStatus,
)
from care.models import CarePlan, FollowUp, Pairing, Referral, SafetyAlert, Screening
from children.choices import BenefitCategory, Circumstance, RiskLevel
from children.models import Child, ChildCircumstance
from reports.choices import ReportStatus
from reports.models import ReportVersion, TownshipReport, deadline_end
from visits import schedule
from visits.models import Visit

# --- the period -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date
    as_of: dt.date

    @classmethod
    def of(cls, campaign, today: dt.date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls(campaign.start_date, campaign.end_date, min(today, campaign.end_date))

    def q(self, field: str) -> Q:
        return Q(**{f"{field}__gte": self.start, f"{field}__lte": self.end})

    def as_dict(self) -> dict:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
        }


def ledger_q(period: Period, prefix: str = "") -> Q:
    """Children in the ledger at some time during the period."""
    return Q(**{f"{prefix}registered_on__lte": period.end}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gte": period.start})
    )


def _screened_in(period: Period, ref: str = "pk") -> Exists:
    return Exists(Screening.objects.filter(child=OuterRef(ref)).filter(period.q("screened_on")))


def _visited_in(period: Period, ref: str = "pk") -> Exists:
    return Exists(Visit.objects.filter(child=OuterRef(ref)).filter(period.q("date")))


def _followed_in(period: Period) -> Exists:
    return Exists(FollowUp.objects.filter(pairing=OuterRef("pk")).filter(period.q("followed_on")))


SEVERE_Q = Q(band="severe") | Q(safety_alert__kind__in=SUICIDE_KINDS)


def coverage(screened: int, children: int) -> float:
    """Percentage with one decimal; 0.0 for a township with no ledger children."""
    return round(screened * 100 / children, 1) if children else 0.0


def _codes(rows, codes) -> dict[str, int]:
    """A complete {code: n} for the given codes (0 where no row), from (code, n) pairs."""
    found = dict(rows)
    return {code: found.get(code, 0) for code in codes}


def _money(value) -> str:
    return str((value or Decimal("0")).quantize(Decimal("0.01")))


def _hours(value) -> str:
    return str((value or Decimal("0")).quantize(Decimal("0.1")))


# --- one township ---------------------------------------------------------------------------


def _ledger_figures(children, period: Period) -> dict:
    counts = children.aggregate(
        children=Count("pk"),
        new_registrations=Count("pk", filter=Q(registered_on__gte=period.start)),
        **{
            f"benefit_{code}": Count("pk", filter=Q(benefit_category=code))
            for code in BenefitCategory.values
        },
        **{f"risk_{code}": Count("pk", filter=Q(risk_level=code)) for code in RiskLevel.values},
    )
    circumstances = (
        ChildCircumstance.objects.filter(child__in=children.values("pk"))
        .order_by()
        .values_list("code")
        .annotate(n=Count("pk"))  # (child, code) is unique: no DISTINCT sort needed
    )
    return {
        "children": counts["children"],
        "new_registrations": counts["new_registrations"],
        "by_circumstance": _codes(circumstances, Circumstance.values),
        "by_benefit_category": {c: counts[f"benefit_{c}"] for c in BenefitCategory.values},
        "by_risk": {c: counts[f"risk_{c}"] for c in RiskLevel.values},
    }


def _screening_figures(children, period: Period, ledger_children: int) -> dict:
    # Aliases differ from the model's field names (``positive``), which an aggregate may
    # not shadow while its filter still reads the field.
    counts = (
        Screening.objects.filter(child__in=children.values("pk"))
        .filter(period.q("screened_on"))
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


def _alert_figures(township, period: Period) -> dict:
    return SafetyAlert.objects.filter(child__township=township).aggregate(
        raised=Count("pk", filter=period.q("raised_at__date")),
        closed=Count("pk", filter=period.q("closed_at__date")),
        open=Count("pk", filter=Q(status=AlertStatus.OPEN)),
    )


def _care_plan_figures(township, period: Period) -> dict:
    return CarePlan.objects.filter(child__township=township).aggregate(
        started=Count("pk", filter=period.q("started_on")),
        active=Count("pk", filter=Q(status=PlanStatus.ACTIVE, started_on__lte=period.end)),
    )


def _referral_figures(township, period: Period) -> dict:
    rows = (
        Referral.objects.filter(child__township=township)
        .filter(period.q("referred_on"))
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    by_status = _codes(rows, ReferralStatus.values)
    return {"total": sum(by_status.values()), "by_status": by_status}


def _pairings_live(period: Period) -> Q:
    return Q(started_on__lte=period.end) & (
        Q(ended_on__isnull=True) | Q(ended_on__gte=period.start)
    )


def _pairing_overdue_q(period: Period) -> Q:
    return Q(status=PairingStatus.ACTIVE) & care_due.overdue_q("next_follow_up_on", on=period.as_of)


def _pairing_figures(township, period: Period) -> dict:
    followed = _followed_in(period)
    overdue = _pairing_overdue_q(period)
    counts = (
        Pairing.objects.filter(child__township=township)
        .filter(_pairings_live(period))
        .aggregate(
            pairings=Count("pk"),
            followed=Count("pk", filter=followed),
            overdue=Count("pk", filter=overdue),
            due=Count("pk", filter=followed | overdue),
        )
    )
    counts["follow_ups"] = (
        FollowUp.objects.filter(pairing__child__township=township)
        .filter(period.q("followed_on"))
        .count()
    )
    return counts


def _visit_figures(township, period: Period, rules) -> dict:
    visited = _visited_in(period)
    overdue = schedule.overdue_count_q(period.as_of, rules)
    active = Child.objects.filter(township=township).active()
    counts = active.aggregate(
        children_visited=Count("pk", filter=visited),
        children_overdue=Count("pk", filter=overdue),
        children_due=Count("pk", filter=visited | overdue),
    )
    counts["visits"] = (
        Visit.objects.filter(child__township=township).filter(period.q("date")).count()
    )
    return counts


def _leader_list(activity_ids) -> list[dict]:
    rows = (
        ActivityLeader.objects.filter(activity__in=activity_ids)
        .order_by("level", "post", "name")
        .values("level", "post", "name")
        .distinct()
    )
    return list(rows)


def _activity_figures(campaign, township) -> dict:
    summary = township_summary(campaign, township)
    people = summary["beneficiaries"]
    activity_ids = Activity.objects.filter(campaign=campaign, township=township).values("pk")
    leaders = _leader_list(activity_ids)
    partners = list(
        Activity.partners.through.objects.filter(activity__in=activity_ids)
        .order_by("partnerorganisation__name")
        .values_list("partnerorganisation__name", flat=True)
        .distinct()
    )
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
            "children_served": services["ledger_children"] + services["other_children"],
        },
        "trainings": {
            "count": trainings["count"],
            "hours": _hours(trainings["hours"]),
            "supervisors": trainings["supervisors"],
            "directors": trainings["directors"],
            "others": trainings["others"],
            "people": trainings["supervisors"] + trainings["directors"] + trainings["others"],
        },
    }


def township_figures(campaign, township, *, today: dt.date | None = None) -> dict:
    """All the figures of one township's report for a campaign (unscoped: the caller has
    checked the user may see the township). A fixed number of queries, whatever the data."""
    period = Period.of(campaign, today)
    rules = schedule.load_rules()
    children = Child.objects.filter(township=township).filter(ledger_q(period))
    ledger = _ledger_figures(children, period)
    figures = {
        "period": period.as_dict(),
        "ledger": ledger,
        "screening": _screening_figures(children, period, ledger["children"]),
        "alerts": _alert_figures(township, period),
        "care_plans": _care_plan_figures(township, period),
        "referrals": _referral_figures(township, period),
        "pairings": _pairing_figures(township, period),
        "visits": _visit_figures(township, period, rules),
    }
    figures.update(_activity_figures(campaign, township))
    return figures


# --- key figures and the county roll-up ----------------------------------------------------

# (key, dotted path into township_figures, label): the columns of the roll-up and of the
# county workbook's summary sheet. A frozen version is read through the same paths.
KEY_FIGURES = [
    ("children", "ledger.children", gettext_lazy("台账儿童")),
    ("new_registrations", "ledger.new_registrations", gettext_lazy("新登记")),
    ("children_screened", "screening.children_screened", gettext_lazy("测评儿童")),
    ("coverage", "screening.coverage", gettext_lazy("测评覆盖率(%)")),
    ("positive", "screening.positive", gettext_lazy("阳性结果")),
    ("alerts_raised", "alerts.raised", gettext_lazy("新增预警")),
    ("children_visited", "visits.children_visited", gettext_lazy("已访儿童")),
    ("children_due", "visits.children_due", gettext_lazy("应访儿童")),
    ("children_overdue", "visits.children_overdue", gettext_lazy("逾期未访")),
    ("activities", "activities.activities", gettext_lazy("活动场次")),
    ("distinct_children", "activities.distinct_children", gettext_lazy("参与儿童(人)")),
    ("attendances", "activities.attendances", gettext_lazy("参与人次")),
    ("beneficiaries", "activities.beneficiaries", gettext_lazy("受益人数")),
    ("beneficiary_attendances", "activities.beneficiary_attendances", gettext_lazy("受益人次")),
    ("leader_attendances", "leaders.attendances", gettext_lazy("领导参与(人次)")),
    ("trainings", "trainings.count", gettext_lazy("培训场次")),
    ("people_trained", "trainings.people", gettext_lazy("培训人数")),
    ("purchased_services", "purchased_services.count", gettext_lazy("购买服务(项)")),
    ("purchased_amount", "purchased_services.amount", gettext_lazy("购买金额(元)")),
]
KEY_NAMES = [key for key, _path, _label in KEY_FIGURES]


def dig(figures: dict, path: str):
    value = figures
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def key_figures(figures: dict) -> dict:
    return {key: dig(figures, path) for key, path, _label in KEY_FIGURES}


def _by_township(queryset, field: str, **aggregates) -> dict[int, dict]:
    rows = queryset.order_by().values(field).annotate(**aggregates)
    return {row[field]: row for row in rows}


def live_key_figures_by_township(campaign, *, today: dt.date | None = None) -> dict[int, dict]:
    """The key figures of every township, live, one GROUP BY query per source table."""
    period = Period.of(campaign, today)
    rules = schedule.load_rules()
    ledger = _by_township(
        Child.objects.filter(ledger_q(period)),
        "township",
        children=Count("pk"),
        new_registrations=Count("pk", filter=Q(registered_on__gte=period.start)),
        children_screened=Count("pk", filter=_screened_in(period)),
    )
    positive = _by_township(
        Screening.objects.filter(period.q("screened_on")).filter(ledger_q(period, "child__")),
        "child__township",
        n_positive=Count("pk", filter=Q(positive=True)),
    )
    alerts = _by_township(
        SafetyAlert.objects.filter(period.q("raised_at__date")),
        "child__township",
        alerts_raised=Count("pk"),
    )
    visited, overdue = _visited_in(period), schedule.overdue_count_q(period.as_of, rules)
    visits = _by_township(
        Child.objects.active(),
        "township",
        children_visited=Count("pk", filter=visited),
        children_overdue=Count("pk", filter=overdue),
        children_due=Count("pk", filter=visited | overdue),
    )
    people = beneficiaries_by_township(Activity.objects.filter(campaign=campaign))
    leaders = _by_township(
        ActivityLeader.objects.filter(activity__campaign=campaign),
        "activity__township",
        leader_attendances=Count("pk"),
    )
    trainings = _by_township(
        Training.objects.filter(campaign=campaign),
        "township",
        trainings=Count("pk"),
        people_trained=Coalesce(
            Sum("supervisors_count") + Sum("directors_count") + Sum("others_count"),
            Value(0),
            output_field=IntegerField(),
        ),
    )
    services = _by_township(
        PurchasedService.objects.filter(campaign=campaign),
        "township",
        purchased_services=Count("pk"),
        purchased_amount=Sum("amount"),
    )
    result = {}
    for township_id in Township.objects.values_list("pk", flat=True):
        row = ledger.get(township_id, {})
        children = row.get("children", 0)
        screened = row.get("children_screened", 0)
        person = people.get(township_id, {})
        figures = {
            "children": children,
            "new_registrations": row.get("new_registrations", 0),
            "children_screened": screened,
            "coverage": coverage(screened, children),
            "positive": positive.get(township_id, {}).get("n_positive", 0),
            "alerts_raised": alerts.get(township_id, {}).get("alerts_raised", 0),
            "activities": person.get("activities", 0),
            "distinct_children": person.get("distinct_children", 0),
            "attendances": person.get("attendances", 0),
            "beneficiaries": person.get("total_beneficiaries", 0),
            "beneficiary_attendances": person.get("total_attendances", 0),
            "leader_attendances": leaders.get(township_id, {}).get("leader_attendances", 0),
            "trainings": trainings.get(township_id, {}).get("trainings", 0),
            "people_trained": trainings.get(township_id, {}).get("people_trained", 0),
            "purchased_services": services.get(township_id, {}).get("purchased_services", 0),
            "purchased_amount": _money(services.get(township_id, {}).get("purchased_amount")),
        }
        for key in ("children_visited", "children_overdue", "children_due"):
            figures[key] = visits.get(township_id, {}).get(key, 0)
        result[township_id] = figures
    return result


def totals(rows: list[dict]) -> dict:
    """The 合计 row: sums of the townships' figures; coverage recomputed from the sums."""
    total = {}
    for key in KEY_NAMES:
        if key == "coverage":
            continue
        if key == "purchased_amount":
            total[key] = _money(sum((Decimal(str(r[key] or 0)) for r in rows), Decimal("0")))
        else:
            total[key] = sum(int(r[key] or 0) for r in rows)
    total["coverage"] = coverage(total["children_screened"], total["children"])
    return total


# --- the county roll-up --------------------------------------------------------------------


@dataclass
class RollupRow:
    township: Township
    report: object  # TownshipReport | None
    figures: dict
    snapshot: dict | None  # the latest version's {"figures", "narratives"} when frozen
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


@dataclass
class Rollup:
    campaign: object
    rows: list[RollupRow]
    totals: dict
    deadline_passed: bool

    @property
    def total_values(self) -> list:
        return [self.totals.get(key) for key in KEY_NAMES]


def county_rollup(campaign, *, now: dt.datetime | None = None) -> Rollup:
    """One row per township (all ten, in code order) with its report's status, submission
    time, 按时/逾期 and key figures, and the totals. A submitted or accepted report shows the
    figures it was submitted with (its latest version); the others show live figures. A fixed
    number of queries whatever the data: grouped by township, never one township at a time."""
    now = now or timezone.now()
    live = live_key_figures_by_township(campaign, today=timezone.localdate(now))
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
        ).values("report__township", "figures", "narratives")
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
    return Rollup(campaign, rows, totals([row.figures for row in rows]), deadline_passed)
