"""The load mix of bench/load.py, as Locust users (run headless by bench/load.py; see LOAD.md).

Configured by the environment bench/load.py sets:

* ``LOAD_HOSTS``: the app servers, comma-separated, loopback only (``http://127.0.0.1:PORT``);
  each user is put on one of them in turn, per scenario, so every scenario runs on both;
* ``LOAD_MIX``: ``portal`` (the mix) or ``floor`` (the simplest signed-in page only);
* ``LOAD_DURATION``: seconds of the run, counted once every user has signed in;
* ``LOAD_MAX_REQUESTS``: the run stops at this many timed requests if that comes first;
* ``LOAD_VILLAGES``: village ids of the supervisor's township (the export's filter);
* ``LOAD_TODAY``: the visit date; ``LOAD_SEED``: the users' random choices;
* ``LOAD_OUT``: where the figures go (JSON), written when Locust quits.

Users sign in through the login form (CSRF token from the page, the right password only, so
django-axes never locks) before the clock starts: the statistics are reset once every user
has signed in, and the run's throughput is counted from that moment. No think time, except
the job page's own one-second poll while an export runs.
"""

from __future__ import annotations

import json
import os
import random
import re
import sys
import time
from itertools import count
from urllib.parse import urlencode, urlsplit

import gevent
from gevent.event import Event
from locust import HttpUser, constant, events, task

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load import DEMO_PASSWORD, FLOOR_PATH, VISIT_FORM

HOSTS = [h for h in os.environ.get("LOAD_HOSTS", "").split(",") if h]
MIX = os.environ.get("LOAD_MIX", "portal")
MAX_REQUESTS = int(os.environ.get("LOAD_MAX_REQUESTS", "50000"))
VILLAGES = [v for v in os.environ.get("LOAD_VILLAGES", "").split(",") if v]
TODAY = os.environ.get("LOAD_TODAY", "")
SEED = int(os.environ.get("LOAD_SEED", "1"))
OUT = os.environ.get("LOAD_OUT", "")
DURATION = float(os.environ.get("LOAD_DURATION", "30"))

for _host in HOSTS:
    if urlsplit(_host).hostname != "127.0.0.1":
        raise SystemExit(f"locustfile: loopback only, not {_host}")

# Users are dealt these scenarios in turn (4:2:1:1 for 8 users, interleaved so that a run with
# few users still mixes them), as in the hand-written driver this replaces.
ROTATION = ["village", "search", "village", "dashboard", "village", "search", "village", "export"]
# Where a scenario's first user goes: the dashboard on the first server, the export on the
# second, so that 8 users are 4 + 4 whatever the rotation.
FIRST_HOST = {"village": 0, "search": 0, "dashboard": 0, "export": 1, "floor": 0}
SCENARIO_USER = {
    "village": "director",
    "search": "longsheng",
    "dashboard": "county",
    "export": "longsheng",
    "floor": "director",
}
SEARCHES = ["l", "w", "zh", "li", "y", "h", "ch", "m", "x", "t"]
LOGIN = "(sign-in, not counted)"

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_CHILD_LINK = re.compile(r'href="/children/(\d+)/"')
_VISITOR = re.compile(r'<select name="visitor"[^>]*>(.*?)</select>', re.S)
_SELECTED = re.compile(r'<option value="(\d+)"[^>]*selected')
_OPTION = re.compile(r'<option value="(\d+)"')
_JOB = re.compile(r"/jobs/([0-9a-f-]{36})/$")

_numbers = count()
_per_scenario: dict[str, int] = {}
_signed_in = Event()
_state = {"signed_in": 0, "users": 0, "started": None, "timed": 0}


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


