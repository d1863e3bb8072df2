"""`manage.py check --deploy` is clean with production values, and our own checks bite."""

import os
import secrets
import subprocess
import sys
from io import StringIO

import pytest
from django.conf import settings
from django.core.checks import Tags, run_checks
from django.core.management import call_command
from django.test import override_settings

from accounts import checks

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"

PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "care.longsheng.example",
    "CSRF_TRUSTED_ORIGINS": "https://care.longsheng.example",
    "SECURE_SSL_REDIRECT": "1",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1",
    "SECURE_HSTS_PRELOAD": "1",
    "SECURE_COOKIES": "1",
    "BEHIND_TLS_PROXY": "1",
    "TRUSTED_PROXIES": "127.0.0.1",
    "FIELD_ENCRYPTION_KEYS": "dGVzdC1vbmx5LWZpZWxkLWVuY3J5cHRpb24ta2V5LTI=",
    "BLIND_INDEX_KEY": secrets.token_urlsafe(48),
}

PRODUCTION_SETTINGS = {
    "DEBUG": False,
    "SECRET_KEY": PRODUCTION_ENV["SECRET_KEY"],
    "ALLOWED_HOSTS": ["care.longsheng.example"],
    "SECURE_SSL_REDIRECT": True,
    "SECURE_HSTS_SECONDS": 31536000,
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
    "SECURE_HSTS_PRELOAD": True,
    "SESSION_COOKIE_SECURE": True,
    "CSRF_COOKIE_SECURE": True,
    "PASSWORD_HASHERS": [ARGON2, "django.contrib.auth.hashers.PBKDF2PasswordHasher"],
    "FIELD_ENCRYPTION_KEYS": [PRODUCTION_ENV["FIELD_ENCRYPTION_KEYS"]],
    "BLIND_INDEX_KEY": PRODUCTION_ENV["BLIND_INDEX_KEY"],
    "ENCRYPTION_KEYS_FROM_ENVIRONMENT": True,
}


def test_check_deploy_is_clean_with_production_environment(tmp_path):
    """The real settings module, configured only through the environment as in deploy/."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DEBUG", "SECRET_KEY", "SECURE_", "ALLOWED_HOSTS", "FIELD_ENC", "BLIND_")
        )
    }  # DJANGO_ALLOW_ASYNC_UNSAFE (set by the browser tests) goes too
    env.update(PRODUCTION_ENV)
    env["DJANGO_SETTINGS_MODULE"] = "longsheng_care.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@override_settings(**PRODUCTION_SETTINGS)
def test_check_deploy_is_clean_in_process(monkeypatch):
    # The browser tests set this for their live server; it is never set in production.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)
    out = StringIO()
    call_command("check", "--deploy", "--fail-level", "WARNING", stdout=out)
    assert "no issues" in out.getvalue()


def ids(**overrides) -> set[str]:
    with override_settings(**(PRODUCTION_SETTINGS | overrides)):
        return {m.id for m in run_checks(include_deployment_checks=True, tags=[Tags.security])}


def without(setting: str, value: str) -> list[str]:
    return [entry for entry in getattr(settings, setting) if entry != value]


def test_our_checks_only_run_with_deploy():
    with override_settings(DEBUG=True):
        assert "accounts.E011" not in {m.id for m in run_checks(tags=[Tags.security])}
        assert "accounts.E011" in ids(DEBUG=True)


def test_argon2_must_be_first():
    assert "accounts.E001" not in ids()
    assert "accounts.E001" in ids(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher", ARGON2]
    )


def test_axes_must_be_installed_and_wired():
    assert not {"accounts.E002", "accounts.E003", "accounts.E004"} & ids()
    assert "accounts.E003" in ids(
        MIDDLEWARE=without("MIDDLEWARE", "axes.middleware.AxesMiddleware")
    )
    assert "accounts.E004" in ids(
        AUTHENTICATION_BACKENDS=["django.contrib.auth.backends.ModelBackend"]
    )
    assert "accounts.E005" in ids(AXES_ENABLED=False)
    with override_settings(INSTALLED_APPS=without("INSTALLED_APPS", "axes")):
        assert [e.id for e in checks.check_axes()] == ["accounts.E002"]


def test_login_required_middleware_must_be_on():
    assert "accounts.E006" not in ids()
    assert "accounts.E006" in ids(
        MIDDLEWARE=without("MIDDLEWARE", "django.contrib.auth.middleware.LoginRequiredMiddleware")
    )


def test_csp_must_be_on_and_strict():
    policy = settings.CONTENT_SECURITY_POLICY
    directives = policy["DIRECTIVES"]
    assert not {"accounts.E007", "accounts.E008", "accounts.E009"} & ids()
    assert "accounts.E007" in ids(MIDDLEWARE=without("MIDDLEWARE", "csp.middleware.CSPMiddleware"))
    for name in ("object-src", "base-uri"):
        loose = {"DIRECTIVES": {k: v for k, v in directives.items() if k != name}}
        assert "accounts.E008" in ids(CONTENT_SECURITY_POLICY=loose), name
    inline = {"DIRECTIVES": directives | {"script-src": ["'self'", "'unsafe-inline'"]}}
    assert "accounts.E009" in ids(CONTENT_SECURITY_POLICY=inline)


def test_defusedxml_must_be_active(monkeypatch):
    import openpyxl.xml

    assert "accounts.E010" not in ids()
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    assert "accounts.E010" in ids()


def test_debug_must_be_off():
    assert "accounts.E011" not in ids()
    assert "accounts.E011" in ids(DEBUG=True)


@pytest.mark.parametrize(
    "setting",
    ["SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"],
)
def test_django_checks_still_fire(setting):
    # Our settings must not silence Django's own deploy checks.
    assert ids(**{setting: False}) - ids()


def test_encryption_keys_must_come_from_the_environment_and_be_sound():
    assert not {"accounts.E012", "accounts.E013", "accounts.E014"} & ids()
    assert "accounts.E012" in ids(ENCRYPTION_KEYS_FROM_ENVIRONMENT=False)
    assert "accounts.E013" in ids(FIELD_ENCRYPTION_KEYS=["not-a-fernet-key"])
    assert "accounts.E014" in ids(BLIND_INDEX_KEY="short")
    same = PRODUCTION_SETTINGS["FIELD_ENCRYPTION_KEYS"][0]
    assert "accounts.E014" in ids(BLIND_INDEX_KEY=same)


def test_production_refuses_to_start_without_the_keys():
    """The real settings with production values but no keys: `check --deploy` (the service's
    ExecStartPre) fails on E012."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(
            ("DJANGO_", "DEBUG", "SECRET_KEY", "SECURE_", "ALLOWED_HOSTS", "FIELD_ENC", "BLIND_")
        )
    }
    env.update(PRODUCTION_ENV)
    del env["FIELD_ENCRYPTION_KEYS"], env["BLIND_INDEX_KEY"]
    env["DJANGO_SETTINGS_MODULE"] = "longsheng_care.settings"
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "ERROR"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "accounts.E012" in result.stdout + result.stderr
