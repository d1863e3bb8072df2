#!/usr/bin/env python
"""Load test of the portal (issue 7): gunicorn + PostgreSQL on 127.0.0.1, a mixed workload.

    .venv/bin/python bench/load.py                       # 10,000 children, workers 3 and 5
    .venv/bin/python bench/load.py --reuse --workers 3 --users 8 16 --duration 30

What it does (see bench/LOAD.md for the figures measured):

1. a PostgreSQL database ``longsheng_load`` on the server of DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432): dropped and created again, migrated, ``seed_demo
   --force`` (the demo accounts, password demo-pass-2026) and ``seed_scale --children N
   --force``; ``--reuse`` keeps an existing one;
2. ``collectstatic`` into a temporary STATIC_ROOT, then for each worker count: gunicorn with
   deploy/gunicorn.conf.py on 127.0.0.1:<a free port>, production-like settings (DEBUG=0, a
   SECRET_KEY, ALLOWED_HOSTS=127.0.0.1, no TLS redirect, cookies without Secure since this
   is plain HTTP on the loopback);
3. virtual users, each a thread with its own session, sign in through the login form (CSRF
   token from the page, the correct password only: django-axes locks after 5 failures),
   then loop without think time over their scenario until the duration or the request cap:
   - village staff (山东村 director): ledger list → a child's page → the visit form → POST a
     visit (a new record each time);
   - township search (龙胜镇 supervisor): the ledger searched by a pinyin prefix;
   - county dashboard (county admin): /reports/dashboard/;
   - export (龙胜镇 supervisor): the 花名册 workbook of one village;
   before the mix, the same server gets ``--floor-duration`` seconds of the simplest
   signed-in page (what this machine can serve at best: machines of one kind differ), and
   the mix is reported as a fraction of it too;
4. stops gunicorn and prints, per step and overall: requests, errors, requests/s and the
   p50/p95/p99/max latency; the figures also go to bench/results/load-<time>.json.

Only 127.0.0.1 is ever contacted. Standard library and the project's dependencies only.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
HOST = "127.0.0.1"
DATABASE = "longsheng_load"
DEMO_PASSWORD = "demo-pass-2026"  # accounts/demo.py
# The issue's target, and the target restated for these machines (bench/LOAD.md, "The
# target"). Both are for 8 users; see targets_for() for more.
FIRST_TARGETS = {"rps": 150, "p95_ms": 250, "errors": 0}
TARGETS = {"rps": 50, "p95_ms": 250, "errors": 0}
TARGET_USERS = 8

# Each virtual user plays one scenario; users are dealt these in turn (4:2:1:1 for 8 users;
# interleaved so that a run with few users still mixes them).
ROTATION = ["village", "search", "village", "dashboard", "village", "search", "village", "export"]
SCENARIO_USER = {
    "village": "director",
    "search": "longsheng",
    "dashboard": "county",
    "export": "longsheng",
    "floor": "director",
}
SEARCHES = ["l", "w", "zh", "li", "y", "h", "ch", "m", "x", "t"]
# --mix floor: every user requests the simplest signed-in page (the password form: the
# layout, the session, the login check, CSRF and the security headers, one small form, no
# data). What this stack can serve at best on this machine, whatever the pages do.
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


def django_env(db_url: str, static_root: str, media_root: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db_url,
        DEBUG="0",
        SECRET_KEY="load-test-only-" + "k" * 50,
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        SECURE_COOKIES="0",
        STATIC_ROOT=static_root,
        MEDIA_ROOT=media_root,
        LOG_LEVEL="WARNING",
        PYTHONHASHSEED="0",
    )
    env.pop("BEHIND_TLS_PROXY", None)
    return env


def manage(env: dict, *args: str) -> None:
    started = time.monotonic()
    subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    say(f"   manage.py {' '.join(args)}: {time.monotonic() - started:.1f} s")


def prepare_database(url: str, children: int, reuse: bool, env: dict) -> None:
    exists = bool(admin_sql(url, f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"))
    if exists and reuse:
        say(f"== reusing {DATABASE}")
        manage(env, "migrate", "--no-input", "-v0")
        return
    say(f"== creating {DATABASE} ({children} synthetic children)")
    admin_sql(url, f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    admin_sql(url, f'CREATE DATABASE "{DATABASE}"')
    manage(env, "migrate", "--no-input", "-v0")
    manage(env, "seed_demo", "--force")
    if children:
        manage(env, "seed_scale", "--children", str(children), "--force")


# --- gunicorn --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, workers: int, port: int, log_path: Path) -> subprocess.Popen:
    env = {**env, "GUNICORN_BIND": f"{HOST}:{port}", "GUNICORN_WORKERS": str(workers)}
    log = log_path.open("wb")
    process = subprocess.Popen(
        [GUNICORN, "longsheng_care.wsgi", "-c", "deploy/gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"load: gunicorn exited; see {log_path}")
        try:
            status = Session(port).get("/accounts/login/").status
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop_gunicorn(process)
    raise SystemExit(f"load: gunicorn did not answer within 60 s; see {log_path}")


def stop_gunicorn(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()  # SIGTERM to the master we started: graceful stop of its workers
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- a browser session -----------------------------------------------------------------------


@dataclass
class Response:
    status: int
    headers: dict
    body: bytes
    ms: float

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Session:
    """Cookies and one request at a time to 127.0.0.1 (gunicorn's sync workers close the
    connection after each response, as a browser behind nginx would not notice)."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Response:
        headers = {"Host": f"{HOST}:{self.port}", "User-Agent": "longsheng-load/1"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://{HOST}:{self.port}{path}"
        started = time.perf_counter()
        connection = http.client.HTTPConnection(HOST, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=headers)
            raw = connection.getresponse()
            data = raw.read()
            elapsed = (time.perf_counter() - started) * 1000
            for value in raw.headers.get_all("Set-Cookie") or []:
                cookie = SimpleCookie()
                cookie.load(value)
                for name, morsel in cookie.items():
                    if morsel["max-age"] == "0" or morsel.value == "":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Response(raw.status, dict(raw.headers.items()), data, elapsed)
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Response:
        return self.request("POST", path, form)

    def login(self, username: str) -> float:
        page = self.get("/accounts/login/")
        token = csrf_token(page.text)
        started = time.perf_counter()
        answer = self.post(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": username, "password": DEMO_PASSWORD},
        )
        if answer.status != 302 or "/accounts/login/" in answer.headers.get("Location", ""):
            raise RuntimeError(f"login of {username} failed: {answer.status}")
        return (time.perf_counter() - started) * 1000


_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_CHILD_LINK = re.compile(r'href="/children/(\d+)/"')
_VISITOR = re.compile(r'<select name="visitor"[^>]*>(.*?)</select>', re.S)
_SELECTED = re.compile(r'<option value="(\d+)"[^>]*selected')
_VILLAGE_OPTIONS = re.compile(r'<select name="village"[^>]*>(.*?)</select>', re.S)
_OPTION = re.compile(r'<option value="(\d+)"')


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


# --- the workload ----------------------------------------------------------------------------


@dataclass
class Stats:
    """Every timed request: (step, ms, ok). Shared by the virtual users."""

    max_requests: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    records: list = field(default_factory=list)
    problems: list = field(default_factory=list)

    def full(self) -> bool:
        return len(self.records) >= self.max_requests

    def add(self, step: str, response: Response | None, ok: bool, note: str = "") -> None:
        with self.lock:
            self.records.append((step, response.ms if response else 0.0, ok))
            if not ok and len(self.problems) < 20:
                status = response.status if response else "exception"
                self.problems.append(f"{step}: {status} {note}".strip())


class StopRun(Exception):
    pass


class VirtualUser(threading.Thread):
    def __init__(self, index, scenario, port, stats, start_at, stop_at, context, seed):
        super().__init__(name=f"vu-{index}-{scenario}", daemon=True)
        self.scenario, self.port, self.stats = scenario, port, stats
        self.start_at, self.stop_at, self.context = start_at, stop_at, context
        self.random = random.Random(seed)
        self.session = Session(port)
        self.login_ms = None
        self.error = None

    def timed(self, step: str, method: str, path: str, form=None, expect=(200,), check=None):
        if time.monotonic() >= self.stop_at or self.stats.full():
            raise StopRun
        try:
            response = self.session.request(method, path, form)
        except OSError as exc:
            self.stats.add(step, None, False, repr(exc))
            raise StopRun from exc
        ok = response.status in expect and (check is None or check(response))
        self.stats.add(step, response, ok, path)
        return response if ok else None

    def run(self):
        try:
            self.login_ms = self.session.login(SCENARIO_USER[self.scenario])
        except Exception as exc:  # reported, and the run counts it as an error
            self.error = f"login: {exc}"
            return
        while time.monotonic() < self.start_at:
            time.sleep(0.01)
        step = getattr(self, f"scenario_{self.scenario}")
        try:
            while True:
                step()
        except StopRun:
            return

    # village staff: list → child → visit form → record the visit
    def scenario_village(self):
        listing = self.timed("village: ledger list", "GET", "/children/?status=active")
        if listing is None:
            return
        ids = _CHILD_LINK.findall(listing.text)
        if not ids:
            self.stats.add("village: ledger list", listing, False, "no children listed")
            return
        child = self.random.choice(ids)
        if self.timed("village: child page", "GET", f"/children/{child}/") is None:
            return
        form = self.timed("village: visit form", "GET", f"/visits/new/{child}/")
        if form is None:
            return
        visitor = _VISITOR.search(form.text)
        options = visitor.group(1) if visitor else ""
        chosen = _SELECTED.search(options) or _OPTION.search(options)
        data = {
            **VISIT_FORM,
            "csrfmiddlewaretoken": csrf_token(form.text),
            "date": self.context["today"],
            "visitor": chosen.group(1) if chosen else "",
        }
        self.timed(
            "village: record visit",
            "POST",
            f"/visits/new/{child}/",
            data,
            expect=(302,),
            check=lambda r: re.search(r"/visits/\d+/$", r.headers.get("Location", "")),
        )

    def scenario_floor(self):
        self.timed("floor: password form", "GET", FLOOR_PATH)

    def scenario_search(self):
        query = urlencode({"q": self.random.choice(SEARCHES)})
        self.timed("township: search", "GET", f"/children/?{query}")

    def scenario_dashboard(self):
        self.timed("county: dashboard", "GET", "/reports/dashboard/")

    def scenario_export(self):
        village = self.random.choice(self.context["villages"])
        self.timed(
            "township: export one village",
            "GET",
            f"/children/export.xlsx?{urlencode({'village': village})}",
            check=lambda r: r.body[:2] == b"PK",
        )


def discover(port: int) -> dict:
    """What the workload needs to know: today's date, the supervisor's villages."""
    session = Session(port)
    session.login("longsheng")
    page = session.get("/children/")
    select = _VILLAGE_OPTIONS.search(page.text)
    villages = _OPTION.findall(select.group(1)) if select else []
    if not villages:
        raise SystemExit("load: the supervisor's ledger page lists no villages")
    session.post("/accounts/logout/", {"csrfmiddlewaretoken": csrf_token(page.text)})
    return {"today": dt.date.today().isoformat(), "villages": villages}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (Linux /proc), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_cpu(master: int) -> dict[int, float]:
    """CPU seconds of each gunicorn worker (the master's children)."""
    workers = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(stat[1]) == master:
            workers[int(entry.name)] = _cpu_seconds(int(entry.name))
    return workers


def postgres_cpu() -> dict[int, float]:
    """CPU seconds of each PostgreSQL process on this machine (the server and its backends;
    the other sessions of a shared machine included, so read it on a quiet one)."""
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


def percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def summarise(records: list, seconds: float) -> list[dict]:
    steps = sorted({step for step, _ms, _ok in records})
    rows = []
    for step in [*steps, "overall"]:
        chosen = [r for r in records if step == "overall" or r[0] == step]
        times = [ms for _step, ms, ok in chosen if ok] or [0.0]
        rows.append(
            {
                "step": step,
                "requests": len(chosen),
                "errors": sum(1 for *_x, ok in chosen if not ok),
                "rps": round(len(chosen) / seconds, 1),
                "p50_ms": round(percentile(times, 50), 1),
                "p95_ms": round(percentile(times, 95), 1),
                "p99_ms": round(percentile(times, 99), 1),
                "max_ms": round(max(times), 1),
            }
        )
    return rows


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


def run_load(
    port: int, users: int, duration: float, max_requests: int, seed: int, master: int, mix: str
) -> dict:
    context = discover(port)
    stats = Stats(max_requests=max_requests)
    load_before = os.getloadavg()[0]
    start_at = time.monotonic() + 3600  # set once every user has signed in
    rotation = ["floor"] if mix == "floor" else ROTATION
    vus = [
        VirtualUser(i, rotation[i % len(rotation)], port, stats, start_at, 0, context, seed + i)
        for i in range(users)
    ]
    for vu in vus:
        vu.start()
    # Sign-ins (Argon2, deliberately slow) happen before the clock starts: wait for them.
    while any(vu.login_ms is None and vu.error is None for vu in vus):
        time.sleep(0.05)
    begin = time.monotonic() + 0.2
    cpu_before, busy_before = worker_cpu(master), machine_busy()
    database_before = postgres_cpu()
    client_before = time.process_time()
    for vu in vus:
        vu.stop_at = begin + duration  # before start_at: a user must not start and stop
        vu.start_at = begin
    for vu in vus:
        vu.join(timeout=duration + 90)
    seconds = min(time.monotonic(), begin + duration) - begin
    cpu_after, busy_after = worker_cpu(master), machine_busy()
    database_after = postgres_cpu()
    client_cpu = time.process_time() - client_before
    server_cpu = sum(cpu_after[pid] - cpu_before.get(pid, 0.0) for pid in cpu_after)
    database_cpu = sum(
        database_after[pid] - database_before.get(pid, 0.0) for pid in database_after
    )
    # A run stopped by the request cap ends earlier than its duration.
    if stats.full():
        seconds = max(seconds, 0.001)
    logins = [vu.login_ms for vu in vus if vu.login_ms is not None]
    failed_logins = [vu.error for vu in vus if vu.error]
    rows = summarise(stats.records, seconds)
    rows[-1]["errors"] += len(failed_logins)
    return {
        "users": users,
        "seconds": round(seconds, 1),
        # On a shared machine the neighbours' work moves the figures: keep it with them.
        "load_average": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        # Where the time goes: CPU per request in the gunicorn workers (Django) and in this
        # client, and how busy the whole machine was (all cores, neighbours included).
        "worker_cpu_ms_per_request": round(1000 * server_cpu / max(len(stats.records), 1), 1),
        "client_cpu_ms_per_request": round(1000 * client_cpu / max(len(stats.records), 1), 1),
        "database_cpu_ms_per_request": round(1000 * database_cpu / max(len(stats.records), 1), 1),
        "machine_busy_percent": round(
            100 * (busy_after[0] - busy_before[0]) / max(busy_after[1] - busy_before[1], 1), 1
        ),
        "rows": rows,
        "login_ms_median": round(statistics.median(logins), 1) if logins else None,
        "problems": stats.problems + failed_logins,
    }


def targets_for(targets: dict, users: int) -> dict:
    """The targets for a run of ``users``. Users without think time keep the server saturated,
    so past TARGET_USERS each request waits in line behind the others: latency grows in
    proportion to the users at the same throughput (Little's law), and the p95 bound with it."""
    scale = max(1.0, users / TARGET_USERS)
    return {**targets, "p95_ms": round(targets["p95_ms"] * scale)}


def meets(overall: dict, targets: dict) -> bool:
    return (
        overall["rps"] >= targets["rps"]
        and overall["p95_ms"] <= targets["p95_ms"]
        and overall["errors"] == targets["errors"]
    )


def report(result: dict, floor: dict | None) -> None:
    print_table(result["rows"])
    overall = result["rows"][-1]
    say(
        f"   CPU per request: gunicorn workers {result['worker_cpu_ms_per_request']} ms, "
        f"PostgreSQL {result['database_cpu_ms_per_request']} ms, "
        f"this client {result['client_cpu_ms_per_request']} ms; machine busy "
        f"{result['machine_busy_percent']} % of {os.cpu_count()} CPUs"
    )
    say(
        f"   load average before/after: {result['load_average']}; "
        f"login (not timed above) median {result['login_ms_median']} ms"
    )
    if floor is not None:
        ratio = overall["rps"] / max(floor["rows"][-1]["rps"], 0.1)
        say(f"   mix / floor on this machine: {ratio:.2f} (floor {floor['rows'][-1]['rps']} req/s)")
    if result["rows"][0]["step"] != "floor: password form":
        restated = targets_for(TARGETS, result["users"])
        first = targets_for(FIRST_TARGETS, result["users"])
        say(
            f"   target ≥ {restated['rps']} req/s, p95 ≤ {restated['p95_ms']} ms, 0 errors: "
            + ("PASS" if meets(overall, restated) else "MISS")
            + f"; the issue's first target (≥ {first['rps']} req/s, p95 ≤ {first['p95_ms']} ms): "
            + ("PASS" if meets(overall, first) else "MISS")
        )
    for problem in result["problems"][:10]:
        say(f"   ! {problem}")


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=10000, help="seed_scale size")
    parser.add_argument("--reuse", action="store_true", help="keep an existing longsheng_load")
    parser.add_argument("--workers", type=int, nargs="+", default=[3, 5])
    parser.add_argument(
        "--users", type=int, nargs="+", default=[8], help="virtual users (threads), one run each"
    )
    parser.add_argument(
        "--floor-duration",
        type=float,
        default=15.0,
        help="seconds of --mix floor on the same server before the mix (0: skip)",
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per run")
    parser.add_argument("--max-requests", type=int, default=50000, help="cap per run")
    parser.add_argument(
        "--conn-max-age",
        type=int,
        default=None,
        help="add ?conn_max_age=N to DATABASE_URL (persistent connections; default: as set)",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--mix",
        choices=["portal", "floor"],
        default="portal",
        help="portal: the mixed workload; floor: only the simplest signed-in page",
    )
    args = parser.parse_args()
    if args.duration > 600 or args.floor_duration > 600 or max(args.users) > 64:
        raise SystemExit("load: keep it bounded (≤ 600 s, ≤ 64 users)")

    server = server_url()
    query = {} if args.conn_max_age is None else {"conn_max_age": args.conn_max_age}
    db_url = with_db(server, DATABASE, **query)
    work = Path(tempfile.mkdtemp(prefix="longsheng-load-"))
    static_root, media_root = work / "static", work / "media"
    env = django_env(db_url, str(static_root), str(media_root))
    started_at = dt.datetime.now()
    try:
        prepare_database(server, args.children, args.reuse, env)
        manage(env, "collectstatic", "--no-input", "-v0")
        results = []
        for workers in args.workers:
            port = free_port()
            say(f"== gunicorn: {workers} workers on {HOST}:{port}")
            process = start_gunicorn(env, workers, port, work / f"gunicorn-{workers}.log")
            try:
                floor = None
                if args.mix == "portal" and args.floor_duration > 0:
                    # The machine's ceiling for this stack, measured on the same server just
                    # before the mix: machines of one kind differ (bench/LOAD.md).
                    say(f"-- floor: {args.users[0]} users, {args.floor_duration:.0f} s")
                    floor = run_load(
                        port,
                        args.users[0],
                        args.floor_duration,
                        args.max_requests,
                        args.seed,
                        process.pid,
                        "floor",
                    )
                    report(floor, None)
                for users in args.users:
                    say(
                        f"-- {args.mix}: {users} users, {args.duration:.0f} s "
                        f"(at most {args.max_requests} requests)"
                    )
                    result = run_load(
                        port,
                        users,
                        args.duration,
                        args.max_requests,
                        args.seed,
                        process.pid,
                        args.mix,
                    )
                    result["workers"] = workers
                    result["floor"] = floor
                    results.append(result)
                    report(result, floor)
            finally:
                stop_gunicorn(process)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"load-{started_at:%Y%m%d-%H%M%S}.json"
    out.write_text(
        json.dumps(
            {
                "started": started_at.isoformat(timespec="seconds"),
                "children": args.children,
                "mix": args.mix,
                "conn_max_age": args.conn_max_age,
                "cpus": os.cpu_count(),
                "targets": {"restated": TARGETS, "first": FIRST_TARGETS},
                "runs": results,
            },
            ensure_ascii=False,
            indent=2,
        )
    )
    say(f"== figures written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
