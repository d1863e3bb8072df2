"""Browser journeys in Debian's Chromium (headless) against pytest-django's live server.

Every test here is marked ``e2e`` and skipped, with a clear reason, when /usr/bin/chromium is
absent; Playwright never downloads a browser. Each test starts from the reference areas plus
the demo data (``seed_demo``), seeded afresh, so tests are independent and run under xdist
(each worker has its own database and live server).
"""

import io
import os
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

from tests.e2e.helpers import ARTIFACTS, watch_page


class SerialLiveServer(ThreadedWSGIServer):
    """The live server handling one request at a time. On SQLite every request thread of
    Django's threaded live server shares the test's one in-memory connection; two requests
    at once (a page and the offline app's service worker, say) could then wait on each other
    for good. Connections are still read in their own threads, so a socket the browser opens
    ahead of time and leaves idle holds nothing up."""

    _one_at_a_time = threading.Lock()

    def set_app(self, application):
        lock = self._one_at_a_time

        def serial(environ, start_response):
            with lock:
                return application(environ, start_response)

        super().set_app(serial)


if connections["default"].vendor == "sqlite":
    LiveServerThread.server_class = SerialLiveServer

CHROMIUM = Path("/usr/bin/chromium")
SKIP_REASON = "Chromium (/usr/bin/chromium) not installed: browser tests skipped"
E2E_DIR = Path(__file__).resolve().parent

PHONE = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
DESKTOP = {"viewport": {"width": 1366, "height": 900}}


def pytest_collection_modifyitems(config, items):
    # This hook sees the whole session's items: touch only the ones in this folder.
    chromium_missing = not os.access(CHROMIUM, os.X_OK)
    for item in items:
        if E2E_DIR not in Path(str(item.path)).parents:
            continue
        item.add_marker(pytest.mark.e2e)
        # The live server needs a transactional database, which is emptied after each test;
        # serialized_rollback restores the reference areas (a data migration) before the next.
        item.add_marker(pytest.mark.django_db(transaction=True, serialized_rollback=True))
        if chromium_missing:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep the outcome on the item so the page fixtures can screenshot a failure.
    report = yield
    setattr(item, f"_e2e_report_{report.when}", report)
    return report


ASYNC_FLAG = "DJANGO_ALLOW_ASYNC_UNSAFE"


def _carry_test_database_state(before: dict) -> None:
    """Django keeps a thread's DB connections in a thread-local, but in a context variable
    once an event loop runs in the thread (asgiref's thread-critical Local). So after
    Playwright starts its loop, the test thread gets *new* connection objects, which lack the
    snapshot of the reference data that pytest-django took when it created the test database
    (``_test_serialized_contents``, used by serialized_rollback). Hand it over."""
    for alias, old in before.items():
        contents = getattr(old, "_test_serialized_contents", None)
        if contents is not None:
            connections[alias]._test_serialized_contents = contents


@pytest.fixture(scope="package")
def browser():
    """Chromium for this folder's tests (package scope: pytest-django runs all the
    transactional tests, i.e. these, one after another, so it starts once per worker)."""
    from playwright.sync_api import expect, sync_playwright

    # The machine may be busy (xdist, PostgreSQL): be patient, never sleep.
    expect.set_options(timeout=15_000)
    # Playwright's sync API runs an asyncio event loop in the test thread, so Django sees a
    # "running event loop" there and refuses ORM calls from the tests and their fixtures
    # (SynchronousOnlyOperation). The ORM is still used synchronously from that one thread and
    # the live server runs in its own thread, so the check is a false alarm here. Set only
    # while the browser runs, and put back afterwards.
    previous = os.environ.get(ASYNC_FLAG)
    os.environ[ASYNC_FLAG] = "true"
    before = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            _carry_test_database_state(before)
            chromium = playwright.chromium.launch(
                executable_path=str(CHROMIUM),
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )
            yield chromium
            chromium.close()
            # The connections opened while the loop ran; the test database (PostgreSQL)
            # cannot be dropped at the end while they are open.
            connections.close_all()
    finally:
        if previous is None:
            os.environ.pop(ASYNC_FLAG, None)
        else:
            os.environ[ASYNC_FLAG] = previous


@pytest.fixture
def demo_data(browser, transactional_db):
    """The demo users (password demo-pass-2026) and demo records, as `make run` shows them."""
    call_command("seed_demo", "--force", stdout=io.StringIO())


@pytest.fixture
def make_page(browser, live_server, demo_data, request):
    """``make_page("phone" | "desktop")``: a page in a fresh browser context (its own cookies,
    so each user signs in separately), relative URLs resolved against the live server."""
    contexts = []
    for stale in ARTIFACTS.glob(f"FAILED-{request.node.name}-*.png"):
        stale.unlink()  # from an earlier run

    def make(kind: str = "phone"):
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            timezone_id="Asia/Shanghai",
            accept_downloads=True,
            **(PHONE if kind == "phone" else DESKTOP),
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return watch_page(context.new_page())

    yield make
    report = getattr(request.node, "_e2e_report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for c_index, context in enumerate(contexts):
            for p_index, page in enumerate(context.pages):
                name = f"FAILED-{request.node.name}-{c_index}-{p_index}.png"
                try:
                    page.screenshot(path=str(ARTIFACTS / name), full_page=True)
                except Exception:  # a crashed page must not hide the real failure
                    pass
    for context in contexts:
        context.close()


@pytest.fixture
def page(make_page):
    """A phone: 390×844, touch, zh-CN, Asia/Shanghai (village directors work on phones)."""
    return make_page("phone")


@pytest.fixture
def desktop_page(make_page):
    """A desktop browser window, 1366×900."""
    return make_page("desktop")
