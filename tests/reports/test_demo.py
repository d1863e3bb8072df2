"""The demo leaves 龙胜镇's 2026 report submitted on time and 平等镇's as a draft."""

import datetime as dt

from accounts import demo as account_demo
from activities.models import Campaign
from reports import demo
from reports.choices import ReportStatus
from reports.models import ReportVersion, TownshipReport


def test_demo_submits_longsheng_on_time_and_drafts_pingdeng_idempotently(db):
    account_demo.seed()
    Campaign.objects.create(
        year=2026,
        start_date=dt.date(2026, 5, 15),
        end_date=dt.date(2026, 6, 10),
        report_deadline=dt.date(2026, 6, 4),
    )
    demo.seed()
    reports = {r.township.name: r for r in TownshipReport.objects.select_related("township")}
    assert set(reports) == {"龙胜镇", "平等镇"}
    assert reports["龙胜镇"].status == ReportStatus.SUBMITTED
    assert reports["龙胜镇"].on_time is True
    assert reports["龙胜镇"].versions.get().on_time is True
    assert reports["平等镇"].status == ReportStatus.DRAFT
    assert reports["平等镇"].timeliness  # prefilled from the figures
    before = (
        list(TownshipReport.objects.values_list("pk", "status", "version")),
        ReportVersion.objects.count(),
    )
    demo.seed()
    after = (
        list(TownshipReport.objects.values_list("pk", "status", "version")),
        ReportVersion.objects.count(),
    )
    assert after == before


def test_demo_creates_nothing_without_the_campaign(db):
    account_demo.seed()
    demo.seed()
    assert not TownshipReport.objects.exists()
