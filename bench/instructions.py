#!/usr/bin/env python
"""CPU instructions per request of each step of the load mix, counted by valgrind.

    .venv/bin/python bench/instructions.py                 # every step, 5 requests each
    .venv/bin/python bench/instructions.py child form -n 10

The machines this runs on share their cores with neighbours: the same request measured in
seconds differs by up to 2x from one minute to the next (bench/LOAD.md). Valgrind's callgrind
counts the instructions a process executes instead, which gives the same count run after
run, so a change of a few per cent can be seen. It counts the Django process only (not
PostgreSQL), and a counted instruction is not a fixed time; it compares code, not machines.

For each step it runs one Python process under callgrind that warms every page up (twice each)
and then requests that step ``-n`` times, and subtracts a process that only warms up: the
difference divided by ``-n`` is the count of one request. Requests go through Django's test
client (the whole middleware stack, signed in with force_login) on the database of
bench/load.py (``longsheng_load``: run that once first), with its production-like settings.
About a minute per step with two in parallel; needs valgrind.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load import DATABASE, FLOOR_PATH, ROOT, VISIT_FORM, django_env, server_url, with_db

STEPS = ["floor", "list", "search", "child", "form", "visit", "dashboard", "export"]


def child_process(step: str, count: int) -> None:
    """Inside valgrind: set Django up, warm every step up, then request ``step`` ``count``
    times."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.utils import timezone

    from accounts.models import Village

    def client(username: str) -> Client:
        signed_in = Client()
        signed_in.force_login(get_user_model().objects.get(username=username))
        return signed_in

    director, supervisor, county = client("director"), client("longsheng"), client("county")
    listing = director.get("/children/?status=active").content.decode()
    child = re.findall(r'href="/children/(\d+)/"', listing)[0]
    village = Village.objects.filter(township__name="龙胜镇").values_list("pk", flat=True)[0]
    form = director.get(f"/visits/new/{child}/").content.decode()
    visitor = re.search(r'<option value="(\d+)"[^>]*selected', form).group(1)
    visit = {**VISIT_FORM, "date": timezone.localdate().isoformat(), "visitor": visitor}
    requests = {
        "floor": (director, "get", FLOOR_PATH, None, 200),
        "list": (director, "get", "/children/?status=active", None, 200),
        "search": (supervisor, "get", "/children/?q=li", None, 200),
        "child": (director, "get", f"/children/{child}/", None, 200),
        "form": (director, "get", f"/visits/new/{child}/", None, 200),
        "visit": (director, "post", f"/visits/new/{child}/", visit, 302),
        "dashboard": (county, "get", "/reports/dashboard/", None, 200),
        # The export's submission: the workbook is written by the job worker, not counted.
        "export": (supervisor, "get", f"/children/export.xlsx?village={village}", None, 302),
    }

    def request(name: str) -> None:
        user, method, path, data, expected = requests[name]
        response = getattr(user, method)(path, data) if data else getattr(user, method)(path)
        if response.status_code != expected:
            raise SystemExit(f"{name}: {response.status_code} instead of {expected}")

    for name in STEPS:
        request(name)
        request(name)
    for _ in range(count):
        request(step)


def counted(step: str, count: int, env: dict) -> int:
    """Instructions of one child process (valgrind's "Collected" total)."""
    command = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        __file__,
        "--child-run",
        step,
        str(count),
    ]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    match = re.search(r"Collected : (\d+)", result.stderr)
    if result.returncode != 0 or not match:
        raise SystemExit(f"instructions: {step} failed:\n{result.stderr[-2000:]}")
    return int(match.group(1))


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child-run":
        child_process(sys.argv[2], int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("steps", nargs="*", help=f"some of {', '.join(STEPS)} (default: all)")
    parser.add_argument("-n", type=int, default=5, help="requests of the step counted")
    args = parser.parse_args()
    args.steps = args.steps or STEPS
    if set(args.steps) - set(STEPS):
        parser.error(f"steps are {', '.join(STEPS)}")
    if not shutil.which("valgrind"):
        raise SystemExit("instructions: needs valgrind (apt-get install valgrind)")

    work = Path(tempfile.mkdtemp(prefix="longsheng-instructions-"))
    env = django_env(with_db(server_url(), DATABASE), "", str(work / "static"), str(work / "media"))
    env["DJANGO_SETTINGS_MODULE"] = "longsheng_care.settings"
    env["ALLOWED_HOSTS"] = "testserver"
    try:
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            base = pool.submit(counted, "floor", 0, env)
            runs = {step: pool.submit(counted, step, args.n, env) for step in args.steps}
            print(f"{'step':<10} {'instructions per request':>26}")
            for step, run in runs.items():
                per_request = (run.result() - base.result()) / args.n
                print(f"{step:<10} {per_request / 1e6:>24.1f} M")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
