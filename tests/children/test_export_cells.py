"""The 花名册's cells against a plain reading of the same children through the ORM: the
export reads rows with a raw cursor and builds each record with one generated function
(children/io/ledger_export.py); what comes out must be what model instances say, in both
the revealed and the masked form, and only for the children of the exporting user's area."""

import datetime as dt
import io

import openpyxl
import pytest

from children import ledger_columns as lc
from children.choices import Circumstance, FamilyAssistance
from children.io.ledger_export import (
    EXPORT_COLUMNS,
    headers,
    ledger_records,
    ledger_rows,
    write_ledger,
)
from children.models import Child, ChildAssistance, ChildCircumstance
from children.models.child import masked_id_display
from children.selectors import child_list
from core.cells import safe_cell_text
from core.validators import mask_id_number, mask_phone, years_between
from tests import factories

ON = dt.date(2026, 6, 4)


def expected_cell(child: Child, column, *, reveal: bool):
    """A column's value for ``child`` read from the instance, as the export promises it."""
    key, kind = column.key, column.kind
    if kind == lc.ID:
        if child.id_number:
            value = child.id_number if reveal else mask_id_number(child.id_number)
        elif reveal and child.document_type:
            value = f"{child.get_document_type_display()} {child.document_number}"
        elif child.id_pending or child.document_type:
            value = masked_id_display(
                None,
                id_pending=child.id_pending,
                id_due_on=child.id_due_on,
                document_type=child.document_type,
                document_number=child.document_number,
            )
        else:
            value = "未登记户口"
    elif kind == lc.PHONE:
        value = getattr(child, key) if reveal else mask_phone(getattr(child, key))
    elif kind == lc.CHOICE:
        value = getattr(child, f"get_{key}_display")()
    elif kind == lc.MULTI:
        choices = Circumstance if key == "circumstances" else FamilyAssistance
        codes = {item.code for item in getattr(child, key).all()}
        value = "、".join(str(label) for code, label in choices.choices if code in codes)
    elif kind == lc.BOOL:
        value = "是" if getattr(child, key) else "否"
    elif kind == lc.TOWNSHIP:
        value = child.township.name
    elif kind == lc.VILLAGE:
        value = child.village.name
    elif kind == lc.DIRECTOR:
        director = child.responsible_director
        value = (director.name or director.username) if director else ""
    elif key == "birth_date" and not reveal:
        return years_between(child.birth_date, ON)
    else:
        value = getattr(child, key)
    if isinstance(value, str):
        return safe_cell_text(value) if value else None
    return value


def expected_records(children, *, reveal: bool) -> list[dict]:
    records = []
    for sequence, child in enumerate(children, start=1):
        values = [
            sequence if column.kind == lc.SEQ else expected_cell(child, column, reveal=reveal)
            for column in EXPORT_COLUMNS
        ]
        values.append(child.get_status_display())
        records.append(dict(zip(headers(reveal), values, strict=True)))
    return records


@pytest.fixture
def varied_children(db, shandong_director, pingdeng_child):
    """Children of 龙胜镇 covering every kind of cell: each identity state, formula-looking
    text, mobile and landline phones, a director known by name and one by username only,
    several circumstances and assistance codes, a closed case, empty optional values."""
    shandong = factories.village("龙胜镇", "山东村")
    nanmen = factories.village("龙胜镇", "南门村")
    nameless = factories.make_user(
        "village_director", township_name="龙胜镇", village_name="南门村"
    )
    nameless.name = ""
    nameless.save(update_fields=["name"])
    children = [
        factories.ChildFactory(
            village=shandong,
            name="=甲",
            address="+SUM(A1:A9)",
            father_phone="13812345678",
            mother_phone="0773-7512345",
            guardian_phone="",
            boarding=True,
            filled_on=dt.date(2026, 5, 1),
            responsible_director=shandong_director,
            support_measures="@cmd",
        ),
        factories.ChildFactory(
            village=nanmen,
            name="乙",
            id_number=None,
            no_hukou=True,
            group="3组",
            responsible_director=nameless,
        ),
        factories.ChildFactory(
            village=shandong,
            name="丙",
            id_number=None,
            id_pending=True,
            id_due_on=dt.date(2026, 7, 1),
            status="closed",
            closed_on=dt.date(2026, 3, 1),
        ),
        factories.ChildFactory(
            village=nanmen,
            name="丁",
            id_number=None,
            document_type="birth_certificate",
            document_number="Q450328123456",
            guardian_phone="-12345",
        ),
    ]
    for code in ("left_behind", "disability", "migrant"):
        ChildCircumstance.objects.create(child=children[0], code=code)
    ChildCircumstance.objects.create(child=children[2], code="disability")
    for code in ("dibao", "temporary_relief"):
        ChildAssistance.objects.create(child=children[0], code=code)
    ChildCircumstance.objects.create(child=pingdeng_child, code="left_behind")
    return children


@pytest.mark.parametrize("reveal", [True, False], ids=["revealed", "masked"])
def test_records_are_what_the_orm_says_of_each_child(longsheng_supervisor, varied_children, reveal):
    children = child_list(longsheng_supervisor)  # ordered: township, village, pinyin, id
    records = list(ledger_records(ledger_rows(children), reveal, ON))
    assert records == expected_records(children, reveal=reveal)
    assert len(records) == len(varied_children)


@pytest.mark.parametrize("reveal", [True, False], ids=["revealed", "masked"])
def test_the_workbook_holds_what_the_orm_says_and_only_the_users_township(
    longsheng_supervisor, varied_children, pingdeng_child, reveal
):
    data = write_ledger(
        ledger_rows(child_list(longsheng_supervisor)),
        title="t",
        unit="u",
        reveal=reveal,
        exported_on=ON,
    )
    sheet = openpyxl.load_workbook(io.BytesIO(data))["花名册"]
    names = [cell.value for cell in sheet[3]]
    written = [
        dict(zip(names, (cell.value for cell in row), strict=True))
        for row in sheet.iter_rows(min_row=4)
    ]

    def as_read_back(record):
        # openpyxl gives a date cell back as a datetime at midnight.
        return {
            header: dt.datetime.combine(value, dt.time()) if isinstance(value, dt.date) else value
            for header, value in record.items()
        }

    expected = expected_records(child_list(longsheng_supervisor), reveal=reveal)
    assert written == [as_read_back(record) for record in expected]
    assert pingdeng_child.name not in {record["姓名"] for record in written}


def test_a_filter_that_matches_nothing_exports_the_header_alone(longsheng_supervisor):
    rows = ledger_rows(child_list(longsheng_supervisor).none())
    assert list(ledger_records(rows, False, ON)) == [dict.fromkeys(headers(False))]
