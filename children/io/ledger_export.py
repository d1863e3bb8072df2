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
from collections.abc import Callable, Iterable
from io import BytesIO
from operator import attrgetter
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from children.choices import CaseStatus, Circumstance, FamilyAssistance
from children.identity import mask_id_number, mask_phone
from children.io import ledger_columns as lc
from children.io.cells import safe_cell_text
from children.io.ledger_columns import LEDGER_LANGUAGE
from children.models import Child

SHEET_TITLE = "花名册"
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
EXPORT_COLUMNS = [column for column in lc.COLUMNS if column.kind != lc.NO_HUKOU]
STATUS_HEADER = "状态"
HEADERS = [column.header for column in EXPORT_COLUMNS] + [STATUS_HEADER]


def _labels(choice_class) -> list[tuple[str, str]]:
    return [(code, str(label)) for code, label in choice_class.choices]


def _getters(reveal: bool) -> list[Callable[[Child], Any] | None]:
    """One function per column turning a child into the cell's value, built once per export:
    Django's get_FOO_display() rebuilds its choices dict on every call, and lazy labels are
    translated again each time they are turned into text."""
    no_hukou, yes, no = str(_("未登记户口")), str(_("是")), str(_("否"))
    circumstance_labels, assistance_labels = _labels(Circumstance), _labels(FamilyAssistance)

    def id_number(child):
        if not child.id_number:
            return no_hukou
        return child.id_number if reveal else mask_id_number(child.id_number)

    def joined(labels, attr):
        def get(child):
            codes = {item.code for item in getattr(child, attr).all()}
            return "、".join(label for code, label in labels if code in codes)

        return get

    def director(child):
        user = child.responsible_director
        return user.display_name if user is not None else ""

    def masked_phone(key):
        return lambda child: mask_phone(getattr(child, key))

    def label(key, choice_class):
        labels = dict(_labels(choice_class))
        return lambda child: labels.get(getattr(child, key), "")

    def flag(key):
        return lambda child: yes if getattr(child, key) else no

    getters: list[Callable[[Child], Any] | None] = []
    for column in EXPORT_COLUMNS:
        key, kind = column.key, column.kind
        if kind == lc.SEQ:
            getter = None  # numbered while writing
        elif kind == lc.ID:
            getter = id_number
        elif kind == lc.PHONE:
            getter = attrgetter(key) if reveal else masked_phone(key)
        elif kind == lc.CHOICE:
            getter = label(key, column.choices)
        elif kind == lc.MULTI:
            labels = circumstance_labels if key == "circumstances" else assistance_labels
            getter = joined(labels, key)
        elif kind == lc.BOOL:
            getter = flag(key)
        elif kind == lc.TOWNSHIP:
            getter = attrgetter("township.name")
        elif kind == lc.VILLAGE:
            getter = attrgetter("village.name")
        elif kind == lc.DIRECTOR:
            getter = director
        else:
            getter = attrgetter(key)
        getters.append(getter)
    return getters


@translation.override(LEDGER_LANGUAGE)
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

    # One styled cell per text or date column, reused on every row: a write-only sheet
    # writes each row out as it is appended, and styling a fresh cell per value is slow.
    styled: dict[int, WriteOnlyCell] = {}
    for index, column in enumerate(EXPORT_COLUMNS):
        if column.kind in (lc.ID, lc.PHONE, lc.DATE):
            styled[index] = WriteOnlyCell(sheet)
            styled[index].number_format = DATE_FORMAT if column.kind == lc.DATE else TEXT_FORMAT
    dates = {index for index, column in enumerate(EXPORT_COLUMNS) if column.kind == lc.DATE}
    getters = _getters(reveal)
    statuses = {code: str(label) for code, label in CaseStatus.choices}
    for number, child in enumerate(children, start=1):
        row: list[Any] = []
        for index, getter in enumerate(getters):
            if getter is None:
                row.append(number)
                continue
            value = getter(child)
            if value is None or value == "":
                row.append(None)
            elif index in styled:
                cell = styled[index]
                cell.value = value if index in dates else safe_cell_text(str(value))
                row.append(cell)
            else:
                row.append(safe_cell_text(value) if isinstance(value, str) else value)
        row.append(statuses.get(child.status, child.status))
        sheet.append(row)

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
