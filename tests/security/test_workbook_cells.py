"""Every workbook the portal writes keeps a typed name as text: a village named "=1+1" is
never a live formula in any sheet (the one rule, core.cells.safe_cell_text / safe_row)."""

import io

import openpyxl
import pytest
from django.urls import reverse

from children.io.ledger_export import ledger_rows, write_ledger
from children.io.template import build_template
from children.selectors import child_list
from tests import factories

pytestmark = pytest.mark.django_db

HOSTILE_VILLAGE = "=1+1"


def formula_cells(data: bytes) -> list[str]:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [
        f"{sheet.title}!{cell.coordinate}={cell.value!r}"
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("="))
    ]


def every_value(data: bytes) -> list:
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheets = workbook.worksheets
    return [cell.value for sheet in sheets for row in sheet.iter_rows() for cell in row]


@pytest.fixture
def hostile_village():
    village = factories.village("龙胜镇", "山东村")
    village.name = HOSTILE_VILLAGE  # as typed in the admin or a loaded village list
    village.save(update_fields=["name"])
    return village


def test_the_director_import_template_keeps_a_formula_like_village_as_text(
    hostile_village, county_admin, client_for
):
    response = client_for(county_admin).get(reverse("accounts:director_import_template"))
    assert response.status_code == 200
    data = b"".join(response.streaming_content) if response.streaming else response.content
    assert formula_cells(data) == []
    assert "'" + HOSTILE_VILLAGE in every_value(data)


def test_the_ledger_template_keeps_a_formula_like_village_as_text(hostile_village):
    data = build_template(township=hostile_village.township)
    assert formula_cells(data) == []


def test_the_ledger_export_keeps_a_formula_like_village_as_text(
    hostile_village, longsheng_supervisor
):
    factories.ChildFactory(village=hostile_village)
    data = write_ledger(
        ledger_rows(child_list(longsheng_supervisor)), title="花名册", unit="龙胜镇", reveal=False
    )
    assert formula_cells(data) == []
    assert "'" + HOSTILE_VILLAGE in every_value(data)
