#!/usr/bin/env python
"""Load test of the portal (issues 7 and 21): Locust against two app servers on 127.0.0.1.

    .venv/bin/python bench/load.py                        # longsheng_load, 10,000 children
    .venv/bin/python bench/load.py --reuse --users 8 --duration 30
    .venv/bin/python bench/load.py --database longsheng_bench_100000   # a bench/run.py database

What it does (see bench/LOAD.md for the figures measured):

1. the PostgreSQL database: ``--database NAME`` uses an existing one as it is (migrated);
   otherwise ``longsheng_load`` on the server of DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432), created again unless ``--reuse``: migrated,
   ``seed_demo --force`` (the demo accounts, password demo-pass-2026), ``seed_scale
   --children N --force``;
2. Redis on 127.0.0.1 (``--redis``, default redis://127.0.0.1:6379/13; that database is
   emptied first): the cache, the sessions (cached_db) and the job queue (RQ) of both servers;
3. ``collectstatic`` into a temporary STATIC_ROOT, one temporary MEDIA_ROOT shared by
   everything, then ``--instances`` gunicorn servers (deploy/gunicorn.conf.py, ``--workers``
   sync workers each) on free ports of 127.0.0.1 and one RQ worker (``manage.py rqworker``),
   all with the same production-like settings (DEBUG=0, one SECRET_KEY, no TLS redirect,
   cookies without Secure since this is plain HTTP on the loopback);
4. the cross-server check (``crosscheck``): what one server does, the other sees — a session
   signed in on A used on B, failed sign-ins split between A and B locking the account on both,
   the dashboard's cached figures computed on A served by B, an export job submitted on A,
   run by the worker and downloaded on B (its file in the shared MEDIA_ROOT), an import file
   uploaded on A and its preview read on B;
5. Locust, headless (bench/locustfile.py), bounded by ``--duration`` and ``--max-requests``:
   first the floor (every user requests the simplest signed-in page) for ``--floor-duration``
   seconds, then the mix for each ``--users`` count; the users are spread over the servers;
6. stops everything it started and prints, per step and overall: requests, errors,
   requests/s and p50/p95/p99/max, the mix as a fraction of the floor and the issue's
   targets with PASS/MISS; the figures also go to bench/results/load-<time>.json.

Only 127.0.0.1 is ever contacted.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
PYTHON = sys.executable
BIN = Path(PYTHON).parent
HOST = "127.0.0.1"
DATABASE = "longsheng_load"
# The key every bench process runs with (bench/run.py and bench/measure.py use the same): the
# encryption keys are derived from it, so a database seeded by one script reads in another.
BENCH_SECRET_KEY = os.environ.get("SECRET_KEY", "bench-only-key")
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
DEMO_PASSWORD = "demo-pass-2026"  # accounts/demo.py
# The targets (issue 21): at 8 users without think time, 0 errors and p95 ≤ 250 ms;
# the mix's throughput at least half the floor's on the same servers.
TARGETS = {"users": 8, "errors": 0, "p95_ms": 250, "mix_vs_floor": 0.5}
# The floor: the simplest signed-in page (the password form: the layout, the session, the
# login check, CSRF and the security headers, one small form, no data). What this stack can
# serve at best on this machine, whatever the pages do.
FLOOR_PATH = "/accounts/password/"
# What a virtual director fills in on the visit form, besides the date and the visitor.
VISIT_FORM = {
    "kind": "home",
    "place": "儿童家中",
    "emotion_state": "good",
    "study_state": "fair",
    "life_state": "good",
    "safety_state": "good",
    "guardian_informed": "on",
    "actions_taken": "压力测试：与监护人沟通学习安排",
}
# A user with no business on the portal: the lockout check locks it, then it is cleared.
LOCK_PROBE = "load-lock-probe"


def say(message: str) -> None:
    print(message, flush=True)


# --- the database ----------------------------------------------------------------------------


def server_url() -> str:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit("load: PostgreSQL only (production); set DATABASE_URL=postgres://…")
    if parts.hostname not in ("127.0.0.1", "localhost"):
        raise SystemExit("load: the database must be on 127.0.0.1")
    return url


def with_db(url: str, name: str, **query) -> str:
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query))
    params.update({k: str(v) for k, v in query.items()})
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", urlencode(params), ""))


def admin_sql(url: str, sql: str) -> list:
    import psycopg

    parts = urlsplit(with_db(url, "postgres"))
    conninfo = urlunsplit(("postgresql", parts.netloc, parts.path, "", ""))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        cursor = conn.execute(sql)
        return cursor.fetchall() if cursor.description else []


def django_env(db_url: str, redis_url: str, static_root: str, media_root: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        REDIS_URL=redis_url,
        DEBUG="0",
        SECRET_KEY=BENCH_SECRET_KEY,
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        STATIC_ROOT=static_root,
        MEDIA_ROOT=media_root,
        LOG_LEVEL="WARNING",
        GUNICORN_LOG_LEVEL="warning",
        PYTHONHASHSEED="0",
    )
    for key in ("BEHIND_TLS_PROXY", "CACHE_URL"):
        env.pop(key, None)
    return env


def manage(env: dict, *args: str, quiet: bool = True) -> str:
    started = time.monotonic()
    proc = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    if not quiet:
        say(f"   manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s")
    return proc.stdout


def prepare_database(url: str, children: int, reuse: bool, env: dict) -> None:
    exists = bool(admin_sql(url, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"))
    if exists and reuse:
        say(f"== reusing {DATABASE}")
        manage(env, "migrate", "--no-input", "-v0")
        return
    say(f"== creating {DATABASE} ({children} synthetic children)")
    admin_sql(url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    admin_sql(url, f'CREATE DATABASE "{DATABASE}"')
    manage(env, "migrate", "--no-input", "-v0", quiet=False)
    manage(env, "seed_demo", "--force", quiet=False)
    if children:
        manage(env, "seed_scale", "--children", str(children), "--force", quiet=False)


def check_redis(redis_url: str) -> None:
    import redis

    parts = urlsplit(redis_url)
    if parts.hostname != HOST:
        raise SystemExit("load: Redis must be on 127.0.0.1")
    client = redis.Redis.from_url(redis_url)
    try:
        client.ping()
    except redis.ConnectionError as exc:
        raise SystemExit(f"load: no Redis at {redis_url} ({exc})") from exc
    client.flushdb()  # this run's database only: stale sessions, cache and jobs go


# --- the servers -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start(command: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    log = log_path.open("wb")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def start_gunicorn(env: dict, workers: int, port: int, log_path: Path) -> subprocess.Popen:
    import requests

    env = {**env, "GUNICORN_BIND": f"{HOST}:{port}", "GUNICORN_WORKERS": str(workers)}
    process = start(
        [str(BIN / "gunicorn"), "longsheng_care.wsgi", "-c", "deploy/gunicorn.conf.py"],
        env,
        log_path,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"load: gunicorn exited; see {log_path}")
        try:
            if requests.get(f"http://{HOST}:{port}/accounts/login/", timeout=5).status_code == 200:
                return process
        except requests.RequestException:
            pass
        time.sleep(0.3)
    stop(process)
    raise SystemExit(f"load: gunicorn did not answer within 60 s; see {log_path}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to a process this script started (gunicorn's master stops its workers)."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- a browser ---------------------------------------------------------------------------------

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_VILLAGE_OPTIONS = re.compile(r'<select name="village"[^>]*>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option value="(\d+)"')
_JOB = re.compile(r"/jobs/([0-9a-f-]{36})/$")


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


def browser():
    import requests

    return requests.Session()


def sign_in(session, base: str, username: str, password: str = DEMO_PASSWORD):
    page = session.get(f"{base}/accounts/login/", timeout=30)
    return session.post(
        f"{base}/accounts/login/",
        data={
            "csrfmiddlewaretoken": csrf_token(page.text),
            "username": username,
            "password": password,
        },
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=30,
    )


def signed_in(response) -> bool:
    return response.status_code == 302 and "/accounts/login/" not in response.headers.get(
        "Location", ""
    )


def discover(base: str) -> dict:
    """What the workload needs to know: today's date, the supervisor's villages."""
    session = browser()
    if not signed_in(sign_in(session, base, "longsheng")):
        raise SystemExit("load: the supervisor 'longsheng' cannot sign in (seed_demo?)")
    page = session.get(f"{base}/children/", timeout=30)
    select = _VILLAGE_OPTIONS.search(page.text)
    villages = _OPTION.findall(select.group(1)) if select else []
    if not villages:
        raise SystemExit("load: the supervisor's ledger page lists no villages")
    return {"today": dt.date.today().isoformat(), "villages": villages}


def warm_up(bases: list[str], rounds: int = 4) -> None:
    """Each page of the mix a few times on every server, unmeasured: the first requests of a
    worker compile templates and fill its caches, which a short run would otherwise count."""
    pages = {
        "director": ["/children/?status=active", FLOOR_PATH],
        "longsheng": ["/children/?q=l", FLOOR_PATH],
        "county": ["/reports/dashboard/", FLOOR_PATH],
    }
    _child = re.compile(r'href="/children/(\d+)/"')
    for base in bases:
        for username, paths in pages.items():
            session = browser()
            sign_in(session, base, username)
            for _ in range(rounds):
                for path in paths:
                    text = session.get(f"{base}{path}", timeout=60).text
                    found = _child.search(text) if username == "director" else None
                    if found:
                        session.get(f"{base}/children/{found.group(1)}/", timeout=60)
                        session.get(f"{base}/visits/new/{found.group(1)}/", timeout=60)


# --- nothing in one process's memory ------------------------------------------------------------


def wait_for_job(session, base: str, job: str, seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        text = session.get(f"{base}/jobs/{job}/progress/", timeout=30).text
        if "job-download" in text or "text-success" in text:
            return "done"
        if "alert-danger" in text or "alert-warning" in text:
            return "failed"
        time.sleep(0.5)
    return "timeout"


def crosscheck(bases: list[str], env: dict, villages: list[str]) -> list[dict]:
    """Each thing a request leaves behind, done on server A and looked for on server B."""
    a, b = bases[0], bases[-1]
    checks = []

    def record(name: str, ok: bool, detail: str) -> None:
        checks.append({"check": name, "ok": bool(ok), "detail": detail})

    # Sessions: signed in on A, the same cookie on B.
    session = browser()
    answer = sign_in(session, a, "county")
    page = session.get(f"{b}/accounts/password/", allow_redirects=False, timeout=30)
    record(
        "session signed in on A is valid on B",
        signed_in(answer) and page.status_code == 200,
        f"sign-in on A {answer.status_code}, password page on B {page.status_code}",
    )

    # Cache: the dashboard's figures are cached for a minute and the page says at which
    # minute they were computed. Computed on A in the last seconds of a minute, then asked of
    # B in the next minute: B shows A's minute only if it read A's figures from the cache.
    stamp = re.compile(r"为 (\d{1,2}:\d{2}) 的数据")
    while dt.datetime.now().second < 57:
        time.sleep(0.2)
    first = session.get(f"{a}/reports/dashboard/", timeout=60).text
    while dt.datetime.now().second >= 57:
        time.sleep(0.2)
    time.sleep(0.5)
    second = session.get(f"{b}/reports/dashboard/", timeout=60).text
    minute = f"{dt.datetime.now().minute:02d}"  # the page's hour is Asia/Shanghai's
    found_a, found_b = stamp.findall(first), stamp.findall(second)
    record(
        "dashboard figures cached by A are served by B",
        bool(found_a) and found_a == found_b and found_b[0][-2:] != minute,
        f"computed at {found_a[:1]} on A, shown by B at minute {minute}: {found_b[:1]}",
    )

    # Lockout: failures split between the servers lock the account on both.
    manage(env, "shell", "-c", PROBE_USER_CODE)
    try:
        statuses = []
        for i in range(5):
            statuses.append(
                sign_in(browser(), bases[i % len(bases)], LOCK_PROBE, "wrong").status_code
            )
        right = sign_in(browser(), a, LOCK_PROBE, PROBE_PASSWORD).status_code
        right_b = sign_in(browser(), b, LOCK_PROBE, PROBE_PASSWORD).status_code
        record(
            "5 failures over A and B lock the account on both",
            statuses == [200, 200, 200, 200, 429] and right == 429 and right_b == 429,
            f"failures {statuses}; right password then: A {right}, B {right_b}",
        )
    finally:
        manage(env, "axes_reset_username", LOCK_PROBE)

    # Jobs and files: an export submitted on A, run by the worker, downloaded on B.
    supervisor = browser()
    sign_in(supervisor, a, "longsheng")
    submitted = supervisor.get(
        f"{a}/children/export.xlsx?{urlencode({'village': villages[0]})}",
        allow_redirects=False,
        timeout=30,
    )
    match = _JOB.search(submitted.headers.get("Location", ""))
    state = wait_for_job(supervisor, b, match.group(1)) if match else "not submitted"
    download = supervisor.get(f"{b}/jobs/{match.group(1)}/download/", timeout=60) if match else None
    got = f"{download.status_code}, {len(download.content)} bytes" if download is not None else "—"
    record(
        "export job submitted on A, run by the worker, downloaded on B",
        state == "done" and download is not None and download.content[:2] == b"PK",
        f"job {state}; download on B {got}",
    )
    other = browser()
    sign_in(other, b, "county")
    foreign = other.get(f"{b}/jobs/{match.group(1)}/download/", timeout=30) if match else None
    record(
        "the file is its owner's only (another user on B: 404)",
        foreign is not None and foreign.status_code == 404,
        f"{foreign.status_code if foreign is not None else '—'}",
    )

    # Uploaded files: an import workbook uploaded on A, previewed by the worker, read on B.
    if download is not None and download.content[:2] == b"PK":
        form = supervisor.get(f"{a}/children/import/", timeout=30)
        posted = supervisor.post(
            f"{a}/children/import/",
            data={"csrfmiddlewaretoken": csrf_token(form.text)},
            files={"file": ("ledger.xlsx", download.content)},
            headers={"Referer": f"{a}/children/import/"},
            allow_redirects=False,
            timeout=60,
        )
        job = _JOB.search(posted.headers.get("Location", ""))
        state = wait_for_job(supervisor, b, job.group(1)) if job else f"{posted.status_code}"
        record(
            "import file uploaded on A, previewed by the worker, shown on B",
            state == "done",
            f"preview job {state}",
        )
    return checks


PROBE_PASSWORD = "load-probe-" + "p" * 12
PROBE_USER_CODE = f"""
from accounts.models import User
from accounts.choices import Role
user, _ = User.objects.get_or_create(
    username={LOCK_PROBE!r}, defaults={{"role": Role.COUNTY_ADMIN}}
)
user.set_password({PROBE_PASSWORD!r}); user.is_active = True; user.save()
"""


# --- CPU accounting ------------------------------------------------------------------------------


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (Linux /proc), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_cpu(parents: set[int]) -> dict[int, float]:
    """CPU seconds of the processes whose parent is one of ``parents`` (gunicorn's workers)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) in parents:
            found[int(entry.name)] = _cpu_seconds(int(entry.name))
    return found


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of each PostgreSQL process on this machine (the other sessions of a shared
    machine included, so read it on a quiet one)."""
    processes = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "comm").read_text().strip()
        except OSError:
            continue
        if command.startswith("postgres"):
            processes[int(entry.name)] = _cpu_seconds(int(entry.name))
    return processes


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def _spent(before: dict, after: dict) -> float:
    return sum(after[pid] - before.get(pid, 0.0) for pid in after)


# --- one Locust run ----------------------------------------------------------------------


def run_locust(
    bases: list[str], mix: str, users: int, duration: float, args, context: dict, masters, work
) -> dict:
    out = work / f"locust-{mix}-{users}.json"
    env = {
        **os.environ,
        "LOAD_HOSTS": ",".join(bases),
        "LOAD_MIX": mix,
        "LOAD_MAX_REQUESTS": str(args.max_requests),
        "LOAD_VILLAGES": ",".join(context["villages"]),
        "LOAD_TODAY": context["today"],
        "LOAD_SEED": str(args.seed),
        "LOAD_OUT": str(out),
        "LOAD_DURATION": str(duration),
    }
    # The clock starts once every user has signed in (Argon2, slow on purpose) and the
    # locustfile stops the run ``duration`` seconds later; -t is only the safety bound.
    command = [
        str(BIN / "locust"),
        "-f",
        str(BENCH / "locustfile.py"),
        "--headless",
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{int(duration + args.sign_in_seconds)}s",
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    load_before = os.getloadavg()[0]
    cpu_before, busy_before = children_cpu(masters), machine_busy()
    database_before = postgres_cpu()
    rusage_before = _children_rusage()
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        _out, err = process.communicate(timeout=duration + args.sign_in_seconds + 120)
    except subprocess.TimeoutExpired:
        process.kill()
        _out, err = process.communicate()
    client_cpu = _children_rusage() - rusage_before
    cpu_after, busy_after = children_cpu(masters), machine_busy()
    database_after = postgres_cpu()
    if not out.exists():
        raise SystemExit(f"load: locust wrote no figures ({process.returncode}):\n{err[-3000:]}")
    result = json.loads(out.read_text())
    requests_made = max(result["rows"][-1]["requests"], 1)
    result.update(
        mix=mix,
        load_average=[round(load_before, 2), round(os.getloadavg()[0], 2)],
        worker_cpu_ms_per_request=round(1000 * _spent(cpu_before, cpu_after) / requests_made, 1),
        database_cpu_ms_per_request=round(
            1000 * _spent(database_before, database_after) / requests_made, 1
        ),
        client_cpu_ms_per_request=round(1000 * client_cpu / requests_made, 1),
        machine_busy_percent=round(
            100 * (busy_after[0] - busy_before[0]) / max(busy_after[1] - busy_before[1], 1), 1
        ),
    )
    return result


def _children_rusage() -> float:
    """CPU seconds of this process's finished children (Locust, once it has exited)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def print_table(rows: list[dict]) -> None:
    say(
        f"   {'step':<30} {'requests':>8} {'errors':>6} {'req/s':>7} "
        f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    )
    for row in rows:
        say(
            f"   {row['step']:<30} {row['requests']:>8} {row['errors']:>6} {row['rps']:>7} "
            f"{row['p50_ms']:>8} {row['p95_ms']:>8} {row['p99_ms']:>8} {row['max_ms']:>8}"
        )


def report(result: dict) -> None:
    print_table(result["rows"])
    say(
        f"   {result['seconds']} s; CPU per request: gunicorn workers "
        f"{result['worker_cpu_ms_per_request']} ms, PostgreSQL "
        f"{result['database_cpu_ms_per_request']} ms, Locust "
        f"{result['client_cpu_ms_per_request']} ms; machine busy "
        f"{result['machine_busy_percent']} % of {os.cpu_count()} CPUs; load average "
        f"{result['load_average']}"
    )
    for problem in result["problems"][:10]:
        say(f"   ! {problem}")


def verdicts(runs: list[dict], floor: dict | None, checks: list[dict]) -> list[dict]:
    """The issue's load targets, each PASS or MISS, with what was measured."""
    out = []
    for run in runs:
        overall = run["rows"][-1]
        users = run["users"]
        errors_ok = overall["errors"] == TARGETS["errors"] and not run["problems"]
        out.append(
            {
                "target": f"load, {users} users: 0 errors",
                "measured": f"{overall['errors']} errors in {overall['requests']} requests",
                "ok": errors_ok,
            }
        )
        if users == TARGETS["users"]:
            out.append(
                {
                    "target": f"load, {users} users: p95 ≤ {TARGETS['p95_ms']} ms",
                    "measured": f"p95 {overall['p95_ms']} ms ({overall['rps']} req/s)",
                    "ok": overall["p95_ms"] <= TARGETS["p95_ms"],
                }
            )
        if floor is not None:
            ratio = overall["rps"] / max(floor["rows"][-1]["rps"], 0.1)
            run["mix_vs_floor"] = round(ratio, 2)
            out.append(
                {
                    "target": f"load, {users} users: mix/floor ≥ {TARGETS['mix_vs_floor']}",
                    "measured": f"{ratio:.2f} ({overall['rps']} / {floor['rows'][-1]['rps']} "
                    "req/s)",
                    "ok": ratio >= TARGETS["mix_vs_floor"],
                }
            )
    failed = [c["check"] for c in checks if not c["ok"]]
    if checks:
        out.append(
            {
                "target": "nothing in one process's memory (two servers)",
                "measured": f"{len(checks) - len(failed)}/{len(checks)} checks"
                + (": failed " + "; ".join(failed) if failed else ""),
                "ok": not failed,
            }
        )
    return out


# --- the whole run ----------------------------------------------------------------------


def run_suite(db_url: str, args) -> dict:
    """Servers up, the cross-server check, the floor and the mix; everything stopped after."""
    check_redis(args.redis)
    work = Path(tempfile.mkdtemp(prefix="longsheng-load-"))
    static_root, media_root = work / "static", work / "media"
    media_root.mkdir()
    env = django_env(db_url, args.redis, str(static_root), str(media_root))
    processes = []
    try:
        manage(env, "collectstatic", "--no-input", "-v0")
        ports = [free_port() for _ in range(args.instances)]
        bases = [f"http://{HOST}:{port}" for port in ports]
        for index, port in enumerate(ports):
            say(f"== app server {index + 1}: gunicorn, {args.workers} workers on {HOST}:{port}")
            processes.append(
                start_gunicorn(env, args.workers, port, work / f"gunicorn-{index + 1}.log")
            )
        say(f"== job worker: rqworker on {args.redis}")
        processes.append(
            start(
                [
                    PYTHON,
                    "manage.py",
                    "rqworker",
                    "default",
                    "--job-class",
                    "django_tasks_rq.Job",
                    "--name",
                    f"load-{os.getpid()}",
                ],
                env,
                work / "worker.log",
            )
        )
        masters = {p.pid for p in processes[: args.instances]}
        context = discover(bases[0])
        warm_up(bases)
        checks = []
        if not args.no_crosscheck:
            say("-- two servers, one state: what A does, B sees")
            checks = crosscheck(bases, env, context["villages"])
            for check in checks:
                say(f"   {'PASS' if check['ok'] else 'MISS'}  {check['check']}: {check['detail']}")
        floor = None
        if args.floor_duration > 0:
            users = args.users[0]
            say(f"-- floor: {users} users, {args.floor_duration:.0f} s, the password form")
            floor = run_locust(
                bases, "floor", users, args.floor_duration, args, context, masters, work
            )
            report(floor)
        runs = []
        for users in args.users:
            say(
                f"-- mix: {users} users over {len(bases)} servers, {args.duration:.0f} s "
                f"(at most {args.max_requests} requests)"
            )
            result = run_locust(bases, "portal", users, args.duration, args, context, masters, work)
            runs.append(result)
            report(result)
            if floor is not None:
                ratio = result["rows"][-1]["rps"] / max(floor["rows"][-1]["rps"], 0.1)
                say(f"   mix / floor: {ratio:.2f} (floor {floor['rows'][-1]['rps']} req/s)")
        checked = verdicts(runs, floor, checks)
        return {
            "instances": args.instances,
            "workers": args.workers,
            "floor": floor,
            "runs": runs,
            "crosscheck": checks,
            "verdicts": checked,
        }
    finally:
        for process in reversed(processes):
            stop(process)
        shutil.rmtree(work, ignore_errors=True)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--instances", type=int, default=2, help="app servers (gunicorn)")
    parser.add_argument("--workers", type=int, default=2, help="sync workers per app server")
    parser.add_argument("--users", type=int, nargs="+", default=[8], help="Locust users")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of each mix run")
    parser.add_argument(
        "--floor-duration", type=float, default=15.0, help="seconds of the floor run (0: skip)"
    )
    parser.add_argument("--max-requests", type=int, default=50000, help="cap per run")
    parser.add_argument("--sign-in-seconds", type=float, default=60.0, help=argparse.SUPPRESS)
    parser.add_argument("--redis", default=DEFAULT_REDIS, help="Redis on 127.0.0.1 (emptied)")
    parser.add_argument("--no-crosscheck", action="store_true")
    parser.add_argument("--seed", type=int, default=1)


def check_bounds(args) -> None:
    if args.duration > 600 or args.floor_duration > 600 or max(args.users) > 64:
        raise SystemExit("load: keep it bounded (≤ 600 s a run, ≤ 64 users)")
    if args.instances < 1 or args.instances > 4:
        raise SystemExit("load: 1 to 4 app servers")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=10000, help="seed_scale size")
    parser.add_argument("--reuse", action="store_true", help="keep an existing longsheng_load")
    parser.add_argument("--database", help="an existing, seeded database to use as it is")
    add_arguments(parser)
    args = parser.parse_args()
    check_bounds(args)
    server = server_url()
    started_at = dt.datetime.now()
    if args.database:
        db_url = with_db(server, args.database)
    else:
        db_url = with_db(server, DATABASE)
        prepare_database(
            server,
            args.children,
            args.reuse,
            django_env(db_url, "", "/tmp", "/tmp"),
        )
    suite = run_suite(db_url, args)
    say("")
    for verdict in suite["verdicts"]:
        verdict_word = "PASS" if verdict["ok"] else "MISS"
        say(f"{verdict_word:<5} {verdict['target']:<46} {verdict['measured']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load-{started_at:%Y%m%d-%H%M%S}.json"
    out.write_text(
        json.dumps(
            {
                "started": started_at.isoformat(timespec="seconds"),
                "database": urlsplit(db_url).path.lstrip("/"),
                "cpus": os.cpu_count(),
                "targets": TARGETS,
                **suite,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    say(f"== figures written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
