#!/usr/bin/env python
"""The ledger export and import against their floors, side by side (issue 21).

    DATABASE_URL=postgres://…/longsheng_bench_100000 \\
        .venv/bin/python bench/writers.py [export|import|all] [--rows 10000] [--out FILE]

**Export** (the whole ledger as the county admin, every child of the database):

* ``ours``: the export job itself (``children.jobs.run_ledger_export`` through
  ``jobs.runner.job_run``: the scoped, filtered rows, the 花名册 written by
  rustpy-xlsxwriter in a forked process (``core.forked``) with every cell through the
  safe-text rule, the file written atomically) — the job time the target (≤ 10 s) is about;
* ``read``: reading the same rows from PostgreSQL (``ledger_rows``), nothing written;
* ``cells``: turning them into the sheet's cell values (``ledger_export.ledger_records``);
* the floors, writing those same cell values (already computed, so only the writer is
  timed): ``xlsxwriter_constant_memory`` (XlsxWriter's typed ``write_*`` in
  constant-memory mode) and ``rustpy_xlsxwriter`` (rust_xlsxwriter, constant memory);
  ``floor_s`` is read + cells + the fastest writer, one after the other in one process (the
  job overlaps the writer with the other two, so it may come in under this floor).

**Import** (a ``--rows``-row 花名册 of new children of the largest township, written by the
portal's own exporter, bench/ledgerfile.py):

* ``ours``: preview then write as the two jobs run them (bench/ledgerfile.py
  ``preview_then_write``: the write takes over the rows the preview checked), rolled back
  so that the database keeps its size — the target is ≤ 15 s for 10,000 rows;
* ``read_ours``: the importer's reader alone (``open_workbook_fast_safely``: calamine);
* the floors of reading: ``read_calamine`` (python-calamine, the grid as Python values)
  and ``read_openpyxl`` (the openpyxl streaming reader the importer used before).

Functions for bench/run.py (each needs Django set up against a benchmark database; this
module sets it up when imported): ``measure_export() -> dict``,
``measure_import(rows=10000, runs=1) -> dict``, ``verdicts(export, imp) -> [(target,
measured, "PASS"|"MISS")]`` and ``report(export, imp) -> [lines]``.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "longsheng_care.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.choices import Role  # noqa: E402
from accounts.models import Township, User  # noqa: E402
from children.models import Child  # noqa: E402

EXPORT_TARGET_S = 10.0
IMPORT_TARGET_S = 15.0  # for 10,000 rows; scaled with --rows


def _county_admin() -> User:
    user = User.objects.filter(role=Role.COUNTY_ADMIN, is_active=True).order_by("pk").first()
    if user is None:
        raise SystemExit("bench: run seed_demo and seed_scale first (no county admin)")
    return user


def _largest_township() -> tuple[Township, User]:
    township = Township.objects.get(
        pk=Child.objects.order_by()
        .values("township")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("township", flat=True)[:1]
    )
    supervisor = (
        User.objects.filter(role=Role.TOWNSHIP_SUPERVISOR, township=township, is_active=True)
        .order_by("pk")
        .first()
    )
    return township, supervisor or _county_admin()


def _timed(fn):
    gc.collect()
    start = time.perf_counter()
    result = fn()
    return result, round(time.perf_counter() - start, 2)


# --- export ---------------------------------------------------------------------------------


def _export_job(user) -> tuple[float, int, int]:
    """Run the ledger export job for ``user`` over the whole ledger, as the worker does;
    (seconds, rows, bytes). The job and its file are removed afterwards."""
    from jobs import files
    from jobs.models import Job
    from jobs.runner import job_run

    job = Job.objects.create(
        owner=user,
        kind="ledger_export",
        title="bench",
        params={"query": "", "reveal": False, "filters": {}},
        expires_at=timezone.now() + timedelta(hours=1),
    )
    try:
        _none, seconds = _timed(lambda: job_run(job_id=job.pk))
        job.refresh_from_db()
        if job.status != "done":
            raise SystemExit(f"bench: the export job ended {job.status}: {job.message}")
        path = files.result_path(job.result_file)
        size = path.stat().st_size if path is not None else 0
        return seconds, job.done, size
    finally:
        files.remove(job.result_file)
        files.remove_partials(job.pk)
        job.delete()


def _write_xlsxwriter(values: list[list], headers: list[str]) -> int:
    import xlsxwriter

    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"constant_memory": True}) as workbook:
        sheet = workbook.add_worksheet("花名册")
        date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
        write_string, write_number = sheet.write_string, sheet.write_number
        write_datetime = sheet.write_datetime
        for column, text in enumerate(headers):
            write_string(2, column, text)
        for row, record in enumerate(values, start=3):
            for column, value in enumerate(record):
                if value is None:
                    continue
                if isinstance(value, str):
                    write_string(row, column, value)
                elif isinstance(value, int | float):
                    write_number(row, column, value)
                else:
                    write_datetime(row, column, value, date_format)
    return len(buffer.getvalue())


def _write_rustpy(values: list[list], headers: list[str]) -> int:
    from rustpy_xlsxwriter import FastExcel

    buffer = io.BytesIO()
    records = (dict(zip(headers, record, strict=True)) for record in values)
    (
        FastExcel(buffer)
        .format(datetime_format="yyyy-mm-dd")
        .sheet("花名册", records, header_row=2)
        .save()
    )
    return len(buffer.getvalue())


def measure_export() -> dict:
    from children.io import ledger_export
    from children.selectors import child_list

    user = _county_admin()
    ours, rows, size = _export_job(user)
    result = {"rows": rows, "ours": {"seconds": ours, "bytes": size}}

    children = child_list(user)
    source, result["read_s"] = _timed(lambda: list(ledger_export.ledger_rows(children)))
    headers = list(ledger_export.HEADERS)
    values, result["cells_s"] = _timed(
        lambda: [
            list(record.values())
            for record in ledger_export.ledger_records(source, False, date.today())
        ]
    )
    source = None  # only the cell values are kept for the writers
    writers = {
        "xlsxwriter_constant_memory": _write_xlsxwriter,
        "rustpy_xlsxwriter": _write_rustpy,
    }
    result["writers"] = {}
    for name, write in writers.items():
        size, seconds = _timed(lambda write=write: write(values, headers))
        result["writers"][name] = {"seconds": seconds, "bytes": size}
    fastest = min(result["writers"].values(), key=lambda figures: figures["seconds"])
    result["floor_s"] = round(result["read_s"] + result["cells_s"] + fastest["seconds"], 2)
    return result


# --- import ---------------------------------------------------------------------------------


def _read_calamine(data: bytes) -> int:
    import python_calamine

    workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return len(workbook.get_sheet_by_index(0).to_python(skip_empty_area=False))


def _read_with(opener, data: bytes) -> int:
    workbook = opener(data)
    try:
        return len(workbook.read(workbook.sheets[0]).rows)
    finally:
        workbook.close()


def measure_import(rows: int = 10000, runs: int = 1) -> dict:
    import ledgerfile

    from core.xlsx_guard import open_workbook_fast_safely, open_workbook_streaming_safely

    township, actor = _largest_township()
    data = ledgerfile.build(township, rows)
    result = {"rows": rows, "file_bytes": len(data)}
    previews, writes = [], []
    for _run in range(runs):
        # As the two jobs run it: the write takes over the rows the preview checked.
        run = ledgerfile.preview_then_write(township, actor, data)
        previews.append(run["preview_s"])
        writes.append(run["write_s"])
        errors = run["preview"]["errors"] or run["written"]["errors"]
        if errors:
            result["errors"] = [error["message"] for error in errors[:3]]
        result["new"] = run["written"]["new"]
        result["write_reused_preview"] = run["reused"]
    preview_s, write_s = statistics.median(previews), statistics.median(writes)
    result["ours"] = {
        "preview_s": preview_s,
        "write_s": write_s,
        "seconds": round(preview_s + write_s, 2),
        "runs": runs,
    }
    _n, result["read_ours_s"] = _timed(lambda: _read_with(open_workbook_fast_safely, data))
    _n, result["read_calamine_s"] = _timed(lambda: _read_calamine(data))
    _n, result["read_openpyxl_s"] = _timed(lambda: _read_with(open_workbook_streaming_safely, data))
    return result


# --- verdicts -------------------------------------------------------------------------------


def verdicts(export: dict | None, imp: dict | None) -> list[tuple[str, str, str]]:
    out = []
    if export:
        seconds = export["ours"]["seconds"]
        out.append(
            (
                f"export {export['rows']:,} rows ≤ {EXPORT_TARGET_S:g} s (job time)",
                f"{seconds} s (floor {export['floor_s']} s)",
                "PASS" if seconds <= EXPORT_TARGET_S else "MISS",
            )
        )
    if imp:
        target = IMPORT_TARGET_S * imp["rows"] / 10000
        seconds = imp["ours"]["seconds"]
        ok = seconds <= target and not imp.get("errors")
        out.append(
            (
                f"import {imp['rows']:,} rows ≤ {target:g} s (preview + write)",
                f"{seconds} s" + (f" ({imp['errors']})" if imp.get("errors") else ""),
                "PASS" if ok else "MISS",
            )
        )
    return out


def report(export: dict | None, imp: dict | None) -> list[str]:
    lines = []
    if export:
        lines += [
            f"export, {export['rows']:,} rows (the whole ledger, county admin)",
            f"  ours: the export job                 {export['ours']['seconds']:>7.2f} s",
            f"  read the rows (PostgreSQL)           {export['read_s']:>7.2f} s",
            f"  rows → cell values                   {export['cells_s']:>7.2f} s",
        ]
        for name, figures in export["writers"].items():
            lines.append(f"  write, {name:<30}{figures['seconds']:>7.2f} s")
        lines.append(f"  floor: read + cells + fastest writer {export['floor_s']:>7.2f} s")
    if imp:
        ours = imp["ours"]
        lines += [
            f"import, {imp['rows']:,} rows ({imp['file_bytes']:,} bytes)",
            f"  ours: preview + write                {ours['seconds']:>7.2f} s "
            f"({ours['preview_s']:.2f} + {ours['write_s']:.2f})",
            f"  read, ours (calamine reader)         {imp['read_ours_s']:>7.2f} s",
            f"  read floor, python-calamine          {imp['read_calamine_s']:>7.2f} s",
            f"  read, openpyxl (streaming)           {imp['read_openpyxl_s']:>7.2f} s",
        ]
    for target, measured, verdict in verdicts(export, imp):
        lines.append(f"{verdict:<5} {target:<48} {measured}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", nargs="?", default="all", choices=["export", "import", "all"])
    parser.add_argument("--rows", type=int, default=10000, help="rows of the import file")
    parser.add_argument("--runs", type=int, default=1, help="import runs (median)")
    parser.add_argument("--out", help="also write the figures to this JSON file")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        raise SystemExit("bench: measure against PostgreSQL (DATABASE_URL=postgres://…)")
    load = [round(os.getloadavg()[0], 1)]
    export = measure_export() if args.part in ("export", "all") else None
    imp = measure_import(args.rows, args.runs) if args.part in ("import", "all") else None
    load.append(round(os.getloadavg()[0], 1))
    for line in report(export, imp):
        print(line, flush=True)
    print(f"(load average before/after: {load[0]} / {load[1]} on {os.cpu_count()} cores)")
    if args.out:
        payload = {
            "export": export,
            "import": imp,
            "load_average": load,
            "verdicts": [
                {"target": t, "measured": m, "verdict": v} for t, m, v in verdicts(export, imp)
            ],
        }
        Path(args.out).write_text(json.dumps(payload, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
