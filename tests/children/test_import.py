"""Excel import of existing ledgers: parsing real-world files, refusing hostile ones,
all-or-nothing writes, re-import as a no-op, and the upload/preview/confirm pages."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import AccessAction, AccessLog
from children import services_import
from children.choices import ChangeAction
from children.io import ledger_import
from children.io.ledger_import import import_ledger, preview_ledger
from children.io.template import build_template
from children.models import BenefitCategoryPeriod, ChangeLog, Child
from children.services import DUPLICATE_ELSEWHERE
from core.validators import make_synthetic_id_number
from core.xlsx_guard import WorkbookRefused
from tests import factories
from tests.children.conftest import (
    HEADERS,
    build_ledger,
    child_row,
    make_id,
    row_of_registered_child,
)

IMPORT_URL = "children:import"


def township(name="龙胜镇"):
    return factories.township(name)


def run(actor, data, name="龙胜镇", filename="台账.xlsx"):
    return import_ledger(actor=actor, township=township(name), data=data, filename=filename)


def refusal(actor, data) -> str:
    with pytest.raises(WorkbookRefused) as exc:
        preview_ledger(actor=actor, township=township(), data=data)
    return exc.value.message


def messages_for(result, row) -> list[str]:
    return [f"{e.column}:{e.message}" for e in result.errors if e.row == row]


# --- a good file ---------------------------------------------------------------------------


def test_good_file_imports_children_with_fields_circumstances_and_history(
    longsheng_supervisor, shandong_director
):
    rows = [child_row(i) for i in range(3)]
    rows[0]["责任儿童主任"] = shandong_director.name
    data = build_ledger(rows, headers=[*HEADERS, "责任儿童主任"])

    result = run(longsheng_supervisor, data)

    assert result.errors == []
    assert (result.plan.new, result.plan.updated, result.plan.unchanged) == (3, 0, 0)
    child = Child.objects.get(id_number=rows[0]["公民身份号码"])
    assert child.name == "导入儿童0" and child.name_pinyin == "daoruertong0"
    assert child.sex == "M" and child.birth_date == dt.date(2013, 1, 1)
    assert child.township.name == "龙胜镇" and child.village.name == "山东村"
    assert (child.ethnicity, child.group, child.school) == ("苗族", "3组", "龙胜镇中心小学")
    assert (child.health, child.school_stage, child.boarding) == ("healthy", "primary", False)
    assert (child.father_status, child.mother_status) == ("migrant_worker", "out_of_contact")
    assert (child.guardian_relation, child.guardian_phone) == ("grandparent", "13812345678")
    assert (child.benefit_category, child.risk_level) == ("other_difficulty", "yellow")
    assert child.filled_on == dt.date(2026, 5, 20) and child.filled_by == "张三"
    assert child.responsible_director == shandong_director
    assert child.created_by == longsheng_supervisor
    assert set(child.circumstances.values_list("code", flat=True)) == {
        "left_behind",
        "guardianship_absent",
    }
    assert list(child.assistance.values_list("code", flat=True)) == ["dibao"]
    period = BenefitCategoryPeriod.objects.get(child=child)
    assert period.category == "other_difficulty" and period.ended_on is None
    history = ChangeLog.objects.filter(child__in=Child.objects.all())
    assert history.count() == 3
    assert set(history.values_list("action", flat=True)) == {ChangeAction.IMPORT}
    entry = history.get(child=child)
    assert entry.actor == longsheng_supervisor and entry.at is not None
    assert "台账.xlsx 第 2 行" in entry.note
    log = AccessLog.objects.get(action=AccessAction.IMPORT)
    assert log.user == longsheng_supervisor
    assert log.detail == {
        "file": "台账.xlsx",
        "township": "龙胜镇",
        "new": 3,
        "updated": 0,
        "unchanged": 0,
    }


def test_the_unique_id_constraint_is_the_last_line_of_defence(
    longsheng_supervisor, shandong_child, monkeypatch
):
    # As if another registration slipped in between the checks and the insert.
    monkeypatch.setattr(services_import, "_existing_by_id", lambda ids, lock: {})
    rows = [child_row(0), row_of_registered_child(1, shandong_child, 姓名="张小花")]

    result = run(longsheng_supervisor, build_ledger(rows))

    assert len(result.errors) == 1 and "未写入任何数据" in result.errors[0].message
    assert Child.objects.count() == 1 and ChangeLog.objects.count() == 0
    assert not AccessLog.objects.filter(action=AccessAction.IMPORT).exists()


def test_preview_writes_nothing(longsheng_supervisor):
    data = build_ledger([child_row(i) for i in range(3)])
    preview = preview_ledger(actor=longsheng_supervisor, township=township(), data=data)
    assert preview.ok and preview.plan.new == 3
    assert Child.objects.count() == 0 and ChangeLog.objects.count() == 0
    assert not AccessLog.objects.filter(action=AccessAction.IMPORT).exists()


def test_file_with_one_bad_row_writes_nothing_and_names_the_row_and_column(longsheng_supervisor):
    rows = [child_row(i) for i in range(4)]
    good = rows[2]["公民身份号码"]
    rows[2]["公民身份号码"] = good[:-1] + ("0" if good[-1] != "0" else "1")  # wrong check digit

    result = run(longsheng_supervisor, build_ledger(rows, title_rows=["花名册"]))

    # Title row 1, header row 2, so the third child is on Excel row 5.
    assert [(e.row, e.column) for e in result.errors] == [(5, "公民身份号码")]
    assert "校验位" in result.errors[0].message
    assert "第 5 行「公民身份号码」" in str(result.errors[0])
    assert Child.objects.count() == 0 and ChangeLog.objects.count() == 0
    assert not AccessLog.objects.filter(action=AccessAction.IMPORT).exists()


def test_reimporting_the_same_file_changes_nothing(longsheng_supervisor):
    data = build_ledger([child_row(i) for i in range(5)])
    run(longsheng_supervisor, data)
    before = list(Child.objects.order_by("pk").values_list("pk", "version", "updated_at"))
    history = ChangeLog.objects.count()

    again = run(longsheng_supervisor, data)

    assert again.errors == []
    assert (again.plan.new, again.plan.updated, again.plan.unchanged) == (0, 0, 5)
    assert list(Child.objects.order_by("pk").values_list("pk", "version", "updated_at")) == before
    assert ChangeLog.objects.count() == history


def test_a_changed_row_updates_the_child_with_before_and_after_in_history(longsheng_supervisor):
    rows = [child_row(i) for i in range(2)]
    run(longsheng_supervisor, build_ledger(rows))
    rows[1].update({"风险等级": "红色", "困境情形": "留守、监护缺失、主动求助", "保障类别": "无"})

    result = run(longsheng_supervisor, build_ledger(rows))

    assert (result.plan.new, result.plan.updated, result.plan.unchanged) == (0, 1, 1)
    child = Child.objects.get(id_number=rows[1]["公民身份号码"])
    assert child.risk_level == "red" and child.version == 2
    assert "asked_for_help" in set(child.circumstances.values_list("code", flat=True))
    entry = ChangeLog.objects.filter(child=child).order_by("-pk").first()
    assert entry.action == ChangeAction.IMPORT
    assert entry.changes["风险等级"] == ["黄（一般风险）", "红（高风险）"]
    assert entry.changes["困境情形"] == ["监护缺失、留守", "监护缺失、留守、主动求助"]
    periods = BenefitCategoryPeriod.objects.filter(child=child).order_by("pk")
    assert [(p.category, p.ended_on is None) for p in periods] == [
        ("other_difficulty", False),
        ("none", True),
    ]


def test_blank_cells_leave_existing_values_alone(longsheng_supervisor):
    rows = [child_row(0)]
    run(longsheng_supervisor, build_ledger(rows))
    rows[0].update({"学校": None, "监护人电话": "", "困境情形": None})

    result = run(longsheng_supervisor, build_ledger(rows))

    assert result.plan.unchanged == 1
    child = Child.objects.get()
    assert child.school == "龙胜镇中心小学" and child.guardian_phone == "13812345678"
    assert child.circumstances.count() == 2


# --- real-world files ----------------------------------------------------------------------


def _serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


def test_title_rows_merged_cells_blank_rows_total_row_header_variants_and_date_forms(
    longsheng_supervisor,
):
    headers = [
        "序号",
        "姓  名",
        "性别",
        "出生年月",
        "身份证号码",
        "乡镇",
        "村（居）",
        "困境类型",
        "风险等级",
        "备注",
    ]
    births = [dt.date(2015, 3, 5) + dt.timedelta(days=400 * i) for i in range(6)]
    date_cells = [
        dt.datetime.combine(births[0], dt.time()),  # a real Excel date
        _serial(births[1]),  # a serial number in a General cell
        f"{births[2].year}.{births[2].month}.{births[2].day}",
        f"{births[3].year}年{births[3].month}月{births[3].day}日",
        births[4].strftime("%Y%m%d"),
        births[5].isoformat(),
    ]
    separators = ["、", "，", ",", "/", " ", "、"]
    rows = []
    for i, (birth, cell) in enumerate(zip(births, date_cells, strict=True)):
        rows.append(
            {
                "序号": i + 1,
                "姓  名": f"变体{i}",
                "性别": "女",
                "出生年月": cell,
                "身份证号码": make_id(birth, "F"),
                "乡镇": "龙胜镇",
                "村（居）": "南门" if i == 0 else "山东村",
                "困境类型": f"留守{separators[i]}父母服刑/戒毒",
                "风险等级": "绿（低风险）",
                "备注": "无",
            }
        )
    data = build_ledger(
        rows,
        headers=headers,
        title_rows=["龙胜镇困境儿童花名册", "填报单位：龙胜镇民政所"],
        blank_rows=True,
        total_row=True,
    )

    result = run(longsheng_supervisor, data)

    assert result.errors == []
    assert result.file.header_row == 3
    assert result.file.ignored == ["备注"]
    assert result.plan.new == 6
    for i, birth in enumerate(births):
        child = Child.objects.get(name=f"变体{i}")
        assert child.birth_date == birth
        assert set(child.circumstances.values_list("code", flat=True)) == {
            "left_behind",
            "parent_detained",
        }
        assert child.risk_level == "green"
    assert Child.objects.get(name="变体0").village.name == "南门村"


def test_birth_month_only_is_accepted_when_the_id_gives_the_day(longsheng_supervisor):
    rows = [child_row(0, 出生日期="2013.01"), child_row(1, 出生日期="2013.03")]
    result = run(longsheng_supervisor, build_ledger(rows))
    # Row 2: 2013-01 agrees with the ID; row 3's ID says 2013-02-07, so 2013.03 is wrong.
    assert [(e.row, e.column) for e in result.errors] == [(3, "出生日期")]
    assert "不完整" in result.errors[0].message


def test_none_words_clear_optional_codes_and_lists(longsheng_supervisor):
    headers = [*HEADERS, "残疾类别"]
    rows = [child_row(0, 残疾类别="肢体残疾", 健康状况="残疾")]
    run(longsheng_supervisor, build_ledger(rows, headers=headers))
    assert Child.objects.get().disability_type == "physical"
    rows[0].update({"残疾类别": "无", "健康状况": "健康", "救助帮扶": "无"})

    result = run(longsheng_supervisor, build_ledger(rows, headers=headers))

    assert result.plan.updated == 1
    child = Child.objects.get()
    assert (child.disability_type, child.health) == ("", "healthy")
    assert not child.assistance.exists()


def test_village_merged_over_several_rows_applies_to_each(longsheng_supervisor):
    rows = [child_row(i) for i in range(3)]
    for row in rows[1:]:
        row["村（社区）"] = None
    column = HEADERS.index("村（社区）") + 1

    def merge(ws):
        ws.merge_cells(start_row=2, start_column=column, end_row=4, end_column=column)

    result = run(longsheng_supervisor, build_ledger(rows, sheet_hook=merge))

    assert result.errors == []
    assert set(Child.objects.values_list("village__name", flat=True)) == {"山东村"}


def test_children_without_hukou_are_imported_and_matched_again_by_name_and_birth(
    longsheng_supervisor,
):
    rows = [
        child_row(0, 公民身份号码="未登记户口", 姓名="无户口甲"),
        child_row(1, 公民身份号码=None, 姓名="无户口乙", 未登记户口="是"),
    ]
    data = build_ledger(rows, headers=[*HEADERS, "未登记户口"])

    first = run(longsheng_supervisor, data)
    second = run(longsheng_supervisor, data)

    assert first.errors == [] and first.plan.new == 2
    assert (second.plan.new, second.plan.unchanged) == (0, 2)
    assert Child.objects.filter(no_hukou=True, id_number__isnull=True).count() == 2


def test_a_child_without_hukou_needs_sex_and_birth_date(longsheng_supervisor):
    row = child_row(0, 公民身份号码="无户口", 出生日期=None)
    result = run(longsheng_supervisor, build_ledger([row]))
    assert messages_for(result, 2) == ["出生日期:未登记户口的儿童须填写出生日期"]


# --- refusals ------------------------------------------------------------------------------


def test_numeric_id_cell_is_refused(longsheng_supervisor):
    row = child_row(0)
    row["公民身份号码"] = int(row["公民身份号码"][:17] + "0")
    result = run(longsheng_supervisor, build_ledger([row]))
    assert len(result.errors) == 1
    assert result.errors[0].column == "公民身份号码"
    assert "数字格式" in result.errors[0].message
    assert Child.objects.count() == 0


@pytest.mark.parametrize("header", ["姓名", "备注"])
def test_formula_cell_in_any_column_is_refused(longsheng_supervisor, header):
    headers = [*HEADERS, "备注"]
    rows = [child_row(0), child_row(1, **{header: '=HYPERLINK("http://x","y")'})]
    result = run(longsheng_supervisor, build_ledger(rows, headers=headers))
    assert [(e.row, e.column) for e in result.errors] == [(3, header)]
    assert "公式" in result.errors[0].message
    assert Child.objects.count() == 0


def test_sex_and_birth_date_that_contradict_the_id_are_refused(longsheng_supervisor):
    row = child_row(0, 性别="女", 出生日期="2013-01-02")
    result = run(longsheng_supervisor, build_ledger([row]))
    assert sorted(e.column for e in result.errors) == ["出生日期", "性别"]
    assert any("身份证号码显示为男" in e.message for e in result.errors)


def test_unknown_village_of_the_township_is_refused_with_the_allowed_ones(longsheng_supervisor):
    # 罗汉村 exists, but in 平等镇.
    result = run(longsheng_supervisor, build_ledger([child_row(0, **{"村（社区）": "罗汉村"})]))
    [error] = result.errors
    assert (error.row, error.column) == (2, "村（社区）")
    assert "「罗汉村」不是龙胜镇的村/社区" in error.message and "山东村" in error.message


def test_row_of_another_township_is_refused(longsheng_supervisor):
    result = run(longsheng_supervisor, build_ledger([child_row(0, 乡镇="平等镇")]))
    [error] = result.errors
    assert error.column == "乡镇" and "平等镇" in error.message and "龙胜镇" in error.message


def test_duplicate_ids_inside_the_file_are_refused(longsheng_supervisor):
    rows = [child_row(0), child_row(1), child_row(2)]
    rows[2]["公民身份号码"] = rows[0]["公民身份号码"]
    rows[2]["出生日期"], rows[2]["性别"] = rows[0]["出生日期"], rows[0]["性别"]
    result = run(longsheng_supervisor, build_ledger(rows))
    assert [(e.row, e.column) for e in result.errors] == [(4, "公民身份号码")]
    assert "与第 2 行的公民身份号码重复" in result.errors[0].message
    assert Child.objects.count() == 0


def test_same_name_and_birth_date_twice_without_id_is_refused(longsheng_supervisor):
    rows = [child_row(0, 公民身份号码="未登记户口"), child_row(0, 公民身份号码="未登记户口")]
    result = run(longsheng_supervisor, build_ledger(rows))
    [error] = result.errors
    assert error.row == 3 and "与第 2 行姓名、出生日期" in error.message


def test_unknown_code_is_refused_listing_the_allowed_values(longsheng_supervisor):
    result = run(longsheng_supervisor, build_ledger([child_row(0, 风险等级="紫色")]))
    [error] = result.errors
    assert error.column == "风险等级"
    assert "「紫色」不是有效的风险等级" in error.message and "红（高风险）" in error.message


def test_unknown_circumstance_is_refused(longsheng_supervisor):
    result = run(longsheng_supervisor, build_ledger([child_row(0, 困境情形="留守、单亲")]))
    [error] = result.errors
    assert error.column == "困境情形" and "「单亲」" in error.message


def test_bad_date_and_phone_are_refused(longsheng_supervisor):
    rows = [child_row(0, 填报日期="2026.02.30"), child_row(1, 监护人电话="7731234567")]
    result = run(longsheng_supervisor, build_ledger(rows))
    assert [(e.row, e.column) for e in result.errors] == [(2, "填报日期"), (3, "监护人电话")]


def test_a_director_of_another_village_is_refused(longsheng_supervisor, nanmen_director):
    row = child_row(0, 责任儿童主任=nanmen_director.name)
    result = run(longsheng_supervisor, build_ledger([row], headers=[*HEADERS, "责任儿童主任"]))
    [error] = result.errors
    assert error.column == "责任儿童主任"


def test_an_existing_child_in_another_village_is_not_moved_by_an_import(
    longsheng_supervisor, shandong_child
):
    row = child_row(
        0,
        姓名=shandong_child.name,
        公民身份号码=shandong_child.id_number,
        出生日期=shandong_child.birth_date.isoformat(),
        性别="女",
        **{"村（社区）": "南门村"},
    )
    result = run(longsheng_supervisor, build_ledger([row]))
    [error] = result.errors
    assert error.column == "村（社区）" and "转移" in error.message
    assert Child.objects.get(pk=shandong_child.pk).village.name == "山东村"


def test_id_registered_in_another_township_is_refused_without_naming_it(
    longsheng_supervisor, pingdeng_child
):
    row = child_row(
        0,
        姓名="改名甲",
        公民身份号码=pingdeng_child.id_number,
        出生日期=pingdeng_child.birth_date.isoformat(),
        性别="男",
    )
    result = run(longsheng_supervisor, build_ledger([row]))
    [error] = result.errors
    assert error.message == str(DUPLICATE_ELSEWHERE)
    assert Child.objects.count() == 1


def test_corrupt_and_non_xlsx_files_are_refused(longsheng_supervisor):
    assert "不是有效的 Excel" in refusal(longsheng_supervisor, "姓名,身份证\n张三,123\n".encode())
    assert "不是有效的 Excel" in refusal(longsheng_supervisor, bytes.fromhex("D0CF11E0A1B11AE1"))
    broken = build_ledger([child_row(0)])[:-200]
    assert "损坏" in refusal(longsheng_supervisor, broken)


def _with_members(data: bytes, members: dict[str, bytes]) -> bytes:
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_macro_workbook_is_refused(longsheng_supervisor):
    data = _with_members(build_ledger([child_row(0)]), {"xl/vbaProject.bin": b"\x00" * 64})
    assert "含宏" in refusal(longsheng_supervisor, data)


def test_oversized_file_is_refused(longsheng_supervisor, monkeypatch):
    monkeypatch.setattr(ledger_import, "MAX_FILE_BYTES", 1000)
    assert "文件过大" in refusal(longsheng_supervisor, build_ledger([child_row(0)]))


def test_zip_bomb_is_refused_before_parsing(longsheng_supervisor, monkeypatch):
    monkeypatch.setattr(ledger_import, "MAX_UNCOMPRESSED", 2 * 1024 * 1024)
    data = _with_members(build_ledger([child_row(0)]), {"xl/media/zeros.bin": bytes(3 << 20)})
    assert "解压后过大" in refusal(longsheng_supervisor, data)


def test_too_many_rows_are_refused(longsheng_supervisor, monkeypatch):
    monkeypatch.setattr(ledger_import, "MAX_ROWS", 2)
    message = refusal(longsheng_supervisor, build_ledger([child_row(i) for i in range(3)]))
    assert "行数过多" in message


@pytest.fixture
def parsed_rows(monkeypatch):
    """How many rows of a sheet the importer's parser produced."""
    from openpyxl.worksheet._reader import WorkSheetParser

    counted = []
    original = WorkSheetParser.parse

    def parse(self):
        for row in original(self):
            counted.append(row[0])
            yield row

    monkeypatch.setattr(WorkSheetParser, "parse", parse)
    return counted


