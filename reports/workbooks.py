"""Excel workbooks of the campaign report, print-ready in the county's official style.

The township workbook is one sheet: title, 填报单位, 填报日期, merged headers, thin borders,
宋体, A4 landscape fitted to the page width, the header rows repeated on every page, then
the figures and the narratives. The county workbook has a summary sheet (one row per
township and the totals), one such sheet per township and a sheet of the narratives.

Neither carries personal data of children: only counts and the narrative texts. Leaders'
posts and names are listed, as the county's notice asks for 领导参与 (public officials
attending public events, not children's data). Every text cell is written through
``safe_cell_text`` so that nothing typed can become a live formula.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from core.cells import safe_cell_text
from reports.choices import NARRATIVE_FIELDS
from reports.figures import KEY_FIGURES
from reports.sections import NUMBER, figure_sections

# The official title and issuing unit stay in Chinese whatever the interface language: the
# workbook is the county's own form.
TITLE = "龙胜各族自治县「润心伴成长，同心护未来」主题活动情况统计表"
COUNTY_UNIT = "龙胜各族自治县民政局未成年人保护中心"
FONT_NAME = "宋体"
TITLE_FONT_NAME = "黑体"

THIN = Side(style="thin", color="000000")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BODY = Font(name=FONT_NAME, size=11)
BOLD = Font(name=FONT_NAME, size=11, bold=True)
TITLE_FONT = Font(name=TITLE_FONT_NAME, size=16, bold=True)
HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
MISSING_FILL = PatternFill("solid", fgColor="F8CBAD")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
LEFT = Alignment(horizontal="left", vertical="center", wrap_text=True)
TOP_LEFT = Alignment(horizontal="left", vertical="top", wrap_text=True)


def _cell_value(value):
    """Numbers as numbers (the frozen snapshot keeps money as text), text made safe."""
    if isinstance(value, str) and NUMBER.match(value):
        return float(Decimal(value))
    return safe_cell_text(value)


def _put(ws: Worksheet, row: int, col: int, value, *, font=BODY, align=CENTER, fill=None):
    cell = ws.cell(row=row, column=col, value=_cell_value(value))
    cell.font = font
    cell.alignment = align
    cell.border = BORDER
    if fill is not None:
        cell.fill = fill
    if isinstance(cell.value, float) and not cell.value.is_integer():
        cell.number_format = "#,##0.00" if abs(cell.value) >= 1000 else "0.0#"
    return cell


def _merge(ws: Worksheet, row1: int, col1: int, row2: int, col2: int, value, **style):
    _put(ws, row1, col1, value, **style)
    for r in range(row1, row2 + 1):  # borders on every cell of the merged range
        for c in range(col1, col2 + 1):
            if (r, c) != (row1, col1):
                ws.cell(row=r, column=c).border = BORDER
    if (row1, col1) != (row2, col2):
        ws.merge_cells(start_row=row1, start_column=col1, end_row=row2, end_column=col2)


def _print_setup(ws: Worksheet, *, title_rows: str, last_col: int) -> None:
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.print_title_rows = title_rows
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    ws.oddFooter.center.font = FONT_NAME
    ws.print_area = f"A1:{get_column_letter(last_col)}{ws.max_row}"


def _text_height(text: str, chars_per_line: int) -> float:
    lines = sum(max(1, -(-len(part) // chars_per_line)) for part in (text or "").split("\n"))
    return min(409, 16 * max(lines, 1) + 4)


def _heading(ws: Worksheet, last_col: int, unit: str, filled_on: str) -> None:
    _merge(ws, 1, 1, 1, last_col, TITLE, font=TITLE_FONT)
    ws.row_dimensions[1].height = 32
    half = last_col // 2
    _merge(ws, 2, 1, 2, half, _("填报单位：%(u)s") % {"u": unit}, align=LEFT)
    _merge(ws, 2, half + 1, 2, last_col, _("填报日期：%(d)s") % {"d": filled_on}, align=LEFT)
    ws.row_dimensions[2].height = 22


# --- one township's sheet ------------------------------------------------------------------

WIDTHS = {"A": 26, "B": 46, "C": 40, "D": 10}


def write_township_sheet(
    ws: Worksheet,
    *,
    township_name: str,
    figures: dict,
    narratives: dict,
    filled_on: str,
    status_note: str = "",
    unit: str = "",
) -> None:
    """The township report on ``ws``: heading, figures by section, then the narratives."""
    for column, width in WIDTHS.items():
        ws.column_dimensions[column].width = width
    _heading(ws, 4, unit or _("%(t)s民政事务管理所") % {"t": township_name}, filled_on)
    # Two header rows, merged: 统计项目 over 类别/指标, 统计数据 over 数值/单位.
    _merge(ws, 3, 1, 3, 2, _("统计项目"), font=BOLD, fill=HEADER_FILL)
    _merge(ws, 3, 3, 3, 4, _("统计数据"), font=BOLD, fill=HEADER_FILL)
    for col, label in enumerate([_("类别"), _("指标"), _("数值"), _("单位")], start=1):
        _put(ws, 4, col, label, font=BOLD, fill=HEADER_FILL)
    row = 5
    for section in figure_sections(figures, links=False):
        first = row
        for item in section.rows:
            label = f"　{item.label}" if item.indent else item.label
            _put(ws, row, 2, label, align=LEFT)
            if item.is_text:
                _merge(ws, row, 3, row, 4, item.value, align=LEFT)
                ws.row_dimensions[row].height = _text_height(item.value, 36)
            else:
                _put(ws, row, 3, item.value)
                _put(ws, row, 4, item.unit)
            row += 1
        _merge(ws, first, 1, row - 1, 1, section.title, font=BOLD)
    _merge(
        ws, row, 1, row, 4, _("八、特色做法与活动时效情况（文字材料）"), font=BOLD, fill=HEADER_FILL
    )
    row += 1
    for name, label in NARRATIVE_FIELDS:
        text = narratives.get(name, "") or "—"
        _put(ws, row, 1, str(label), font=BOLD)
        _merge(ws, row, 2, row, 4, text, align=TOP_LEFT)
        ws.row_dimensions[row].height = _text_height(text, 80)
        row += 1
    if status_note:
        _merge(ws, row, 1, row, 4, status_note, align=LEFT)
    _print_setup(ws, title_rows="1:4", last_col=4)


def township_workbook(**sheet) -> bytes:
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet["township_name"][:31]
    write_township_sheet(ws, **sheet)
    return _save(workbook)


def _save(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the county workbook -------------------------------------------------------------------

# Groups of the summary's merged upper header: (label, key figure names).
SUMMARY_GROUPS = [
    (gettext_lazy("困境儿童台账"), ["children", "new_registrations"]),
    (
        gettext_lazy("心理健康测评"),
        ["screenings", "children_screened", "coverage", "positive", "alerts_raised"],
    ),
    (gettext_lazy("定期家访"), ["visits", "children_visited", "children_due", "children_overdue"]),
    (
        gettext_lazy("主题活动"),
        [
            "activities", "distinct_children", "attendances", "other_beneficiaries",
            "beneficiary_attendances", "beneficiaries", "leader_attendances",
        ],
    ),
    (
        gettext_lazy("培训与购买服务"),
        ["trainings", "training_attendances", "purchased_services", "purchased_amount"],
    ),
]  # fmt: skip
LABELS = {key: label for key, _path, label in KEY_FIGURES}
TOTALS_NOTE = (
    "注：人 为去重人数（同一儿童在全县只计1人），人次 为参与次数；监护人、教师、群众等"
    "按活动登记的人数相加，计为人次（未去重）。全县合计按全县统计，不等于各乡镇行相加。"
)


def _local_text(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def write_summary_sheet(ws: Worksheet, rollup, filled_on: str) -> None:
    """One row per township (the version shown, its own 按时/逾期, and whether the first
    submission was on time), the county center's own row (县级) and the county total,
    counted over the county (never the sum of the rows above it)."""
    fixed = [_("序号"), _("乡镇"), _("报送状态"), _("报送时间"), _("首次报送"), _("数据来源")]
    keys = [key for _group, names in SUMMARY_GROUPS for key in names]
    last_col = len(fixed) + len(keys)
    _heading(ws, last_col, COUNTY_UNIT, filled_on)
    for col, label in enumerate(fixed, start=1):
        _merge(ws, 3, col, 4, col, label, font=BOLD, fill=HEADER_FILL)
    col = len(fixed) + 1
    for group, names in SUMMARY_GROUPS:
        _merge(ws, 3, col, 3, col + len(names) - 1, str(group), font=BOLD, fill=HEADER_FILL)
        for offset, key in enumerate(names):
            _put(ws, 4, col + offset, str(LABELS[key]), font=BOLD, fill=HEADER_FILL)
        col += len(names)
    ws.row_dimensions[4].height = 48
    row = 5
    for number, line in enumerate(rollup.rows, start=1):
        fill = MISSING_FILL if line.missing else None
        values = [
            number,
            line.township.name,
            line.status_label if not line.missing else _("逾期未报送"),
            _local_text(line.version_submitted_at),
            line.first_label,
            line.source_label,
            *[line.figures.get(key) for key in keys],
        ]
        for col, value in enumerate(values, start=1):
            _put(ws, row, col, value, fill=fill)
        row += 1
    center = [
        len(rollup.rows) + 1,
        _("县级"),
        _("县未保中心自行开展"),
        "",
        "",
        _("实时统计"),
        *["—" if rollup.center.get(key) is None else rollup.center.get(key) for key in keys],
    ]
    for col, value in enumerate(center, start=1):
        _put(ws, row, col, value)
    row += 1
    _merge(ws, row, 1, row, len(fixed), _("全县合计（按全县去重统计，含县级）"), font=BOLD)
    for offset, key in enumerate(keys):
        _put(ws, row, len(fixed) + 1 + offset, rollup.totals.get(key), font=BOLD)
    row += 1
    _merge(ws, row, 1, row, last_col, TOTALS_NOTE, align=LEFT)
    ws.row_dimensions[row].height = 36
    ws.column_dimensions["A"].width = 6
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 12
    ws.column_dimensions["D"].width = 17
    ws.column_dimensions["E"].width = 9
    ws.column_dimensions["F"].width = 14
    for col in range(len(fixed) + 1, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = 10
    ws.freeze_panes = "C5"
    _print_setup(ws, title_rows="1:4", last_col=last_col)


def write_narratives_sheet(ws: Worksheet, rows: list[tuple[str, str, dict]], filled_on: str):
    """``rows``: (township name, status label, narratives) in township order."""
    headers = [_("乡镇"), _("报送状态")] + [str(label) for _name, label in NARRATIVE_FIELDS]
    last_col = len(headers)
    _heading(ws, last_col, COUNTY_UNIT, filled_on)
    _merge(ws, 3, 1, 3, 2, _("乡镇"), font=BOLD, fill=HEADER_FILL)
    _merge(ws, 3, 3, 3, last_col, _("特色做法与活动时效情况"), font=BOLD, fill=HEADER_FILL)
    for col, label in enumerate(headers, start=1):
        _put(ws, 4, col, label, font=BOLD, fill=HEADER_FILL)
    row = 5
    for name, status, narratives in rows:
        _put(ws, row, 1, name)
        _put(ws, row, 2, status)
        height = 20.0
        for offset, (field, _label) in enumerate(NARRATIVE_FIELDS):
            text = narratives.get(field, "") or ""
            _put(ws, row, 3 + offset, text, align=TOP_LEFT)
            height = max(height, _text_height(text, 22))
        ws.row_dimensions[row].height = height
        row += 1
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 10
    for col in range(3, last_col + 1):
        ws.column_dimensions[get_column_letter(col)].width = 36
    _print_setup(ws, title_rows="1:4", last_col=last_col)


def county_workbook(*, rollup, townships: list[dict], filled_on: str) -> bytes:
    """``townships``: one dict per sheet, in order (the townships, then the county center's
    own records), with the keyword arguments of ``write_township_sheet`` plus
    ``status_label``."""
    workbook = Workbook()
    summary = workbook.active
    summary.title = _("汇总")
    write_summary_sheet(summary, rollup, filled_on)
    for sheet in townships:
        ws = workbook.create_sheet(sheet["township_name"][:31])
        write_township_sheet(
            ws,
            township_name=sheet["township_name"],
            figures=sheet["figures"],
            narratives=sheet["narratives"],
            filled_on=sheet["filled_on"],
            status_note=sheet.get("status_note", ""),
            unit=sheet.get("unit", ""),
        )
    write_narratives_sheet(
        workbook.create_sheet(_("文字材料")),
        [(s["township_name"], s["status_label"], s["narratives"]) for s in townships],
        filled_on,
    )
    return _save(workbook)
