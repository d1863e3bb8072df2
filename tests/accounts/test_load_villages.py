import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from accounts.models import Village


def write_xlsx(path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["泗水乡村级名单"])  # a title row above the header, as real files have
    sheet.append(["村代码", "乡镇代码", "名称"])
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_load_villages_from_xlsx_adds_and_updates(db, tmp_path):
    path = write_xlsx(
        tmp_path / "villages.xlsx",
        [
            ["450328201201", "450328201", "周家村"],
            ["450328201202", "450328201", "泗水村"],
            ["450328100201", "450328100", "山东村"],  # official code replaces provisional one
        ],
    )
    out = io.StringIO()
    call_command("load_villages", str(path), stdout=out)
    assert set(
        Village.objects.filter(township__code="450328201").values_list("name", flat=True)
    ) == {"周家村", "泗水村"}
    assert Village.objects.get(township__name="龙胜镇", name="山东村").code == "450328100201"
    assert "新增 2" in out.getvalue() and "更新 1" in out.getvalue()


def test_load_villages_from_csv_twice_changes_nothing_the_second_time(db, tmp_path):
    path = tmp_path / "villages.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["code", "township_code", "name"])
        writer.writerow(["450328204201", "450328204", "伟江村"])
    call_command("load_villages", str(path), stdout=io.StringIO())
    before = list(Village.objects.values_list("pk", "code", "name"))
    out = io.StringIO()
    call_command("load_villages", str(path), stdout=out)
    assert list(Village.objects.values_list("pk", "code", "name")) == before
    assert "未变 1" in out.getvalue()


def test_bad_file_is_refused_with_row_numbers_and_writes_nothing(db, tmp_path):
    path = write_xlsx(
        tmp_path / "bad.xlsx",
        [
            ["450328201201", "450328201", "周家村"],  # good
            ["450328999201", "450328999", "某村"],  # unknown township (row 4)
            ["450328201201", "450328201", "重复村"],  # duplicate code (row 5)
        ],
    )
    before = Village.objects.count()
    err = io.StringIO()
    with pytest.raises(CommandError, match="未写入"):
        call_command("load_villages", str(path), stdout=io.StringIO(), stderr=err)
    assert Village.objects.count() == before
    assert "第 4 行" in err.getvalue() and "450328999" in err.getvalue()
    assert "第 5 行" in err.getvalue() and "重复" in err.getvalue()


def test_non_spreadsheet_file_is_refused(db, tmp_path):
    path = tmp_path / "villages.xlsx"
    path.write_bytes(b"this is not a spreadsheet")
    with pytest.raises(CommandError):
        call_command("load_villages", str(path), stdout=io.StringIO())
