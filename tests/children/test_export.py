"""Excel export of the ledger (花名册): layout, formula safety, masking, scope, audit."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessAction, AccessLog
from children.io.ledger_export import MASKED_HEADERS, write_ledger
from children.io.ledger_import import import_ledger
from children.models import Child, ChildCircumstance
from children.selectors import child_list
from jobs.models import Job
from tests import factories
from tests.children.conftest import build_ledger, child_row
from tests.jobs.helpers import downloaded

EXPORT_URL = "children:export"
HOSTILE_NAME = '=HYPERLINK("http://x","y")'


def export(client, **params):
    """The workbook the export job wrote for this request (jobs run inline in tests)."""
    response = downloaded(client, client.get(reverse(EXPORT_URL), params))
    assert response.status_code == 200, response.status_code
    return response


def sheet_of(response):
    return openpyxl.load_workbook(io.BytesIO(response.content))["花名册"]


def data_rows(sheet) -> list[dict]:
    """Rows under the header (row 3) as dicts keyed by header."""
    headers = [cell.value for cell in sheet[3]]
    return [
        dict(zip(headers, (cell.value for cell in row), strict=False))
        for row in sheet.iter_rows(min_row=4)
    ]


def column_cells(sheet, header):
    index = [cell.value for cell in sheet[3]].index(header)
    return [row[index] for row in sheet.iter_rows(min_row=4)]


@pytest.fixture
def hostile_child(db):
    child = factories.ChildFactory(
        name=HOSTILE_NAME,
        guardian_phone="13812345678",
        address="+SUM(A1:A9)",
        village=factories.village("龙胜镇", "山东村"),
    )
    ChildCircumstance.objects.create(child=child, code="left_behind")
    return child


def test_formula_looking_text_comes_out_as_plain_text(
    client_for, longsheng_supervisor, hostile_child
):
    sheet = sheet_of(export(client_for(longsheng_supervisor)))
    [name] = column_cells(sheet, "姓名")
    [address] = column_cells(sheet, "现住址")
    assert name.data_type == "s" and name.value == "'" + HOSTILE_NAME
    assert address.data_type == "s" and address.value == "'+SUM(A1:A9)"
    assert not [cell for row in sheet.iter_rows() for cell in row if cell.data_type == "f"]


def test_ids_are_text_and_masked_without_reveal(
    client_for, longsheng_supervisor, county_staff, hostile_child
):
    # The supervisor may reveal but did not ask; county staff may not, even when asking.
    for user, params in ((longsheng_supervisor, {}), (county_staff, {"reveal": "1"})):
        response = export(client_for(user), **params)
        sheet = sheet_of(response)
        [id_cell] = column_cells(sheet, "公民身份号码")
        [phone] = column_cells(sheet, "监护人电话")
        assert id_cell.data_type == "s" and id_cell.number_format == "@"
        assert id_cell.value == "*" * 14 + hostile_child.id_number[-4:]
        # Neither the birth date beside it: the age on the export date instead.
        assert "出生日期" not in [cell.value for cell in sheet[3]]
        [age] = column_cells(sheet, "年龄（导出日）")
        assert age.value == hostile_child.age
        assert phone.value == "138****5678"
        assert hostile_child.id_number.encode() not in response.content
        log = AccessLog.objects.filter(action=AccessAction.EXPORT, user=user).get()
        assert log.detail["revealed"] is False


def test_ids_and_phones_are_revealed_to_who_may_and_asks(
    client_for, longsheng_supervisor, hostile_child
):
    sheet = sheet_of(export(client_for(longsheng_supervisor), reveal="1"))
    [id_cell] = column_cells(sheet, "公民身份号码")
    [phone] = column_cells(sheet, "监护人电话")
    assert id_cell.value == hostile_child.id_number and id_cell.data_type == "s"
    assert phone.value == "13812345678"
    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert log.detail == {
        "filters": {"reveal": "1"},
        "rows": 1,
        "revealed": True,
        "job": str(Job.objects.get().pk),
    }


def test_a_township_user_never_exports_another_townships_children(
    client_for, pingdeng_supervisor, shandong_child, pingdeng_child
):
    client = client_for(pingdeng_supervisor)
    longsheng = factories.township("龙胜镇")
    for params in ({"township": longsheng.pk}, {"village": shandong_child.village_id}, {}):
        response = export(client, **params)
        names = [row["姓名"] for row in data_rows(sheet_of(response))]
        assert "张小花" not in names
    assert [row["姓名"] for row in data_rows(sheet_of(export(client)))] == ["罗平安"]


def test_export_follows_the_list_filters(client_for, county_admin, shandong_child, pingdeng_child):
    client = client_for(county_admin)
    rows = data_rows(sheet_of(export(client, township=factories.township("平等镇").pk)))
    assert [row["姓名"] for row in rows] == ["罗平安"]
    assert len(data_rows(sheet_of(export(client)))) == 2


@time_machine.travel(dt.datetime(2026, 6, 4, 10, 0, tzinfo=dt.UTC))
def test_roster_layout_title_unit_date_header_and_filename(
    client_for, longsheng_supervisor, shandong_child
):
    response = export(client_for(longsheng_supervisor))
    sheet = sheet_of(response)
    assert sheet["A1"].value == "龙胜各族自治县龙胜镇困境儿童花名册"
    assert "A1:" in " ".join(str(r) for r in sheet.merged_cells.ranges)
    assert "导出单位：龙胜镇" in sheet["A2"].value
    assert "导出日期：2026-06-04" in sheet["A2"].value
    assert [cell.value for cell in sheet[3]] == MASKED_HEADERS  # not asked to reveal
    assert sheet.freeze_panes == "C4"
    [row] = data_rows(sheet)
    assert row["序号"] == 1 and row["村（社区）"] == "山东村" and row["状态"] == "在册"
    assert "no-store" in response["Cache-Control"]
    assert "2026-06-04" in response["Content-Disposition"]
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )


def test_county_export_is_titled_for_the_whole_county(client_for, county_staff, shandong_child):
    sheet = sheet_of(export(client_for(county_staff)))
    assert sheet["A1"].value == "龙胜各族自治县全县困境儿童花名册"


def test_export_is_logged_with_filters_and_row_count(client_for, county_admin, shandong_child):
    export(client_for(county_admin), risk_level="yellow", q="张")
    log = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert log.user == county_admin
    job = Job.objects.get()
    assert log.detail == {
        "filters": {"risk_level": "yellow", "q": "张"},
        "rows": 1,
        "revealed": False,
        "job": str(job.pk),
    }
    # The download is logged too, as its own entry naming the job.
    download = AccessLog.objects.get(action=AccessAction.DOWNLOAD)
    assert (download.user, download.target_id) == (county_admin, str(job.pk))


def test_export_needs_the_export_permission(client_for, shandong_director, shandong_child):
    response = client_for(shandong_director).get(reverse(EXPORT_URL))
    assert response.status_code == 403
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()
    assert not Job.objects.exists()


def _children(count, offset):
    village = factories.village("龙胜镇", "山东村")
    for i in range(count):
        child = factories.ChildFactory(
            name=f"导出{offset + i}",
            village=village,
            responsible_director=None,
        )
        ChildCircumstance.objects.create(child=child, code="left_behind")


def test_export_runs_a_constant_number_of_queries(
    client_for, longsheng_supervisor, shandong_director, django_assert_max_num_queries
):
    client = client_for(longsheng_supervisor)
    _children(3, 0)
    with CaptureQueriesContext(connection) as small:
        export(client)
    small = len(small)
    _children(6, 100)
    Child.objects.filter(name__startswith="导出").update(responsible_director=shandong_director)
    with django_assert_max_num_queries(small):
        response = export(client)
    assert len(data_rows(sheet_of(response))) == 9


def test_write_ledger_streams_any_iterable(longsheng_supervisor, hostile_child):
    data = write_ledger(
        iter(child_list(longsheng_supervisor).prefetch_related("assistance")),
        title="标题",
        unit="单位",
        reveal=False,
        exported_on=dt.date(2026, 6, 4),
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data))["花名册"]
    assert sheet["A1"].value == "标题"
    [row] = data_rows(sheet)
    assert row["困境情形"] == "留守"


def test_a_revealed_export_imports_back_unchanged(client_for, longsheng_supervisor):
    rows = [child_row(i) for i in range(3)]
    first = import_ledger(
        actor=longsheng_supervisor,
        township=factories.township(),
        data=build_ledger(rows),
    )
    assert first.plan.new == 3
    response = export(client_for(longsheng_supervisor), reveal="1")

    again = import_ledger(
        actor=longsheng_supervisor, township=factories.township(), data=response.content
    )

    assert again.errors == []
    assert (again.plan.new, again.plan.updated, again.plan.unchanged) == (0, 0, 3)


def test_export_writes_chinese_labels_whatever_the_users_language(db):
    from django.utils import translation

    child = factories.ChildFactory(name="语言测试", sex="F")
    with translation.override("en"):
        data = write_ledger([child], title="t", unit="u", reveal=False)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row]
    assert "女" in values and "Female" not in values
