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
from reports.figures import COUNTY, Scope, coverage, headline_figures
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
    ReportStatus.DRAFT: "#6f42c1",
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
    kind: str  # bar | hbar (horizontal bars) | pie | line
    categories: list[str] = field(default_factory=list)
    series: list[dict] = field(default_factory=list)  # [{"name", "data": [Cell]}]
    unit: str = ""
    note: str = ""

    def as_json(self) -> dict:
        return {
            "kind": self.kind,
            "title": self.title,
            "unit": self.unit,
            "note": self.note,
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


def build(user, campaign, *, today: dt.date | None = None) -> Dashboard:
    """The dashboard of the user's area for a campaign (None: this year so far)."""
    today = today or timezone.localdate()
    start, end = _period(campaign, today)
    county = is_county_wide(user)
    by = "township" if county else "village"
    areas = list((visible_townships(user) if county else visible_villages(user)).order_by("code"))
    names = [area.name for area in areas]
    children = Child.objects.visible_to(user).filter(status=CaseStatus.ACTIVE)

    def ledger_url(area_id=None, **params):
        return list_url("children:list", status=CaseStatus.ACTIVE, **{by: area_id}, **params)

    # 1. children by circumstance (one query): one bar per circumstance, each child counted
    # once in it; a child with three circumstances is in three bars, so the bars do not add
    # up to the number of children, and the chart says so (docs/domain.md §7a).
    # (child, code) is unique: counting rows counts each child once per circumstance, with
    # no DISTINCT for PostgreSQL to sort (a third of this query at 10,000 children).
    per_code = dict(
        ChildCircumstance.objects.filter(child__in=children.values("pk"))
        .order_by()
        .values_list("code")
        .annotate(n=Count("pk"))
    )
    circumstance = Chart(
        "circumstance",
        _("困境儿童：按困境情形"),
        "hbar",
        [str(label) for _code, label in Circumstance.choices],
        unit=_("人"),
        note=_("每项按人去重；一名儿童可同时有多种困境情形，各项相加多于儿童人数。"),
    )
    circumstance.series.append(
        {
            "name": _("儿童"),
            "colour": "#0d6efd",
            "data": [
                Cell(per_code.get(code, 0), ledger_url(circumstance=code))
                for code in Circumstance.values
            ],
        }
    )

    # 2. risk distribution (one query, with the KPI totals)
    risk_counts = children.aggregate(
        total=Count("pk"),
        **{code: Count("pk", filter=Q(risk_level=code)) for code in RiskLevel.values},
    )
    risk = Chart("risk", _("风险等级分布"), "pie", unit=_("人"))
    risk.categories = [str(label) for _code, label in RiskLevel.choices]
    risk.series.append(
        {
            "name": _("在册儿童"),
            "colours": [RISK_COLOURS[code] for code in RiskLevel.values],
            "data": [
                Cell(risk_counts[code], ledger_url(risk_level=code)) for code in RiskLevel.values
            ],
        }
    )

    # 3. screening coverage by area (one query)
    screened = Exists(
        Screening.objects.filter(child=OuterRef("pk"), screened_on__gte=start, screened_on__lte=end)
    )
    per_area = {
        row["area"]: row
        for row in children.order_by()
        .values(area=F(by))
        .annotate(children=Count("pk"), screened=Count("pk", filter=screened))
    }
    screening_url = {"screened_on_after": start.isoformat(), "screened_on_before": end.isoformat()}
    cover = Chart("coverage", _("心理健康测评覆盖率"), "bar", names, unit="%")
    cover.series.append(
        {
            "name": _("覆盖率"),
            "data": [
                Cell(
                    coverage(
                        per_area.get(a.pk, {}).get("screened", 0),
                        per_area.get(a.pk, {}).get("children", 0),
                    ),
                    list_url("care:screening_list", **{by: a.pk}, **screening_url),
                )
                for a in areas
            ],
        }
    )
    total_screened = sum(row["screened"] for row in per_area.values())

    # 4. open alerts by area, and those past their handling deadline (one query)
    alert_rows = list(
        SafetyAlert.objects.visible_to(user)
        .filter(status=AlertStatus.OPEN)
        .order_by()
        .values(area=F(f"child__{by}"))
        .annotate(n=Count("pk"), late=Count("pk", filter=Q(due_at__lte=timezone.now())))
    )
    open_alerts = {row["area"]: row["n"] for row in alert_rows}
    overdue_alerts = {row["area"]: row["late"] for row in alert_rows}
    alerts = Chart("alerts", _("待处置预警"), "bar", names, unit=_("条"))
    alerts.series.append(
        {
            "name": _("待处置预警"),
            "colour": "#dc3545",
            "data": [
                Cell(
                    open_alerts.get(a.pk, 0),
                    list_url("care:alert_list", status=AlertStatus.OPEN, **{by: a.pk}),
                )
                for a in areas
            ],
        }
    )
    alerts.series.append(
        {
            "name": _("逾期未处置"),
            "colour": "#6f0f1a",
            "data": [
                Cell(
                    overdue_alerts.get(a.pk, 0),
                    list_url("care:alert_list", status=AlertStatus.OPEN, overdue="1", **{by: a.pk}),
                )
                for a in areas
            ],
        }
    )

    # 5. overdue visits by area (two queries for the rules, one for the counts)
    overdue_rows = {
        row["area"]: row["n"]
        for row in children.order_by()
        .values(area=F(by))
        .annotate(n=Count("pk", filter=schedule.overdue_count_q(today)))
    }
    overdue = Chart("overdue", _("家访逾期儿童"), "bar", names, unit=_("人"))
    overdue.series.append(
        {
            "name": _("逾期未访"),
            "colour": "#fd7e14",
            "data": [
                Cell(overdue_rows.get(a.pk, 0), list_url("visits:overdue", **{by: a.pk}))
                for a in areas
            ],
        }
    )

    # 6. activities over time, by week (one query; activities have no village)
    activity_qs = Activity.objects.visible_to(user)
    activity_qs = (
        activity_qs.filter(campaign=campaign)
        if campaign is not None
        else activity_qs.filter(start_date__gte=start, start_date__lte=end)
    )
    weeks = list(
        activity_qs.order_by()
        .annotate(week=TruncWeek("start_date"))
        .values("week")
        .annotate(n=Count("pk"))
        .order_by("week")
    )
    over_time = Chart("activities", _("主题活动开展情况（按周）"), "line", unit=_("场"))
    campaign_id = campaign.pk if campaign is not None else None
    week_cells = []
    for row in weeks:
        week = row["week"].date() if isinstance(row["week"], dt.datetime) else row["week"]
        week_end = week + dt.timedelta(days=6)
        over_time.categories.append(_("%(d)s 起") % {"d": week.isoformat()})
        week_cells.append(
            Cell(
                row["n"],
                list_url(
                    "activities:list",
                    campaign=campaign_id,
                    date_from=week.isoformat(),
                    date_to=week_end.isoformat(),
                ),
            )
        )
    over_time.series.append({"name": _("活动场次"), "data": week_cells})
    people = beneficiaries(activity_qs)

    # 7. report status (one query)
    report_rows = TownshipReport.objects.visible_to(user)
    report_rows = report_rows.filter(campaign=campaign) if campaign else report_rows.none()
    status_counts = dict(report_rows.order_by().values_list("status").annotate(n=Count("pk")))
    reports_url = _reports_url(user, campaign)
    expected = len(areas) if county else 1
    status = Chart("reports", _("乡镇报表报送情况"), "pie", unit=_("个"))
    status_cells, colours = [], []
    for code, label in [("missing", _("未填报")), *ReportStatus.choices]:
        n = (
            expected - sum(status_counts.values())
            if code == "missing"
            else status_counts.get(code, 0)
        )
        status.categories.append(str(label))
        status_cells.append(Cell(max(n, 0), reports_url))
        colours.append(STATUS_COLOURS[code])
    status.series.append({"name": _("报表"), "data": status_cells, "colours": colours})

    kpis = [
        (_("在册困境儿童（当前，人）"), risk_counts["total"], ledger_url()),
        (
            _("红色（高风险）"),
            risk_counts[RiskLevel.RED],
            ledger_url(risk_level=RiskLevel.RED),
        ),
        (
            _("待处置预警（条）"),
            sum(open_alerts.values()),
            list_url("care:alert_list", status=AlertStatus.OPEN),
        ),
        (
            _("逾期未处置预警（条）"),
            sum(overdue_alerts.values()),
            list_url("care:alert_list", status=AlertStatus.OPEN, overdue="1"),
        ),
        (_("家访逾期（人）"), sum(overdue_rows.values()), list_url("visits:overdue")),
    ]
    activities_url = list_url("activities:list", campaign=campaign_id)
    scope = _scope(user, county)
    if campaign is not None and scope is not None:
        # The campaign's figures are the report's own (reports.figures, by the same rules
        # and helpers): the county dashboard, the roll-up's 合计 and the county workbook
        # agree, and a test holds them equal.
        key = headline_figures(campaign, scope, today=today)
        kpis += [
            (_("测评覆盖率(%)"), key["coverage"], list_url("care:screening_list", **screening_url)),
            (_("测评人次"), key["screenings"], list_url("care:screening_list", **screening_url)),
            (_("家访人次"), key["visits"], ""),
            (_("主题活动（场）"), key["activities"], activities_url),
            (_("参与儿童（去重，人）"), key["distinct_children"], activities_url),
            (_("受益人次"), key["beneficiary_attendances"], activities_url),
        ]
    else:
        kpis += [
            (
                _("测评覆盖率(%)"),
                coverage(total_screened, risk_counts["total"]),
                list_url("care:screening_list", **screening_url),
            ),
            (_("主题活动（场）"), people["activities"], activities_url),
            (_("参与儿童（去重，人）"), people["distinct_children"], activities_url),
            (_("受益人次"), people["total_attendances"], activities_url),
        ]
    area_label = _("全县") if county else (user.township.name if user.township_id else "")
    return Dashboard(
        by, area_label, campaign, (start, end), kpis,
        [circumstance, risk, cover, alerts, overdue, over_time, status],
    )  # fmt: skip


def _scope(user, county: bool) -> Scope | None:
    if county:
        return COUNTY
    return Scope.of(user.township) if user.township_id else None


def _reports_url(user, campaign) -> str:
    if campaign is None:
        return ""
    if user.has_perm("reports.review_report"):
        return reverse("reports:rollup", args=[campaign.year])
    if user.township_id:
        return reverse("reports:township", args=[campaign.year, user.township_id])
    return ""
