"""Login events into the access log, and the per-session second-factor decision.

Connected in AccountsConfig.ready().
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser

from accounts.audit import log_access
from accounts.middleware import OTP_REQUIRED_SESSION_KEY, mark_session_renewed, otp_required_for
from accounts.models import AccessAction


def _username(credentials: dict | None) -> str:
    return str((credentials or {}).get("username", ""))[:150]


def on_user_logged_in(sender, request, user, **kwargs):
    if request is None:
        return
    if hasattr(request, "session"):
        request.session[OTP_REQUIRED_SESSION_KEY] = otp_required_for(user)
        # Signing in writes the session: that counts as its first renewal.
        mark_session_renewed(request.session)
    # Only interactive sign-ins (a POSTed login form, ours or the admin's) are logged; the
    # test client's force_login and other programmatic logins carry no method.
    if request.method == "POST":
        log_access(action=AccessAction.LOGIN, user=user, request=request, username=user.username)


def on_user_login_failed(sender, credentials, request=None, **kwargs):
    # An explicit anonymous user: the request of a failed login has nobody signed in (and a
    # programmatic authenticate() may pass a bare request without a user attribute).
    log_access(
        action=AccessAction.LOGIN_FAILED,
        user=AnonymousUser(),
        request=request,
        username=_username(credentials),
    )


def on_user_locked_out(sender, request, username, ip_address, **kwargs):
    log_access(
        action=AccessAction.LOCKED_OUT,
        user=AnonymousUser(),
        request=request,
        username=str(username or "")[:150],
        detail={"failure_limit": settings.AXES_FAILURE_LIMIT},
    )
