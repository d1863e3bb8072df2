"""Writes of the reports app: the township report's workflow.

draft ─save─▶ draft ─submit─▶ submitted ─return─▶ returned ─resubmit─▶ submitted ─accept─▶ accepted
                                  └────────── reopen (county admin) ──────────┘ ─▶ returned

Every submission freezes the figures (computed then, from recorded data) and the narratives
as a new ``ReportVersion``; nothing of a version is ever changed except the county's review
outcome. Each service checks the actor's permission and area, claims the report's version
(optimistic locking: of two people acting on the same page, exactly one succeeds) and writes
in one transaction.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import can_see_area
from core.permissions import require_perm
from core.versioning import StaleEdit, claim_version
from notifications import services as notifications
from notifications.choices import NotificationKind
from reports import narratives
from reports.choices import NARRATIVE_FIELDS, ReportStatus, VersionOutcome
from reports.figures import township_figures
from reports.models import ReportVersion, TownshipReport, is_on_time

SUBMIT = "reports.submit_report"
REVIEW = "reports.review_report"
REOPEN = "reports.reopen_report"
NARRATIVE_NAMES = [name for name, _label in NARRATIVE_FIELDS]


STALE_MESSAGE = gettext_lazy(
    "该报表已被他人修改或已变更状态，您的操作未执行。请查看最新内容后重试。"
)


class ReportLocked(Exception):
    """The report is not in a state that allows this action."""


class NarrativeContradiction(ValidationError):
    """A number typed in a narrative differs from the computed figure it names; nothing was
    submitted. Each message gives the phrase, both numbers and the difference."""


def _require_township(actor, township) -> None:
    # A report is written by the township's own supervisor only (village=None: a village
    # director never qualifies, and county roles review rather than write).
    if actor.is_superuser or not can_see_area(actor, township_id=township.pk):
        raise PermissionDenied
    if actor.township_id != township.pk:
        raise PermissionDenied


def _require_visible(actor, report: TownshipReport) -> None:
    if not TownshipReport.objects.visible_to(actor).filter(pk=report.pk).exists():
        raise PermissionDenied


def _claim(report: TownshipReport, expected_version: int | None) -> None:
    """Take the next version or fail: of two people acting on the same report, one wins."""
    claim_version(report, expected_version, message=STALE_MESSAGE)


def _locked_message(report: TownshipReport) -> str:
    return _("报表当前状态为「%(s)s」，不能修改。") % {"s": report.get_status_display()}


def _assign_narratives(report: TownshipReport, data: dict) -> None:
    for name in NARRATIVE_NAMES:
        if name in data:
            setattr(report, name, (data[name] or "").strip())


def _load_or_new(*, actor, campaign, township) -> TownshipReport:
    report = (
        TownshipReport.objects.select_for_update()
        .filter(campaign=campaign, township=township)
        .first()
    )
    if report is None:
        report = TownshipReport(campaign=campaign, township=township, created_by=actor)
    return report


def _write_draft(*, actor, campaign, township, data: dict, expected_version) -> TownshipReport:
    report = _load_or_new(actor=actor, campaign=campaign, township=township)
    if report.pk is not None:
        if not report.is_editable:
            raise ReportLocked(_locked_message(report))
        _claim(report, expected_version)
    _assign_narratives(report, data)
    report.full_clean(exclude=["campaign", "township"])
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        # Two first saves at once: the other one created the report.
        raise StaleEdit(
            TownshipReport.objects.get(campaign=campaign, township=township),
            message=STALE_MESSAGE,
        ) from exc
    return report


@transaction.atomic
def report_save_draft(
    *, actor, campaign, township, data: dict, expected_version: int | None = None
) -> TownshipReport:
    """Save the narratives of a draft or returned report (creating it on the first save)."""
    require_perm(actor, SUBMIT)
    _require_township(actor, township)
    return _write_draft(
        actor=actor,
        campaign=campaign,
        township=township,
        data=data,
        expected_version=expected_version,
    )


def _submit(
    *,
    actor,
    campaign,
    township,
    data,
    expected_version,
    allowed,
    now: dt.datetime,
    confirm_numbers: bool = False,
) -> TownshipReport:
    report = _load_or_new(actor=actor, campaign=campaign, township=township)
    if report.pk is not None and report.status not in allowed:
        raise ReportLocked(_locked_message(report))
    if data is not None or report.pk is None:
        report = _write_draft(
            actor=actor,
            campaign=campaign,
            township=township,
            data=data or {},
            expected_version=expected_version,
        )
    else:
        _claim(report, expected_version)
    if not any(getattr(report, name) for name in NARRATIVE_NAMES):
        raise ValidationError(_("请至少填写一项文字材料（特色做法、活动时效情况等）后再报送。"))
    # The version holds what was known at ``now``: records dated by that day and entered by
    # that instant; the narratives' placeholders take those figures.
    figures = township_figures(campaign, township, today=timezone.localdate(now), recorded_by=now)
    rendered = narratives.render_all(report.narratives(), figures)
    found = narratives.contradictions(rendered, figures)
    if found and not confirm_numbers:
        labels = dict(NARRATIVE_FIELDS)
        raise NarrativeContradiction([item.message(str(labels[item.field])) for item in found])
    on_time = is_on_time(now, campaign.report_deadline)
    number = report.versions.count() + 1
    ReportVersion.objects.create(
        report=report,
        number=number,
        figures=figures,
        narratives=rendered,
        submitted_by=actor,
        submitted_at=now,
        on_time=on_time,
    )
    if report.first_submitted_at is None:
        report.first_submitted_at = now
        report.on_time = on_time
    report.status = ReportStatus.SUBMITTED
    report.submitted_at = now
    report.submitted_by = actor
    report.save()
    return report


@transaction.atomic
def report_submit(
    *,
    actor,
    campaign,
    township,
    data: dict | None = None,
    expected_version: int | None = None,
    confirm_numbers: bool = False,
) -> TownshipReport:
    """Submit a draft (报送): save the narratives given, freeze figures and narratives as
    version 1 (or the next), and record 按时/逾期 against the deadline, end of day in
    Asia/Shanghai. A submitted report can no longer be edited. A typed number that
    contradicts the figures refuses the submission (``NarrativeContradiction``) unless
    ``confirm_numbers``."""
    require_perm(actor, SUBMIT)
    _require_township(actor, township)
    return _submit(
        actor=actor,
        campaign=campaign,
        township=township,
        data=data,
        expected_version=expected_version,
        allowed={ReportStatus.DRAFT},
        now=timezone.now(),
        confirm_numbers=confirm_numbers,
    )


@transaction.atomic
def report_resubmit(
    *,
    actor,
    campaign,
    township,
    data: dict | None = None,
    expected_version: int | None = None,
    confirm_numbers: bool = False,
) -> TownshipReport:
    """Submit a returned (or reopened) report again: a new version, the earlier ones kept."""
    require_perm(actor, SUBMIT)
    _require_township(actor, township)
    return _submit(
        actor=actor,
        campaign=campaign,
        township=township,
        data=data,
        expected_version=expected_version,
        allowed={ReportStatus.RETURNED},
        now=timezone.now(),
        confirm_numbers=confirm_numbers,
    )


def _latest_version(report: TownshipReport) -> ReportVersion:
    return report.versions.select_for_update().order_by("-number").first()


def _review(*, actor, report, outcome, comment, expected_version, allowed) -> ReportVersion:
    if report.status not in allowed:
        raise ReportLocked(_locked_message(report))
    _claim(report, expected_version)
    version = _latest_version(report)
    now = timezone.now()
    version.outcome = outcome
    version.review_comment = comment
    version.reviewed_by = actor
    version.reviewed_at = now
    version.full_clean()
    version.save()
    return version


def _comment(comment: str, message) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": message})
    return comment


@transaction.atomic
def report_return(
    *, actor, report: TownshipReport, comment: str, expected_version: int | None = None
) -> TownshipReport:
    """Return a submitted report to the township with a comment (退回修改)."""
    require_perm(actor, REVIEW)
    _require_visible(actor, report)
    comment = _comment(comment, _("退回时必须填写退回意见。"))
    version = _review(
        actor=actor,
        report=report,
        outcome=VersionOutcome.RETURNED,
        comment=comment,
        expected_version=expected_version,
        allowed={ReportStatus.SUBMITTED},
    )
    report.status = ReportStatus.RETURNED
    report.return_comment = comment
    report.returned_by = actor
    report.returned_at = version.reviewed_at
    report.save()
    notifications.notify(
        recipients=notifications.township_supervisors(report.township_id),
        kind=NotificationKind.REPORT_RETURNED,
        text=_("%(year)d 年%(township)s报送情况已被退回修改，请查看退回意见后重新报送。")
        % {"year": report.campaign.year, "township": report.township.name},
        url=reverse("reports:township", args=[report.campaign.year, report.township_id]),
        key=f"report:{report.pk}:returned:{version.pk}",
    )
    return report


@transaction.atomic
def report_accept(
    *, actor, report: TownshipReport, comment: str = "", expected_version: int | None = None
) -> TownshipReport:
    """Accept a submitted report (采纳): the latest version is the township's report."""
    require_perm(actor, REVIEW)
    _require_visible(actor, report)
    version = _review(
        actor=actor,
        report=report,
        outcome=VersionOutcome.ACCEPTED,
        comment=(comment or "").strip(),
        expected_version=expected_version,
        allowed={ReportStatus.SUBMITTED},
    )
    report.status = ReportStatus.ACCEPTED
    report.accepted_by = actor
    report.accepted_at = version.reviewed_at
    report.save()
    return report


