"""The ledger as an Excel 花名册: a merged title, the exporting unit and date, the header,
then one row per child, in the columns of the import template (an export can be imported
again).

Written with rustpy-xlsxwriter (rust_xlsxwriter under a Python API), in constant memory: a
100,000-row export costs a fraction of XlsxWriter's constant-memory mode, itself a fraction
of openpyxl's write-only one (bench/writers.py measures the three side by side). It writes
every Python string as a string cell — never a formula, never a link (no formula or URL
columns are asked for) — and every string still goes through ``safe_cell_text`` (a child
named ``=HYPERLINK(...)`` comes out as the text ``'=HYPERLINK(...)``, harmless even once the
sheet is saved as CSV). IDs and phone
numbers are text cells, masked unless the caller has checked that the user may and chose
to see them in full.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from io import BytesIO
from operator import itemgetter
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rustpy_xlsxwriter import FastExcel, Format

from children import ledger_columns as lc
from children.choices import CaseStatus, Circumstance, FamilyAssistance, IdDocumentType
from children.ledger_columns import LEDGER_LANGUAGE
from children.models import Child, ChildAssistance, ChildCircumstance
from children.models.child import masked_id_display
from core.cells import safe_cell_text
from core.choices import choice_labels
from core.validators import mask_id_number, mask_phone, years_between

SHEET_TITLE = "花名册"
TEXT_FORMAT = "@"
DATE_FORMAT = "yyyy-mm-dd"
EXPORT_COLUMNS = [column for column in lc.COLUMNS if column.kind != lc.NO_HUKOU]
STATUS_HEADER = "状态"
HEADERS = [column.header for column in EXPORT_COLUMNS] + [STATUS_HEADER]
# Without the reveal right the birth date goes out as the age on the export date: beside
# even the last characters of an ID number, the full date is half of the number.
AGE_HEADER = "年龄（导出日）"
MASKED_HEADERS = [AGE_HEADER if header == "出生日期" else header for header in HEADERS]


def headers(reveal: bool) -> list[str]:
    return HEADERS if reveal else MASKED_HEADERS


CHUNK_SIZE = 2000


def _source_fields() -> list[str]:
    fields = []
    for column in EXPORT_COLUMNS:
        if column.kind == lc.TOWNSHIP:
            fields.append("township__name")
        elif column.kind == lc.VILLAGE:
            fields.append("village__name")
        elif column.kind == lc.DIRECTOR:
            # User.display_name: the name, else the username.
            fields += ["responsible_director__name", "responsible_director__username"]
        elif column.kind not in (lc.SEQ, lc.MULTI):
            fields.append(column.key)
    # The identity states that stand in for a missing ID number (children.models.child).
    return [*fields, "status", "pk", "id_pending", "id_due_on", "document_type", "document_number"]


# What the sheet reads of a child, as values_list() lookups. A row of the export is the
# tuple of these values followed by the child's circumstance codes and assistance codes
# (two sets): plain tuples cost a fraction of model instances (four per child, with the
# township, village and director) and of prefetch_related()'s querysets per child.
SOURCE_FIELDS = _source_fields()
FIELD_INDEX = {field: index for index, field in enumerate(SOURCE_FIELDS)}
CODE_MODELS = (ChildCircumstance, ChildAssistance)  # in the order of the row's two sets
CODE_INDEX = {"circumstances": len(SOURCE_FIELDS), "assistance": len(SOURCE_FIELDS) + 1}
_PATHS = [field.split("__") for field in SOURCE_FIELDS]

LedgerRow = tuple[Any, ...]


def ledger_rows(children: QuerySet[Child], chunk_size: int = CHUNK_SIZE) -> Iterator[LedgerRow]:
    """The export rows of ``children`` (already scoped and filtered), streamed in chunks of
    ``chunk_size``; the children's circumstance and assistance codes are read first, one
    query each for the whole export (a query per chunk with 2,000 ids in it cost more than
    reading the rows themselves: 5 of 9 s at 100,000 children)."""
    plain = children.select_related(None).prefetch_related(None)
    codes = [_codes_by_child(model, plain) for model in CODE_MODELS]
    none = frozenset()
    pk = FIELD_INDEX["pk"]
    for row in plain.values_list(*SOURCE_FIELDS).iterator(chunk_size=chunk_size):
        key = row[pk]
        yield (*row, *(by_child.get(key, none) for by_child in codes))


def _codes_by_child(model, children: QuerySet[Child]) -> dict[int, frozenset[str]]:
    """{child pk: its codes of ``model``} for the children of the export. The sets are
    shared between children with the same codes (a few dozen combinations for 100,000
    children), so the whole map stays a few megabytes."""
    found: dict[int, list[str]] = defaultdict(list)
    pairs = model.objects.filter(child__in=children.order_by().values("pk"))
    for child_id, code in pairs.values_list("child_id", "code").iterator(chunk_size=10_000):
        found[child_id].append(code)
    shared: dict[frozenset[str], frozenset[str]] = {}
    return {
        child_id: shared.setdefault(frozenset(child_codes), frozenset(child_codes))
        for child_id, child_codes in found.items()
    }


def child_row(child: Child) -> LedgerRow:
    """The export row of a child instance (its relations loaded or prefetched)."""
    values = []
    for path in _PATHS:
        value = child
        for name in path:
            value = getattr(value, name) if value is not None else None
        values.append(value)
    circumstances = {item.code for item in child.circumstances.all()}
    assistance = {item.code for item in child.assistance.all()}
    return (*values, circumstances, assistance)


def _getters(reveal: bool, on: dt.date | None = None) -> list[Callable[[LedgerRow], Any] | None]:
    """One function per column turning a row into the cell's value, built once per export:
    Django's get_FOO_display() rebuilds its choices dict on every call, and lazy labels are
    translated again each time they are turned into text."""
    no_hukou, yes, no = str(_("未登记户口")), str(_("是")), str(_("否"))
    circumstance_labels = choice_labels(Circumstance).items()
    assistance_labels = choice_labels(FamilyAssistance).items()
    at = FIELD_INDEX

    def id_number(index):
        pending, due = at["id_pending"], at["id_due_on"]
        doc_type, doc_number = at["document_type"], at["document_number"]

        def get(row):
            value = row[index]
            if value:
                return value if reveal else mask_id_number(value)
            if row[pending] or row[doc_type]:
                if reveal and row[doc_type]:
                    return f"{IdDocumentType(row[doc_type]).label} {row[doc_number]}"
                return masked_id_display(
                    None,
                    id_pending=row[pending],
                    id_due_on=row[due],
                    document_type=row[doc_type],
                    document_number=row[doc_number],
                )
            return no_hukou

        return get

    def joined(labels, index):
        return lambda row: "、".join(label for code, label in labels if code in row[index])

    def director(name, username):
        return lambda row: row[name] or row[username] or ""

    def masked_phone(index):
        return lambda row: mask_phone(row[index])

    def label(index, choice_class):
        labels = choice_labels(choice_class)
        return lambda row: labels.get(row[index], "")

    def flag(index):
        return lambda row: yes if row[index] else no

    today = on or timezone.localdate()

    def age(index):
        return lambda row: years_between(row[index], today) if row[index] else None

    getters: list[Callable[[LedgerRow], Any] | None] = []
    for column in EXPORT_COLUMNS:
        key, kind = column.key, column.kind
        if kind == lc.SEQ:
            getter = None  # numbered while writing
        elif kind == lc.ID:
            getter = id_number(at[key])
        elif kind == lc.PHONE:
            getter = itemgetter(at[key]) if reveal else masked_phone(at[key])
        elif kind == lc.CHOICE:
            getter = label(at[key], column.choices)
        elif kind == lc.MULTI:
            labels = circumstance_labels if key == "circumstances" else assistance_labels
            getter = joined(labels, CODE_INDEX[key])
        elif kind == lc.BOOL:
            getter = flag(at[key])
        elif key == "birth_date" and not reveal:
            getter = age(at[key])
        elif kind == lc.TOWNSHIP:
            getter = itemgetter(at["township__name"])
        elif kind == lc.VILLAGE:
            getter = itemgetter(at["village__name"])
        elif kind == lc.DIRECTOR:
            getter = director(
                at["responsible_director__name"], at["responsible_director__username"]
            )
        else:
            getter = itemgetter(at[key])
        getters.append(getter)
    return getters


@translation.override(LEDGER_LANGUAGE)
def write_ledger(
    children: Iterable[Child | LedgerRow],
    *,
    title: str,
    unit: str,
    reveal: bool,
    exported_on: dt.date | None = None,
) -> bytes:
    """Write ``children`` as a 花名册 workbook and return its bytes: rows of ``ledger_rows``
    or Child instances (with their township, village and director at hand, and their
    circumstances and assistance prefetched or cheap to query).

    The rows are pulled one by one by the writer (constant memory: each row is written out
    as soon as the next one starts), so an export holds one chunk of rows at a time however
    many children it lists; an exception raised while reading them (the database gone)
    comes out of here unchanged, and nothing is returned."""
    exported_on = exported_on or timezone.localdate()
    rows = (item if isinstance(item, tuple) else child_row(item) for item in children)
    last = len(HEADERS) - 1
    meta = _("导出单位：%(unit)s　　导出日期：%(date)s") % {
        "unit": unit,
        "date": exported_on.isoformat(),
    }
    heading = Format().set_bold().set_font_size(16).set_align("center").set_align("vcenter")
    header = (
        Format()
        .set_bold()
        .set_background_color("#DDEBF7")
        .set_align("center")
        .set_align("vcenter")
        .set_text_wrap()
    )
    text_format = Format().set_num_format(TEXT_FORMAT)
    date_format = Format().set_num_format(DATE_FORMAT)
    formats = {lc.ID: text_format, lc.PHONE: text_format, lc.DATE: date_format}
    buffer = BytesIO()
    (
        FastExcel(buffer)
        .format(datetime_format=DATE_FORMAT)
        .freeze(row=3, col=2)  # C4: the title rows, the header, 序号 and 姓名 stay in view
        .sheet(
            SHEET_TITLE,
            _records(rows, reveal, exported_on),
            header_row=2,
            header_format=header,
            # The title rows: plain string cells (the writer never turns text into a
            # formula), through the same safe-text rule as every other cell.
            merge_ranges=[
                (0, 0, 0, last, safe_cell_text(title), heading),
                (1, 0, 1, last, safe_cell_text(str(meta))),
            ],
            column_widths=[column.width for column in EXPORT_COLUMNS] + [8],
            column_formats=[
                None if column.key == "birth_date" and not reveal else formats.get(column.kind)
                for column in EXPORT_COLUMNS
            ]
            + [None],
        )
        .save()
    )
    return buffer.getvalue()


def _cell(getter: Callable[[LedgerRow], Any], text_only: bool) -> Callable[[LedgerRow], Any]:
    """The function giving a column's cell value from a row, through the one safe-text
    rule: text (with a leading apostrophe where it would start a formula), a date, a number
    (in a column without a text format), or None for an empty cell."""
    safe, date, number = safe_cell_text, dt.date, (int, float)

    def cell(row):
        value = getter(row)
        if value.__class__ is str:  # most cells: one test, then the rule
            return safe(value) if value else None
        if value is None:
            return None
        if isinstance(value, str):
            return safe(value) if value else None
        if isinstance(value, date) or (isinstance(value, number) and not text_only):
            return value
        return safe(str(value))

    return cell


def _records(rows: Iterable[LedgerRow], reveal: bool, on: dt.date) -> Iterator[dict[str, Any]]:
    """One dict per row, keyed by the header, each value from ``_cell``; 序号 counts the
    rows and 状态 is the case status's label."""
    textual = {lc.ID, lc.PHONE}
    getters = _getters(reveal, on)
    sequence_at = getters.index(None)  # 序号, numbered while writing
    cells = [
        (lambda row: None) if getter is None else _cell(getter, column.kind in textual)
        for column, getter in zip(EXPORT_COLUMNS, getters, strict=True)
    ]
    statuses = {code: safe_cell_text(label) for code, label in choice_labels(CaseStatus).items()}
    status = FIELD_INDEX["status"]
    names = [safe_cell_text(text) for text in headers(reveal)]
    written = False
    for sequence, values in enumerate(rows, start=1):
        record = [cell(values) for cell in cells]
        record[sequence_at] = sequence
        record.append(statuses.get(values[status]) or safe_cell_text(values[status]))
        written = True
        yield dict(zip(names, record, strict=True))
    if not written:
        # The writer takes the header from the first record: an empty export still has
        # its header, over one row without a single cell.
        yield dict.fromkeys(names)
