"""Tolerant cell parsing for the spreadsheets township staff actually keep.

Ledgers arrive with title rows above the header, dates typed half a dozen
ways, several values crammed into one cell, and total rows at the bottom.
Errors are ValueError with a Chinese message meant to be shown next to the
row number, so each message names the offending text.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import WINDOWS_EPOCH, from_excel

from core.validators import normalize_id_number

# --- dates -----------------------------------------------------------------

_TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_DATE_PATTERNS = (
    re.compile(r"(\d{4})[./-](\d{1,2})[./-](\d{1,2})"),
    re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})[日号]?"),
    re.compile(r"(\d{4})(\d{2})(\d{2})"),
)
_YEAR_MONTH_ONLY = re.compile(r"(19|20)\d{2}([./-]\d{1,2}|\d{2}|年(\d{1,2}月?)?)?")

# A number typed as 2015.03 or 2015 is stored by Excel as a number, and read as
# a date serial it lands in 1905. Refusing that band (serials for 1905-03-14 to
# 1906-01-07) costs nothing for these ledgers and catches the typo.
_YEAR_LIKE_SERIALS = (1900, 2200)
# Serial of 9999-12-31, the last date Excel can represent.
_MAX_SERIAL = 2958465


def _incomplete(text: str) -> ValueError:
    return ValueError(
        _("日期“%(text)s”不完整，需要写到具体哪一天（如 2015-03-05）") % {"text": text}
    )


def _unrecognised(text: str) -> ValueError:
    return ValueError(_("无法识别的日期“%(text)s”，请写成 2015-03-05 的格式") % {"text": text})


def _build_date(year: str, month: str, day: str, text: str) -> dt.date:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(_("日期“%(text)s”不存在，请核对") % {"text": text}) from None


def _compact_number(number: float) -> str | None:
    # Someone typed 20150305 into a cell formatted as a number.
    if float(number).is_integer() and 19000101 <= number <= 29991231:
        return str(int(number))
    return None


def parse_date(value: Any, *, epoch: dt.datetime | None = None) -> dt.date:
    """Parse a date cell: date/datetime, Excel serial number, or common text forms.

    Accepted text: ``2015.3.5``, ``2015-03-05``, ``2015/3/5``, ``2015年3月5日``,
    ``20150305`` (an optional time after a space is ignored). Year-month only
    (``2015.03``, ``2015年3月``) is refused: guessing a day would silently put
    a wrong birth date into the record. ``epoch`` is the workbook's
    ``wb.epoch``; it differs for files saved with the 1904 date system.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        compact = _compact_number(value)
        if compact is not None:
            return parse_date(compact)
        text = f"{value:g}" if isinstance(value, float) else str(value)
        if _YEAR_LIKE_SERIALS[0] <= value < _YEAR_LIKE_SERIALS[1]:
            raise _incomplete(text)
        if not 1 <= value <= _MAX_SERIAL:
            raise _unrecognised(text)
        converted = from_excel(float(value), epoch=epoch or WINDOWS_EPOCH)
        return converted.date()
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(_("日期为空"))
    if not isinstance(value, str):
        raise _unrecognised(str(value))

    original = value.strip()
    text = unicodedata.normalize("NFKC", original)
    text = _TIME_SUFFIX.sub("", text.strip())
    text = "".join(text.split())
    for pattern in _DATE_PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return _build_date(*match.groups(), original)
    if _YEAR_MONTH_ONLY.fullmatch(text):
        raise _incomplete(original)
    raise _unrecognised(original)


# --- multi-value cells -------------------------------------------------------

_MULTI_SEPARATORS = re.compile(r"[、，,/／;；|｜\s]+")


def split_multi(value: Any) -> list[str]:
    """Split ``"留守、单亲，残疾"`` into ``["留守", "单亲", "残疾"]``, keeping order once each."""
    if value is None:
        return []
    parts = (part.strip() for part in _MULTI_SEPARATORS.split(str(value)))
    return list(dict.fromkeys(part for part in parts if part))


# --- headers -----------------------------------------------------------------

_BRACKETS = str.maketrans({"（": "(", "）": ")", "【": "(", "】": ")", "[": "(", "]": ")"})
_REQUIRED_MARKERS = re.compile(r"[*＊★☆※]|\((必填|选填|可选|必须填写)\)")


def normalize_header(text: Any) -> str:
    """Reduce a header cell to a comparable form.

    Whitespace of every kind (templates often pad ``姓  名`` to align columns),
    required markers such as ``*`` or ``（必填）`` are removed; all bracket
    variants become ``()``; ASCII letters are lower-cased.
    """
    if text is None:
        return ""
    value = unicodedata.normalize("NFKC", str(text)).translate(_BRACKETS)
    value = "".join(value.split())
    return _REQUIRED_MARKERS.sub("", value).lower()


