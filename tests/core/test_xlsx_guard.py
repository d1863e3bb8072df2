import datetime as dt
import io
import os
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.files.uploadedfile import SimpleUploadedFile

from core.xlsx_guard import (
    CalamineWorkbook,
    StreamingWorkbook,
    WorkbookRefused,
    assert_defusedxml_active,
    check_xlsx_upload,
    load_workbook_safely,
    open_workbook_fast_safely,
    open_workbook_streaming_safely,
)

NOT_XLSX = "文件不是有效的 Excel（.xlsx）文件"
CORRUPT = "文件已损坏"
MACRO = "不接受含宏的文件（.xlsm）"
BOMB = "文件异常（解压后过大），已拒绝"
OLE_HEADER = bytes.fromhex("D0CF11E0A1B11AE1")


def make_xlsx() -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "儿童名册"
    ws["A1"] = "龙胜县困境儿童名册"
    ws.merge_cells("A1:C1")
    ws.append(["姓名", "身份证号", "出生日期"])
    ws.append(["张小花", "450328201206010018", "2012-06-01"])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def rebuild(
    source: bytes,
    *,
    add: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
    replace: dict[str, bytes] | None = None,
) -> bytes:
    """Copy a workbook's zip members, then add, drop or replace some of them."""
    replace = replace or {}
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(source)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            if info.filename in drop:
                continue
            dst.writestr(info.filename, replace.get(info.filename, src.read(info)))
        for name, data in (add or {}).items():
            dst.writestr(name, data)
    return out.getvalue()


def refusal(data, **limits) -> str:
    with pytest.raises(WorkbookRefused) as exc:
        check_xlsx_upload(data, **limits)
    assert str(exc.value) == exc.value.message
    return exc.value.message


@pytest.fixture(scope="module")
def xlsx() -> bytes:
    return make_xlsx()


@pytest.fixture(scope="module")
def zeros_bomb(xlsx) -> bytes:
    # 50 MB of zeros deflate to about 50 KB: a ratio near 1000.
    out = io.BytesIO(xlsx)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("xl/media/zeros.bin", bytes(50 * 1024 * 1024))
    return out.getvalue()


class TestAccepted:
    def test_real_workbook_passes(self, xlsx):
        assert check_xlsx_upload(xlsx) is None

    def test_accepts_bytearray_and_memoryview(self, xlsx):
        assert check_xlsx_upload(bytearray(xlsx)) is None
        assert check_xlsx_upload(memoryview(xlsx)) is None

    def test_file_object_position_is_restored(self, xlsx):
        stream = io.BytesIO(xlsx)
        check_xlsx_upload(stream)
        assert stream.tell() == 0

    def test_django_uploaded_file(self, xlsx):
        upload = SimpleUploadedFile("名册.xlsx", xlsx)
        check_xlsx_upload(upload)
        assert upload.read() == xlsx


