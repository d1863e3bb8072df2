import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.models import User


def snapshot():
    from django.apps import apps

    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label
        in {"accounts", "children", "visits", "care", "activities", "reports"}
        and model._meta.model_name != "accesslog"
    }


@override_settings(DEBUG=True)
def test_seed_demo_twice_leaves_the_same_data(db):
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == first
    assert set(User.objects.values_list("username", flat=True)) >= {
        "county",
        "center",
        "longsheng",
        "pingdeng",
        "director",
    }
    assert first["children.Child"] >= 50


def test_seed_demo_refuses_without_debug_unless_forced(db):
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_demo", stdout=io.StringIO())
    assert not User.objects.exists()
    call_command("seed_demo", "--force", stdout=io.StringIO())
    assert User.objects.filter(username="county").exists()


@override_settings(DEBUG=True)
def test_seed_demo_prints_the_demo_logins(db):
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    for username in ["county", "center", "longsheng", "pingdeng", "director", "demo-pass-2026"]:
        assert username in out.getvalue()
