"""A list's table as an Excel workbook: the rows the list shows (its filter, its scope),
every page, with the columns' export values (django-tables2 ``as_values``: ``value_*`` and
``exclude_from_export``), strings made safe against formulas (core.cells)."""

import io

import xlsxwriter
from django.http import HttpResponse
from django.utils.http import content_disposition_header

from core.cells import safe_cell_text

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_PARAMETER = "export"


def table_workbook(table, *, title: str) -> bytes:
    """One sheet: a title row, the header, then a row per record (all of them)."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_formulas": False})
    sheet = workbook.add_worksheet(title[:31])
    bold = workbook.add_format({"bold": True})
    sheet.write_string(0, 0, safe_cell_text(str(title)), bold)
    widths: dict[int, int] = {}
    for row_index, row in enumerate(table.as_values(), start=1):
        for col, value in enumerate(row):
            if isinstance(value, int | float) and not isinstance(value, bool):
                sheet.write_number(row_index, col, value)
                text = str(value)
            else:
                text = "" if value is None else str(value)
                sheet.write_string(
                    row_index, col, safe_cell_text(text), bold if row_index == 1 else None
                )
            widths[col] = max(widths.get(col, 6), min(len(text) * 2 + 2, 60))
    for col, width in widths.items():
        sheet.set_column(col, col, width)
    workbook.close()
    return buffer.getvalue()


def xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def wants_export(request) -> bool:
    return request.GET.get(EXPORT_PARAMETER) == "xlsx"
