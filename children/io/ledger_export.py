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
from functools import partial
from io import BytesIO
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import models
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from rustpy_xlsxwriter import FastExcel, Format

from children import ledger_columns as lc
from children.choices import CaseStatus, Circumstance, FamilyAssistance, IdDocumentType
from children.ledger_columns import LEDGER_LANGUAGE
from children.models import Child, ChildAssistance, ChildCircumstance
from children.models.child import masked_id_display
from core.cells import FORMULA_TRIGGERS, safe_cell_text
from core.choices import choice_labels
from core.fields import EncryptedTextField, decryptor
from core.forked import call_forked
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
    reading the rows themselves: 5 of 9 s at 100,000 children).

    The rows come from one cursor over the SQL Django compiles for the queryset (the same
    scope, filter and order), not through ``values_list``, whose converters run value by
    value (each encrypted field's ``from_db_value`` among them). Each row is turned into the
    export's tuple by one generated function (``_row_reader``) that decrypts the encrypted
    columns in the same pass; a server-side cursor (where the database has one, as
    ``iterator()`` uses) keeps one chunk in memory. At 100,000 rows this saves about a
    tenth of the reading's CPU (1.5-1.6 s against 1.7-1.8 s); most of the reading's time is
    PostgreSQL's (the query, its sort, sending the rows)."""
    plain = children.select_related(None).prefetch_related(None)
    values = plain.values_list(*SOURCE_FIELDS)
    compiler = values.query.get_compiler(using=values.db)
    try:
        sql, params = compiler.as_sql()
    except EmptyResultSet:  # e.g. ``none()``: an invalid filter exports no row
        return
    codes = [_codes_by_child(model, plain) for model in CODE_MODELS]
    expressions = [select[0] for select in compiler.select[: compiler.col_count]]
    if len(expressions) != len(SOURCE_FIELDS):  # the tuple's layout depends on it
        raise ValueError(
            f"the export query selects {len(expressions)} columns, not {len(SOURCE_FIELDS)}"
        )
    read = _row_reader(
        expressions, compiler.get_converters(expressions), codes, compiler.connection
    )
    cursor = compiler.connection.chunked_cursor()
    try:
        cursor.execute(sql, params)
        while chunk := cursor.fetchmany(chunk_size):
            yield from map(read, chunk)
    finally:
        cursor.close()


def _row_reader(expressions, converters, codes, connection) -> Callable[[tuple], LedgerRow]:
    """The function turning a database row into a ``LedgerRow``, written out as one tuple
    expression: encrypted columns decrypted (empty values are stored empty and stay so,
    as in ``EncryptedTextField.from_db_value``), any other column with converters (SQLite's
    dates and booleans; none on PostgreSQL) through them as Django would, then the two code
    sets looked up by the child's pk."""
    namespace: dict[str, Any] = {"_decrypt": decryptor(), "_none": frozenset()}
    parts = []
    for index, expression in enumerate(expressions):
        value = f"r[{index}]"
        if isinstance(expression.output_field, EncryptedTextField):
            parts.append(f"(_decrypt(v) if (v := {value}) else v)")
        elif index in converters:
            namespace[f"_convert{index}"] = _converting(converters[index], connection)
            parts.append(f"_convert{index}({value})")
        else:
            parts.append(value)
    pk = FIELD_INDEX["pk"]
    for number, by_child in enumerate(codes):
        namespace[f"_codes{number}"] = by_child
        parts.append(f"_codes{number}.get(r[{pk}], _none)")
    return _compiled("r", f"({', '.join(parts)},)", namespace)


def _converting(converters, connection) -> Callable[[Any], Any]:
    functions, expression = converters

    def convert(value):
        for function in functions:
            value = function(value, expression, connection)
        return value

    return convert


def _compiled(arguments: str, expression: str, namespace: dict[str, Any]) -> Callable:
    """A function of ``arguments`` returning ``expression``, compiled once per export. The
    source is made of column indexes and names of this module only, never of data."""
    source = f"def function({arguments}):\n    return {expression}\n"
    exec(compile(source, "<ledger_export>", "exec"), namespace)  # noqa: S102
    return namespace["function"]


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
    circumstances = frozenset(item.code for item in child.circumstances.all())
    assistance = frozenset(item.code for item in child.assistance.all())
    return (*values, circumstances, assistance)


def row_builder(reveal: bool, on: dt.date | None = None) -> Callable[[LedgerRow, int], dict]:
    """The function turning a row (and its 序号) into the sheet's record, {header: cell
    value}, built once per export as one dict expression with a term per column: one call
    a row instead of two closures a cell (getter, then the safe-text rule), which cost more
    than reading the rows. Each term gives what the safe-text rule gives for its column's
    value: text (with a leading apostrophe where it would start a formula) or None for an
    empty one, a date, a number (the age; never in the text-formatted ID and phone
    columns), or None. Labels are translated, and made safe, once per export: Django's
    get_FOO_display() rebuilds its choices dict on every call."""
    on = on or timezone.localdate()
    namespace: dict[str, Any] = {
        "_triggers": FORMULA_TRIGGERS,
        "_safe": safe_cell_text,
        "_cell": _cell,
        "_identity": _identity_cell(reveal),
        "_mask_phone": mask_phone,
        "_years": years_between,
        "_on": on,
        "_yes": safe_cell_text(str(_("是"))),
        "_no": safe_cell_text(str(_("否"))),
        "_statuses": {
            code: safe_cell_text(label) for code, label in choice_labels(CaseStatus).items()
        },
    }
    at = FIELD_INDEX

    def text(value: str) -> str:
        # safe_cell_text inlined; "" and None leave the cell empty.
        return f'(("\'" + v if v.startswith(_triggers) else v) if (v := {value}) else None)'

    terms = []
    for number, column in enumerate(EXPORT_COLUMNS):
        key, kind = column.key, column.kind
        index = at.get(key)
        if kind == lc.SEQ:
            term = "sequence"
        elif kind == lc.ID:
            term = "_identity(r)"
        elif kind == lc.PHONE:
            # Most children lack one phone or two: an empty one is an empty cell without
            # going through the mask (which gives "" for it).
            masked = f"(_mask_phone(p) if (p := r[{index}]) else None)"
            term = text(f"r[{index}]" if reveal else masked)
        elif kind == lc.CHOICE:
            namespace[f"_labels{number}"] = {
                code: safe_cell_text(label) or None
                for code, label in choice_labels(column.choices).items()
            }
            term = f"_labels{number}.get(r[{index}])"
        elif kind == lc.MULTI:
            choices = Circumstance if key == "circumstances" else FamilyAssistance
            namespace[f"_joined{number}"] = _JoinedLabels(choice_labels(choices))
            term = f"_joined{number}[r[{CODE_INDEX[key]}]]"
        elif kind == lc.BOOL:
            term = f"(_yes if r[{index}] else _no)"
        elif key == "birth_date" and not reveal:
            term = f"(_years(v, _on) if (v := r[{index}]) else None)"
        elif kind == lc.TOWNSHIP:
            term = text(f"r[{at['township__name']}]")
        elif kind == lc.VILLAGE:
            term = text(f"r[{at['village__name']}]")
        elif kind == lc.DIRECTOR:
            # User.display_name: the name, else the username.
            name, username = at["responsible_director__name"], at["responsible_director__username"]
            term = text(f"(r[{name}] or r[{username}])")
        elif isinstance(_field(key), (models.CharField, models.TextField)):
            term = text(f"r[{index}]")
        elif isinstance(_field(key), models.DateField):
            term = f"r[{index}]"  # a date or None, written as it is
        else:
            term = f"_cell(r[{index}])"
        terms.append(term)
    terms.append(f"(_statuses.get(v := r[{at['status']}]) or _safe(v))")
    for number, header in enumerate(headers(reveal)):
        namespace[f"_header{number}"] = safe_cell_text(header)
    pairs = ", ".join(f"_header{number}: {term}" for number, term in enumerate(terms))
    return _compiled("r, sequence", f"{{{pairs}}}", namespace)


def _field(key: str):
    return Child._meta.get_field(key)


def _cell(value: Any) -> Any:
    """The safe-text rule for a value of any other type (a column outside the text, date
    and coded kinds): text, a date or a number as it is, None or "" as an empty cell."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return safe_cell_text(value)
    if isinstance(value, (dt.date, int, float)):
        return value
    return safe_cell_text(str(value))


class _JoinedLabels(dict):
    """{a set of codes: its labels joined with 、 in choice order, as a safe cell}, filled
    as sets are met: the rows share a few dozen sets (``_codes_by_child``)."""

    def __init__(self, labels: dict[str, str]):
        super().__init__()
        self.labels = labels.items()

    def __missing__(self, codes):
        joined = "、".join(label for code, label in self.labels if code in codes)
        self[codes] = cell = safe_cell_text(joined) or None
        return cell


def _identity_cell(reveal: bool) -> Callable[[LedgerRow], str]:
    """The 公民身份号码 cell: the ID number (masked unless revealed), the pending ID with
    its due date, another document's type and number, or 未登记户口."""
    no_hukou = safe_cell_text(str(_("未登记户口")))
    at = FIELD_INDEX
    index, pending, due = at["id_number"], at["id_pending"], at["id_due_on"]
    doc_type, doc_number = at["document_type"], at["document_number"]

    def identity(row):
        value = row[index]
        if value:
            value = value if reveal else mask_id_number(value)
        elif row[pending] or row[doc_type]:
            if reveal and row[doc_type]:
                value = f"{IdDocumentType(row[doc_type]).label} {row[doc_number]}"
            else:
                value = masked_id_display(
                    None,
                    id_pending=row[pending],
                    id_due_on=row[due],
                    document_type=row[doc_type],
                    document_number=row[doc_number],
                )
        else:
            return no_hukou
        return safe_cell_text(value) if value else None

    return identity


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

    The rows are read and turned into records here, and sent in batches through a pipe to a
    forked process that writes the workbook (``core.forked``): reading and building the
    cells (the database, the decryption, the safe-text rule) and writing each take a core of
    their own. Neither side holds more than a few batches, so an export stays
    in constant memory however many children it lists. An exception raised while reading
    the rows (the database gone) comes out of here unchanged, and nothing is returned; one
    raised while writing comes out as ``core.forked.ForkedCallFailed``. Where a fork is not
    available, the same happens in this process, the writer pulling the rows one by one."""
    exported_on = exported_on or timezone.localdate()
    rows = (item if isinstance(item, tuple) else child_row(item) for item in children)
    meta = _("导出单位：%(unit)s　　导出日期：%(date)s") % {
        "unit": unit,
        "date": exported_on.isoformat(),
    }
    return call_forked(
        partial(
            _workbook, banner=[safe_cell_text(title), safe_cell_text(str(meta))], reveal=reveal
        ),
        ledger_records(rows, reveal, exported_on),
    )


def _workbook(records: Iterator[dict], *, banner: list[str], reveal: bool) -> bytes:
    """The workbook's bytes: the two banner rows (title, unit and date), the header, then
    ``records``, pulled one by one by the writer (constant memory)."""
    last = len(HEADERS) - 1
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
            records,
            header_row=2,
            header_format=header,
            # The title rows: plain string cells (the writer never turns text into a
            # formula), through the same safe-text rule as every other cell.
            merge_ranges=[(0, 0, 0, last, banner[0], heading), (1, 0, 1, last, banner[1])],
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


def ledger_records(rows: Iterable[LedgerRow], reveal: bool, on: dt.date) -> Iterator[dict]:
    """One record per row (``row_builder``), numbered from 1 in 序号."""
    build = row_builder(reveal, on)
    written = False
    for sequence, row in enumerate(rows, start=1):
        written = True
        yield build(row, sequence)
    if not written:
        # The writer takes the header from the first record: an empty export still has
        # its header, over one row without a single cell.
        yield dict.fromkeys(safe_cell_text(text) for text in headers(reveal))
