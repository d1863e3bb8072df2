"""Offline field work: the app shell, its manifest and service worker, and the two JSON
endpoints (the caseload a device keeps, and sync). Thin: read from the user's scope (404
outside it), check the right, call one selector or service."""

import hashlib
import json
from functools import lru_cache

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import get_template, render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.audit import AccessAction, log_access
from accounts.scoping import get_visible_or_404
from care.models import Pairing
from children.models import Child
from fieldwork import selectors, services
from fieldwork.apps import WORK_OFFLINE
from visits.models import Visit

JSON_PARAMS = {"ensure_ascii": False}

# What the service worker keeps for use with no network: the app shell and its static files.
SHELL_STATIC = [
    "vendor/bootstrap-5.3.9/css/bootstrap.min.css",
    "vendor/bootstrap-5.3.9/js/bootstrap.bundle.min.js",
    "vendor/htmx-2.0.11/htmx.min.js",
    "css/portal.css",
    "js/portal.js",
    "img/favicon.svg",
    "fieldwork/app.css",
    "fieldwork/store.js",
    "fieldwork/guard.js",
    "fieldwork/app.js",
    "fieldwork/icon-192.png",
    "fieldwork/icon-512.png",
]


def json_response(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params=JSON_PARAMS)


@lru_cache(maxsize=1)
def cache_version() -> str:
    """A hash of the shell's static files: a new deployment changes the service worker's
    cache name, so phones drop the old files and fetch the new ones."""
    digest = hashlib.sha256()
    for name in SHELL_STATIC:
        path = finders.find(name)
        digest.update(name.encode())
        if path:
            with open(path, "rb") as handle:
                digest.update(handle.read())
    for template in ("fieldwork/app.html", "fieldwork/sw.js"):
        with open(get_template(template).origin.name, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()[:12]


class AppView(PermissionRequiredMixin, TemplateView):
    """离线外勤: the app shell. It holds no child's data (the caseload is fetched as JSON and
    kept encrypted on the device), so the service worker may keep a copy for offline use."""

    permission_required = WORK_OFFLINE
    raise_exception = True
    template_name = "fieldwork/app.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "title": _("离线外勤"),
            "definitions": selectors.form_definitions(self.request.user),
            "urls": {
                "caseload": reverse("fieldwork:caseload"),
                "sync": reverse("fieldwork:sync"),
                "sw": reverse("fieldwork:service_worker"),
            },
        }


@method_decorator(login_not_required, name="dispatch")
class ManifestView(View):
    """The web app manifest: what a phone needs to install the app on its home screen."""

    def get(self, request):
        data = {
            "name": _("龙胜儿童关爱 · 离线外勤"),
            "short_name": _("离线外勤"),
            "description": _("无网络时记录家访、测评和随访，联网后自动同步。"),
            "lang": "zh-CN",
            "start_url": reverse("fieldwork:app"),
            "scope": "/",
            "display": "standalone",
            "orientation": "portrait",
            "background_color": "#ffffff",
            "theme_color": "#1f6f5c",
            "icons": [
                {"src": static(f"fieldwork/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png"}
                for n in (192, 512)
            ]
            + [
                {
                    "src": static("fieldwork/icon-512.png"),
                    "sizes": "512x512",
                    "type": "image/png",
                    "purpose": "maskable",
                }
            ],
        }
        response = JsonResponse(data, json_dumps_params=JSON_PARAMS)
        response["Content-Type"] = "application/manifest+json"
        return response


@method_decorator(login_not_required, name="dispatch")
class ServiceWorkerView(View):
    """/sw.js, from the site root so that it may serve every page of the portal offline."""

    def get(self, request):
        body = render_to_string(
            "fieldwork/sw.js",
            {
                "version": cache_version(),
                "shell": reverse("fieldwork:app"),
                "precache": json.dumps([static(name) for name in SHELL_STATIC]),
                "static_prefix": static(""),
                "manifest": reverse("fieldwork:manifest"),
            },
        )
        response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
        # Checked on every visit, so that a new version reaches phones at once.
        response["Cache-Control"] = "no-cache"
        return response


class CaseloadView(PermissionRequiredMixin, View):
    """The children the user may visit, as JSON for the device; each read is logged."""

    permission_required = WORK_OFFLINE
    raise_exception = True

    def get(self, request):
        data = selectors.caseload(request.user)
        log_access(
            action=AccessAction.VIEW_CHILD,
            request=request,
            target_type="caseload",
            target_label=_("离线名单（%(n)d 名儿童）") % {"n": len(data["children"])},
            detail={"offline_caseload": [child["id"] for child in data["children"]]},
        )
        return json_response(data)


TARGETS = {
    "child": (Child.objects.all(), "child"),
    "pairing": (Pairing.objects.select_related("child", "mentor"), "pairing"),
    "visit": (Visit.objects.select_related("child"), "visit"),
}


class SyncView(View):
    """One queued entry (JSON). Its child, pairing or visit is read from the user's area
    first: outside it, 404 as if absent; then the right; then the service."""

    http_method_names = ["post"]

    def post(self, request):
        try:
            entry = json.loads(request.body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return HttpResponseBadRequest()
        if not isinstance(entry, dict):
            return HttpResponseBadRequest()
        try:
            kind = services.entry_kind(entry)
        except services.Refused as exc:
            return json_response({"status": "refused", "message": exc.message}, status=422)
        target = services.target_kind(kind)
        queryset, field = TARGETS[target]
        obj = get_visible_or_404(queryset, request.user, pk=entry.get(field))
        if not request.user.has_perm(WORK_OFFLINE):
            raise PermissionDenied
        result = services.sync_entry(actor=request.user, entry=entry, target=obj)
        return json_response(result.as_json(), status=result.http_status)
