"""The ledger as an Excel 花名册: a merged title, the exporting unit and date, the header,
then one row per child, in the columns of the import template (an export can be imported
again).

Written with a write-only workbook, so 10,000 children stream through in constant memory.
Every string goes through ``safe_cell_text``: a child named ``=HYPERLINK(...)`` comes out
as text, never as a live formula. IDs and phone numbers are text cells, masked unless the
caller has checked that the user may and chose to see them in full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from io import BytesIO
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from children.choices import Circumstance, FamilyAssistance
from children.identity import mask_id_number, mask_phone
from children.io import ledger_columns as lc
from children.io.cells import safe_cell_text
from children.models import Child

SHEET_TITLE = "花名册"
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
EXPORT_COLUMNS = [column for column in lc.COLUMNS if column.kind != lc.NO_HUKOU]
STATUS_HEADER = "状态"
HEADERS = [column.header for column in EXPORT_COLUMNS] + [STATUS_HEADER]


def _display(child: Child, column: lc.Column, reveal: bool) -> Any:
    key = column.key
    if column.kind == lc.ID:
        if not child.id_number:
            return str(_("未登记户口"))
        return child.id_number if reveal else mask_id_number(child.id_number)
    if column.kind == lc.PHONE:
        value = getattr(child, key)
        return value if reveal else mask_phone(value)
    if column.kind == lc.CHOICE:
        return getattr(child, f"get_{key}_display")() if getattr(child, key) else ""
    if column.kind == lc.MULTI:
        if key == "circumstances":
            return lc.multi_display((c.code for c in child.circumstances.all()), Circumstance)
        return lc.multi_display((a.code for a in child.assistance.all()), FamilyAssistance)
    if column.kind == lc.BOOL:
        return str(_("是")) if getattr(child, key) else str(_("否"))
    if column.kind == lc.TOWNSHIP:
        return child.township.name
    if column.kind == lc.VILLAGE:
        return child.village.name
    if column.kind == lc.DIRECTOR:
        director = child.responsible_director
        return director.display_name if director is not None else ""
    return getattr(child, key)


def write_ledger(
    children: Iterable[Child],
    *,
    title: str,
    unit: str,
    reveal: bool,
    exported_on: dt.date | None = None,
) -> bytes:
    """Write ``children`` (with township, village, director, circumstances and assistance
    loaded) as a 花名册 workbook and return its bytes."""
    exported_on = exported_on or timezone.localdate()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    width = len(HEADERS)
    last = get_column_letter(width)
    # Write-only sheets take layout before the first row.
    for index, column in enumerate(EXPORT_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.column_dimensions[last].width = 8
    sheet.freeze_panes = "C4"
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.merged_cells.add(f"A2:{last}2")

    heading = WriteOnlyCell(sheet, safe_cell_text(title))
    heading.font = Font(bold=True, size=16)
    heading.alignment = Alignment(horizontal="center", vertical="center")
    sheet.append([heading])
    meta = _("导出单位：%(unit)s　　导出日期：%(date)s") % {
        "unit": unit,
        "date": exported_on.isoformat(),
    }
    sheet.append([safe_cell_text(str(meta))])

    header_font, header_fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    header_cells = []
    for header in HEADERS:
        cell = WriteOnlyCell(sheet, safe_cell_text(header))
        cell.font, cell.fill = header_font, header_fill
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)

    text_kinds = (lc.ID, lc.PHONE)
    for number, child in enumerate(children, start=1):
        row: list[Any] = []
        for column in EXPORT_COLUMNS:
            if column.kind == lc.SEQ:
                row.append(number)
                continue
            value = _display(child, column, reveal)
            if value is None:
                row.append(None)
            elif column.kind in text_kinds:
                cell = WriteOnlyCell(sheet, safe_cell_text(str(value)) if value else None)
                cell.number_format = TEXT_FORMAT
                row.append(cell)
            elif isinstance(value, dt.date):
                cell = WriteOnlyCell(sheet, value)
                cell.number_format = DATE_FORMAT
                row.append(cell)
            else:
                row.append(safe_cell_text(value) if isinstance(value, str) else value)
        row.append(str(child.get_status_display()))
        sheet.append(row)

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