def test_an_over_limit_file_is_refused_after_reading_at_most_the_limit(
    longsheng_supervisor, monkeypatch, parsed_rows
):
    limit = 20
    monkeypatch.setattr(ledger_import, "MAX_ROWS", limit)
    data = build_ledger([child_row(i % 40) for i in range(10 * limit)])
    assert "行数过多" in refusal(longsheng_supervisor, data)
    # The header, the limit's rows and the one past it; never the file's 200.
    assert len(parsed_rows) <= ledger_import.HEADER_SCAN_ROWS + limit + 2


def test_a_file_at_the_limit_is_read_whole(longsheng_supervisor, monkeypatch, parsed_rows):
    monkeypatch.setattr(ledger_import, "MAX_ROWS", 3)
    result = preview_ledger(
        actor=longsheng_supervisor,
        township=township(),
        data=build_ledger([child_row(i) for i in range(3)], total_row=True),
    )
    assert result.file.data_rows == len(result.file.rows) == 3 and not result.file.errors


def test_sheet_without_the_ledger_columns_is_refused(longsheng_supervisor):
    message = refusal(
        longsheng_supervisor, build_ledger([{"姓名": "甲"}], headers=["姓名", "出生日期"])
    )
    assert "没有找到表头" in message and "公民身份号码" in message


