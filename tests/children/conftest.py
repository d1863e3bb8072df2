"""Workbook builders for the import and export tests; visit data for the caseload tests."""

import datetime as dt
import io
import itertools

import openpyxl
import pytest

from core.validators import make_synthetic_id_number

HEADERS = [
    "序号",
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "公民身份号码",
    "乡镇",
    "村（社区）",
    "组",
    "健康状况",
    "就学情况",
    "学校",
    "是否寄宿",
    "父亲姓名",
    "父亲状况",
    "母亲姓名",
    "母亲状况",
    "实际监护人",
    "与儿童关系",
    "监护人电话",
    "保障类别",
    "困境情形",
    "救助帮扶",
    "风险等级",
    "填表人",
    "填报日期",
]

_sequence = itertools.count()


def make_id(birth: dt.date, sex: str = "M") -> str:
    """A checksum-valid synthetic ID; a different one on every call for a given date."""
    while True:
        sequence = 900 + next(_sequence) % 100
        if (sequence % 2 == 1) == (sex == "M"):
            return make_synthetic_id_number("450328", birth, sequence, sex)


def child_row(n: int = 0, **overrides) -> dict:
    """One good ledger row for 龙胜镇 山东村, keyed by header."""
    birth = dt.date(2013, 1, 1) + dt.timedelta(days=37 * n)
    sex = overrides.pop("sex_code", "M" if n % 2 == 0 else "F")
    row = {
        "序号": n + 1,
        "姓名": f"导入儿童{n}",
        "性别": "男" if sex == "M" else "女",
        "民族": "苗族",
        "出生日期": birth.isoformat(),
        "公民身份号码": make_id(birth, sex),
        "乡镇": "龙胜镇",
        "村（社区）": "山东村",
        "组": "3组",
        "健康状况": "健康",
        "就学情况": "小学",
        "学校": "龙胜镇中心小学",
        "是否寄宿": "否",
        "父亲姓名": "王大山",
        "父亲状况": "外出务工",
        "母亲姓名": "李小梅",
        "母亲状况": "失联",
        "实际监护人": "王奶奶",
        "与儿童关系": "祖父母",
        "监护人电话": "13812345678",
        "保障类别": "其他困境儿童",
        "困境情形": "留守、监护缺失",
        "救助帮扶": "低保",
        "风险等级": "黄",
        "填表人": "张三",
        "填报日期": "2026-05-20",
    }
    row.update(overrides)
    return row


def row_of_registered_child(n: int, child, **overrides) -> dict:
    """A ledger row carrying an already registered child's ID number, birth date and sex (as
    if registered between an import's checks and its insert)."""
    return child_row(
        n,
        公民身份号码=child.id_number,
        出生日期=child.birth_date.isoformat(),
        性别="女" if child.sex == "F" else "男",
        **overrides,
    )


def build_ledger(
    rows,
    *,
    headers=None,
    title_rows=(),
    merge_title=True,
    total_row=False,
    blank_rows=False,
    sheet_hook=None,
) -> bytes:
    """An .xlsx ledger: optional title rows (merged across the header), the header, rows
    (dicts keyed by header; missing keys are blank cells), a 合计 row if asked."""
    headers = list(headers or HEADERS)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "花名册"
    for title in title_rows:
        ws.append([title])
        if merge_title:
            row = ws.max_row
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(headers))
    ws.append(headers)
    for index, row in enumerate(rows):
        ws.append([row.get(header) for header in headers])
        if blank_rows and index % 2 == 0:
            ws.append([None] * len(headers))
    if total_row:
        ws.append(["合计", f"{len(rows)}人"])
        ws.append(["填表人：张三", None, None, "审核人：李四"])
    if sheet_hook:
        sheet_hook(ws)
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def visit_data(day: dt.date) -> dict:
    """A plain home visit on ``day``, all well, as the visit services take it (the
    transfer and hand-over tests leave visits on a child's caseload)."""
    data = {
        "date": day,
        "kind": "home",
        "co_visitors": "",
        "place": "家中",
        "guardian_informed": True,
        "actions_taken": "",
        "follow_up_needed": False,
        "follow_up_note": "",
    }
    for part in ("emotion", "study", "life", "safety"):
        data[f"{part}_state"] = "good"
        data[f"{part}_note"] = ""
    return data


@pytest.fixture
def ledger():
    """``ledger(rows, **options)`` → workbook bytes (see build_ledger)."""
    return build_ledger
