"""The demo leaves 龙胜镇's 2026 report submitted on time and 平等镇's as a draft."""

import datetime as dt
import io

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


def test_export_report_on_fresh_demo_data_counts_visits_and_screenings(db, settings, tmp_path):
    """``seed_demo`` then ``export_report --campaign 2026``: the campaign's visits and
    screenings are dated inside it whatever day the demo is seeded, so neither 龙胜镇 (its
    frozen version) nor 平等镇 (live) reads 0; 龙胜镇's version holds only what was dated and
    entered by its submission."""
    import datetime as dt

    import openpyxl
    from django.core.management import call_command
    from django.utils import timezone

    from reports.figures import township_figures

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    out = tmp_path / "county.xlsx"
    call_command("export_report", "--campaign", "2026", "-o", str(out), stdout=io.StringIO())
    summary = openpyxl.load_workbook(out)["汇总"]
    header = [cell.value for cell in summary[4]]
    rows = {row[1]: row for row in summary.iter_rows(min_row=5, values_only=True) if row[1]}
    for name in ("龙胜镇", "平等镇"):
        assert rows[name][header.index("家访人次")] > 0, name
        assert rows[name][header.index("测评人次")] > 0, name
        assert rows[name][header.index("活动场次")] > 0, name
    assert rows["县级"][header.index("活动场次")] == 1  # the county's own launch

    report = TownshipReport.objects.get(township__name="龙胜镇")
    version = report.versions.get()
    assert version.on_time and report.on_time
    frozen_at = timezone.localtime(version.submitted_at)
    assert (
        version.figures["period"]["as_of"]
        == min(frozen_at.date(), dt.date(2026, 6, 10)).isoformat()
    )
    # Recomputed now as of the freeze, the figures are the same: nothing in the version was
    # dated or entered after it.
    again = township_figures(
        report.campaign, report.township, today=frozen_at.date(), recorded_by=version.submitted_at
    )
    assert again == version.figures