class PortalUser(HttpUser):
    wait_time = constant(0)

    def __init__(self, environment):
        number = next(_numbers)
        self.scenario = "floor" if MIX == "floor" else ROTATION[number % len(ROTATION)]
        nth = _per_scenario.get(self.scenario, 0)
        _per_scenario[self.scenario] = nth + 1
        self.host = HOSTS[(FIRST_HOST[self.scenario] + nth) % len(HOSTS)]
        self.random = random.Random(SEED + number)
        super().__init__(environment)

    def on_start(self):
        page = self.client.get("/accounts/login/", name=LOGIN)
        answer = self.client.post(
            "/accounts/login/",
            {
                "csrfmiddlewaretoken": csrf_token(page.text),
                "username": SCENARIO_USER[self.scenario],
                "password": DEMO_PASSWORD,
            },
            headers={"Referer": f"{self.host}/accounts/login/"},
            allow_redirects=False,
            name=LOGIN,
        )
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in of {SCENARIO_USER[self.scenario]}: {answer.status_code}")
        _state["signed_in"] += 1
        if _state["signed_in"] >= self.environment.runner.target_user_count:
            # Every user is in: the clock starts now.
            self.environment.runner.stats.reset_all()
            _state["started"] = time.time()
            gevent.spawn_later(DURATION, _stop)
            _signed_in.set()
        _signed_in.wait()

    # --- helpers -------------------------------------------------------------------------

    def timed(self, name, method, path, expect=(200,), check=None, **kwargs):
        with self.client.request(
            method, path, name=name, catch_response=True, allow_redirects=False, **kwargs
        ) as response:
            if response.status_code not in expect:
                response.failure(f"{response.status_code} for {path}")
                return None
            if check is not None and not check(response):
                response.failure(f"unexpected answer for {path}")
                return None
            response.success()
            return response

    def job_failed(self, job: str, why: str) -> None:
        """An export job that did not end with a file: an error of the run."""
        self.environment.events.request.fire(
            request_type="JOB",
            name="township: export job",
            response_time=0,
            response_length=0,
            exception=RuntimeError(f"job {job}: {why}"),
            context={},
        )

    # --- the scenarios ---------------------------------------------------------------------

    @task
    def play(self):
        getattr(self, f"scenario_{self.scenario}")()

    def scenario_floor(self):
        self.timed("floor: password form", "GET", FLOOR_PATH)

    def scenario_village(self):
        listing = self.timed("village: ledger list", "GET", "/children/?status=active")
        if listing is None:
            return
        ids = _CHILD_LINK.findall(listing.text)
        if not ids:
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
            "date": TODAY,
            "visitor": chosen.group(1) if chosen else "",
        }
        self.timed(
            "village: record visit",
            "POST",
            f"/visits/new/{child}/",
            expect=(302,),
            check=lambda r: re.search(r"/visits/\d+/$", r.headers.get("Location", "")),
            data=data,
            headers={"Referer": f"{self.host}/visits/new/{child}/"},
        )

    def scenario_search(self):
        query = urlencode({"q": self.random.choice(SEARCHES)})
        self.timed("township: search", "GET", f"/children/?{query}")

    def scenario_dashboard(self):
        self.timed("county: dashboard", "GET", "/reports/dashboard/")

    def scenario_export(self):
        """The 花名册 of one village: submitted as a job, its page polled every second (as
        the page itself does), then downloaded."""
        village = self.random.choice(VILLAGES)
        submitted = self.timed(
            "township: export submit",
            "GET",
            f"/children/export.xlsx?{urlencode({'village': village})}",
            expect=(302,),
            check=lambda r: _JOB.search(r.headers.get("Location", "")),
        )
        if submitted is None:
            return
        job = _JOB.search(submitted.headers["Location"]).group(1)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            progress = self.timed("township: export progress", "GET", f"/jobs/{job}/progress/")
            if progress is None:
                return
            if "job-download" in progress.text:
                break
            if "alert-danger" in progress.text or "alert-warning" in progress.text:
                self.job_failed(job, "failed or interrupted")
                return
            gevent.sleep(1.0)
        else:
            self.job_failed(job, "not done within 60 s")
            return
        self.timed(
            "township: export download",
            "GET",
            f"/jobs/{job}/download/",
            check=lambda r: r.content[:2] == b"PK",
        )


def _stop() -> None:
    if "stopped" in _state:
        return
    _state["stopped"] = time.time()
    _state["runner"].quit()


@events.request.add_listener
def _cap(request_type, name, response_time, response_length, exception, context, **kwargs):
    """Bounded in requests as well as in time: stop at LOAD_MAX_REQUESTS timed requests."""
    if name == LOGIN or _state["started"] is None:
        return
    _state["timed"] += 1
    if _state["timed"] == MAX_REQUESTS and _state.get("runner") is not None:
        gevent.spawn(_stop)


@events.init.add_listener
def _keep_runner(environment, **kwargs):
    _state["runner"] = environment.runner


@events.quitting.add_listener
def _write(environment, **kwargs):
    if not OUT:
        return
    stats = environment.runner.stats
    started = _state["started"] or time.time()
    ended = _state.get("stopped") or stats.total.last_request_timestamp or started
    seconds = max(ended - started, 0.001)
    rows = []
    entries = sorted((e for e in stats.entries.values() if e.name != LOGIN), key=lambda e: e.name)
    for entry in [*entries, stats.total]:
        rows.append(
            {
                "step": "overall" if entry is stats.total else entry.name,
                "requests": entry.num_requests,
                "errors": entry.num_failures,
                "rps": round(entry.num_requests / seconds, 1),
                "p50_ms": entry.get_response_time_percentile(0.5),
                "p95_ms": entry.get_response_time_percentile(0.95),
                "p99_ms": entry.get_response_time_percentile(0.99),
                "max_ms": round(entry.max_response_time or 0, 1),
            }
        )
    errors = [f"{e.name}: {e.error} ×{e.occurrences}" for e in list(stats.errors.values())[:10]]
    errors += [
        f"exception: {e['msg']} ×{e['count']}" for e in environment.runner.exceptions.values()
    ][:10]
    payload = {
        "seconds": round(seconds, 1),
        "users": environment.runner.user_count or _state["signed_in"],
        "signed_in": _state["signed_in"],
        "rows": rows,
        "problems": errors,
    }
    with open(OUT, "w") as handle:
        json.dump(payload, handle, ensure_ascii=False, indent=1)