def _alias_lookup(aliases: Mapping[str, Sequence[str]]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for field, names in aliases.items():
        for name in names:
            key = normalize_header(name)
            owner = lookup.setdefault(key, field)
            if owner != field:
                # A configuration mistake in the importer, never shown to users.
                raise ValueError(
                    f"header alias {name!r} is listed for both {owner!r} and {field!r}"
                )
    return lookup


def match_headers(
    header_cells: Iterable[Any], aliases: Mapping[str, Sequence[str]]
) -> dict[str, int]:
    """Map field names to 0-based column indexes by comparing normalised headers.

    When a header appears twice the left-most column wins, which is the one a
    person reading the sheet would look at first.
    """
    lookup = _alias_lookup(aliases)
    mapping: dict[str, int] = {}
    for index, cell in enumerate(header_cells):
        field = lookup.get(normalize_header(cell))
        if field is not None and field not in mapping:
            mapping[field] = index
    return mapping


def find_header_row(
    rows: Iterable[Sequence[Any]],
    aliases: Mapping[str, Sequence[str]],
    required_fields: Iterable[str],
    max_scan: int = 10,
) -> tuple[int, dict[str, int]]:
    """Return ``(row_index, mapping)`` for the first row holding all required columns.

    Title rows (a merged title reads as text in the first cell and None after
    it) simply fail to match and are skipped. ``row_index`` is 0-based within
    ``rows``. If no row qualifies, the error lists the required columns missing
    from the closest candidate, by their first alias.
    """
    required = list(required_fields)
    _alias_lookup(aliases)  # surface configuration mistakes even for empty sheets
    best_missing = required
    for index, row in enumerate(islice(rows, max_scan)):
        mapping = match_headers(row or (), aliases)
        missing = [field for field in required if field not in mapping]
        if not missing:
            return index, mapping
        if len(missing) < len(best_missing):
            best_missing = missing
    labels = "、".join(aliases[field][0] if aliases.get(field) else field for field in best_missing)
    raise ValueError(
        _("在前%(count)d行中没有找到表头，缺少必需的列：%(columns)s")
        % {"count": max_scan, "columns": labels}
    )


# --- rows --------------------------------------------------------------------

_TOTAL_WORDS = ("合计", "总计", "小计")
# Totals are labelled in the first column or, when that holds a row number,
# the second; looking further would match ordinary text in remark columns.
_TOTAL_LABEL_CELLS = 2


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def is_blank_row(values: Iterable[Any]) -> bool:
    """True when every cell is None or whitespace."""
    return all(_is_empty(value) for value in values)


def is_total_row(values: Iterable[Any]) -> bool:
    """True when one of the first non-empty cells says 合计, 总计 or 小计."""
    filled = (value for value in values if not _is_empty(value))
    for value in islice(filled, _TOTAL_LABEL_CELLS):
        if isinstance(value, str):
            text = "".join(value.split())
            if any(word in text for word in _TOTAL_WORDS):
                return True
    return False


# --- export and formulas ------------------------------------------------------

# What makes a spreadsheet read text as a formula; public for writers that inline the rule
# (children.io.ledger_export builds its row function around it).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell_text(value: Any) -> Any:
    """Make user-entered text safe to write into an exported sheet.

    openpyxl stores any string starting with ``=`` as a live formula, and Excel
    (or a CSV round trip) evaluates text starting with ``+ - @``, tab or CR as
    one too. A leading apostrophe keeps such values as plain text.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """``safe_cell_text`` on every value of a row, for ``sheet.append``: the one rule every
    cell written to a workbook goes through."""
    return [safe_cell_text(value) for value in values]


def is_formula_cell(cell: Any) -> bool:
    """True for a formula cell of a workbook loaded with ``data_only=False``.

    A plain value may be passed instead of a cell.
    """
    if getattr(cell, "data_type", None) == "f":
        return True
    value = getattr(cell, "value", cell)
    return isinstance(value, str) and value.startswith("=")


def id_cell_text(cell_value: Any) -> str:
    """Return the normalised ID number text of a cell, refusing numeric cells.

    Excel keeps 15 significant digits, so an 18-digit ID typed into a number
    cell has already lost its last digits and cannot be recovered.
    """
    if isinstance(cell_value, int | float | Decimal) and not isinstance(cell_value, bool):
        raise ValueError(
            _("身份证号码单元格是数字格式，Excel 已丢失末尾数字，请将该列设为文本后重新填写")
        )
    if cell_value is None:
        return ""
    return normalize_id_number(cell_value)
