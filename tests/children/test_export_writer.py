"""The 花名册 writer (rustpy-xlsxwriter, constant memory), read back with openpyxl and with
the importer: layout, formats, the safe-text rule, rows streamed from a generator."""

import datetime as dt
import io
import os
import signal
import tempfile

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl.utils import get_column_letter

from children.io import ledger_export
from children.io.ledger_export import HEADERS, MASKED_HEADERS, child_row, ledger_rows, write_ledger
from children.io.ledger_import import import_ledger
from children.models import Child, ChildAssistance, ChildCircumstance
from children.selectors import child_list
from core import forked
from jobs import files
from jobs.models import JobStatus
from tests import factories
from tests.children.conftest import build_ledger
from tests.children.conftest import child_row as ledger_row_dict
from tests.jobs.helpers import downloaded, job_of

HOSTILE = {
    "name": '=HYPERLINK("http://x","y")',
    "address": "+SUM(A1:A9)",
    "school": "-1",
    "illness": "@cmd",
    "support_measures": "http://example.com/not-a-link",
    "grade": "\t3",
}


def read(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))["花名册"]


def cells_by_header(sheet, row: int = 4) -> dict:
    headers = [cell.value for cell in sheet[3]]
    return dict(zip(headers, sheet[row], strict=False))


def export_rows(user, **filters):
    return ledger_rows(child_list(user).filter(**filters))


@pytest.fixture
def hostile_child(db):
    child = factories.ChildFactory(
        village=factories.village("龙胜镇", "山东村"),
        guardian_phone="13812345678",
        filled_on=dt.date(2026, 5, 1),
        **HOSTILE,
    )
    ChildCircumstance.objects.create(child=child, code="left_behind")
    ChildAssistance.objects.create(child=child, code="dibao")
    return child


def test_formula_looking_values_are_string_cells_never_formulas_or_links(
    longsheng_supervisor, hostile_child
):
    sheet = read(
        write_ledger(export_rows(longsheng_supervisor), title="=1+1", unit="@u", reveal=False)
    )
    cells = cells_by_header(sheet)
    headers = {column.key: column.header for column in ledger_export.EXPORT_COLUMNS}
    for key, text in HOSTILE.items():
        cell = cells[headers[key]]
        expected = text if key == "support_measures" else "'" + text
        assert (cell.data_type, cell.value) == ("s", expected), key
        assert cell.hyperlink is None
    assert sheet["A1"].value == "'=1+1" and sheet["A1"].data_type == "s"
    assert sheet["A2"].value.startswith("导出单位：@u")  # inside the text, harmless
    every = [cell for row in sheet.iter_rows() for cell in row]
    assert not [cell for cell in every if cell.data_type == "f"]
    assert not sheet._hyperlinks


def test_layout_dates_text_ids_and_labels(longsheng_supervisor, hostile_child):
    sheet = read(
        write_ledger(
            export_rows(longsheng_supervisor),
            title="标题",
            unit="单位",
            reveal=True,
            exported_on=dt.date(2026, 6, 4),
        )
    )
    assert sheet["A1"].value == "标题"
    assert sheet["A2"].value == "导出单位：单位　　导出日期：2026-06-04"
    last = get_column_letter(len(HEADERS))
    assert {str(merged) for merged in sheet.merged_cells.ranges} == {f"A1:{last}1", f"A2:{last}2"}
    assert [cell.value for cell in sheet[3]] == HEADERS
    assert sheet["A3"].font.b and sheet["A3"].fill.fgColor.rgb.endswith("DDEBF7")
    assert sheet.freeze_panes == "C4"
    assert sheet.column_dimensions["F"].width > sheet.column_dimensions["A"].width
    cells = cells_by_header(sheet)
    assert cells["序号"].value == 1 and cells["序号"].data_type == "n"
    birth = cells["出生日期"]
    assert birth.is_date and birth.number_format == "yyyy-mm-dd"
    assert birth.value.date() == hostile_child.birth_date
    assert cells["填报日期"].value.date() == dt.date(2026, 5, 1)
    for header in ("公民身份号码", "监护人电话"):
        assert cells[header].data_type == "s" and cells[header].number_format == "@"
    assert cells["公民身份号码"].value == hostile_child.id_number
    assert cells["监护人电话"].value == "13812345678"
    assert cells["困境情形"].value == "留守" and cells["救助帮扶"].value == "低保"
    assert cells["乡镇"].value == "龙胜镇" and cells["村（社区）"].value == "山东村"
    assert cells["是否寄宿"].value == "否" and cells["状态"].value == "在册"
    assert cells["组"].value is None  # blank values leave the cell empty


def test_rows_from_the_queryset_match_rows_from_instances(
    longsheng_supervisor, shandong_director, hostile_child
):
    Child.objects.filter(pk=hostile_child.pk).update(responsible_director=shandong_director)
    factories.ChildFactory(
        village=hostile_child.village, name="无户口", id_number=None, no_hukou=True
    )
    queryset = child_list(longsheng_supervisor)
    assert list(ledger_rows(queryset)) == [child_row(child) for child in queryset]


