"""A real worker process (``manage.py db_worker``) against the real queue (the database),
as in production: the export finishes with its file, and a worker killed in the middle of
an import leaves the ledger as it was; the job then runs again to the end, once. The same
task also runs on the production recipe's queue: Redis, with an RQ worker process.

PostgreSQL only: the worker is another process, and the SQLite test database lives in the
test process's memory.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse

from children.models import Child
from jobs import files, services
from jobs.models import Job, JobStatus
from tests import factories
from tests.children.conftest import build_ledger, child_row
from tests.jobs.helpers import job_of

pytestmark = [pytest.mark.postgres, pytest.mark.usefixtures("committed_db")]

ROOT = Path(settings.BASE_DIR)
WAIT_SECONDS = 90  # a bound on waiting for the worker, never an assertion about speed


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("the worker is another process: it needs a database server")


@pytest.fixture
def queue(settings):
    """This process enqueues on the database queue, as the site does by default."""
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def _database_url() -> str:
    db = connection.settings_dict
    user, host, port = db["USER"] or "postgres", db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def _worker(*command: str, **env: str) -> subprocess.Popen:
    """``manage.py <command>`` in a process of its own, on this test's database and files."""
    return subprocess.Popen(
        [sys.executable, "manage.py", *command],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "longsheng_care.settings",
            "DATABASE_URL": _database_url(),
            "SECRET_KEY": "worker-test-key",
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "DEBUG": "0",
            "DB_CONN_MAX_AGE": "0",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def start_worker() -> subprocess.Popen:
    """``manage.py db_worker``, as ``make run`` starts it beside the server."""
    return _worker("db_worker", "--no-startup-delay", "--interval", "0.2")


def wait_for(predicate, what: str):
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"gave up waiting for {what}")


TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture
def redis_queue(settings):
    """This process enqueues on Redis as production does (REDIS_URL), on a database of its
    own, emptied before and after."""
    redis = pytest.importorskip("redis", reason="the Redis extra is not installed")
    pytest.importorskip("django_tasks_rq", reason="the Redis extra is not installed")
    server = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        server.ping()
    except redis.ConnectionError:
        pytest.skip(f"no Redis server at {TEST_REDIS_URL}")
    server.flushdb()
    settings.RQ_QUEUES = {"default": {"URL": TEST_REDIS_URL, "DEFAULT_TIMEOUT": 600}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    yield
    server.flushdb()


def start_rq_worker() -> subprocess.Popen:
    """``manage.py rqworker`` as deploy/longsheng-worker@.service starts it; --burst: it runs
    what is queued, then exits."""
    return _worker(
        "rqworker",
        "default",
        "--job-class",
        "django_tasks_rq.Job",
        "--burst",
        REDIS_URL=TEST_REDIS_URL,
    )


def stop(worker: subprocess.Popen, sig=signal.SIGTERM) -> None:
    if worker.poll() is None:
        worker.send_signal(sig)
        worker.wait(timeout=30)


def _export_runs_on(start, client, name: str) -> None:
    """The ledger export asked for in a web request waits on the queue, a worker process
    started by ``start`` runs it, and its owner downloads the workbook."""
    factories.ChildFactory(name=name, village=factories.village("龙胜镇", "山东村"))
    job = job_of(client.get(reverse("children:export")))
    assert job.status == JobStatus.QUEUED  # nothing ran in the web request
    worker = start()
    try:
        wait_for(lambda: Job.objects.get(pk=job.pk).is_finished, "the export job")
    finally:
        stop(worker)
    job.refresh_from_db()
    assert (job.status, job.done, job.total) == (JobStatus.DONE, 1, 1), job.message
    assert files.result_path(job.result_file).read_bytes()[:2] == b"PK"
    download = client.get(f"/jobs/{job.pk}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content)[:2] == b"PK"


def test_a_worker_process_runs_the_export_and_keeps_its_file(
    queue, client_for, longsheng_supervisor
):
    _export_runs_on(start_worker, client_for(longsheng_supervisor), "队列甲")


def test_an_rq_worker_runs_the_export_from_redis_as_in_production(
    redis_queue, client_for, longsheng_supervisor
):
    _export_runs_on(start_rq_worker, client_for(longsheng_supervisor), "队列乙")


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_a_worker_killed_mid_import_leaves_the_ledger_unchanged_and_the_job_runs_again(
    queue, client_for, longsheng_supervisor, settings
):
    client = client_for(longsheng_supervisor)
    rows = [child_row(i) for i in range(30)]
    preview_page = client.post(reverse("children:import"), {"file": _file(build_ledger(rows))})
    preview = job_of(preview_page)
    worker = start_worker()
    try:
        wait_for(lambda: Job.objects.get(pk=preview.pk).is_finished, "the preview job")
        preview.refresh_from_db()
        assert preview.result_data["new"] == 30, preview.message
        write = job_of(client.post(reverse("children:import"), {"confirm": "1", "job": preview.pk}))

        # Hold the access log's table: the import writes its log entry last, after inserting
        # the children, so the worker is stopped mid-transaction with its rows written.
        blocker = psycopg.connect(_database_url().replace("postgres://", "postgresql://"))
        blocker.execute("BEGIN")
        blocker.execute("LOCK TABLE accounts_accesslog IN EXCLUSIVE MODE")
        try:
            wait_for(_waiting_on_a_lock, "the import to reach its last write")
            stop(worker, signal.SIGKILL)
        finally:
            blocker.rollback()
            blocker.close()
    finally:
        stop(worker, signal.SIGKILL)

    wait_for(lambda: not _waiting_on_a_lock(), "the killed worker's transaction to end")
    assert Child.objects.count() == 0  # all or nothing: nothing
    write.refresh_from_db()
    assert write.status == JobStatus.RUNNING and write.result_file == ""

    settings.JOB_STALE_SECONDS = 0  # the killed worker reports no more: interrupted
    assert services.is_interrupted(write)
    services.job_retry(actor=longsheng_supervisor, job=write)
    worker = start_worker()
    try:
        wait_for(lambda: Job.objects.get(pk=write.pk).is_finished, "the re-run import")
    finally:
        stop(worker)
    write.refresh_from_db()
    assert write.status == JobStatus.DONE and write.result_data["written"], write.message
    assert (write.attempts, Child.objects.count()) == (2, 30)


def _file(data: bytes):
    import io

    upload = io.BytesIO(data)
    upload.name = "台账.xlsx"
    return upload
