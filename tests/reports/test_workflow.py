"""The township report's workflow: draft → submitted → returned → resubmitted → accepted,
on-time against the deadline's end of day in Asia/Shanghai, frozen versions, reopening."""

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from reports import services
from reports.choices import ReportStatus, VersionOutcome
from reports.models import ReportVersion, TownshipReport
from tests.reports.conftest import at

NARRATIVES = {
    "featured_practices": "以「一村一节目」组织困境儿童参加游园会。",
    "timeliness": "5月22日起开展活动{活动场次}场。",
    "leader_participation": "副县长李县长出席。",
    "brand": "龙脊润心",
    "innovative_practices": "设立心愿墙。",
}


def submit(user, dataset, when, **kwargs):
    with time_machine.travel(when, tick=False):
        return services.report_submit(
            actor=user, campaign=dataset.campaign, township=dataset.ls, **kwargs
        )


@pytest.fixture
def draft(dataset, longsheng_supervisor):
    with time_machine.travel(at(2026, 6, 1), tick=False):
        return services.report_save_draft(
            actor=longsheng_supervisor,
            campaign=dataset.campaign,
            township=dataset.ls,
            data=NARRATIVES,
        )


def test_first_save_creates_a_draft_with_the_narratives(draft):
    assert draft.status == ReportStatus.DRAFT
    assert draft.brand == "龙脊润心"
    assert draft.version == 1
    assert not draft.versions.exists()


def test_submission_at_23_59_on_the_deadline_day_is_on_time(draft, dataset, longsheng_supervisor):
    report = submit(longsheng_supervisor, dataset, at(2026, 6, 4, 23, 59))
    assert report.status == ReportStatus.SUBMITTED
    assert report.on_time is True
    version = report.versions.get()
    assert version.number == 1 and version.on_time is True


def test_submission_at_00_01_the_day_after_is_late(draft, dataset, longsheng_supervisor):
    report = submit(longsheng_supervisor, dataset, at(2026, 6, 5, 0, 1))
    assert report.on_time is False
    assert report.versions.get().on_time is False


def test_submission_freezes_figures_and_narratives(draft, dataset, longsheng_supervisor):
    report = submit(longsheng_supervisor, dataset, at(2026, 6, 3, 12))
    version = report.versions.get()
    # The placeholder took the figure frozen with it.
    assert version.narratives == NARRATIVES | {"timeliness": "5月22日起开展活动2场。"}
    assert version.figures["activities"]["beneficiaries"] == 41
    assert version.figures["period"]["as_of"] == "2026-06-03"
    # Later records do not change what was submitted.
    from tests.reports.conftest import make_child

    make_child("新童", "龙胜镇", "山东村")
    version.refresh_from_db()
    assert version.figures["ledger"]["children"] == 4


def test_submitted_report_cannot_be_edited_or_submitted_again(draft, dataset, longsheng_supervisor):
    submit(longsheng_supervisor, dataset, at(2026, 6, 3, 12))
    with pytest.raises(services.ReportLocked):
        services.report_save_draft(
            actor=longsheng_supervisor,
            campaign=dataset.campaign,
            township=dataset.ls,
            data={"brand": "改过的品牌"},
        )
    with pytest.raises(services.ReportLocked):
        submit(longsheng_supervisor, dataset, at(2026, 6, 3, 13))
    report = TownshipReport.objects.get(pk=draft.pk)
    assert report.brand == "龙脊润心"
    assert report.versions.count() == 1


def test_empty_report_cannot_be_submitted(dataset, longsheng_supervisor):
    with pytest.raises(ValidationError) as exc:
        submit(longsheng_supervisor, dataset, at(2026, 6, 3), data={})
    assert "请至少填写一项文字材料" in str(exc.value)
    assert not TownshipReport.objects.exists()


