"""The ledger as an Excel 花名册: a merged title, the exporting unit and date, the header,
then one row per child, in the columns of the import template (an export can be imported
again).

Written with XlsxWriter, whose cells cost a fraction of openpyxl's write-only ones. Only its
typed write_*() methods are used, so nothing is ever written as a formula; every string
still goes through ``safe_cell_text`` (a child named ``=HYPERLINK(...)`` comes out as the
text ``'=HYPERLINK(...)``, harmless even once the sheet is saved as CSV). IDs and phone
numbers are text cells, masked unless the caller has checked that the user may and chose
to see them in full.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from io import BytesIO
from itertools import chain, islice
from operator import itemgetter
from typing import Any

import xlsxwriter
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

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


# Up to this many rows the workbook is built in memory, which skips XlsxWriter's temporary
# files (some 5 ms of a 100-row export); a bigger export streams row by row through one
# temporary file instead, so its memory stays flat however many children it holds.
IN_MEMORY_ROWS = 1000
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
    ``chunk_size`` with two queries per chunk for the codes, as many as prefetch_related()
    would run."""
    plain = children.select_related(None).prefetch_related(None)
    rows = plain.values_list(*SOURCE_FIELDS).iterator(chunk_size=chunk_size)
    pk = FIELD_INDEX["pk"]
    while batch := list(islice(rows, chunk_size)):
        codes = {row[pk]: tuple(set() for _model in CODE_MODELS) for row in batch}
        for position, model in enumerate(CODE_MODELS):
            pairs = model.objects.filter(child_id__in=list(codes)).values_list("child_id", "code")
            for child_id, code in pairs:
                codes[child_id][position].add(code)
        for row in batch:
            yield row + codes[row[pk]]


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
    circumstances and assistance prefetched or cheap to query)."""
    exported_on = exported_on or timezone.localdate()
    rows = (item if isinstance(item, tuple) else child_row(item) for item in children)
    head = list(islice(rows, IN_MEMORY_ROWS + 1))
    # in_memory keeps every part in memory and touches no file; constant_memory writes
    # each row out to a temporary file as soon as the next one starts (its strings inline
    # rather than in a shared table). Leaving the block closes the workbook, which also
    # removes the temporary files when writing fails halfway.
    small = len(head) <= IN_MEMORY_ROWS
    options = {"in_memory": True} if small else {"constant_memory": True}
    buffer = BytesIO()
    with xlsxwriter.Workbook(buffer, options) as workbook:
        _write_sheet(
            workbook, chain(head, rows), title=title, unit=unit, reveal=reveal, on=exported_on
        )
    return buffer.getvalue()


def _write_sheet(workbook, rows, *, title, unit, reveal, on) -> None:
    sheet = workbook.add_worksheet(SHEET_TITLE)
    last = len(HEADERS) - 1
    for index, column in enumerate(EXPORT_COLUMNS):
        sheet.set_column(index, index, column.width)
    sheet.set_column(last, last, 8)
    sheet.freeze_panes(3, 2)  # C4: the title rows, the header, 序号 and 姓名 stay in view

    # merge_range() writes its value with the guessing write() (a leading = would become a
    # formula), so the merged cell is filled again as a plain string.
    heading = workbook.add_format(
        {"bold": True, "font_size": 16, "align": "center", "valign": "vcenter"}
    )
    sheet.merge_range(0, 0, 0, last, "", heading)
    sheet.write_string(0, 0, safe_cell_text(title), heading)
    meta = _("导出单位：%(unit)s　　导出日期：%(date)s") % {"unit": unit, "date": on.isoformat()}
    sheet.merge_range(1, 0, 1, last, "")
    sheet.write_string(1, 0, safe_cell_text(str(meta)))

    header = workbook.add_format(
        {
            "bold": True,
            "bg_color": "#DDEBF7",
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
    )
    for index, text in enumerate(headers(reveal)):
        sheet.write_string(2, index, safe_cell_text(text), header)

    text_format = workbook.add_format({"num_format": TEXT_FORMAT})
    date_format = workbook.add_format({"num_format": DATE_FORMAT})
    formats = {lc.ID: text_format, lc.PHONE: text_format, lc.DATE: date_format}
    cells = [
        (
            index,
            getter,
            None if column.key == "birth_date" and not reveal else formats.get(column.kind),
        )
        for index, (column, getter) in enumerate(
            zip(EXPORT_COLUMNS, _getters(reveal, on), strict=True)
        )
    ]
    # Only the typed write_*() methods: write() guesses, and would turn text starting
    # with = into a formula or an http:// address into a link.
    write_string, write_number = sheet.write_string, sheet.write_number
    write_datetime = sheet.write_datetime
    statuses = choice_labels(CaseStatus)
    status = FIELD_INDEX["status"]
    for row, values in enumerate(rows, start=3):
        for index, getter, cell_format in cells:
            if getter is None:
                write_number(row, index, row - 2)  # 序号
                continue
            value = getter(values)
            if value is None or value == "":
                continue
            if isinstance(value, str):
                write_string(row, index, safe_cell_text(value), cell_format)
            elif isinstance(value, dt.date):
                write_datetime(row, index, value, cell_format)
            elif isinstance(value, int | float) and cell_format is None:
                write_number(row, index, value)
            else:
                write_string(row, index, safe_cell_text(str(value)), cell_format)
        write_string(row, last, statuses.get(values[status], values[status]))
