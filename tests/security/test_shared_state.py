"""Nothing a request leaves behind lives in one process's memory once REDIS_URL is set:
sessions, lockout counters, cached figures and jobs go to PostgreSQL or Redis, which every
app server shares (settings.py, "Cache, sessions and the job queue"). The settings are read
in a fresh interpreter for each environment, so no Redis server is needed; bench/load.py
checks the same against two running app servers (bench/LOAD.md)."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import Client, override_settings

from tests.factories import TEST_PASSWORD

WRONG = "not-the-password"
READ_SETTINGS = """
import json
import longsheng_care.settings as s
print(json.dumps({
    "cache": s.CACHES["default"]["BACKEND"],
    "cache_location": s.CACHES["default"].get("LOCATION"),
    "session": s.SESSION_ENGINE,
    "axes": s.AXES_HANDLER,
    "tasks": s.TASKS["default"]["BACKEND"],
}))
"""


def settings_with(**env_vars) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CACHE_URL")}
    env.setdefault("SECRET_KEY", "x")
    env.update(env_vars)
    result = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def test_one_process_default_needs_no_server():
    found = settings_with()
    assert found["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert found["session"] == "django.contrib.sessions.backends.db"
    assert found["axes"] == "axes.handlers.database.AxesDatabaseHandler"
    assert found["tasks"] == "django_tasks_db.DatabaseBackend"


def test_redis_url_moves_cache_sessions_and_queue_out_of_the_process():
    found = settings_with(REDIS_URL="redis://127.0.0.1:6399/3")
    assert found["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert found["cache_location"] == "redis://127.0.0.1:6399/3"
    # Cached in Redis in front of the database rows: a flushed Redis signs nobody out.
    assert found["session"] == "django.contrib.sessions.backends.cached_db"
    # Lockout counters stay rows in the database, shared whatever the cache.
    assert found["axes"] == "axes.handlers.database.AxesDatabaseHandler"
    assert found["tasks"] == "django_tasks_rq.RQBackend"


def test_cache_url_names_the_cache_even_with_redis():
    found = settings_with(REDIS_URL="redis://127.0.0.1:6399/3", CACHE_URL="dummycache://")
    assert found["cache"] == "django.core.cache.backends.dummy.DummyCache"
    assert found["session"] == "django.contrib.sessions.backends.cached_db"


@pytest.mark.django_db
def test_lockout_counts_across_clients_with_the_cache_wiped_between(login_post, shandong_director):
    """Three failures through one client, the cache wiped (as a restarted process or another
    server would see it), two more through another client: locked, the right password
    refused. Nothing of the count was in the cache or the first client's session."""
    first, second = Client(), Client()
    for _ in range(3):
        assert login_post(first, shandong_director.username, WRONG).status_code == 200
    cache.clear()
    assert login_post(second, shandong_director.username, WRONG).status_code == 200
    assert login_post(second, shandong_director.username, WRONG).status_code == 429
    response = login_post(Client(), shandong_director.username, TEST_PASSWORD)
    assert response.status_code == 429


@pytest.mark.django_db
@override_settings(SESSION_ENGINE="django.contrib.sessions.backends.cached_db")
def test_cached_db_session_survives_a_wiped_cache(login_post, shandong_director):
    client = Client()
    assert login_post(client, shandong_director.username, TEST_PASSWORD).status_code == 302
    cache.clear()
    assert SESSION_KEY in client.session
    response = client.get("/accounts/password/")
    assert response.status_code == 200
