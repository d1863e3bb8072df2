"""The installable app: manifest, service worker from the site root, the app shell."""

import json

from django.test import Client
from django.urls import reverse

from fieldwork.views import SHELL_STATIC, cache_version


def test_the_manifest_and_service_worker_are_public_and_hold_no_data(db):
    client = Client()
    manifest = client.get("/manifest.webmanifest")
    assert manifest.status_code == 200
    assert manifest["Content-Type"] == "application/manifest+json"
    data = json.loads(manifest.content)
    assert data["start_url"] == reverse("fieldwork:app")
    assert data["display"] == "standalone"
    assert {icon["sizes"] for icon in data["icons"]} >= {"192x192", "512x512"}
    worker = client.get("/sw.js")
    assert worker.status_code == 200
    assert worker["Content-Type"].startswith("text/javascript")
    body = worker.content.decode()
    assert f"longsheng-fieldwork-{cache_version()}" in body
    assert "http://" not in body and "https://" not in body  # no CDN
    for name in SHELL_STATIC:
        assert f"/static/{name}" in body


def test_every_precached_file_exists(db):
    from django.contrib.staticfiles import finders

    for name in SHELL_STATIC:
        assert finders.find(name), name


def test_the_app_shell_carries_no_childs_data(client_for, shandong_director, shandong_child):
    response = client_for(shandong_director).get(reverse("fieldwork:app"))
    assert response.status_code == 200
    text = response.content.decode()
    assert shandong_child.name not in text
    assert 'rel="manifest"' in text
    assert "如儿童有即时危险" in text  # the crisis message is in the offline form


def test_the_field_roles_have_the_menu_entry(client_for, shandong_director, county_staff):
    link = f'href="{reverse("fieldwork:app")}"'
    assert link in client_for(shandong_director).get(reverse("home")).content.decode()
    assert link not in client_for(county_staff).get(reverse("home")).content.decode()
