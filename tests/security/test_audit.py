"""The access log: refusals are recorded, entries are immutable, pruning is the only deletion."""

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.utils import timezone

from accounts.audit import log_access
from accounts.models import AccessAction, AccessLog


def test_permission_denied_is_logged(client_for, shandong_director):
    response = client_for(shandong_director).get("/accounts/users/", REMOTE_ADDR="198.51.100.3")
    assert response.status_code == 403
    entry = AccessLog.objects.get(action=AccessAction.DENIED)
    assert entry.user == shandong_director
    assert entry.path == "/accounts/users/"
    assert entry.ip == "198.51.100.3"
    assert entry.detail == {"method": "GET", "reason": "permission"}


def test_csrf_failure_is_logged_as_denied(shandong_director):
    client = Client(enforce_csrf_checks=True)
    client.force_login(shandong_director)
    response = client.post("/accounts/password/", {"old_password": "x"})
    assert response.status_code == 403
    entry = AccessLog.objects.get(action=AccessAction.DENIED)
    assert entry.user == shandong_director
    assert entry.detail["reason"] == "csrf"


def test_not_found_is_not_logged_as_denied(client_for, shandong_director):
    # Out-of-area objects are 404 exactly like absent ones; logging them would tell them apart.
    response = client_for(shandong_director).get("/accounts/no-such-page/")
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action=AccessAction.DENIED).exists()


def test_entries_cannot_be_changed_or_deleted(shandong_director):
    entry = log_access(action=AccessAction.VIEW_CHILD, user=shandong_director, target_label="x")
    entry.target_label = "changed"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.all().delete()
    with pytest.raises(PermissionError):
        AccessLog.objects.update(target_label="changed")
    assert AccessLog.objects.get().target_label == "x"


def test_admin_is_read_only(client_for, county_admin):
    entry = log_access(action=AccessAction.EXPORT, user=county_admin, target_label="台账")
    client = client_for(county_admin)
    assert client.get("/admin/accounts/accesslog/").status_code == 200
    assert client.get("/admin/accounts/accesslog/?action=export").status_code == 200
    assert client.get(f"/admin/accounts/accesslog/{entry.pk}/change/").status_code == 200
    assert client.get("/admin/accounts/accesslog/add/").status_code == 403
    changed = client.post(f"/admin/accounts/accesslog/{entry.pk}/change/", {"target_label": "改"})
    assert changed.status_code == 403
    assert (
        client.post(f"/admin/accounts/accesslog/{entry.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert AccessLog.objects.filter(pk=entry.pk, target_label="台账").exists()


def _entry_at(when, label):
    with time_machine.travel(when, tick=False):
        return log_access(action=AccessAction.VIEW_CHILD, target_label=label)


def test_prune_deletes_only_entries_past_retention(db):
    now = timezone.now()
    _entry_at(now - dt.timedelta(days=400), "very old")
    _entry_at(now - dt.timedelta(days=200), "old")
    _entry_at(now - dt.timedelta(days=10), "recent")
    out = StringIO()
    with override_settings(ACCESS_LOG_RETENTION_DAYS=365):
        call_command("prune_access_log", stdout=out)
    assert "Deleted 1" in out.getvalue()
    assert set(AccessLog.objects.values_list("target_label", flat=True)) == {"old", "recent"}
    with override_settings(ACCESS_LOG_RETENTION_DAYS=183):
        call_command("prune_access_log", "--dry-run", stdout=StringIO())
        assert AccessLog.objects.count() == 2
        call_command("prune_access_log", stdout=StringIO())
    assert list(AccessLog.objects.values_list("target_label", flat=True)) == ["recent"]


def test_prune_refuses_a_retention_under_six_months(db):
    _entry_at(timezone.now() - dt.timedelta(days=400), "very old")
    with override_settings(ACCESS_LOG_RETENTION_DAYS=182), pytest.raises(CommandError):
        call_command("prune_access_log", stdout=StringIO())
    assert AccessLog.objects.count() == 1
