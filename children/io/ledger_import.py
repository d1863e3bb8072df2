"""Reading a township's ledger workbook into rows the import service can check and write.

Accepts the files staff actually keep: title rows (merged or not) above the header, header
variants, blank rows, a 合计 row and notes at the bottom, dates typed every which way,
several circumstances in one cell. Refuses, with the Excel row and column and a Chinese
message: numeric ID cells, formula cells, invalid IDs, dates or codes, unknown villages
or a row of another township. File-level problems (not an .xlsx, macros, zip bombs,
too big, too many rows, no header) raise ``WorkbookRefused``.

``preview_ledger`` and ``import_ledger`` are what the upload page and the command call.

Why one module of ~580 lines: it is one reader, column by column (one small reader per kind
of cell), and every refusal it words is tested against it (tests/children/test_import.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter, range_boundaries

from accounts.choices import Role
from accounts.models import Township, User, Village
from children import ledger_columns as lc
from children.choices import IdDocumentType
from children.io.previewed import SavedPreview
from children.ledger_columns import LEDGER_LANGUAGE
from children.models import Child
from children.services_import import (
    ImportPlan,
    ImportRejected,
    ImportRow,
    ledger_import_apply,
    ledger_import_plan,
    record_elsewhere,
)
from core.cells import (
    find_header_row,
    id_cell_text,
    is_blank_row,
    is_formula_cell,
    is_total_row,
    normalize_header,
    parse_date,
    split_multi,
)
from core.tabular import RowError
from core.validators import (
    IdInfo,
    check_id_matches,
    checking_day,
    current_day,
    normalize_phone,
    parse_id_number,
    validate_phone,
)
from core.xlsx_guard import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_UNCOMPRESSED,
    CalamineWorkbook,
    SheetCells,
    StreamingWorkbook,
    WorkbookRefused,
    open_workbook_fast_safely,
)

# Limits; module constants so tests (and a county with bigger files) can change them.
MAX_FILE_BYTES = DEFAULT_MAX_BYTES
MAX_UNCOMPRESSED = DEFAULT_MAX_UNCOMPRESSED
MAX_ROWS = 20_000
HEADER_SCAN_ROWS = 10

_FOOTER_NOTE = re.compile(
    r"^(注|备注|说明|填表人|填报人|制表人|制表|审核人|复核人|负责人|单位负责人|联系电话|填报单位)"
)
_YEAR_MONTH = re.compile(r"(\d{4})\D{0,2}?(\d{1,2})")
_VILLAGE_SUFFIXES = ("村民委员会", "居民委员会", "村委会", "居委会", "村委", "社区", "村")
_TRUE_WORDS = frozenset({"是", "y", "yes", "true", "1", "√", "✓", "✔", "寄宿", "住校", "有"})
_FALSE_WORDS = frozenset({"否", "n", "no", "false", "0", "×", "✗", "走读", "不寄宿", "无"})


@dataclass
class LedgerFile:
    """What the workbook held: parsed rows, cell errors, and how the columns were read."""

    rows: list[ImportRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    sheet: str = ""
    header_row: int = 0
    columns: dict[str, str] = field(default_factory=dict)  # field key → header as found
    ignored: list[str] = field(default_factory=list)  # headers we do not read
    data_rows: int = 0


@dataclass
class LedgerPreview:
    """The page and the command show this: counts, row classification and every error."""

    file: LedgerFile
    plan: ImportPlan

    @property
    def errors(self) -> list[RowError]:
        return sorted([*self.file.errors, *self.plan.errors], key=lambda error: error.row)

    @property
    def warnings(self) -> list[RowError]:
        return self.plan.warnings

    @property
    def ok(self) -> bool:
        return not self.file.errors and not self.plan.errors and bool(self.plan.rows)

    @property
    def error_rows(self) -> int:
        return len({error.row for error in self.errors})


# --- cell readers ----------------------------------------------------------------------------


class CellError(ValueError):
    """A cell that cannot be read; the message is for the user."""


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10]
    return str(value).strip()


# A blank cell leaves the child's current value alone (see the template's instructions).
KEEP = object()


class _Readers:
    """Per-file lookups (villages, directors, code tables) and one reader per column kind."""

    def __init__(self, township: Township, epoch):
        self.township = township
        self.epoch = epoch
        self.villages: dict[str, Village] = {}
        self.village_names = []
        for village in Village.objects.filter(township=township).order_by("code"):
            self.village_names.append(village.name)
            for key in self._village_keys(village.name):
                self.villages.setdefault(key, village)
            self.villages[village.code] = village
        self.directors: dict[int, list[User]] = {}
        for user in User.objects.filter(
            role=Role.VILLAGE_DIRECTOR, village__township=township, is_active=True
        ).order_by("pk"):
            self.directors.setdefault(user.village_id, []).append(user)
        self.lookups = {
            column.key: lc.choice_lookup(column) for column in lc.COLUMNS if column.choices
        }
        names = {township.name, township.code, township.former_name}
        names |= {name.rstrip("镇乡") for name in names if name}
        self.township_names = {lc.normalize_label(name) for name in names if name}

    @staticmethod
    def _village_keys(name: str) -> set[str]:
        key = lc.normalize_label(name)
        keys = {key}
        for suffix in _VILLAGE_SUFFIXES:
            if key.endswith(suffix) and len(key) > len(suffix):
                keys.add(key[: -len(suffix)])
        return keys

    def choice(self, column: lc.Column, value: Any) -> Any:
        text = _text(value)
        if not text:
            return KEEP
        code = self.lookups[column.key].get(lc.normalize_label(text))
        if code is None and text in lc.BLANK_WORDS:
            # 无 or / in 残疾类别 says "none": clear it. A required field keeps its value.
            return "" if Child._meta.get_field(column.key).blank else KEEP
        if code is None:
            raise CellError(
                _("「%(value)s」不是有效的%(column)s，可填：%(allowed)s")
                % {"value": text, "column": column.header, "allowed": lc.allowed_labels(column)}
            )
        return code

    def multi(self, column: lc.Column, value: Any) -> list[str] | None:
        """None keeps the child's current set; 无 empties it."""
        text = _text(value)
        if not text:
            return None
        if text in lc.BLANK_WORDS:
            return []
        for label, code in lc.SLASHED_LABELS.items():
            text = text.replace(label, code)
        codes, unknown = [], []
        lookup = self.lookups[column.key]
        for part in split_multi(text):
            code = lookup.get(lc.normalize_label(part))
            if code is None:
                unknown.append(part)
            elif code not in codes:
                codes.append(code)
        if unknown:
            raise CellError(
                _("「%(value)s」不是有效的%(column)s，可填（多项用顿号分隔）：%(allowed)s")
                % {
                    "value": "、".join(unknown),
                    "column": column.header,
                    "allowed": lc.allowed_labels(column),
                }
            )
        return codes

    def boolean(self, column: lc.Column, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        text = lc.normalize_label(_text(value))
        if not text or text in {"/", "-", "—"}:
            return KEEP
        if text in _TRUE_WORDS:
            return True
        if text in _FALSE_WORDS:
            return False
        raise CellError(_("「%(value)s」请填「是」或「否」") % {"value": _text(value)})

    def date(self, column: lc.Column, value: Any) -> Any:
        if value is None or (isinstance(value, str) and not value.strip()):
            return KEEP
        try:
            return parse_date(value, epoch=self.epoch)
        except ValueError as exc:
            raise CellError(str(exc)) from None

    def phone(self, column: lc.Column, value: Any) -> Any:
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            value = _text(value)
        text = normalize_phone(value)
        if not text:
            return KEEP
        if text in lc.BLANK_WORDS:
            return ""
        try:
            validate_phone(text)
        except ValidationError as exc:
            raise CellError(" ".join(exc.messages)) from None
        return text

    def village(self, value: Any) -> Village:
        text = _text(value)
        if not text:
            raise CellError(_("请填写村（社区）"))
        village = self.villages.get(lc.normalize_label(text))
        if village is None:
            for key in self._village_keys(text):
                village = self.villages.get(key)
                if village is not None:
                    break
        if village is None:
            allowed = "、".join(self.village_names) or _("（该乡镇尚未录入村/社区）")
            raise CellError(
                _("「%(value)s」不是%(township)s的村/社区，可填：%(allowed)s")
                % {"value": text, "township": self.township.name, "allowed": allowed}
            )
        return village

    def township_matches(self, value: Any) -> bool:
        text = lc.normalize_label(_text(value))
        return not text or text in self.township_names

    def director(self, value: Any, village: Village) -> Any:
        text = _text(value)
        if not text:
            return KEEP
        if text in lc.BLANK_WORDS:
            return None
        candidates = self.directors.get(village.pk, [])
        by_username = [u for u in candidates if u.username.lower() == text.lower()]
        if by_username:
            return by_username[0]
        by_name = [u for u in candidates if u.name == text]
        if len(by_name) == 1:
            return by_name[0]
        if len(by_name) > 1:
            raise CellError(
                _("该村有多位儿童主任名为「%(value)s」，请改填用户名") % {"value": text}
            )
        if not candidates:
            raise CellError(
                _("%(village)s还没有儿童主任账号，「%(value)s」无法对应，请留空")
                % {"village": village.name, "value": text}
            )
        raise CellError(
            _("「%(value)s」不是%(village)s的儿童主任，可填：%(allowed)s")
            % {
                "value": text,
                "village": village.name,
                "allowed": "、".join(u.name or u.username for u in candidates),
            }
        )


# --- the sheet -------------------------------------------------------------------------------


def _footer_note(values: list[Any]) -> bool:
    filled = [value for value in values if value is not None and str(value).strip()]
    if not filled or len(filled) > 3 or not isinstance(filled[0], str):
        return False
    return bool(_FOOTER_NOTE.match("".join(filled[0].split())))


def _find_sheet(workbook: CalamineWorkbook | StreamingWorkbook):
    """The first visible sheet with a ledger header (the template puts notes after it)."""
    first_error = None
    for sheet in workbook.sheets:
        if sheet.state != "visible":
            continue
        # Never more than the limit's worth of rows is parsed, whatever the file's size.
        cells = workbook.read(sheet, max_rows=HEADER_SCAN_ROWS + MAX_ROWS + 1)
        width = cells.width
        top = [cells.values(row, width) for row in range(1, HEADER_SCAN_ROWS + 1)]
        try:
            index, mapping = find_header_row(
                top, lc.ALIASES, lc.REQUIRED_COLUMNS, max_scan=HEADER_SCAN_ROWS
            )
        except ValueError as exc:
            first_error = first_error or str(exc)
            continue
        return sheet, cells, index + 1, top[index], mapping
    raise WorkbookRefused(first_error or _("文件中没有工作表"))


def _fill_merged(cells: SheetCells, header_row: int) -> None:
    """Give each merged cell below the header its range's value, so a village merged over
    several children's rows counts for each of them."""
    for ref in cells.merged:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
        if max_row <= header_row:
            continue
        source = cells.rows.get(min_row, {}).get(min_col)
        if source is None:
            continue
        for row in range(max(min_row, header_row + 1), max_row + 1):
            for col in range(min_col, max_col + 1):
                cells.rows.setdefault(row, {}).setdefault(col, source)


@translation.override(LEDGER_LANGUAGE)
def read_ledger(data, *, township: Township) -> LedgerFile:
    """Read a ledger workbook for ``township``. Raises WorkbookRefused for a file that
    cannot be read at all; every cell problem is in ``errors`` with its row and column."""
    with checking_day(current_day()):
        return _read_ledger(data, township)


def _read_ledger(data, township: Township) -> LedgerFile:
    workbook = open_workbook_fast_safely(
        data,
        row_limit=HEADER_SCAN_ROWS + MAX_ROWS + 1,
        max_bytes=MAX_FILE_BYTES,
        max_uncompressed=MAX_UNCOMPRESSED,
    )
    try:
        sheet, cells, header_row, header_values, mapping = _find_sheet(workbook)
    finally:
        workbook.close()
    readers = _Readers(township, workbook.epoch)
    result = LedgerFile(sheet=sheet.title, header_row=header_row)
    result.columns = {key: _text(header_values[index]) for key, index in mapping.items()}
    known_headers = {normalize_header(h) for c in lc.COLUMNS for h in c.all_headers}
    result.ignored = [
        _text(value)
        for value in header_values
        if _text(value) and normalize_header(value) not in known_headers
    ]
    # Column names for messages: as the file spells them, letters for unnamed columns.
    names = {index: _text(value) for index, value in enumerate(header_values) if _text(value)}
    columns = [(lc.COLUMNS_BY_KEY[key], index) for key, index in mapping.items()]
    _fill_merged(cells, header_row)
    width = cells.width

    too_many = WorkbookRefused(
        _("文件行数过多（超过 %(max)d 行），请按乡镇或村拆分后分批导入") % {"max": MAX_ROWS}
    )
    for row_number in sorted(number for number in cells.rows if number > header_row):
        row = cells.rows[row_number]
        values = cells.values(row_number, width)
        if is_blank_row(values):
            continue
        if is_total_row(values) or _footer_note(values):
            break  # totals and the signatures under them are not children
        result.data_rows += 1
        if result.data_rows > MAX_ROWS:
            raise too_many
        formulas = [
            column - 1
            for column, (value, kind) in row.items()
            if kind == "f" or is_formula_cell(value)
        ]
        _read_row(row_number, values, formulas, columns, names, readers, result)
    else:
        if cells.truncated:
            # Reading stopped at the limit with no total row before it: the rows not read
            # are children too (blank-looking rows read as filled only make this earlier).
            raise too_many
    if result.data_rows == 0:
        raise WorkbookRefused(_("表头下面没有数据行"))
    return result


def _column_name(names: dict[int, str], index: int) -> str:
    return names.get(index) or _("%(letter)s列") % {"letter": get_column_letter(index + 1)}


def _read_row(
    row_number: int,
    values: list,
    formulas: list[int],
    columns,
    names,
    readers: _Readers,
    result: LedgerFile,
) -> None:
    errors: list[RowError] = []

    def fail(index: int, message: str) -> None:
        errors.append(RowError(row_number, _column_name(names, index), str(message)))

    for index in sorted(formulas):
        fail(index, _("单元格是公式，请复制后“选择性粘贴为数值”再导入"))
    if errors:
        result.errors.extend(errors)
        return

    def value(index: int) -> Any:
        return values[index] if index < len(values) else None

    data: dict[str, Any] = {}
    circumstances = assistance = None
    indexes = {column.key: index for column, index in columns}
    # What a saved preview must read again against the database at write time.
    db_cells = {
        key: _text(value(indexes[key]))
        for key in ("village", "township", "responsible_director")
        if key in indexes
    }
    village = None
    if "village" in indexes:
        try:
            village = readers.village(value(indexes["village"]))
        except CellError as exc:
            fail(indexes["village"], str(exc))
    if "township" in indexes and not readers.township_matches(value(indexes["township"])):
        fail(
            indexes["township"],
            _("该行乡镇为「%(value)s」，与本次导入的乡镇「%(township)s」不一致")
            % {"value": _text(value(indexes["township"])), "township": readers.township.name},
        )

    for column, index in columns:
        raw = value(index)
        try:
            if column.kind == lc.TEXT:
                parsed = _text(raw) or KEEP
            elif column.kind == lc.CHOICE:
                parsed = readers.choice(column, raw)
            elif column.kind == lc.DATE:
                parsed = readers.date(column, raw)
            elif column.kind == lc.PHONE:
                parsed = readers.phone(column, raw)
            elif column.kind == lc.BOOL:
                parsed = readers.boolean(column, raw)
            elif column.kind == lc.DIRECTOR and village is not None:
                parsed = readers.director(raw, village)
            elif column.kind == lc.MULTI:
                parsed = KEEP
                if column.key == "circumstances":
                    circumstances = readers.multi(column, raw)
                else:
                    assistance = readers.multi(column, raw)
            else:
                parsed = KEEP  # 序号, and the columns read above (ID, village, township)
            if parsed is not KEEP:
                data[column.key] = parsed
        except CellError as exc:
            if column.key == "birth_date" and "id_number" in indexes:
                # 出生年月 columns often hold only 2015.03; the ID settles the day.
                data["_birth_text"] = (index, _text(raw), str(exc))
                continue
            fail(index, str(exc))

    info = _read_identity(data, indexes, value, fail)
    if not data.get("name"):
        fail(indexes["name"], _("姓名不能为空"))
    result.errors.extend(errors)
    if not errors and village is not None:
        result.rows.append(
            ImportRow(
                row=row_number,
                village=village,
                data=data,
                circumstances=circumstances,
                assistance=assistance,
                id_info=info,
                db_cells=db_cells,
            )
        )


@cache
def _no_id_state_labels() -> tuple[str, ...]:
    """What the export writes for a child whose ID number stands in for another state
    (always in Chinese: worked out once, not once a row)."""
    with translation.override("zh-hans"):
        return ("身份证号待补录", *(str(label) for label in IdDocumentType.labels))


def _read_identity(data: dict, indexes: dict, value, fail) -> IdInfo | None:
    """ID number or 未登记户口, then birth date and sex checked against the ID; returns the
    parsed number, so that the later checks need not parse it again."""
    id_index = indexes["id_number"]
    raw = value(id_index)
    birth_text = data.pop("_birth_text", None)
    no_hukou_flag = False
    if "no_hukou" in indexes:
        flag = lc.normalize_label(_text(value(indexes["no_hukou"])))
        no_hukou_flag = flag in _TRUE_WORDS or flag in {
            lc.normalize_label(w) for w in lc.NO_HUKOU_WORDS
        }
    if isinstance(raw, str) and lc.normalize_label(raw) in lc.NO_HUKOU_WORDS:
        raw, no_hukou_flag = None, True
    if isinstance(raw, str) and raw.strip().startswith(_no_id_state_labels()):
        # 身份证号待补录 and other documents are kept on the web pages only: a sheet has no
        # columns for their due date or document number, and guessing would change them.
        fail(
            id_index,
            _(
                "「身份证号待补录」和持其他证件的儿童请在网页上登记和修改；"
                "请从表格中删去该行，或填写其公民身份号码"
            ),
        )
        return
    try:
        number = id_cell_text(raw)
    except ValueError as exc:
        fail(id_index, str(exc))
        return
    if not number:
        if not no_hukou_flag:
            fail(id_index, _("请填写公民身份号码；没有户口的请填写「未登记户口」"))
            return
        data["id_number"], data["no_hukou"] = None, True
        if birth_text:
            fail(birth_text[0], birth_text[2])
        for key in ("birth_date", "sex"):
            if key not in data:
                fail(
                    indexes.get(key, id_index),
                    _("未登记户口的儿童须填写%(column)s") % {"column": lc.header_label(key)},
                )
        return
    if no_hukou_flag:
        fail(id_index, _("已填写公民身份号码，不能同时标为未登记户口"))
        return
    try:
        info = parse_id_number(number)
    except ValidationError as exc:
        fail(id_index, " ".join(exc.messages))
        return
    data["id_number"], data["no_hukou"] = info.number, False
    if birth_text:
        index, text, message = birth_text
        match = _YEAR_MONTH.match(text)
        if match and (int(match[1]), int(match[2])) == (
            info.birth_date.year,
            info.birth_date.month,
        ):
            data["birth_date"] = info.birth_date
        else:
            fail(index, message)
    try:
        check_id_matches(info, birth_date=data.get("birth_date"), sex=data.get("sex"))
    except ValidationError as exc:
        for key, messages in exc.message_dict.items():
            for message in messages:
                fail(indexes.get(key, id_index), message)
        return
    data.setdefault("birth_date", info.birth_date)
    data.setdefault("sex", info.sex)
    return info


# --- entry points ----------------------------------------------------------------------------


@translation.override(LEDGER_LANGUAGE)
def preview_ledger(*, actor, township: Township, data) -> LedgerPreview:
    """Read and check a file without writing anything (against one day: ``plan.day``)."""
    with checking_day(timezone.localdate()):
        ledger = read_ledger(data, township=township)
        plan = ledger_import_plan(actor=actor, township=township, rows=ledger.rows)
    # The preview is where the person reads the row errors: each number registered outside
    # their area is put before the county center here (the write re-plans and is refused).
    record_elsewhere(actor=actor, plan=plan)
    return LedgerPreview(file=ledger, plan=plan)


def _ledger_from_saved(saved: SavedPreview, township: Township) -> LedgerFile | None:
    """The rows a preview saved, with the cells that depend on the database read again now:
    None when one of them no longer reads as it did (a village or director renamed, the
    township renamed…), and the caller reads the whole file again, which words the error."""
    readers = _Readers(township, epoch=None)
    ledger = LedgerFile(
        sheet=saved.sheet,
        header_row=saved.header_row,
        columns=dict(saved.columns),
        ignored=list(saved.ignored),
        data_rows=saved.data_rows,
    )
    for row in saved.rows:
        cells = row.db_cells
        try:
            village = readers.village(cells.get("village"))
            if not readers.township_matches(cells.get("township")):
                return None
            data = dict(row.data)
            if "responsible_director" in data:
                # The preview's director (a user, or none for 无): the same one by name now.
                director = readers.director(cells.get("responsible_director"), village)
                saved_id = (data["responsible_director"] or {}).get("user")
                if director is KEEP or (director.pk if director else None) != saved_id:
                    return None
                data["responsible_director"] = director
        except CellError:
            return None
        ledger.rows.append(
            ImportRow(
                row=row.row,
                village=village,
                data=data,
                circumstances=row.circumstances,
                assistance=row.assistance,
                db_cells=cells,
            )
        )
    return ledger


@translation.override(LEDGER_LANGUAGE)
def import_ledger(
    *,
    actor,
    township: Township,
    data,
    filename: str = "",
    request=None,
    previewed: SavedPreview | None = None,
):
    """Write the file, all or nothing: read and checked again, or, given ``previewed`` (the
    rows its preview checked today, children.io.previewed), from those rows with what
    depends on the database checked again.

    Returns the preview; when it has errors nothing was written (the service raised
    ImportRejected inside its transaction, or the cells were already wrong).
    """
    with checking_day(timezone.localdate()) as today:
        ledger, checked = None, frozenset()
        if previewed is not None and previewed.day == today:
            ledger = _ledger_from_saved(previewed, township)
        if ledger is not None:
            checked = frozenset(row.row for row in previewed.rows if row.new)
        else:
            ledger = read_ledger(data, township=township)
        if ledger.errors:
            plan = ledger_import_plan(actor=actor, township=township, rows=ledger.rows)
            return LedgerPreview(file=ledger, plan=plan)
        try:
            plan = ledger_import_apply(
                actor=actor,
                township=township,
                rows=ledger.rows,
                filename=filename,
                request=request,
                checked=checked,
            )
        except ImportRejected as exc:
            return LedgerPreview(file=ledger, plan=exc.plan)
        return LedgerPreview(file=ledger, plan=plan)