class TestRefusedContainers:
    def test_empty_file(self):
        assert "文件是空的" in refusal(b"")

    def test_empty_upload(self):
        assert "文件是空的" in refusal(SimpleUploadedFile("a.xlsx", b""))

    def test_too_large(self, xlsx):
        message = refusal(xlsx, max_bytes=len(xlsx) - 1)
        assert message.startswith("文件过大")

    def test_random_bytes(self):
        assert NOT_XLSX in refusal(os.urandom(4096))

    def test_old_xls_ole_header(self):
        assert NOT_XLSX in refusal(OLE_HEADER + bytes(4088))

    def test_csv_renamed(self):
        assert NOT_XLSX in refusal("姓名,身份证号\n张小花,450328201206010018\n".encode())

    def test_junk_before_zip_is_refused(self, xlsx):
        assert NOT_XLSX in refusal(b"#!junk" + xlsx)

    def test_truncated_zip_is_corrupt(self, xlsx):
        assert CORRUPT in refusal(xlsx[: len(xlsx) // 2])

    def test_zip_without_workbook(self, xlsx):
        assert NOT_XLSX in refusal(rebuild(xlsx, drop=("xl/workbook.xml",)))

    def test_zip_without_content_types(self, xlsx):
        assert NOT_XLSX in refusal(rebuild(xlsx, drop=("[Content_Types].xml",)))

    def test_other_zip(self):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("readme.txt", "hello")
        assert NOT_XLSX in refusal(out.getvalue())


class TestRefusedContent:
    def test_vba_project_member(self, xlsx):
        assert MACRO in refusal(rebuild(xlsx, add={"xl/vbaProject.bin": b"\x00" * 64}))

    def test_macro_enabled_content_type(self, xlsx):
        with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
            manifest = archive.read("[Content_Types].xml")
        assert b"spreadsheetml.sheet.main+xml" in manifest
        macro_manifest = manifest.replace(
            b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
            b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
        )
        data = rebuild(xlsx, replace={"[Content_Types].xml": macro_manifest})
        assert MACRO in refusal(data)

    @pytest.mark.parametrize("name", ["../evil.xml", "xl/../../evil.xml", "..\\evil.xml"])
    def test_parent_directory_member(self, xlsx, name):
        assert refusal(rebuild(xlsx, add={name: b"x"})) == "文件异常（包含非法的路径），已拒绝"

    @pytest.mark.parametrize("name", ["/etc/evil.xml", "C:/evil.xml"])
    def test_absolute_member(self, xlsx, name):
        assert "非法的路径" in refusal(rebuild(xlsx, add={name: b"x"}))

    def test_too_many_members(self, xlsx):
        with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
            count = len(archive.infolist())
        assert check_xlsx_upload(xlsx, max_members=count) is None
        assert "部件过多" in refusal(xlsx, max_members=count - 1)

    def test_zip_bomb_ratio(self, zeros_bomb):
        # Within the default 100 MB total, so only the ratio can catch it.
        assert len(zeros_bomb) < 1024 * 1024
        assert refusal(zeros_bomb) == BOMB

    def test_zip_bomb_total_size(self, xlsx):
        assert refusal(xlsx, max_uncompressed=1024) == BOMB

    def test_high_ratio_of_tiny_member_is_tolerated(self, xlsx):
        data = rebuild(xlsx, add={"xl/media/blank.bin": bytes(512 * 1024)})
        assert check_xlsx_upload(data) is None

    def test_ratio_limit_is_configurable(self, zeros_bomb):
        assert check_xlsx_upload(zeros_bomb, max_ratio=100_000) is None


class TestLoadWorkbookSafely:
    def test_loads_with_merged_cells_and_formulas(self, xlsx):
        source = openpyxl.load_workbook(io.BytesIO(xlsx))
        source.active["D3"] = "=1+1"
        buffer = io.BytesIO()
        source.save(buffer)

        wb = load_workbook_safely(buffer.getvalue())
        ws = wb.active
        assert [str(r) for r in ws.merged_cells.ranges] == ["A1:C1"]
        assert ws["B3"].value == "450328201206010018"
        assert ws["D3"].data_type == "f"

    def test_runs_the_guard_with_limits(self, xlsx):
        with pytest.raises(WorkbookRefused, match="文件过大"):
            load_workbook_safely(xlsx, max_bytes=100)
        with pytest.raises(WorkbookRefused, match="不接受含宏"):
            load_workbook_safely(rebuild(xlsx, add={"xl/vbaProject.bin": b"x"}))

    def test_accepts_file_object(self, xlsx):
        assert load_workbook_safely(io.BytesIO(xlsx)).active.title == "儿童名册"

    def test_broken_part_becomes_refusal(self, xlsx):
        data = rebuild(xlsx, replace={"xl/workbook.xml": b"<not-xml"})
        with pytest.raises(WorkbookRefused) as exc:
            load_workbook_safely(data)
        assert CORRUPT in exc.value.message
        assert exc.value.__cause__ is not None

    def test_entity_declaration_is_refused(self, xlsx):
        with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
            workbook_xml = archive.read("xl/workbook.xml")
        # The first step of a "billion laughs" attack; defusedxml refuses any entity.
        doctype = b'<!DOCTYPE workbook [<!ENTITY lol "lol">]>'
        root_at = workbook_xml.index(b"<workbook")
        hostile = workbook_xml[:root_at] + doctype + workbook_xml[root_at:]
        data = rebuild(xlsx, replace={"xl/workbook.xml": hostile})
        assert check_xlsx_upload(data) is None
        with pytest.raises(WorkbookRefused) as exc:
            load_workbook_safely(data)
        assert exc.value.message == "文件异常（包含不安全的内容），已拒绝"


class TestDefusedXml:
    def test_active(self):
        assert assert_defusedxml_active() is None

    def test_detects_disabled(self, monkeypatch):
        import openpyxl.xml

        monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
        with pytest.raises(ImproperlyConfigured):
            assert_defusedxml_active()


# --- the fast reader: calamine, with openpyxl for formulas and the 1904 date system ---------


def _typed_workbook(**options) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    ws["A1"] = "标题"
    ws.merge_cells("A1:F1")
    ws.append(["序号", "姓名", "出生日期", "身份证号", "金额", "寄宿"])
    ws.append([1, "张小花", dt.datetime(2012, 6, 1), "450328201206010018", 1.5, True])
    ws.append([2, "", None, 45032820120601, 3, False])  # a numeric ID cell
    ws["C3"].number_format = "yyyy-mm-dd"
    hidden = wb.create_sheet("隐藏")
    hidden["A1"] = "x"
    hidden.sheet_state = "hidden"
    for cell, value in options.get("cells", {}).items():
        ws[cell] = value
    if options.get("date1904"):
        wb.epoch = openpyxl.utils.datetime.MAC_EPOCH
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _cells(workbook):
    sheets = [(sheet.title, sheet.state) for sheet in workbook.sheets]
    first = workbook.read(workbook.sheets[0])
    workbook.close()
    return sheets, first.rows, first.merged


def test_the_fast_reader_reads_what_the_streaming_reader_reads():
    data = _typed_workbook()
    fast = open_workbook_fast_safely(data)
    assert isinstance(fast, CalamineWorkbook)
    sheets, rows, merged = _cells(fast)
    assert (sheets, rows, merged) == _cells(open_workbook_streaming_safely(data))
    assert sheets == [("花名册", "visible"), ("隐藏", "hidden")]
    assert rows[3][3] == (dt.datetime(2012, 6, 1), "d")
    assert rows[3][4] == ("450328201206010018", "s")
    assert rows[4][4] == (45032820120601, "n")  # refused later as a numeric ID cell
    assert rows[3][5] == (1.5, "n") and rows[4][5] == (3, "n") and rows[3][6] == (True, "b")
    assert 2 not in rows[4] and 3 not in rows[4]  # empty cells are absent
    assert merged == ["A1:F1"]


@pytest.mark.parametrize(
    "options",
    [{"cells": {"B4": "=A1&A2"}}, {"date1904": True}],
    ids=["formula", "date1904"],
)
def test_formulas_and_the_1904_date_system_are_read_by_openpyxl(options):
    """calamine gives a formula's cached value only (the importer must name each formula
    cell) and knows no workbook epoch for numbers typed as dates: openpyxl reads those."""
    data = _typed_workbook(**options)
    workbook = open_workbook_fast_safely(data)
    assert isinstance(workbook, StreamingWorkbook)
    if "cells" in options:
        assert workbook.read(workbook.sheets[0]).rows[4][2] == ("=A1&A2", "f")
    else:
        assert workbook.epoch == openpyxl.utils.datetime.MAC_EPOCH


def test_the_fast_reader_refuses_what_the_guard_refuses(zeros_bomb):
    assert BOMB in refusal_of(open_workbook_fast_safely, zeros_bomb)
    assert NOT_XLSX in refusal_of(open_workbook_fast_safely, b"not a workbook at all")


def refusal_of(function, data) -> str:
    with pytest.raises(WorkbookRefused) as caught:
        function(data)
    return caught.value.message
