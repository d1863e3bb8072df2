"""Journey 6: a township supervisor, at a desk, downloads the import template, fills it in,
uploads it with one bad ID, sees the error with its row number and that nothing was written,
fixes the ID and imports. The preview and the import run as background jobs; their page
shows the outcome."""

import datetime as dt
import re

import openpyxl
from playwright.sync_api import expect

from children.models import Child
from core.validators import make_synthetic_id_number
from tests.e2e.helpers import (
    assert_journey_clean,
    check_page,
    login,
    open_menu_item,
    save_artifact,
)


def _unused_synthetic_id(birth: dt.date, sex: str) -> str:
    for sequence in range(999 if sex == "M" else 998, 899, -2):
        number = make_synthetic_id_number("450328", birth, sequence, sex)
        if not Child.objects.filter(id_number=number).exists():
            return number
    raise AssertionError("synthetic ID range exhausted")


def _with_wrong_check_digit(id_number: str) -> str:
    wrong = "0" if id_number[-1] != "0" else "1"
    return id_number[:-1] + wrong


def _fill_template(template_path, out_path, rows):
    """Write ``rows`` (dicts keyed by header) under the template's header row."""
    workbook = openpyxl.load_workbook(template_path)
    sheet = workbook["花名册"]
    columns = {cell.value: cell.column for cell in sheet[1] if cell.value}
    for offset, row in enumerate(rows, start=2):
        for header, value in row.items():
            sheet.cell(row=offset, column=columns[header], value=value)
    workbook.save(out_path)


def test_supervisor_imports_ledger_after_fixing_a_bad_id(desktop_page, tmp_path):
    page = desktop_page
    good_ids = [
        _unused_synthetic_id(dt.date(2014, 3, 5), "M"),
        _unused_synthetic_id(dt.date(2016, 9, 12), "F"),
    ]
    rows = [
        {"姓名": "莫思远", "性别": "男", "民族": "瑶族", "公民身份号码": good_ids[0]},
        {"姓名": "银雪梅", "性别": "女", "民族": "侗族", "公民身份号码": good_ids[1]},
    ]
    for row in rows:
        row.update({"乡镇": "龙胜镇", "村（社区）": "山东村", "保障类别": "其他困境儿童"})
    children_before = Child.objects.count()

    login(page, "longsheng")
    open_menu_item(page, "儿童台账")
    page.get_by_role("link", name="导入 Excel 台账").click()
    expect(page.get_by_role("heading", name="导入 Excel 台账")).to_be_visible()
    check_page(page)

    # The template, as the browser downloads it.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载导入模板").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    assert "龙胜镇" in download.suggested_filename
    template = tmp_path / download.suggested_filename
    download.save_as(template)

    # One bad ID (wrong check character) on the second data row, i.e. sheet row 3.
    bad_rows = [dict(rows[0]), dict(rows[1], 公民身份号码=_with_wrong_check_digit(good_ids[1]))]
    bad_file = tmp_path / "龙胜镇台账-有错.xlsx"
    _fill_template(template, bad_file, bad_rows)

    upload = page.get_by_label("台账文件（.xlsx）")
    expect(page.get_by_label("乡镇")).to_be_disabled()
    upload.set_input_files(bad_file)
    page.get_by_role("button", name="上传并预览").click()

    expect(page.get_by_role("heading", name="预览结果")).to_be_visible()
    expect(page.locator("#count-errors")).to_have_text("1")
    expect(page.get_by_role("alert")).to_contain_text("本次不会导入任何数据")
    error_row = page.locator("table.import-errors tbody tr")
    expect(error_row).to_have_count(1)
    expect(error_row.locator("td").nth(0)).to_have_text("3")
    expect(error_row.locator("td").nth(1)).to_have_text("公民身份号码")
    expect(error_row.locator("td").nth(2)).to_contain_text(re.compile("校验|身份"))
    expect(page.get_by_role("button", name="有错误，不能导入")).to_be_disabled()
    check_page(page)
    assert Child.objects.count() == children_before, "a file with an error wrote something"

    # Fixed, uploaded again: preview, then confirm.
    good_file = tmp_path / "龙胜镇台账.xlsx"
    _fill_template(template, good_file, rows)
    page.get_by_role("link", name="重新上传").click()
    page.get_by_label("台账文件（.xlsx）").set_input_files(good_file)
    page.get_by_role("button", name="上传并预览").click()

    expect(page.locator("#count-errors")).to_have_text("0")
    expect(page.locator("#count-new")).to_have_text("2")
    preview = page.locator("table.import-preview tbody tr")
    expect(preview).to_have_count(2)
    expect(preview.filter(has_text="莫思远")).to_contain_text("新增")
    check_page(page)
    assert Child.objects.count() == children_before, "the preview wrote something"
    page.get_by_role("button", name=re.compile(r"确认导入（新增 2 人")).click()

    expect(page.get_by_role("status").filter(has_text="导入完成：新增 2 人")).to_be_visible()
    check_page(page)
    assert Child.objects.count() == children_before + 2
    imported = Child.objects.filter(id_number__in=good_ids)
    assert sorted(imported.values_list("name", flat=True)) == sorted(["莫思远", "银雪梅"])
    assert set(imported.values_list("village__name", flat=True)) == {"山东村"}

    # The imported children are on the ledger.
    open_menu_item(page, "儿童台账")
    page.get_by_label("搜索").fill("莫思远")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("table tbody").get_by_role("link", name="莫思远")).to_be_visible()
    check_page(page)
    save_artifact(page, "journey6-imported-on-ledger")
    assert_journey_clean(page)