def test_codes_are_fetched_once_for_the_export_and_stay_with_their_child(
    longsheng_supervisor, pingdeng_child
):
    village = factories.village("龙胜镇", "山东村")
    codes = ["left_behind", "disability", "migrant", "serious_illness", "left_behind"]
    for number, code in enumerate(codes):
        child = factories.ChildFactory(village=village, name=f"分块{number}")
        ChildCircumstance.objects.create(child=child, code=code)
    ChildCircumstance.objects.create(child=pingdeng_child, code="disability")  # out of scope
    queryset = child_list(longsheng_supervisor)
    circumstances = ledger_export.CODE_INDEX["circumstances"]
    name = ledger_export.FIELD_INDEX["name"]
    with CaptureQueriesContext(connection) as queries:
        rows = list(ledger_rows(queryset, chunk_size=2))
    by_name = {row[name]: row[circumstances] for row in rows}
    assert by_name == {f"分块{number}": {code} for number, code in enumerate(codes)}
    code_queries = [
        query for query in queries.captured_queries if "children_childcircumstance" in query["sql"]
    ]
    # One query for the whole export, whatever the chunk size, limited to the export's
    # children (the list's scope and filter as a subquery).
    assert len(code_queries) == 1
    assert "children_child" in code_queries[0]["sql"].split("children_childcircumstance", 1)[1]


def test_an_export_imports_back_unchanged(client_for, longsheng_supervisor):
    first = import_ledger(
        actor=longsheng_supervisor,
        township=factories.township(),
        data=build_ledger([ledger_row_dict(i) for i in range(3)]),
    )
    assert first.plan.new == 3
    client = client_for(longsheng_supervisor)
    response = downloaded(client, client.get(reverse("children:export"), {"reveal": "1"}))
    assert response.status_code == 200

    again = import_ledger(
        actor=longsheng_supervisor, township=factories.township(), data=response.content
    )

    assert again.errors == []
    assert (again.plan.new, again.plan.updated, again.plan.unchanged) == (0, 0, 3)


def test_writing_leaves_no_temporary_file_even_when_reading_fails(
    longsheng_supervisor, hostile_child, monkeypatch, tmp_path
):
    """The writer's constant-memory files go where TMPDIR says; none is left behind, and an
    error while reading the rows comes out unchanged."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    rows = list(export_rows(longsheng_supervisor))

    write_ledger(rows, title="t", unit="u", reveal=False)
    assert os.listdir(tmp_path) == []

    def broken():
        yield from rows
        raise ConnectionError("database went away")

    with pytest.raises(ConnectionError):
        write_ledger(broken(), title="t", unit="u", reveal=False)
    assert os.listdir(tmp_path) == []


def test_a_value_of_another_type_in_a_column_keeps_its_own_cell_type(longsheng_supervisor):
    """The writer guesses each column's type from its first row; a later row of another type
    (a date after an empty cell, text after a number) must still be written as it is."""
    village = factories.village("龙胜镇", "山东村")
    factories.ChildFactory(village=village, name="甲", filled_on=None, group="")
    factories.ChildFactory(village=village, name="=乙", filled_on=dt.date(2026, 5, 2), group="3组")
    sheet = read(write_ledger(export_rows(longsheng_supervisor), title="t", unit="u", reveal=True))
    by_name = {
        cells["姓名"].value: cells for cells in (cells_by_header(sheet, row) for row in (4, 5))
    }
    assert by_name["甲"]["填报日期"].value is None and by_name["甲"]["组"].value is None
    assert by_name["'=乙"]["填报日期"].value.date() == dt.date(2026, 5, 2)
    assert by_name["'=乙"]["组"].value == "3组"
    assert [by_name[name]["序号"].value for name in ("甲", "'=乙")] in ([1, 2], [2, 1])


def test_an_empty_export_still_has_its_title_and_header(longsheng_supervisor):
    sheet = read(write_ledger([], title="标题", unit="单位", reveal=False))
    assert sheet["A1"].value == "标题" and sheet.freeze_panes == "C4"
    # Without the reveal right the birth date column is the age on the export date.
    assert [cell.value for cell in sheet[3]] == MASKED_HEADERS
    assert "出生日期" not in MASKED_HEADERS and "出生日期" in HEADERS
    assert sheet.max_row == 3


@pytest.mark.parametrize("death", ["exception", "killed"])
def test_a_writer_failing_in_its_process_fails_the_job_and_leaves_no_file(
    monkeypatch, client_for, longsheng_supervisor, hostile_child, death
):
    """The workbook is written by a forked process (core.forked); whether it raises or is
    killed half-way, the export job fails and no result file, whole or partial, is left."""
    if not forked.fork_available():
        pytest.skip("needs os.fork")
    parent = os.getpid()

    def failing_workbook(rows, **kwargs):
        next(rows)
        assert os.getpid() != parent  # the writer's own process
        if death == "killed":
            os.kill(os.getpid(), signal.SIGKILL)
        raise OSError("disk full")

    monkeypatch.setattr(ledger_export, "_workbook", failing_workbook)
    with pytest.raises(forked.ForkedCallFailed):
        write_ledger(export_rows(longsheng_supervisor), title="t", unit="u", reveal=False)

    job = job_of(client_for(longsheng_supervisor).get(reverse("children:export")))
    assert job.status == JobStatus.FAILED and job.result_file == ""
    assert not list(files.results_dir().glob(f"*{job.pk}*"))
