import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils.datetime import MAC_EPOCH

from core.cells import (
    find_header_row,
    id_cell_text,
    is_blank_row,
    is_formula_cell,
    is_total_row,
    match_headers,
    normalize_header,
    parse_date,
    safe_cell_text,
    split_multi,
)

MARCH_5 = dt.date(2015, 3, 5)

ALIASES = {
    "name": ["姓名", "儿童姓名"],
    "id_number": ["身份证号", "身份证号码", "公民身份号码"],
    "village": ["村", "村（社区）", "村（居）"],
    "birth_date": ["出生日期", "出生年月"],
}
REQUIRED = ["name", "id_number"]


class TestParseDate:
    @pytest.mark.parametrize(
        "value",
        [
            "2015.3.5",
            "2015.03.05",
            "2015-03-05",
            "2015/3/5",
            "2015年3月5日",
            "2015年03月05日",
            "2015 年 3 月 5 日",
            "2015年3月5号",
            "20150305",
            "２０１５－０３－０５",
            " 2015-03-05 00:00:00 ",
            "2015-03-05T08:30",
        ],
    )
    def test_text_forms(self, value):
        assert parse_date(value) == MARCH_5

    def test_date_and_datetime(self):
        assert parse_date(MARCH_5) == MARCH_5
        assert parse_date(dt.datetime(2015, 3, 5, 23, 59)) == MARCH_5

    @pytest.mark.parametrize("serial", [42068, 42068.0, 42068.75, Decimal("42068")])
    def test_excel_serials(self, serial):
        assert parse_date(serial) == MARCH_5

    def test_serial_before_the_1900_leap_bug(self):
        assert parse_date(59) == dt.date(1900, 2, 28)

    def test_mac_epoch(self):
        # The 1904 date system counts 1462 days fewer for the same date.
        assert parse_date(42068 - 1462, epoch=MAC_EPOCH) == MARCH_5

    def test_date_typed_into_number_cell(self):
        assert parse_date(20150305) == MARCH_5

    @pytest.mark.parametrize(
        "value", ["2015.03", "2015.3", "2015-03", "2015年3月", "2015", "201503"]
    )
    def test_year_month_text_is_incomplete(self, value):
        with pytest.raises(ValueError, match="不完整") as exc:
            parse_date(value)
        assert f"“{value}”" in str(exc.value)

    @pytest.mark.parametrize("value", [2015.03, 2015, 2015.3])
    def test_year_month_number_is_incomplete(self, value):
        with pytest.raises(ValueError, match="不完整"):
            parse_date(value)

    @pytest.mark.parametrize("value", ["2015.2.30", "2015年13月1日", "20150230"])
    def test_impossible_dates(self, value):
        with pytest.raises(ValueError, match="不存在") as exc:
            parse_date(value)
        assert value in str(exc.value)

    @pytest.mark.parametrize("value", ["15.3.5", "三月五日", "2015-03-05-01", "abc", "42068"])
    def test_unrecognised_text(self, value):
        with pytest.raises(ValueError, match="无法识别的日期") as exc:
            parse_date(value)
        assert value in str(exc.value)

    @pytest.mark.parametrize("value", [0, 0.5, -3, 3_000_000, True])
    def test_unusable_numbers(self, value):
        with pytest.raises(ValueError, match="无法识别的日期"):
            parse_date(value)

    @pytest.mark.parametrize("value", [None, "", "  "])
    def test_empty(self, value):
        with pytest.raises(ValueError, match="日期为空"):
            parse_date(value)


class TestSplitMulti:
    def test_all_separators(self):
        value = "留守、单亲，残疾,孤儿/低保／特困;事实无人抚养；重病|其他 监护缺失\u3000流动"
        assert split_multi(value) == [
            "留守",
            "单亲",
            "残疾",
            "孤儿",
            "低保",
            "特困",
            "事实无人抚养",
            "重病",
            "其他",
            "监护缺失",
            "流动",
        ]

    def test_drops_empties_and_duplicates_keeping_order(self):
        assert split_multi("、留守,,单亲、留守 ， ") == ["留守", "单亲"]

    @pytest.mark.parametrize("value", [None, "", "  、 "])
    def test_empty(self, value):
        assert split_multi(value) == []

    def test_non_text(self):
        assert split_multi(3) == ["3"]


