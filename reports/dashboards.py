"""数据看板: the county's figures by township, or a township's by village.

Every chart is one GROUP BY query over a scoped queryset (``visible_to(user)``), so the page
costs the same number of queries whatever the amount of data. Each number carries the URL
of the list behind it, filtered to the area (and scoped again by that list's own app).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from accounts.scoping import cache_scope, is_county_wide, visible_townships, visible_villages
from activities.models import Activity
from activities.selectors import beneficiaries
from care.choices import AlertStatus
from care.models import SafetyAlert, Screening
from children.choices import CaseStatus, Circumstance, RiskLevel
from children.models import Child, ChildCircumstance
from reports.choices import ReportStatus
from reports.figures import coverage
from reports.models import TownshipReport
from reports.sections import list_url
from visits import schedule

RISK_COLOURS = {
    RiskLevel.RED: "#dc3545",
    RiskLevel.ORANGE: "#fd7e14",
    RiskLevel.YELLOW: "#ffc107",
    RiskLevel.GREEN: "#198754",
}
STATUS_COLOURS = {
    "missing": "#adb5bd",
    ReportStatus.DRAFT: "#6c757d",
    ReportStatus.SUBMITTED: "#0d6efd",
    ReportStatus.RETURNED: "#fd7e14",
    ReportStatus.ACCEPTED: "#198754",
}


@dataclass
class Cell:
    value: object
    url: str = ""


@dataclass
class Chart:
    """One chart and the table under it (the same numbers, as links, readable without JS)."""

    key: str
    title: str
    kind: str  # bar | stacked_bar | pie | line
    categories: list[str] = field(default_factory=list)
    series: list[dict] = field(default_factory=list)  # [{"name", "data": [Cell]}]
    unit: str = ""

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "unit": self.unit,
            "categories": self.categories,
            "series": [
                {
                    "name": s["name"],
                    **({"colour": s["colour"]} if s.get("colour") else {}),
                    **({"colours": s["colours"]} if s.get("colours") else {}),
                    "data": [{"value": c.value, "url": c.url} for c in s["data"]],
                }
                for s in self.series
            ],
        }

    def table(self) -> list[tuple[str, list[Cell]]]:
        """Rows of the table: one per category (columns = series)."""
        return [
            (category, [s["data"][i] for s in self.series])
            for i, category in enumerate(self.categories)
        ]


@dataclass
class Dashboard:
    by: str  # "township" or "village"
    area_label: str
    campaign: object
    period: tuple[dt.date, dt.date]
    kpis: list[tuple[str, object, str]]  # (label, value, url)
    charts: list[Chart]
    computed_at: dt.datetime = field(default_factory=timezone.now)

    def charts_json(self) -> dict:
        return {chart.key: chart.as_json() for chart in self.charts}


def _period(campaign, today: dt.date) -> tuple[dt.date, dt.date]:
    if campaign is not None:
        return campaign.start_date, campaign.end_date
    return today.replace(month=1, day=1), today


def for_user(user, campaign) -> Dashboard:
    """The dashboard of ``build``, computed at most once a minute for each user.

    Its aggregates read the whole area's ledger, visits, alerts and activities (≈100 ms of
    SQL at 10,000 children, bench/LOAD.md) while county staff reload it all day. The cached
    copy is the user's own — the key holds the user, never only the area, so no one is shown
    numbers computed for another scope (``cache_scope``: user, role and area) — in their
    language, for the day; the page says when it was computed. DASHBOARD_CACHE_SECONDS = 0
    turns the cache off.
    """
    seconds = settings.DASHBOARD_CACHE_SECONDS
    if not seconds:
        return build(user, campaign)
    key = ":".join(
        [
            "dashboard",
            cache_scope(user),
            str(campaign.pk if campaign is not None else "-"),
            timezone.localdate().isoformat(),
            get_language() or "",
        ]
    )
    return cache.get_or_set(key, lambda: build(user, campaign), seconds)


@dataclass
class _Area:
    """What every chart of one dashboard shares: whose area, which period, by what."""

    user: object
    campaign: object
    today: dt.date
    start: dt.date
    end: dt.date
    county: bool
    by: str  # "township" or "village"
    areas: list
    children: object  # the area's active children (a queryset)

    @property
    def names(self) -> list[str]:
        return [area.name for area in self.areas]

    @property
    def campaign_id(self):
        return self.campaign.pk if self.campaign is not None else None

    def ledger_url(self, area_id=None, **params) -> str:
        return list_url("children:list", status=CaseStatus.ACTIVE, **{self.by: area_id}, **params)

    def screening_period(self) -> dict:
        return {
            "screened_on_after": self.start.isoformat(),
            "screened_on_before": self.end.isoformat(),
        }


def build(user, campaign, *, today: dt.date | None = None) -> Dashboard:
    """The dashboard of the user's area for a campaign (None: this year so far): one chart
    per step below, each one query (two for the visit rules), then the key figures."""
    today = today or timezone.localdate()
    start, end = _period(campaign, today)
    county = is_county_wide(user)
    by = "township" if county else "village"
    area = _Area(
        user=user,
        campaign=campaign,
        today=today,
        start=start,
        end=end,
        county=county,
        by=by,
        areas=list(
            (visible_townships(user) if county else visible_villages(user)).order_by("code")
        ),
        children=Child.objects.visible_to(user).filter(status=CaseStatus.ACTIVE),
    )
    circumstance = _circumstance_chart(area)
    risk, risk_counts = _risk_chart(area)
    cover, total_screened = _coverage_chart(area)
    alerts, open_alerts = _alerts_chart(area)
    overdue, overdue_total = _overdue_chart(area)
    over_time, people = _activities_chart(area)
    status = _reports_chart(area)
    kpis = _key_figures(area, risk_counts, open_alerts, overdue_total, total_screened, people)
    area_label = _("全县") if county else (user.township.name if user.township_id else "")
    return Dashboard(
        by, area_label, campaign, (start, end), kpis,
        [circumstance, risk, cover, alerts, overdue, over_time, status],
    )  # fmt: skip


def _circumstance_chart(area: _Area) -> Chart:
    """Children by area × circumstance (one query)."""
    matrix = {
        (row["area"], row["code"]): row["n"]
        for row in ChildCircumstance.objects.filter(child__in=area.children.values("pk"))
        .order_by()
        .values("code", area=F(f"child__{area.by}"))
        .annotate(n=Count("pk"))  # (child, code) is unique: no DISTINCT sort needed
    }
    chart = Chart(
        "circumstance",
        _("困境儿童：按%(by)s与困境情形") % {"by": _("乡镇") if area.county else _("村/社区")},
        "stacked_bar",
        area.names,
        unit=_("人"),
    )
    for code, label in Circumstance.choices:
        chart.series.append(
            {
                "name": str(label),
                "data": [
                    Cell(matrix.get((a.pk, code), 0), area.ledger_url(a.pk, circumstance=code))
                    for a in area.areas
                ],
            }
        )
    return chart


def _risk_chart(area: _Area) -> tuple[Chart, dict]:
    """Risk distribution (one query, with the total of the key figures)."""
    risk_counts = area.children.aggregate(
        total=Count("pk"),
        **{code: Count("pk", filter=Q(risk_level=code)) for code in RiskLevel.values},
    )
    chart = Chart("risk", _("风险等级分布"), "pie", unit=_("人"))
    chart.categories = [str(label) for _code, label in RiskLevel.choices]
    chart.series.append(
        {
            "name": _("在册儿童"),
            "colours": [RISK_COLOURS[code] for code in RiskLevel.values],
            "data": [
                Cell(risk_counts[code], area.ledger_url(risk_level=code))
                for code in RiskLevel.values
            ],
        }
    )
    return chart, risk_counts


def _coverage_chart(area: _Area) -> tuple[Chart, int]:
    """Screening coverage by area (one query); also how many were screened in all."""
    screened = Exists(
        Screening.objects.filter(
            child=OuterRef("pk"), screened_on__gte=area.start, screened_on__lte=area.end
        )
    )
    per_area = {
        row["area"]: row
        for row in area.children.order_by()
        .values(area=F(area.by))
        .annotate(children=Count("pk"), screened=Count("pk", filter=screened))
    }
    chart = Chart("coverage", _("心理健康测评覆盖率"), "bar", area.names, unit="%")
    chart.series.append(
        {
            "name": _("覆盖率"),
            "data": [
                Cell(
                    coverage(
                        per_area.get(a.pk, {}).get("screened", 0),
                        per_area.get(a.pk, {}).get("children", 0),
                    ),
                    list_url("care:screening_list", **{area.by: a.pk}, **area.screening_period()),
                )
                for a in area.areas
            ],
        }
    )
    return chart, sum(row["screened"] for row in per_area.values())


def _alerts_chart(area: _Area) -> tuple[Chart, int]:
    """Open alerts by area (one query); also their total."""
    open_alerts = {
        row["area"]: row["n"]
        for row in SafetyAlert.objects.visible_to(area.user)
        .filter(status=AlertStatus.OPEN)
        .order_by()
        .values(area=F(f"child__{area.by}"))
        .annotate(n=Count("pk"))
    }
    chart = Chart("alerts", _("待处置预警"), "bar", area.names, unit=_("条"))
    chart.series.append(
        {
            "name": _("待处置预警"),
            "colour": "#dc3545",
            "data": [
                Cell(
                    open_alerts.get(a.pk, 0),
                    list_url("care:alert_list", status=AlertStatus.OPEN, **{area.by: a.pk}),
                )
                for a in area.areas
            ],
        }
    )
    return chart, sum(open_alerts.values())


def _overdue_chart(area: _Area) -> tuple[Chart, int]:
    """Overdue visits by area (two queries for the rules, one for the counts); also the
    total."""
    overdue_rows = {
        row["area"]: row["n"]
        for row in area.children.order_by()
        .values(area=F(area.by))
        .annotate(n=Count("pk", filter=schedule.overdue_count_q(area.today)))
    }
    chart = Chart("overdue", _("家访逾期儿童"), "bar", area.names, unit=_("人"))
    chart.series.append(
        {
            "name": _("逾期未访"),
            "colour": "#fd7e14",
            "data": [
                Cell(overdue_rows.get(a.pk, 0), list_url("visits:overdue", **{area.by: a.pk}))
                for a in area.areas
            ],
        }
    )
    return chart, sum(overdue_rows.values())


def _activities_chart(area: _Area) -> tuple[Chart, dict]:
    """Activities over time, by week (one query; activities have no village); also their
    beneficiaries."""
    activity_qs = Activity.objects.visible_to(area.user)
    activity_qs = (
        activity_qs.filter(campaign=area.campaign)
        if area.campaign is not None
        else activity_qs.filter(start_date__gte=area.start, start_date__lte=area.end)
    )
    weeks = list(
        activity_qs.order_by()
        .annotate(week=TruncWeek("start_date"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    chart = Chart("activities", _("主题活动开展情况（按周）"), "line", unit=_("场"))
    week_cells = []
    for row in weeks:
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        week_end = week + dt.timedelta(days=6)
        chart.categories.append(_("%(d)s 起") % {"d": week.isoformat()})
        week_cells.append(
            Cell(
                row["n"],
                list_url(
                    "activities:list",
                    campaign=area.campaign_id,
                    date_from=week.isoformat(),
                    date_to=week_end.isoformat(),
                ),
            )
        )
    chart.series.append({"name": _("活动场次"), "data": week_cells})
    return chart, beneficiaries(activity_qs)


def _reports_chart(area: _Area) -> Chart:
    """Report status (one query): submitted, returned… and the townships yet to write one."""
    report_rows = TownshipReport.objects.visible_to(area.user)
    report_rows = (
        report_rows.filter(campaign=area.campaign) if area.campaign else report_rows.none()
    )
    status_counts = dict(report_rows.order_by().values_list("status").annotate(n=Count("pk")))
    reports_url = _reports_url(area.user, area.campaign)
    expected = len(area.areas) if area.county else 1
    chart = Chart("reports", _("乡镇报表报送情况"), "pie", unit=_("个"))
    status_cells, colours = [], []
    for code, label in [("missing", _("未填报")), *ReportStatus.choices]:
        n = (
            expected - sum(status_counts.values())
            if code == "missing"
            else status_counts.get(code, 0)
        )
        chart.categories.append(str(label))
        status_cells.append(Cell(max(n, 0), reports_url))
        colours.append(STATUS_COLOURS[code])
    chart.series.append({"name": _("报表"), "data": status_cells, "colours": colours})
    return chart


def _key_figures(
    area: _Area, risk_counts, open_alerts: int, overdue: int, screened: int, people
) -> list[tuple[str, object, str]]:
    """The figures above the charts, each with the list behind it."""
    return [
        (_("在册困境儿童"), risk_counts["total"], area.ledger_url()),
        (
            _("红色（高风险）"),
            risk_counts[RiskLevel.RED],
            area.ledger_url(risk_level=RiskLevel.RED),
        ),
        (_("待处置预警"), open_alerts, list_url("care:alert_list", status=AlertStatus.OPEN)),
        (_("家访逾期"), overdue, list_url("visits:overdue")),
        (
            _("测评覆盖率(%)"),
            coverage(screened, risk_counts["total"]),
            list_url("care:screening_list", **area.screening_period()),
        ),
        (
            _("主题活动"),
            people["activities"],
            list_url("activities:list", campaign=area.campaign_id),
        ),
        (
            _("受益人数"),
            people["total_beneficiaries"],
            list_url("activities:list", campaign=area.campaign_id),
        ),
    ]


def _reports_url(user, campaign) -> str:
    if campaign is None:
        return ""
    if user.has_perm("reports.review_report"):
        return reverse("reports:rollup", args=[campaign.year])
    if user.township_id:
        return reverse("reports:township", args=[campaign.year, user.township_id])
    return ""
