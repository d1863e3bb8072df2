"""The Excel workbooks, read back with openpyxl: official title and layout, the figures, the
narratives, and no child's name or ID number anywhere; downloads scoped and logged."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessAction, AccessLog
from jobs.models import Job
from jobs.runner import job_run
from reports import services
from reports.workbooks import TITLE
from tests.jobs.helpers import downloaded, job_of
from tests.reports.conftest import at
from tests.reports.test_workflow import NARRATIVES


@pytest.fixture
def submitted(dataset, longsheng_supervisor):
    with time_machine.travel(at(2026, 6, 3, 12), tick=False):
        return services.report_submit(
            actor=longsheng_supervisor,
            campaign=dataset.campaign,
            township=dataset.ls,
            data=NARRATIVES,
        )


def export_download(client, url):
    """Start the workbook's job (run inline by the tests) and download its file."""
    return downloaded(client, client.get(url))


def read(content: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(content))


def cells(workbook) -> list[str]:
    return [
        str(cell.value)
        for ws in workbook.worksheets
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def figure(ws, label: str):
    """The value in the 数值 column of the row labelled ``label``."""
    for row in ws.iter_rows(min_row=5):
        if row[1].value is not None and str(row[1].value).strip("\u3000") == label:
            return row[2].value
    raise AssertionError(f"no row {label}")


def assert_no_personal_data(workbook, dataset):
    text = "\n".join(cells(workbook))
    for child in dataset.children:
        assert child.name not in text
        assert child.id_number not in text
        assert child.id_number[-6:] not in text


def test_township_workbook_has_the_official_layout_figures_and_no_personal_data(
    submitted, dataset, longsheng_supervisor, client_for
):
    response = export_download(
        client_for(longsheng_supervisor),
        reverse("reports:township_export", args=[2026, dataset.ls.pk]),
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Cache-Control"] == "no-store"
    assert "attachment" in response["Content-Disposition"]
    workbook = read(response.content)
    ws = workbook.active
    assert ws.title == "龙胜镇"
    assert ws["A1"].value == TITLE
    assert ws["A2"].value == "填报单位：龙胜镇民政事务管理所"
    assert ws["C2"].value == "填报日期：2026-06-03"  # the submission's date
    assert (ws["A3"].value, ws["C3"].value) == ("统计项目", "统计数据")
    assert [ws.cell(4, c).value for c in range(1, 5)] == ["类别", "指标", "数值", "单位"]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:D1", "A3:B3", "C3:D3"} <= merged
    assert ws["A1"].font.name == "黑体" and ws["B5"].font.name == "宋体"
    assert ws["B5"].border.left.style == "thin"
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4  # "9"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$1:$4"
    # The frozen figures, counted by hand in conftest.py.
    assert figure(ws, "台账儿童（活动期间在册）") == 4
    assert figure(ws, "困境情形：留守") == 2
    assert figure(ws, "测评覆盖率（占台账儿童）") == 50
    assert figure(ws, "参与活动的台账儿童（去重）") == 3
    assert figure(ws, "台账儿童参与人次") == 4
    assert figure(ws, "受益人数（台账儿童去重＋其他人员未去重）") == 41
    assert figure(ws, "受益人次") == 42
    assert figure(ws, "购买服务金额") == 12000.5
    assert figure(ws, "培训人次（按场次登记人数相加）") == 7
    units = {str(row[1].value).strip("\u3000"): row[3].value for row in ws.iter_rows(min_row=5)}
    assert units["群众"] == "人次" and units["参与活动的台账儿童（去重）"] == "人"
    text = "\n".join(cells(workbook))
    # The placeholder took the figure frozen with the version.
    for narrative in (NARRATIVES | {"timeliness": "5月22日起开展活动2场。"}).values():
        assert narrative in text
    assert "本表为第1版，报送于 2026-06-03 12:00，本版按时；首次报送按时" in text
    assert_no_personal_data(workbook, dataset)
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert entry.user == longsheng_supervisor
    assert entry.detail["export"] == "township_report"


def test_a_draft_workbook_says_it_is_not_submitted(dataset, longsheng_supervisor, client_for):
    with time_machine.travel(at(2026, 6, 3, 12), tick=False):
        response = export_download(
            client_for(longsheng_supervisor),
            reverse("reports:township_export", args=[2026, dataset.ls.pk]),
        )
    workbook = read(response.content)
    text = "\n".join(cells(workbook))
    assert "尚未报送" in text
    assert figure(workbook.active, "受益人数（台账儿童去重＋其他人员未去重）") == 41
    assert_no_personal_data(workbook, dataset)


def test_another_townships_workbook_is_404(dataset, pingdeng_supervisor, client_for):
    response = client_for(pingdeng_supervisor).get(
        reverse("reports:township_export", args=[2026, dataset.ls.pk])
    )
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()


def test_county_workbook_has_summary_township_sheets_and_narratives(
    submitted, dataset, county_staff, client_for
):
    with time_machine.travel(at(2026, 6, 5, 9), tick=False):
        response = export_download(
            client_for(county_staff), reverse("reports:county_export", args=[2026])
        )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    workbook = read(response.content)
    assert workbook.sheetnames[0] == "汇总" and workbook.sheetnames[-2:] == ["县级", "文字材料"]
    assert workbook.sheetnames[1:11] == [
        "龙胜镇", "瓢里镇", "三门镇", "龙脊镇", "平等镇",
        "乐江镇", "泗水乡", "江底乡", "马堤乡", "伟江乡",
    ]  # fmt: skip
    summary = workbook["汇总"]
    assert summary["A1"].value == TITLE
    rows = {row[1]: row for row in summary.iter_rows(min_row=5, values_only=True) if row[1]}
    header = [c.value for c in summary[4]]
    children_col = header.index("台账儿童(人)")
    beneficiaries_col = header.index("受益人数(儿童去重，其他人员未去重)")
    assert rows["龙胜镇"][2:6] == ("已报送", "2026-06-03 12:00", "按时", "第1版（按时）")
    assert rows["龙胜镇"][children_col] == 4 and rows["龙胜镇"][beneficiaries_col] == 41
    assert rows["平等镇"][2] == "逾期未报送"
    assert rows["平等镇"][children_col] == 2 and rows["平等镇"][beneficiaries_col] == 6
    # The county center's own 启动仪式 has its row; the ledger does not apply to it.
    assert rows["县级"][children_col] == "—" and rows["县级"][beneficiaries_col] == 100
    total = next(
        row
        for row in summary.iter_rows(min_row=5, values_only=True)
        if row[0] == "全县合计（按全县去重统计，含县级）"
    )
    # Counted over the county: 平一 at 平等镇's and the county's activity is one child.
    assert total[children_col] == 6 and total[beneficiaries_col] == 146
    assert summary.page_setup.orientation == "landscape"
    assert figure(workbook["龙胜镇"], "受益人数（台账儿童去重＋其他人员未去重）") == 41
    assert figure(workbook["平等镇"], "受益人数（台账儿童去重＋其他人员未去重）") == 6
    narratives = workbook["文字材料"]
    text = "\n".join(str(c.value) for row in narratives.iter_rows() for c in row if c.value)
    assert NARRATIVES["innovative_practices"] in text
    assert_no_personal_data(workbook, dataset)
    assert AccessLog.objects.get(action=AccessAction.EXPORT).detail["export"] == "county_report"


def test_typed_text_never_becomes_a_formula(dataset, longsheng_supervisor, client_for):
    services.report_save_draft(
        actor=longsheng_supervisor,
        campaign=dataset.campaign,
        township=dataset.ls,
        data={"brand": '=HYPERLINK("http://evil")'},
    )
    response = export_download(
        client_for(longsheng_supervisor),
        reverse("reports:township_export", args=[2026, dataset.ls.pk]),
    )
    workbook = read(response.content)
    values = [c for ws in workbook.worksheets for row in ws.iter_rows() for c in row]
    assert not any(c.data_type == "f" for c in values)
    assert '\'=HYPERLINK("http://evil")' in cells(workbook)


def test_export_command_writes_township_and_county_workbooks(submitted, dataset, tmp_path):
    by_name = tmp_path / "ls.xlsx"
    call_command("export_report", "--campaign", "2026", "--township", "龙胜镇", "-o", str(by_name))
    assert read(by_name.read_bytes()).active["A2"].value == "填报单位：龙胜镇民政事务管理所"
    by_code = tmp_path / "ls-code.xlsx"
    call_command(
        "export_report", "--campaign", "2026", "--township", "450328100", "-o", str(by_code)
    )
    assert (
        figure(read(by_code.read_bytes()).active, "受益人数（台账儿童去重＋其他人员未去重）") == 41
    )
    county = tmp_path / "county.xlsx"
    call_command("export_report", "--campaign", "2026", "-o", str(county))
    workbook = read(county.read_bytes())
    assert workbook.sheetnames[0] == "汇总"
    assert_no_personal_data(workbook, dataset)
    assert AccessLog.objects.filter(action=AccessAction.EXPORT).count() == 3


def test_export_command_refuses_unknown_campaign_or_township(campaign, tmp_path):
    with pytest.raises(CommandError, match="找不到乡镇"):
        call_command("export_report", "--campaign", "2026", "--township", "无此镇", "-o", "x")
    with pytest.raises(CommandError, match="2031"):
        call_command("export_report", "--campaign", "2031", "-o", str(tmp_path / "x.xlsx"))


# --- the workbooks as background jobs -------------------------------------------------------


def test_county_workbook_job_counts_its_rows_and_is_its_owners_alone(
    submitted, dataset, county_staff, longsheng_supervisor, client_for
):
    client = client_for(county_staff)
    response = client.get(reverse("reports:county_export", args=[2026]))
    job = job_of(response)
    assert job.kind == "report_county_workbook" and job.owner == county_staff
    # One row of the summary per township, and the county center's own.
    assert (job.status, job.total, job.done) == ("done", 11, 11)
    page = client.get(job.get_absolute_url())
    assert "已完成，共 11 行" in page.content.decode()
    assert reverse("jobs:download", args=[job.pk]) in page.content.decode()
    # Someone else — even a user who may export their own township's workbook — gets a 404.
    other = client_for(longsheng_supervisor)
    assert other.get(reverse("jobs:download", args=[job.pk])).status_code == 404
    assert not AccessLog.objects.filter(action=AccessAction.DOWNLOAD).exists()
    download = downloaded(client, response)
    assert read(download.content).sheetnames[0] == "汇总"
    logged = AccessLog.objects.get(action=AccessAction.DOWNLOAD)
    assert (logged.user, logged.target_id) == (county_staff, str(job.pk))
    export = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert export.detail["job"] == str(job.pk) and export.user == county_staff


def test_township_workbook_job_checks_the_scope_again_when_it_runs(
    dataset, longsheng_supervisor, pingdeng_supervisor
):
    """A job asked for a township outside the owner's area (the area changed after it was
    queued, or the params were forged) refuses, writes no file and logs no export."""
    job = Job.objects.create(
        owner=pingdeng_supervisor,
        kind="report_township_workbook",
        title="x",
        params={"year": 2026, "township": dataset.ls.pk},
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and job.result_data == {"refused": True}
    assert not job.result_file
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()