# --- the template --------------------------------------------------------------------------


def test_template_has_text_id_column_drop_downs_and_the_townships_villages(
    longsheng_supervisor,
):
    wb = openpyxl.load_workbook(io.BytesIO(build_template(township=township())))
    sheet = wb["花名册"]
    headers = [cell.value for cell in sheet[1]]
    id_letter = openpyxl.utils.get_column_letter(headers.index("公民身份号码") + 1)
    assert sheet[f"{id_letter}2"].number_format == "@"
    assert sheet[f"{id_letter}500"].number_format == "@"
    assert sheet.freeze_panes == "C2"
    validated = {
        str(ref).split(":")[0]
        for dv in sheet.data_validations.dataValidation
        for ref in dv.sqref.ranges
    }
    for header in ("性别", "村（社区）", "风险等级", "困境情形", "保障类别"):
        letter = openpyxl.utils.get_column_letter(headers.index(header) + 1)
        assert f"{letter}2" in validated, header
    lists = wb["选项"]
    assert lists.sheet_state == "hidden"
    values = {cell.value for column in lists.iter_cols() for cell in column}
    assert {"山东村", "南门村", "红（高风险）", "外出务工"} <= values
    assert "罗汉村" not in values
    assert "填写说明" in wb.sheetnames


def test_a_filled_in_template_imports(longsheng_supervisor):
    wb = openpyxl.load_workbook(io.BytesIO(build_template(township=township())))
    sheet = wb["花名册"]
    headers = [cell.value for cell in sheet[1]]
    row = child_row(0)
    for column, header in enumerate(headers, start=1):
        if header in row:
            sheet.cell(row=2, column=column, value=row[header])
    buffer = io.BytesIO()
    wb.save(buffer)
    result = run(longsheng_supervisor, buffer.getvalue())
    assert result.errors == [] and result.plan.new == 1


