"""Request-wide security: the client address, the second factor, no caching of personal data,
and an access-log entry for every refused request.

Order in settings.MIDDLEWARE matters and is explained there.
"""

import ipaddress

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode

from accounts.models import AccessAction

OTP_REQUIRED_SESSION_KEY = "accounts_otp_required"


# --- client address ------------------------------------------------------------------------


def _is_trusted_proxy(address: str, trusted: list[str]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in trusted:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def real_client_address(meta: dict, trusted: list[str]) -> str | None:
    """The client address of a request: REMOTE_ADDR, unless the peer is a trusted proxy.

    Behind a trusted proxy the address is the right-most X-Forwarded-For entry that is not
    itself a trusted proxy: entries to its left were written by the client and prove nothing.
    nginx is configured (deploy/) to overwrite the header with the peer it saw.
    """
    remote = meta.get("REMOTE_ADDR") or None
    if not remote or not trusted or not _is_trusted_proxy(remote, trusted):
        return remote
    forwarded = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for candidate in reversed([part for part in forwarded if part]):
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            return remote  # a garbled header: keep the proxy's own address
        if not _is_trusted_proxy(candidate, trusted):
            return candidate
    return remote


def client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: REMOTE_ADDR, already corrected by TrustedProxyMiddleware."""
    return request.META.get("REMOTE_ADDR") or None


class TrustedProxyMiddleware:
    """Replace REMOTE_ADDR with the real client address when the peer is a trusted proxy,
    so that axes, the access log and everything else read one trustworthy value."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        trusted = getattr(settings, "TRUSTED_PROXIES", [])
        if trusted:
            address = real_client_address(request.META, trusted)
            if address:
                request.META["REMOTE_ADDR"] = address
        return self.get_response(request)


# --- idle sessions -------------------------------------------------------------------------

SESSION_RENEWED_KEY = "_renewed_at"


class IdleSessionMiddleware:
    """Keep a session alive while it is used, ending it after SESSION_COOKIE_AGE idle seconds.

    Saving a session renews its expiry. Instead of saving on every request (one UPDATE per
    page), a session in use is marked for saving when it was last renewed
    SESSION_RENEW_SECONDS ago or more. Listed after SessionMiddleware, which saves it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and not session.is_empty():
            renewed = session.get(SESSION_RENEWED_KEY, 0)
            if timezone.now().timestamp() - renewed >= settings.SESSION_RENEW_SECONDS:
                mark_session_renewed(session)
        return response


def mark_session_renewed(session) -> None:
    """Record the renewal; setting the key also marks the session for saving."""
    session[SESSION_RENEWED_KEY] = int(timezone.now().timestamp())


# --- no caching ----------------------------------------------------------------------------


class NoStoreMiddleware:
    """Every page a signed-in user gets carries minors' personal data (child pages, lists,
    exports, photos): no browser or proxy may keep a copy (Cache-Control: no-store)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Merged into whatever the view set; no-store overrides any max-age or public.
            patch_cache_control(response, no_store=True)
        return response


# --- denied access -------------------------------------------------------------------------


class DeniedAccessLogMiddleware:
    """Write an access-log entry (拒绝访问) for every 403 response.

    Looking at the response rather than catching PermissionDenied covers every way a request
    is refused — PermissionRequiredMixin, a service raising PermissionDenied, a CSRF failure
    — and needs no handler403 in the URL configuration. Out-of-area objects are 404, the same
    as absent ones, and are not logged here: logging them would tell them apart.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            from accounts.audit import log_access

            user = getattr(request, "user", None)
            # accounts.views.csrf_failure marks the request it refuses.
            reason = "csrf" if getattr(request, "csrf_failed", False) else "permission"
            log_access(
                action=AccessAction.DENIED,
                user=user if user is not None and user.is_authenticated else None,
                request=request,
                detail={"method": request.method, "reason": reason},
            )
        return response


# --- second factor -------------------------------------------------------------------------


def otp_required_for(user) -> bool:
    """Must this user pass the second factor? Yes if they enrolled a device, or if the
    county requires it for county roles and they hold one."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from accounts.choices import COUNTY_ROLES
    from accounts.models import SecurityPolicy

    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return True
    return user.role in COUNTY_ROLES and SecurityPolicy.current().require_otp_for_county_roles


# URL names an unverified user may still reach: the OTP steps themselves and the way out.
OTP_EXEMPT_URL_NAMES = frozenset(
    {
        "accounts:otp_verify",
        "accounts:otp_setup",
        "accounts:logout",
        "accounts:login",
        "set_language",
    }
)


class OTPRequiredMiddleware:
    """Send a signed-in user who must use the second factor and has not yet done so in this
    session to the OTP step (enrolment if they have no device yet).

    Whether the user needs it is decided once per login (accounts.signals stores it in the
    session), so a normal request costs no query; a change of the policy applies from each
    user's next login, at most 30 idle minutes away.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if OTP_REQUIRED_SESSION_KEY not in request.session:
            # A session from before this middleware existed: decide now, once.
            request.session[OTP_REQUIRED_SESSION_KEY] = otp_required_for(user)
        if not request.session[OTP_REQUIRED_SESSION_KEY]:
            return None
        is_verified = getattr(user, "is_verified", None)  # installed by django_otp's middleware
        if is_verified is not None and is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OTP_EXEMPT_URL_NAMES:
            return None
        from django_otp.plugins.otp_totp.models import TOTPDevice

        target = (
            "accounts:otp_verify"
            if TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            else "accounts:otp_setup"
        )
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