class TestHeaders:
    @pytest.mark.parametrize(
        ("raw", "normalized"),
        [
            ("姓  名", "姓名"),
            ("*身份证号", "身份证号"),
            ("身份证号＊", "身份证号"),
            ("★出生日期", "出生日期"),
            ("身份证号\n（必填）", "身份证号"),
            ("村（社区）", "村(社区)"),
            ("村(社区)", "村(社区)"),
            ("村【社区】", "村(社区)"),
            ("\u3000联系电话 ", "联系电话"),
            ("ID", "id"),
            (None, ""),
        ],
    )
    def test_normalize_header(self, raw, normalized):
        assert normalize_header(raw) == normalized

    def test_match_headers(self):
        row = ["序号", "姓 名", "*公民身份号码", "村(社区)", "出生年月", "备注"]
        assert match_headers(row, ALIASES) == {
            "name": 1,
            "id_number": 2,
            "village": 3,
            "birth_date": 4,
        }

    def test_first_duplicate_column_wins(self):
        assert match_headers(["身份证号", "身份证号码"], ALIASES) == {"id_number": 0}

    def test_alias_listed_for_two_fields_is_a_configuration_error(self):
        with pytest.raises(ValueError):
            match_headers(["村"], {"village": ["村"], "town": ["村 "]})

    def test_find_header_row_skips_title_rows(self):
        rows = [
            ("龙胜县困境儿童花名册", None, None, None),
            ("填报单位：龙胜镇", None, None, "填报日期：2024年5月"),
            (None, None, None, None),
            ("序号", "姓名", "身份证号码（必填）", "村（居）"),
            (1, "张小花", "450328201206010018", "龙脊村"),
        ]
        assert find_header_row(iter(rows), ALIASES, REQUIRED) == (
            3,
            {"name": 1, "id_number": 2, "village": 3},
        )

    def test_find_header_row_reports_missing_columns(self):
        rows = [("姓名", "村", "出生日期"), ("张小花", "龙脊村", "2012-06-01")]
        with pytest.raises(ValueError) as exc:
            find_header_row(rows, ALIASES, [*REQUIRED, "birth_date"])
        message = str(exc.value)
        assert "缺少必需的列：身份证号" in message
        assert "姓名" not in message

    def test_find_header_row_lists_all_when_nothing_matches(self):
        with pytest.raises(ValueError, match="缺少必需的列：姓名、身份证号"):
            find_header_row([("a", "b")], ALIASES, REQUIRED)

    def test_find_header_row_respects_max_scan(self):
        rows = [("标题",)] * 3 + [("姓名", "身份证号")]
        assert find_header_row(rows, ALIASES, REQUIRED, max_scan=4)[0] == 3
        with pytest.raises(ValueError, match="前3行"):
            find_header_row(rows, ALIASES, REQUIRED, max_scan=3)


class TestRows:
    @pytest.mark.parametrize("values", [(), (None, None), ("", " ", "\u3000", None)])
    def test_blank(self, values):
        assert is_blank_row(values)

    @pytest.mark.parametrize("values", [(None, 0), (None, "x"), (False,)])
    def test_not_blank(self, values):
        assert not is_blank_row(values)

    @pytest.mark.parametrize(
        "values",
        [
            ("合计", None, 25),
            (None, "总计：", 25),
            ("", "合  计", 3),
            (12, "小计", 3),
        ],
    )
    def test_total(self, values):
        assert is_total_row(values)

    @pytest.mark.parametrize(
        "values",
        [
            (1, "张小花", "450328201206010018"),
            (1, "张小花", "合计"),
            (None, None, None),
        ],
    )
    def test_not_total(self, values):
        assert not is_total_row(values)


class TestSafeCellText:
    @pytest.mark.parametrize(
        "value", ["=1+1", "+86", "-5", "@SUM(A1)", "\tx", "\rx", '=HYPERLINK("http://x")']
    )
    def test_formula_triggers_are_quoted(self, value):
        assert safe_cell_text(value) == "'" + value

    @pytest.mark.parametrize("value", ["张小花", "a=b", "", None, 5, -5, MARCH_5])
    def test_other_values_unchanged(self, value):
        assert safe_cell_text(value) == value

    def test_written_as_text_by_openpyxl(self):
        wb = openpyxl.Workbook()
        wb.active["A1"] = safe_cell_text("=1+1")
        wb.active["A2"] = "=1+1"
        assert wb.active["A1"].data_type == "s"
        assert wb.active["A2"].data_type == "f"


class TestFormulaCells:
    def test_loaded_workbook(self):
        wb = openpyxl.Workbook()
        wb.active["A1"] = "=TODAY()"
        wb.active["A2"] = "2015-03-05"
        buffer = io.BytesIO()
        wb.save(buffer)
        ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), data_only=False).active
        assert is_formula_cell(ws["A1"])
        assert not is_formula_cell(ws["A2"])
        assert not is_formula_cell(ws["B9"])

    def test_plain_values(self):
        assert is_formula_cell("=A1")
        assert not is_formula_cell("A1")
        assert not is_formula_cell(None)


class TestIdCellText:
    @pytest.mark.parametrize("value", [450328201206010000, 4.50328201206010e17, Decimal("4.5e17")])
    def test_numbers_are_refused(self, value):
        with pytest.raises(ValueError) as exc:
            id_cell_text(value)
        assert str(exc.value) == (
            "身份证号码单元格是数字格式，Excel 已丢失末尾数字，请将该列设为文本后重新填写"
        )

    def test_text_is_normalized(self):
        assert id_cell_text(" 11010519491231002x ") == "11010519491231002X"
        assert id_cell_text("４５０３２８２０１２０６０１００１８") == "450328201206010018"

    def test_empty(self):
        assert id_cell_text(None) == ""
        assert id_cell_text("  ") == ""
