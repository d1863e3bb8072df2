"""Reads behind the home pages and dashboards; every figure starts from a scoped queryset."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Township
from accounts.scoping import visible_townships
from activities.models import Campaign
from activities.selectors import current_campaign as this_years_campaign
from core.extensions import Panel, collect
from reports import narratives
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
    """Draft narratives with placeholders for every number (reports.narratives.prefill)."""
    return narratives.prefill(campaign, township, figures)


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
    live figures and the current draft narratives (prefilled from the activities), their
    placeholders filled with the live figures (``draft`` keeps them as typed)."""

    figures: dict
    narratives: dict
    frozen: bool
    version: object  # ReportVersion | None
    filled_on: str
    status_label: str
    first_on_time: bool | None = None
    draft: dict | None = None

    @property
    def version_note(self) -> str:
        """Which version is shown and how it stands against the deadline, in words: the
        header, the roll-up and the workbook say the same."""
        return version_note(self.version, self.first_on_time)

    @property
    def status_note(self) -> str:
        if self.frozen:
            return self.version_note
        return _("注：本表尚未报送（%(s)s），数据为导出时按台账和活动记录实时统计。") % {
            "s": self.status_label
        }


def on_time_label(on_time) -> str:
    if on_time is None:
        return ""
    return _("按时") if on_time else _("逾期")


def version_note(version, first_on_time) -> str:
    if version is None:
        return ""
    note = _("本表为第%(n)s版，报送于 %(at)s，本版%(t)s") % {
        "n": version.number,
        "at": timezone.localtime(version.submitted_at).strftime("%Y-%m-%d %H:%M"),
        "t": on_time_label(version.on_time),
    }
    if first_on_time is not None:
        note += _("；首次报送%(t)s") % {"t": on_time_label(first_on_time)}
    return note + _("（数据为该版报送时冻结）。")


def report_content(campaign, township, report, *, prefill: bool = True) -> ReportContent:
    today = timezone.localdate()
    first_on_time = report.on_time if report is not None else None
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
                first_on_time,
            )
    figures = township_figures(campaign, township, today=today)
    draft = report.narratives() if report is not None else {}
    if prefill:
        suggested = narrative_prefill(campaign, township, figures)
        draft = {name: draft.get(name) or suggested.get(name, "") for name in suggested}
    status = report.get_status_display() if report is not None else ReportStatus.DRAFT.label
    return ReportContent(
        figures,
        narratives.render_all(draft, figures),
        False,
        None,
        today.isoformat(),
        str(status),
        first_on_time,
        draft,
    )


def campaign_years() -> list[int]:
    return list(Campaign.objects.order_by("-year").values_list("year", flat=True))
