"""Security headers on every kind of response, and no-store on everything signed in."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from tests.security.urlwalk import walk

ROOT = Path(settings.BASE_DIR)


def csp_directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_common_headers(response):
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def assert_no_store(response):
    assert "no-store" in response["Cache-Control"], response.get("Cache-Control")


def test_login_page_carries_the_security_headers(db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert_common_headers(response)


def test_signed_in_page_carries_headers_and_no_store(client_for, county_admin):
    response = client_for(county_admin).get("/accounts/users/import/template.xlsx")
    assert response.status_code == 200
    assert_common_headers(response)
    assert_no_store(response)


def test_refused_page_carries_no_store(client_for, shandong_director):
    response = client_for(shandong_director).get("/accounts/users/")
    assert response.status_code == 403
    assert_no_store(response)


def _url(name, *args):
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        pytest.skip(f"{name} does not exist yet")


def test_child_list_and_child_page_are_not_stored(client_for, shandong_director, shandong_child):
    client = client_for(shandong_director)
    for url in (_url("children:list"), _url("children:detail", shandong_child.pk)):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_common_headers(response)
        assert_no_store(response)


def test_exports_are_not_stored(client_for, county_admin, shandong_child):
    exports = [e for e in walk() if e.name and "export" in e.name and not e.takes_id]
    if not exports:
        pytest.skip("no export URL exists yet")
    client = client_for(county_admin)
    for endpoint in exports:
        response = client.get(endpoint.example)
        assert response.status_code in (200, 302, 403), endpoint.name
        assert_no_store(response)


def test_static_files_stay_cacheable_and_public(db):
    # WhiteNoise answers before the no-store middleware: CSS and JS hold no personal data.
    from django.contrib.staticfiles import finders

    assert finders.find("css/portal.css")
    response = Client().get("/static/css/portal.css")
    if response.status_code == 404:
        pytest.skip("static files are not collected in this environment")
    assert "no-store" not in response.get("Cache-Control", "")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTR = re.compile(r"\sstyle\s*=", re.IGNORECASE)
JSON_SCRIPT = re.compile(r'type="application/(ld\+)?json"', re.IGNORECASE)


def test_templates_have_no_inline_script_or_style():
    """The CSP forbids them; a template that used one would break in the browser."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.html"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            scripts = [m for m in INLINE_SCRIPT.finditer(line) if not JSON_SCRIPT.search(m[0])]
            if scripts or INLINE_HANDLER.search(line) or STYLE_ATTR.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
