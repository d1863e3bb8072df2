import base64
import secrets
from io import BytesIO

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _
from django.views import View
from django.views import csrf as csrf_views
from django.views.generic import FormView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin, SingleTableView
from openpyxl import Workbook

from accounts import selectors, services, services_villages
from accounts.filters import AccessLogFilter
from accounts.forms import LoginForm, SpreadsheetUploadForm, VillageLoadForm
from accounts.models import Township, Village
from accounts.tables import AccessLogTable, UserTable, VillageTable
from core.cells import safe_row
from core.xlsx_guard import WorkbookRefused

# From this many failures on, the login page says how many attempts are left before the lockout.
WARN_AFTER_FAILURES = 3


class PortalLoginView(auth_views.LoginView):
    """登录. Django's login() rotates the session key; django-axes counts the failures."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        # Counted per username and address, as axes locks (AXES_LOCKOUT_PARAMETERS), whether
        # or not the account exists: the warning tells nothing about which names are real.
        username = str(self.request.POST.get("username", ""))[:150]
        failures = AxesProxyHandler.get_failures(self.request, {"username": username})
        left = settings.AXES_FAILURE_LIMIT - failures
        context = {}
        if failures >= WARN_AFTER_FAILURES and left > 0:
            minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
            context["attempts_warning"] = _(
                "还可再试 %(left)d 次；再失败将锁定账号 %(minutes)d 分钟。"
            ) % {"left": left, "minutes": minutes}
        return self.render_to_response(self.get_context_data(form=form, **context))


class PortalLogoutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET). The login page it leads to says the
    person is signed out, so that on a shared computer nobody wonders."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # Nothing of the portal stays in this browser: the offline store (IndexedDB), the
        # offline app's cache and its service worker go with the session.
        response["Clear-Site-Data"] = '"cache", "storage"'
        # After logout() flushed the session: the message lives in the new, anonymous one.
        messages.success(request, _("已安全退出。"))
        return response


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("登录失败次数过多，账号已暂时锁定，请 %(minutes)d 分钟后再试或联系县未保中心。") % {
        "minutes": minutes
    }


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the login page again, with the lockout message (HTTP 429)."""
    username = str((credentials or {}).get("username", "") or request.POST.get("username", ""))
    form = LoginForm(request, initial={"username": username[:150]})
    context = {"form": form, "lockout_message": lockout_message(), "next": ""}
    return render(request, "accounts/login.html", context, status=429)


def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: Django's own page, with the request marked so that the access log
    records the refusal as a CSRF failure."""
    request.csrf_failed = True
    return csrf_views.csrf_failure(request, reason=reason)


class PortalPasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        messages.success(self.request, _("密码已修改。"))
        return super().form_valid(form)


class UserManagerMixin(PermissionRequiredMixin):
    permission_required = "accounts.manage_users"
    raise_exception = True


class UserListView(UserManagerMixin, SingleTableView):
    table_class = UserTable
    template_name = "accounts/user_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.user_list()


class DirectorImportView(UserManagerMixin, FormView):
    form_class = SpreadsheetUploadForm
    template_name = "accounts/director_import.html"

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            report = services.directors_import(filename=upload.name, data=upload.read())
        except WorkbookRefused as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(form=form, report=report))


class DirectorTemplateView(UserManagerMixin, View):
    def get(self, request):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "儿童主任名单"
        sheet.append(safe_row(["用户名", "姓名", "联系电话", "乡镇", "村（社区）"]))
        example_village = Village.objects.select_related("township").first()
        if example_village:
            sheet.append(
                safe_row(
                    [
                        "zhangsan",
                        "张三",
                        "13800000000",
                        example_village.township.name,
                        example_village.name,
                    ]
                )
            )
        sheet.column_dimensions["A"].width = 16
        sheet.column_dimensions["D"].width = 12
        sheet.column_dimensions["E"].width = 14
        options = workbook.create_sheet("乡镇与村")
        options.append(safe_row(["乡镇", "村（社区）"]))
        for township in Township.objects.prefetch_related("villages"):
            for village in township.villages.all():
                # Names are typed by people: "=1+1" must stay text, not become a formula.
                options.append(safe_row([township.name, village.name]))
        buffer = BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = 'attachment; filename="directors-template.xlsx"'
        return response


class VillageListView(PermissionRequiredMixin, SingleTableView):
    """村/社区: the county's villages with their codes, status and what each holds."""

    permission_required = "accounts.change_village"
    raise_exception = True
    table_class = VillageTable
    template_name = "accounts/village_list.html"
    paginate_by = 200

    def get_queryset(self):
        return selectors.village_list()


class VillageLoadView(PermissionRequiredMixin, View):
    """Upload the official list → preview every change (nothing written) → confirm.

    The confirmation loads exactly the previewed file (kept on the server under a token
    held in the session) and plans it again, so a change made in between is not missed.
    """

    permission_required = "accounts.change_village"
    raise_exception = True
    template_name = "accounts/village_load.html"
    session_key = "village_load"

    def render_page(self, request, form, **context):
        return render(request, self.template_name, {"form": form, **context})

    def get(self, request):
        return self.render_page(request, VillageLoadForm())

    def post(self, request):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = VillageLoadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(request, form)
        upload = form.cleaned_data["file"]
        retire = form.cleaned_data["retire_absent"]
        data = upload.read()
        try:
            report = services_villages.villages_load(
                filename=upload.name, data=data, dry_run=True, retire_absent=retire
            )
        except WorkbookRefused as exc:
            form.add_error("file", str(exc))
            return self.render_page(request, form)
        token = None
        if report.ok and report.changes:
            # A list of villages is small (Longsheng's is 10 kB): it waits in the session,
            # under a random token, for the confirmation.
            token = secrets.token_urlsafe(32)
            request.session[self.session_key] = {
                "token": token,
                "filename": upload.name[:200],
                "retire_absent": retire,
                "data": base64.b64encode(data).decode("ascii"),
            }
        return self.render_page(request, form, report=report, token=token)

    def confirm(self, request):
        state = request.session.pop(self.session_key, None) or {}
        token = request.POST.get("token", "")
        data = None
        if state.get("token") and constant_time_compare(token, state["token"]):
            data = base64.b64decode(state["data"])
        if data is None:
            messages.error(request, _("预览已过期或已导入，请重新上传文件。"))
            return redirect("accounts:village_load")
        try:
            report = services_villages.villages_load(
                filename=state["filename"],
                data=data,
                retire_absent=state["retire_absent"],
                actor=request.user,
            )
        except WorkbookRefused as exc:
            messages.error(request, str(exc))
            return redirect("accounts:village_load")
        if not report.ok:
            # Something changed since the preview: nothing was written.
            return self.render_page(request, VillageLoadForm(), report=report)
        messages.success(request, report.summary())
        return redirect("accounts:village_list")


class AccessLogView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """访问日志: the county admin browses who read, exported or was refused what."""

    permission_required = "children.view_access_log"
    raise_exception = True
    table_class = AccessLogTable
    filterset_class = AccessLogFilter
    template_name = "accounts/access_log.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.access_log()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["retention_days"] = settings.ACCESS_LOG_RETENTION_DAYS
        return context
