"""CSRF is enforced on every URL: a signed-in POST without the token is refused, and no view
opts out with csrf_exempt."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.security.urlwalk import walk

ROOT = Path(settings.BASE_DIR)
SKIP_DIRS = {".venv", "node_modules", "staticfiles", ".git", "var", "tests"}
ENDPOINTS = [e for e in walk() if e.example]
# Every pattern is tried: CsrfViewMiddleware refuses before the view runs, so even views
# that do not handle POST must answer 403 here. Those that do are the ones that matter.
POSTABLE = [e for e in ENDPOINTS if e.allows("post")]


@pytest.fixture
def csrf_client(superuser):
    client = Client(enforce_csrf_checks=True)
    client.force_login(superuser)
    return client


def test_postable_views_are_found():
    names = {e.name for e in POSTABLE}
    assert {"accounts:login", "accounts:logout", "accounts:password_change"} <= names


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name or e.route)
def test_post_without_token_is_refused(csrf_client, endpoint):
    response = csrf_client.post(endpoint.example, {"name": "x", "version": "1"})
    assert response.status_code == 403, (endpoint.route, response.status_code)
    assert "403_csrf.html" in [t.name for t in response.templates]


def test_login_post_without_token_is_refused(db):
    response = Client(enforce_csrf_checks=True).post(
        "/accounts/login/", {"username": "x", "password": "y"}
    )
    assert response.status_code == 403


def test_no_view_is_csrf_exempt():
    exempt = [e.name or e.route for e in walk() if getattr(e.callback, "csrf_exempt", False)]
    assert not exempt


def test_source_never_uses_csrf_exempt():
    pattern = re.compile(r"\bcsrf_exempt\b")
    offenders = []
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in SKIP_DIRS:
            continue
        if pattern.search(path.read_text(encoding="utf-8")):
            offenders.append(str(relative))
    assert not offenders
