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


def preview_then_write(township, actor, data: bytes) -> dict:
    """Import ``data`` the way the two background jobs do: the preview job
    (children.jobs.run_import_preview) on a staged copy of the file, then the write job
    (run_import_write) on the same staged file, so the write takes over the rows the
    preview checked. The write is rolled back so that the database keeps its size.

    Returns both job results and their times; ``reused`` says whether the write found the
    preview's saved rows (it reads and checks the file again when not)."""
    import time

    from django.db import transaction
    from django.utils import timezone

    from children.io import previewed, staging
    from children.jobs import (
        LEDGER_IMPORT_PREVIEW,
        LEDGER_IMPORT_WRITE,
        run_import_preview,
        run_import_write,
    )
    from jobs.models import Job
    from jobs.runner import Progress

    token = staging.stage(data)
    params = {"token": token, "township": township.pk, "filename": "bench.xlsx"}
    # Unsaved jobs: the job functions read only owner and params, and their progress
    # reports update no row.
    preview_job = Job(owner=actor, kind=LEDGER_IMPORT_PREVIEW, params=params)
    write_job = Job(owner=actor, kind=LEDGER_IMPORT_WRITE, params={**params})
    try:
        start = time.perf_counter()
        preview = run_import_preview(preview_job, Progress(preview_job)).result
        preview_s = time.perf_counter() - start
        key = previewed.preview_key(data=data, township=township, day=timezone.localdate())
        reused = previewed.load(token, key=key) is not None  # not timed
        with transaction.atomic():
            start = time.perf_counter()
            written = run_import_write(write_job, Progress(write_job)).result
            write_s = time.perf_counter() - start
            transaction.set_rollback(True)
    finally:
        staging.discard(token)
    return {
        "preview": preview,
        "written": written,
        "preview_s": preview_s,
        "write_s": write_s,
        "reused": reused,
    }