# --- the pages -----------------------------------------------------------------------------


def upload(client, data, **extra):
    """Upload a file; the preview runs as a job (inline in tests): its page is returned."""
    file = io.BytesIO(data)
    file.name = "台账.xlsx"
    response = client.post(reverse(IMPORT_URL), {"file": file, **extra})
    if response.status_code != 302:
        return response
    return client.get(response["Location"])


def confirm(client, response):
    """Confirm the preview shown by ``response``: the write job's page."""
    job = response.context["job"]
    return client.post(reverse(IMPORT_URL), {"confirm": "1", "job": job.pk}, follow=True)


def test_import_page_needs_the_import_permission(
    client_for, shandong_director, county_staff, longsheng_supervisor
):
    for user in (shandong_director, county_staff):
        client = client_for(user)
        assert client.get(reverse(IMPORT_URL)).status_code == 403
        assert upload(client, build_ledger([child_row(0)])).status_code == 403
        assert client.get(reverse("children:import_template")).status_code == 403
    assert Child.objects.count() == 0
    assert client_for(longsheng_supervisor).get(reverse(IMPORT_URL)).status_code == 200


def test_upload_previews_then_confirm_writes(client_for, longsheng_supervisor):
    client = client_for(longsheng_supervisor)
    response = upload(client, build_ledger([child_row(i) for i in range(3)]))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="count-new">3<' in content and "确认导入" in content
    assert Child.objects.count() == 0

    done = confirm(client, response)

    assert done.status_code == 200
    assert "导入完成：新增 3 人，更新 0 人，无变化 0 人。" in done.content.decode()
    assert Child.objects.count() == 3
    assert AccessLog.objects.filter(action=AccessAction.IMPORT).count() == 1
    # Confirming the same preview twice imports nothing more, and says why.
    again = confirm(client, response)
    assert "预览已过期或已导入" in again.content.decode() and Child.objects.count() == 3
    assert AccessLog.objects.filter(action=AccessAction.IMPORT).count() == 1


