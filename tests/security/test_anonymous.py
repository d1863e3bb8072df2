"""Nobody sees anything without signing in: every URL of the site, walked from the resolver,
sends an anonymous visitor to the login page. New URLs are covered without editing this."""

from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.security.urlwalk import walk

# Public by design: the login pages, the language switch, logout (which only ends a session),
# and the offline app's manifest and service worker (code and icons, no data: a browser
# fetches them to install and update the app, with or without a session).
PUBLIC = {
    "accounts:login",
    "admin:login",
    "set_language",
    "accounts:logout",
    "admin:logout",
    "fieldwork:manifest",
    "fieldwork:service_worker",
}
ENDPOINTS = [e for e in walk() if e.name not in PUBLIC]


def login_paths() -> set[str]:
    # The admin sends its own pages to its own login form (the same authentication, axes
    # included); everything else goes to the portal's.
    return {reverse(settings.LOGIN_URL), reverse("admin:login")}


def test_every_url_has_an_example():
    missing = [e.route for e in ENDPOINTS if e.example is None]
    assert not missing, f"urlwalk could not build a URL for: {missing}"


def test_the_walk_sees_the_site():
    names = {e.name for e in walk()}
    assert {"home", "accounts:login", "accounts:access_log", "admin:index"} <= names


@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize(
    "endpoint", [e for e in ENDPOINTS if e.example], ids=lambda e: e.name or e.route
)
def test_anonymous_is_sent_to_login(db, endpoint, method):
    response = getattr(Client(), method)(endpoint.example)
    assert response.status_code == 302, (endpoint.route, response.status_code)
    target = urlsplit(response["Location"])
    assert target.path in login_paths(), response["Location"]


@pytest.mark.parametrize("name", sorted(PUBLIC - {"set_language"}))
def test_public_pages_do_not_fail(db, name):
    response = Client().get(reverse(name))
    assert response.status_code in (200, 302, 405)
