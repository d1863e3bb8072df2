"""Reading small reference lists (villages, users) from the .xlsx or .csv files staff keep.

Rows come back with their spreadsheet row numbers so every error can name its row.
"""

import csv
import io
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from core.cells import find_header_row, is_blank_row
from core.xlsx_guard import WorkbookRefused, load_workbook_safely


@dataclass
class RowError:
    row: int  # as the user sees it in Excel (1-based)
    column: str
    message: str

    def __str__(self):
        where = _("第 %(row)d 行") % {"row": self.row}
        if self.column:
            where += f"「{self.column}」"
        return f"{where}：{self.message}"


@dataclass
class TableRead:
    rows: list[tuple[int, dict]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def _decode_csv(data: bytes) -> str:
    # Excel on Chinese Windows saves CSV as GBK; everything else we see is UTF-8.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise WorkbookRefused(_("无法识别 CSV 文件的编码，请另存为 UTF-8 或 .xlsx 文件。"))


def _raw_rows(filename: str, data: bytes) -> list[list]:
    if filename.lower().endswith(".csv"):
        return [list(row) for row in csv.reader(io.StringIO(_decode_csv(data)))]
    workbook = load_workbook_safely(data)
    sheet = workbook.worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def read_table(
    filename: str, data: bytes, *, aliases: dict[str, list[str]], required: list[str]
) -> TableRead:
    """Parse a file into row dicts keyed by field name. Raises WorkbookRefused for a file
    that cannot be read at all; per-row problems are the caller's to report."""
    raw = _raw_rows(filename, data)
    try:
        header_index, mapping = find_header_row(raw, aliases, required)
    except ValueError as exc:
        raise WorkbookRefused(str(exc)) from exc
    result = TableRead()
    for offset, values in enumerate(raw[header_index + 1 :], start=header_index + 2):
        if is_blank_row(values):
            continue
        row = {}
        for name, column in mapping.items():
            value = values[column] if column < len(values) else None
            row[name] = "" if value is None else str(value).strip()
        result.rows.append((offset, row))
    return result