@transaction.atomic
def report_reopen(
    *, actor, report: TownshipReport, comment: str, expected_version: int | None = None
) -> TownshipReport:
    """Reopen a submitted or accepted report so the township can edit and resubmit it
    (county admin only; the reason is required and shown to the township)."""
    require_perm(actor, REOPEN)
    _require_visible(actor, report)
    comment = _comment(comment, _("重新开放时必须填写原因。"))
    version = _review(
        actor=actor,
        report=report,
        outcome=VersionOutcome.REOPENED,
        comment=comment,
        expected_version=expected_version,
        allowed={ReportStatus.SUBMITTED, ReportStatus.ACCEPTED},
    )
    report.status = ReportStatus.RETURNED
    report.return_comment = comment
    report.returned_by = actor
    report.returned_at = version.reviewed_at
    report.accepted_by = None
    report.accepted_at = None
    report.save()
    return report


@transaction.atomic
def submit_as_of(
    *, actor, campaign, township, now: dt.datetime, allowed=(ReportStatus.DRAFT,)
) -> TownshipReport:
    """Submit a draft as if at ``now`` (按时/逾期 judged at that instant). For the demo data
    only, so that a newcomer sees an on-time report whatever day it is seeded; the portal
    always submits at the real time through ``report_submit``."""
    require_perm(actor, SUBMIT)
    _require_township(actor, township)
    return _submit(
        actor=actor,
        campaign=campaign,
        township=township,
        data=None,
        expected_version=None,
        allowed=set(allowed),
        now=now,
    )