def test_return_needs_a_comment(draft, dataset, longsheng_supervisor, county_staff):
    report = submit(longsheng_supervisor, dataset, at(2026, 6, 3, 12))
    with pytest.raises(ValidationError) as exc:
        services.report_return(actor=county_staff, report=report, comment="  ")
    assert "退回时必须填写退回意见" in str(exc.value)
    assert TownshipReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_return_and_resubmit_keeps_both_versions(
    draft, dataset, longsheng_supervisor, county_staff
):
    report = submit(longsheng_supervisor, dataset, at(2026, 6, 3, 12))
    with time_machine.travel(at(2026, 6, 4, 9), tick=False):
        report = services.report_return(
            actor=county_staff, report=report, comment="请补充受益人数说明。"
        )
    assert report.status == ReportStatus.RETURNED
    assert report.return_comment == "请补充受益人数说明。"
    # Returned: editable again, then resubmitted after the deadline.
    with time_machine.travel(at(2026, 6, 6, 10), tick=False):
        report = services.report_resubmit(
            actor=longsheng_supervisor,
            campaign=dataset.campaign,
            township=dataset.ls,
            data=NARRATIVES | {"timeliness": "补充：受益人数{受益人数}人。"},
        )
    versions = list(report.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[0].outcome == VersionOutcome.RETURNED
    assert versions[0].review_comment == "请补充受益人数说明。"
    assert versions[0].reviewed_by == county_staff
    assert versions[0].narratives["timeliness"] == "5月22日起开展活动2场。"
    assert versions[1].narratives["timeliness"] == "补充：受益人数41人。"
    assert (versions[0].on_time, versions[1].on_time) == (True, False)
    # The report's 按时 is the first submission's: the township reported by the deadline.
    assert report.on_time is True
    assert report.status == ReportStatus.SUBMITTED


def test_accept_records_who_and_when(draft, dataset, longsheng_supervisor, county_staff):
    report = submit(longsheng_supervisor, dataset, at(2026, 6, 3, 12))
    with time_machine.travel(at(2026, 6, 5, 9), tick=False):
        report = services.report_accept(actor=county_staff, report=report, comment="很好")
    assert report.status == ReportStatus.ACCEPTED
    assert report.accepted_by == county_staff
    version = report.versions.get()
    assert version.outcome == VersionOutcome.ACCEPTED
    assert version.review_comment == "很好"
    assert version.reviewed_at == at(2026, 6, 5, 9)


def test_only_the_county_admin_can_reopen(
    draft, dataset, longsheng_supervisor, county_staff, county_admin
):
    report = submit(longsheng_supervisor, dataset, at(2026, 6, 3, 12))
    report = services.report_accept(actor=county_staff, report=report)
    for user in (longsheng_supervisor, county_staff):
        with pytest.raises(PermissionDenied):
            services.report_reopen(actor=user, report=report, comment="需修改")
    assert TownshipReport.objects.get(pk=report.pk).status == ReportStatus.ACCEPTED
    report = services.report_reopen(actor=county_admin, report=report, comment="数据有误，请修改")
    assert report.status == ReportStatus.RETURNED
    assert report.accepted_by is None
    assert report.versions.get().outcome == VersionOutcome.REOPENED
    # Reopened: the township edits and submits a second version.
    report = services.report_save_draft(
        actor=longsheng_supervisor,
        campaign=dataset.campaign,
        township=dataset.ls,
        data={"brand": "龙脊润心（修订）"},
        expected_version=report.version,
    )
    assert report.brand == "龙脊润心（修订）"


def test_reopen_needs_a_reason(draft, dataset, longsheng_supervisor, county_admin):
    report = submit(longsheng_supervisor, dataset, at(2026, 6, 3, 12))
    with pytest.raises(ValidationError):
        services.report_reopen(actor=county_admin, report=report, comment="")


def test_township_roles_cannot_review_and_county_roles_cannot_write(
    draft, dataset, longsheng_supervisor, county_staff, county_admin, shandong_director
):
    for user in (county_staff, county_admin, shandong_director):
        with pytest.raises(PermissionDenied):
            services.report_save_draft(
                actor=user, campaign=dataset.campaign, township=dataset.ls, data={"brand": "x"}
            )
    report = submit(longsheng_supervisor, dataset, at(2026, 6, 3, 12))
    for user in (longsheng_supervisor, shandong_director):
        with pytest.raises(PermissionDenied):
            services.report_accept(actor=user, report=report)
        with pytest.raises(PermissionDenied):
            services.report_return(actor=user, report=report, comment="x")
    assert TownshipReport.objects.get(pk=report.pk).status == ReportStatus.SUBMITTED


def test_a_supervisor_cannot_write_another_townships_report(dataset, pingdeng_supervisor):
    with pytest.raises(PermissionDenied):
        services.report_save_draft(
            actor=pingdeng_supervisor,
            campaign=dataset.campaign,
            township=dataset.ls,
            data=NARRATIVES,
        )
    assert not TownshipReport.objects.exists()


def test_stale_form_is_refused_and_the_newer_text_kept(draft, dataset, longsheng_supervisor):
    services.report_save_draft(
        actor=longsheng_supervisor,
        campaign=dataset.campaign,
        township=dataset.ls,
        data={"brand": "第一次保存"},
        expected_version=1,
    )
    with pytest.raises(services.StaleEdit) as exc:
        services.report_save_draft(
            actor=longsheng_supervisor,
            campaign=dataset.campaign,
            township=dataset.ls,
            data={"brand": "旧页面的内容"},
            expected_version=1,
        )
    assert "已被他人修改" in str(exc.value)
    assert TownshipReport.objects.get(pk=draft.pk).brand == "第一次保存"


def test_a_stale_review_is_refused(draft, dataset, longsheng_supervisor, county_staff):
    report = submit(longsheng_supervisor, dataset, at(2026, 6, 3, 12))
    seen = report.version
    services.report_accept(actor=county_staff, report=report, expected_version=seen)
    stale = TownshipReport.objects.get(pk=report.pk)
    with pytest.raises((services.StaleEdit, services.ReportLocked)):
        services.report_return(
            actor=county_staff, report=stale, comment="晚到的退回", expected_version=seen
        )
    assert ReportVersion.objects.get().outcome == VersionOutcome.ACCEPTED