def test_preview_with_errors_lists_them_and_offers_no_confirmation(
    client_for, longsheng_supervisor
):
    rows = [child_row(0), child_row(1, 风险等级="紫色")]
    response = upload(client_for(longsheng_supervisor), build_ledger(rows))
    content = response.content.decode()
    errors = response.context["job"].result_data["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(3, "风险等级")]
    assert "紫色" in content and '<td class="text-nowrap">风险等级</td>' in content
    assert 'name="confirm"' not in content


def test_confirm_with_a_forged_token_writes_nothing(client_for, longsheng_supervisor):
    client = client_for(longsheng_supervisor)
    upload(client, build_ledger([child_row(0)]))
    for forged in ("x" * 43, "00000000-0000-0000-0000-000000000000"):
        response = client.post(reverse(IMPORT_URL), {"confirm": "1", "job": forged})
        assert response.status_code == 302 and Child.objects.count() == 0


def test_confirm_checks_everything_again(client_for, longsheng_supervisor, pingdeng_supervisor):
    rows = [child_row(0), child_row(1)]
    client = client_for(longsheng_supervisor)
    preview = upload(client, build_ledger(rows))
    # Between preview and confirm, 平等镇 registers the second child.
    factories.ChildFactory(
        name="后登记",
        village=factories.village("平等镇", "罗汉村"),
        id_number=rows[1]["公民身份号码"],
        birth_date=dt.date.fromisoformat(rows[1]["出生日期"]),
        sex="F",
    )

    response = confirm(client, preview)

    assert response.status_code == 200 and response.context["job"].result_data["written"] is False
    content = response.content.decode()
    assert "确认导入时重新检查发现以下问题" in content
    assert str(DUPLICATE_ELSEWHERE) in content
    assert Child.objects.count() == 1


def test_id_in_another_township_is_reported_without_its_name_or_place(
    client_for, longsheng_supervisor, pingdeng_child
):
    row = child_row(
        0,
        姓名="改名甲",
        公民身份号码=pingdeng_child.id_number,
        出生日期=pingdeng_child.birth_date.isoformat(),
        性别="男",
    )
    content = upload(client_for(longsheng_supervisor), build_ledger([row])).content.decode()
    assert str(DUPLICATE_ELSEWHERE) in content
    for secret in ("罗平安", "平等镇", "罗汉村"):
        assert secret not in content


def test_a_township_supervisor_imports_only_into_their_own_township(
    client_for, longsheng_supervisor
):
    pingdeng = township("平等镇")
    client = client_for(longsheng_supervisor)
    options = client.get(reverse(IMPORT_URL)).context["form"].fields["township"].queryset
    assert list(options) == [township()]
    response = upload(client, build_ledger([child_row(0)]), township=pingdeng.pk)
    assert response.context["job"].result_data["township_id"] == township().pk
    confirm(client, response)
    assert list(Child.objects.values_list("township__name", flat=True)) == ["龙胜镇"]


def test_refused_upload_shows_the_message_on_the_form(client_for, longsheng_supervisor):
    response = upload(client_for(longsheng_supervisor), b"not a workbook at all")
    assert response.status_code == 200
    assert "不是有效的 Excel" in response.context["job"].message
    assert "不是有效的 Excel" in response.content.decode()


def test_county_admin_picks_the_township(client_for, county_admin):
    client = client_for(county_admin)
    rows = [child_row(0, 乡镇="平等镇", **{"村（社区）": "罗汉村"})]
    response = upload(client, build_ledger(rows), township=township("平等镇").pk)
    confirm(client, response)
    assert list(Child.objects.values_list("village__name", flat=True)) == ["罗汉村"]


def test_template_download(client_for, longsheng_supervisor):
    response = client_for(longsheng_supervisor).get(reverse("children:import_template"))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames[0] == "花名册"


def _counting_file(count: int, start: int) -> bytes:
    birth = dt.date(2010, 6, 1)
    rows = [
        child_row(
            i,
            姓名=f"计数{start + i}",
            公民身份号码=make_synthetic_id_number("450328", birth, 900 + 2 * (start + i), "F"),
            出生日期=birth.isoformat(),
            性别="女",
        )
        for i in range(count)
    ]
    return build_ledger(rows)


def test_preview_runs_a_constant_number_of_queries(
    client_for, longsheng_supervisor, django_assert_max_num_queries
):
    client = client_for(longsheng_supervisor)
    with CaptureQueriesContext(connection) as small:
        upload(client, _counting_file(4, 0))
    with django_assert_max_num_queries(len(small)):
        response = upload(client, _counting_file(12, 10))
    assert response.context["job"].result_data["new"] == 12


def test_confirm_runs_a_constant_number_of_queries(
    client_for, longsheng_supervisor, django_assert_max_num_queries
):
    client = client_for(longsheng_supervisor)
    preview = upload(client, _counting_file(4, 0))
    with CaptureQueriesContext(connection) as small:
        confirm(client, preview)
    small = len(small)  # read now: the next request clears Django's query log
    preview = upload(client, _counting_file(12, 10))
    with django_assert_max_num_queries(small):
        confirm(client, preview)
    assert Child.objects.count() == 16
