"""The blank ledger template staff download, fill in and upload (导入模板).

The ID and phone columns are text cells, so Excel cannot turn an 18-digit ID into
4.50328E+17; coded columns offer drop-down lists (kept on a hidden sheet, where long
lists such as the villages of the township fit); an instructions sheet explains each
column. The ledger sheet comes first, so the importer finds its header there.
"""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from accounts.choices import Role
from accounts.models import Township, User, Village
from children import ledger_columns as lc
from children.ledger_columns import LEDGER_LANGUAGE
from core.cells import safe_cell_text, safe_row

LEDGER_SHEET = "花名册"
INSTRUCTIONS_SHEET = "填写说明"
LISTS_SHEET = "选项"
# Rows formatted as text and covered by the drop-downs; a township's ledger is far shorter.
TEMPLATE_ROWS = 2000
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"

# The official 一人一表 columns; 未登记户口 is written in the ID cell instead.
TEMPLATE_COLUMNS = [column for column in lc.COLUMNS if column.kind != lc.NO_HUKOU]

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
THIN = Side(style="thin", color="999999")
HEADER_BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)


def _list_values(column: lc.Column, villages: list[str], directors: list[str], townships):
    if column.choices is not None:
        return lc.choice_labels(column)
    if column.kind == lc.VILLAGE:
        return villages
    if column.kind == lc.DIRECTOR:
        return directors
    if column.kind == lc.TOWNSHIP:
        return townships
    if column.kind == lc.BOOL:
        return [str(_("是")), str(_("否"))]
    return []


@translation.override(LEDGER_LANGUAGE)
def build_template(*, township: Township | None = None) -> bytes:
    """The template for ``township`` (its villages and directors in the drop-downs), or
    for the whole county when ``township`` is None."""
    if township is not None:
        villages = list(
            Village.objects.filter(township=township)
            .order_by("code")
            .values_list("name", flat=True)
        )
        directors = list(
            User.objects.filter(role=Role.VILLAGE_DIRECTOR, township=township, is_active=True)
            .order_by("village__code", "pk")
            .values_list("name", flat=True)
        )
        townships = [township.name]
    else:
        villages = sorted(set(Village.objects.values_list("name", flat=True)))
        directors = []
        townships = list(Township.objects.order_by("code").values_list("name", flat=True))

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = LEDGER_SHEET
    instructions = workbook.create_sheet(INSTRUCTIONS_SHEET)
    lists = workbook.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"

    last_row = TEMPLATE_ROWS + 1
    list_column = 0
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        letter = get_column_letter(index)
        cell = sheet.cell(row=1, column=index, value=safe_cell_text(column.header))
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment, cell.border = HEADER_ALIGNMENT, HEADER_BORDER
        sheet.column_dimensions[letter].width = column.width
        number_format = {lc.ID: TEXT_FORMAT, lc.PHONE: TEXT_FORMAT, lc.DATE: DATE_FORMAT}.get(
            column.kind
        )
        if number_format:
            # Both the column style (for rows typed beyond the formatted block) and each
            # cell of the block: Excel applies the cell format when a value is pasted.
            sheet.column_dimensions[letter].number_format = number_format
            for row in range(2, last_row + 1):
                sheet.cell(row=row, column=index).number_format = number_format

        values = _list_values(column, villages, directors, townships)
        if not values:
            continue
        list_column += 1
        list_letter = get_column_letter(list_column)
        lists.cell(row=1, column=list_column, value=safe_cell_text(column.header))
        for offset, value in enumerate(values, start=2):
            lists.cell(row=offset, column=list_column, value=safe_cell_text(value))
        source = f"{quote_sheetname(LISTS_SHEET)}!${list_letter}$2:${list_letter}${len(values) + 1}"
        multi = column.kind == lc.MULTI
        validation = DataValidation(
            type="list",
            formula1=source,
            allow_blank=True,
            # Several circumstances go in one cell, so the list is a help, not a rule.
            showErrorMessage=not multi,
            errorTitle=str(_("无效的值")),
            error=str(_("请从下拉列表中选择。")),
            showInputMessage=True,
            promptTitle=column.header,
            prompt=str(
                column.note or (_("可多选，用顿号「、」分隔") if multi else _("请从列表中选择"))
            ),
        )
        validation.add(f"{letter}2:{letter}{last_row}")
        sheet.add_data_validation(validation)

    sheet.freeze_panes = "C2"
    sheet.row_dimensions[1].height = 30
    _write_instructions(instructions, township)

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _write_instructions(sheet, township: Township | None) -> None:
    place = township.name if township is not None else _("各乡镇")
    lines = [
        _("龙胜各族自治县困境儿童台账导入模板（%(place)s）") % {"place": place},
        _("1. 在「花名册」工作表中每行填写一名儿童，不要修改表头；表头上方可以有标题行。"),
        _("2. 公民身份号码列已设为文本格式，请直接输入18位号码；没有户口的填「未登记户口」。"),
        _("3. 不要使用公式；从其他表格复制时请“选择性粘贴为数值”。"),
        _("4. 按身份证号匹配已登记的儿童并更新；空白单元格不会清除系统中已有的信息。"),
        _("5. 任何一行有错误时不会导入任何数据；上传后先预览，确认无误后再导入。"),
        _("模板生成日期：%(date)s") % {"date": timezone.localdate().isoformat()},
        "",
    ]
    for line in lines:
        sheet.append([safe_cell_text(str(line))])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(safe_row([str(_("列名")), str(_("说明与可填的值"))]))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for column in TEMPLATE_COLUMNS:
        note = str(column.note) if column.note else ""
        if column.choices is not None:
            allowed = _("可填：%(values)s") % {"values": lc.allowed_labels(column)}
            note = f"{note}；{allowed}" if note else allowed
        sheet.append(safe_row([column.header, note]))
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 90
