"""A ledger workbook of N new children of one township, for the import benchmark.

Written by the portal's own 花名册 writer (children.io.ledger_export.write_ledger, which the
importer reads back unchanged), from unsaved children with fresh synthetic IDs of another
county's area code (450327), so they never collide with the seeded ones (450328).
"""

from __future__ import annotations

import datetime as dt
import random

from children.io.ledger_export import write_ledger
from children.models import Child, ChildAssistance, ChildCircumstance
from core.validators import make_synthetic_id_number

AREA_CODE = "450327"


def build(township, rows: int, *, seed: int = 1) -> bytes:
    rng = random.Random(seed)
    villages = list(township.villages.order_by("code"))
    today = dt.date(2026, 11, 28)
    used: set[str] = set()
    children = []
    surnames = "潘杨吴石龙蒙粟侯廖陆韦黄梁罗李"
    given = ["小花", "明", "雨涵", "子轩", "佳怡", "浩然", "思琪", "宇航", "俊杰", "一诺"]
    for number in range(rows):
        sex = rng.choice("MF")
        while True:
            birth = today - dt.timedelta(days=rng.randint(365, 17 * 365))
            sequence = rng.randrange(901 if sex == "M" else 900, 1000, 2)
            id_number = make_synthetic_id_number(AREA_CODE, birth, sequence, sex)
            if id_number not in used:
                used.add(id_number)
                break
        village = villages[number % len(villages)]
        child = Child(
            pk=-(number + 1),  # unsaved; a key lets the writer read the cached relations
            name=rng.choice(surnames) + rng.choice(given) + str(number),
            sex=sex,
            ethnicity="侗族",
            birth_date=birth,
            id_number=id_number,
            township=township,
            village=village,
            group=f"{rng.randint(1, 9)}组",
            address=f"{village.name}{rng.randint(1, 99)}号",
            school_stage="primary",
            guardian_name="奶奶",
            guardian_relation="grandparent",
            guardian_phone=f"139{rng.randint(10_000_000, 99_999_999)}",
            father_status="migrant_worker",
            mother_status="migrant_worker",
            benefit_category="other_difficulty",
            risk_level="yellow",
            registered_on=today,
        )
        child._prefetched_objects_cache = {
            "circumstances": [ChildCircumstance(code="left_behind")],
            "assistance": [ChildAssistance(code="dibao")] if number % 3 == 0 else [],
        }
        children.append(child)
    return write_ledger(
        children, title=f"{township.name}困境儿童花名册", unit=township.name, reveal=True
    )
