"""The report workbooks as background jobs: the township's workbook and the county's.

Registered in ``ReportsConfig.ready``; the ``jobs`` app runs them in a worker and keeps the
file for its owner only. The views check the scope and the permission before submitting;
the job checks both again when it runs (a role or an area may change in between) and logs
the export as the download views did.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from accounts.audit import AccessAction, log_access
from jobs.registry import JobKind, JobRefused, Outcome, register
from reports import exports, selectors

TOWNSHIP_WORKBOOK = "report_township_workbook"
COUNTY_WORKBOOK = "report_county_workbook"
VIEW = "reports.view_townshipreport"
REVIEW = "reports.review_report"


def _campaign(job):
    campaign = selectors.campaign_of_year(job.params.get("year"))
    if campaign is None:
        raise JobRefused(_("该年度的主题活动已不存在。"))
    return campaign


def run_township_workbook(job, progress) -> Outcome:
    user = job.owner
    campaign = _campaign(job)
    # Looked up again in the owner's scope: outside it the job does nothing.
    township = selectors.report_township(user, job.params.get("township"))
    if township is None or not user.has_perm(VIEW):
        raise JobRefused(_("您已无权导出该乡镇的报表。"))
    report = selectors.report_for(user, campaign, township)
    data = exports.township_export(campaign, township, progress=progress)
    log_access(
        action=AccessAction.EXPORT,
        user=user,
        target=report,
        target_type="townshipreport",
        target_id=str(report.pk) if report else "",
        target_label=f"{campaign.year}年 {township.name}",
        detail={"export": "township_report", "campaign": campaign.year, "job": str(job.pk)},
    )
    return Outcome(data=data, filename=exports.township_filename(campaign, township))


def run_county_workbook(job, progress) -> Outcome:
    user = job.owner
    campaign = _campaign(job)
    if not user.has_perm(REVIEW):
        raise JobRefused(_("您已无权导出全县汇总。"))
    data = exports.county_export(campaign, progress=progress)
    log_access(
        action=AccessAction.EXPORT,
        user=user,
        target_type="campaign",
        target_id=str(campaign.pk),
        target_label=f"{campaign.year}年 全县汇总",
        detail={"export": "county_report", "campaign": campaign.year, "job": str(job.pk)},
    )
    return Outcome(data=data, filename=exports.county_filename(campaign))


def register_kinds() -> None:
    register(JobKind(TOWNSHIP_WORKBOOK, run_township_workbook, permission=VIEW))
    register(JobKind(COUNTY_WORKBOOK, run_county_workbook, permission=REVIEW))
