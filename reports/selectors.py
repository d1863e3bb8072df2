"""Reads behind the home pages and dashboards; every figure starts from a scoped queryset."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Township
from accounts.scoping import visible_townships
from activities.choices import LeaderLevel
from activities.models import Activity, Campaign
from activities.selectors import current_campaign as this_years_campaign
from core.extensions import Panel, collect
from reports.choices import ReportStatus
from reports.figures import township_figures
from reports.models import ReportVersion, TownshipReport


def home_panels(user) -> list[Panel]:
    """The figures on a user's home page, for their own area only, from every app."""
    panels: list[Panel] = collect("home_panels", user)
    return sorted(panels, key=lambda panel: panel.order)


# --- township reports ----------------------------------------------------------------------


def campaign_of_year(year: int):
    """The campaign of a year, or None."""
    return Campaign.objects.filter(year=year).first()


def current_campaign(today=None):
    """The campaign of this year, else the latest one (the reports' default)."""
    return (
        this_years_campaign(today or timezone.localdate())
        or Campaign.objects.order_by("-year").first()
    )


def report_township(user, township_id):
    """The township of a report page if the user may see it, else None (the view: 404)."""
    try:
        return visible_townships(user).get(pk=township_id)
    except (ValueError, TypeError, Township.DoesNotExist):
        return None


def report_for(user, campaign, township):
    """The township's report for the campaign (scoped), or None before its first save."""
    return (
        TownshipReport.objects.visible_to(user)
        .filter(campaign=campaign, township=township)
        .select_related("campaign", "township", "submitted_by", "returned_by", "accepted_by")
        .first()
    )


def report_versions(report):
    if report is None:
        return []
    return list(report.versions.select_related("submitted_by", "reviewed_by").order_by("-number"))


def version_of(user, campaign, township, number):
    """One frozen version, or None when absent or outside the user's area."""
    return (
        ReportVersion.objects.visible_to(user)
        .filter(report__campaign=campaign, report__township=township, number=number)
        .select_related("report", "report__campaign", "report__township", "submitted_by")
        .select_related("reviewed_by")
        .first()
    )


def narrative_prefill(campaign, township, figures: dict) -> dict[str, str]:
    """Draft narratives written from the township's campaign activities (brands, featured and
    innovative practice texts, effects, leaders) and the figures; the township edits them."""
    texts = list(
        Activity.objects.filter(campaign=campaign, township=township)
        .order_by("start_date", "pk")
        .values_list("title", "featured_practice", "innovative_practice", "effect")
    )

    def numbered(index: int) -> str:
        lines = [f"【{row[0]}】{row[index].strip()}" for row in texts if row[index].strip()]
        return "\n".join(f"{n}. {line}" for n, line in enumerate(lines, start=1))

    acts, leaders = figures["activities"], figures["leaders"]
    timeliness = _(
        "活动期间（%(start)s至%(end)s），本乡镇共开展主题活动%(n)s场，其中%(on_time)s场于"
        "报送截止日（%(deadline)s）前完成。参与活动的台账儿童%(children)s人、%(att)s人次，"
        "监护人、教师、群众等其他受益人员%(other)s人；受益人数合计%(total)s人，受益人次%(times)s人次。"
    ) % {
        "start": campaign.start_date.isoformat(),
        "end": campaign.end_date.isoformat(),
        "deadline": campaign.report_deadline.isoformat(),
        "n": acts["activities"],
        "on_time": acts["on_time"],
        "children": acts["distinct_children"],
        "att": acts["attendances"],
        "other": acts["other_beneficiaries"],
        "total": acts["beneficiaries"],
        "times": acts["beneficiary_attendances"],
    }
    effects = numbered(3)
    if effects:
        timeliness += "\n" + _("活动成效：") + "\n" + effects
    leader_text = ""
    if leaders["attendances"]:
        by_level = "、".join(
            _("%(level)s%(n)s人次") % {"level": LeaderLevel(code).label, "n": n}
            for code, n in leaders["by_level"].items()
            if n
        )
        names = "；".join(f"{row['post']} {row['name']}" for row in leaders["list"])
        leader_text = _("共有领导%(n)s人次出席活动（%(levels)s）：%(names)s。") % {
            "n": leaders["attendances"],
            "levels": by_level,
            "names": names,
        }
    return {
        "featured_practices": numbered(1),
        "timeliness": timeliness,
        "leader_participation": leader_text,
        "brand": "、".join(figures["brands"]),
        "innovative_practices": numbered(2),
    }


