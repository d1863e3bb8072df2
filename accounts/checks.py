"""Our own deployment checks, run by ``manage.py check --deploy`` next to Django's.

Each guards one promise of docs/architecture.md ("Security promises kept in code") that a
settings change could silently break.
"""

from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, register

ARGON2 = "django.contrib.auth.hashers.Argon2PasswordHasher"
AXES_MIDDLEWARE = "axes.middleware.AxesMiddleware"
AXES_BACKENDS = ("axes.backends.AxesStandaloneBackend", "axes.backends.AxesBackend")
LOGIN_REQUIRED_MIDDLEWARE = "django.contrib.auth.middleware.LoginRequiredMiddleware"
CSP_MIDDLEWARE = "csp.middleware.CSPMiddleware"


@register(Tags.security, deploy=True)
def check_argon2_first(app_configs=None, **kwargs):
    hashers = list(getattr(settings, "PASSWORD_HASHERS", []))
    if not hashers or hashers[0] != ARGON2:
        return [
            Error(
                "Argon2 is not the first password hasher.",
                hint=f"Put {ARGON2!r} first in PASSWORD_HASHERS.",
                id="accounts.E001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_axes(app_configs=None, **kwargs):
    errors = []
    if not apps.is_installed("axes"):
        errors.append(
            Error(
                "django-axes is not installed.",
                hint="Add 'axes' to INSTALLED_APPS.",
                id="accounts.E002",
            )
        )
    if AXES_MIDDLEWARE not in settings.MIDDLEWARE:
        errors.append(
            Error(
                "django-axes middleware is not enabled.",
                hint=f"Add {AXES_MIDDLEWARE!r} (last) to MIDDLEWARE.",
                id="accounts.E003",
            )
        )
    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", []))
    if not backends or backends[0] not in AXES_BACKENDS:
        errors.append(
            Error(
                "django-axes backend is not the first authentication backend.",
                hint="Put 'axes.backends.AxesStandaloneBackend' first in AUTHENTICATION_BACKENDS.",
                id="accounts.E004",
            )
        )
    if not getattr(settings, "AXES_ENABLED", True):
        errors.append(Error("django-axes is disabled (AXES_ENABLED=False).", id="accounts.E005"))
    return errors


@register(Tags.security, deploy=True)
def check_login_required(app_configs=None, **kwargs):
    if LOGIN_REQUIRED_MIDDLEWARE not in settings.MIDDLEWARE:
        return [
            Error(
                "LoginRequiredMiddleware is not enabled: views would be public by default.",
                hint=f"Add {LOGIN_REQUIRED_MIDDLEWARE!r} after AuthenticationMiddleware.",
                id="accounts.E006",
            )
        ]
    return []


def _directive(policy: dict, name: str) -> list[str]:
    value = (policy.get("DIRECTIVES") or {}).get(name) or []
    return [value] if isinstance(value, str) else list(value)


@register(Tags.security, deploy=True)
def check_csp(app_configs=None, **kwargs):
    errors = []
    if CSP_MIDDLEWARE not in settings.MIDDLEWARE:
        errors.append(
            Error(
                "The Content-Security-Policy middleware is not enabled.",
                hint=f"Add {CSP_MIDDLEWARE!r} to MIDDLEWARE.",
                id="accounts.E007",
            )
        )
    policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
    for name in ("object-src", "base-uri"):
        if _directive(policy, name) != ["'none'"]:
            errors.append(
                Error(
                    f"The Content-Security-Policy must set {name} 'none'.",
                    hint=f"CONTENT_SECURITY_POLICY['DIRECTIVES'][{name!r}] = [\"'none'\"]",
                    id="accounts.E008",
                )
            )
    script_src = _directive(policy, "script-src") or _directive(policy, "default-src")
    if not script_src or any(v in script_src for v in ("'unsafe-inline'", "'unsafe-eval'", "*")):
        errors.append(
            Error(
                "The Content-Security-Policy must restrict scripts (no inline scripts).",
                hint="script-src 'self' without 'unsafe-inline', 'unsafe-eval' or *.",
                id="accounts.E009",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_defusedxml(app_configs=None, **kwargs):
    from django.core.exceptions import ImproperlyConfigured

    from core.xlsx_guard import assert_defusedxml_active

    try:
        assert_defusedxml_active()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="accounts.E010")]
    return []


@register(Tags.security, deploy=True)
def check_debug_off(app_configs=None, **kwargs):
    if settings.DEBUG:
        return [
            Error(
                "DEBUG is on: error pages would show minors' data and settings.",
                hint="Set DEBUG=0 in the production environment.",
                id="accounts.E011",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def check_encryption_keys(app_configs=None, **kwargs):
    """ID numbers and phones are encrypted at rest (core/fields.py) with keys that must come
    from the environment: the development ones are derived from SECRET_KEY."""
    from cryptography.fernet import Fernet

    errors = []
    hint = (
        "Set FIELD_ENCRYPTION_KEYS (Fernet keys, comma-separated, current first) and "
        "BLIND_INDEX_KEY (32+ random characters) in the environment; see README."
    )
    if not getattr(settings, "ENCRYPTION_KEYS_FROM_ENVIRONMENT", False):
        errors.append(
            Error(
                "The field-encryption keys are derived from SECRET_KEY (development only).",
                hint=hint,
                id="accounts.E012",
            )
        )
    keys = list(getattr(settings, "FIELD_ENCRYPTION_KEYS", []))
    for key in keys:
        try:
            Fernet(key.strip())
        except ValueError:
            errors.append(
                Error(
                    "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key.",
                    hint=hint,
                    id="accounts.E013",
                )
            )
            break
    blind = getattr(settings, "BLIND_INDEX_KEY", "")
    if len(blind) < 32 or blind in {key.strip() for key in keys}:
        errors.append(
            Error(
                "BLIND_INDEX_KEY must be 32+ characters and differ from the encryption keys.",
                hint=hint,
                id="accounts.E014",
            )
        )
    return errors
