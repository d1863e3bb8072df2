"""Demo data: 龙胜镇's 2026 report submitted on time, 平等镇's saved as a draft.

Runs after the activities demo, which creates the 2026 campaign; without it, nothing is
created. Idempotent: a report that exists is left as it is.
"""

import datetime as dt

from django.utils import timezone

from accounts.models import Township, User
from reports import services
from reports.choices import ReportStatus
from reports.figures import township_figures
from reports.models import DEADLINE_ZONE, TownshipReport
from reports.selectors import campaign_of_year, narrative_prefill

YEAR = 2026


def _draft(campaign, township, actor):
    figures = township_figures(campaign, township)
    data = narrative_prefill(campaign, township, figures)
    return services.report_save_draft(actor=actor, campaign=campaign, township=township, data=data)


def seed(stdout=None) -> None:
    campaign = campaign_of_year(YEAR)
    if campaign is None:
        return
    longsheng = Township.objects.get(name="龙胜镇")
    pingdeng = Township.objects.get(name="平等镇")
    longsheng_user = User.objects.get(username="longsheng")
    pingdeng_user = User.objects.get(username="pingdeng")

    if not TownshipReport.objects.filter(campaign=campaign, township=pingdeng).exists():
        _draft(campaign, pingdeng, pingdeng_user)

    report = TownshipReport.objects.filter(campaign=campaign, township=longsheng).first()
    if report is None:
        report = _draft(campaign, longsheng, longsheng_user)
    if report.status == ReportStatus.DRAFT:
        # Submitted on the afternoon before the deadline (or now, if that is earlier), so
        # that the demo shows an on-time report whatever day it is seeded.
        on_time = dt.datetime.combine(
            campaign.report_deadline - dt.timedelta(days=1), dt.time(16, 30), tzinfo=DEADLINE_ZONE
        )
        services.submit_as_of(
            actor=longsheng_user,
            campaign=campaign,
            township=longsheng,
            now=min(timezone.now(), on_time),
        )
    if stdout is not None:
        stdout.write("报表：龙胜镇 2026 年报表已报送（按时），平等镇为草稿。")