# --- home page -----------------------------------------------------------------------------


def report_home(user):
    """The township supervisor's report card on the home page: the campaign, deadline
    countdown and report status; None for everyone else or when there is no campaign."""
    if not (user.has_perm("reports.submit_report") and user.township_id):
        return None
    today = timezone.localdate()
    campaign = current_campaign(today)
    if campaign is None:
        return None
    report = TownshipReport.objects.filter(campaign=campaign, township_id=user.township_id).first()
    return {
        "campaign": campaign,
        "report": report,
        "days_left": campaign.days_to_deadline(today),
        "url": _report_url(campaign, user.township_id),
    }


def _report_url(campaign, township_id) -> str:
    return reverse("reports:township", args=[campaign.year, township_id])


def report_panels(user) -> list[Panel]:
    """Home-page figures of this app: a supervisor's report status; for reviewers, the
    reports waiting for review (one query each)."""
    panels = []
    card = report_home(user)
    if card is not None:
        report = card["report"]
        status = report.get_status_display() if report else ReportStatus.DRAFT.label
        tone = {
            ReportStatus.SUBMITTED: "primary",
            ReportStatus.ACCEPTED: "success",
            ReportStatus.RETURNED: "warning",
        }.get(report.status if report else "", "secondary")
        panels.append(
            Panel(
                _("%(year)s年报表状态") % {"year": card["campaign"].year},
                str(status),
                card["url"],
                tone=tone,
                order=43,
            )
        )
    if user.has_perm("reports.review_report"):
        campaign = current_campaign(timezone.localdate())
        if campaign is not None:
            waiting = (
                TownshipReport.objects.visible_to(user)
                .filter(campaign=campaign, status=ReportStatus.SUBMITTED)
                .count()
            )
            panels.append(
                Panel(
                    _("待审核乡镇报表"),
                    waiting,
                    reverse("reports:rollup", args=[campaign.year]),
                    tone="warning" if waiting else "secondary",
                    order=44,
                )
            )
    return panels


# --- what a report shows -------------------------------------------------------------------

FROZEN_STATUSES = (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)


@dataclass
class ReportContent:
    """The figures and narratives a report page or workbook shows: the latest submitted
    version while the report is submitted or accepted (what the county received), else
    live figures and the current draft narratives (prefilled from the activities)."""

    figures: dict
    narratives: dict
    frozen: bool
    version: object  # ReportVersion | None
    filled_on: str
    status_label: str

    @property
    def status_note(self) -> str:
        if self.frozen:
            return ""
        return _("注：本表尚未报送（%(s)s），数据为导出时按台账和活动记录实时统计。") % {
            "s": self.status_label
        }


def report_content(campaign, township, report, *, prefill: bool = True) -> ReportContent:
    today = timezone.localdate()
    if report is not None and report.status in FROZEN_STATUSES:
        version = report.versions.select_related("submitted_by").order_by("-number").first()
        if version is not None:
            return ReportContent(
                version.figures,
                version.narratives,
                True,
                version,
                timezone.localtime(version.submitted_at).date().isoformat(),
                str(report.get_status_display()),
            )
    figures = township_figures(campaign, township, today=today)
    narratives = report.narratives() if report is not None else {}
    if prefill:
        suggested = narrative_prefill(campaign, township, figures)
        narratives = {name: narratives.get(name) or suggested.get(name, "") for name in suggested}
    status = report.get_status_display() if report is not None else ReportStatus.DRAFT.label
    return ReportContent(figures, narratives, False, None, today.isoformat(), str(status))


def campaign_years() -> list[int]:
    return list(Campaign.objects.order_by("-year").values_list("year", flat=True))
