"""Excel import and export of the ledger: thin views over children.io and the services."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.crypto import constant_time_compare
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from accounts.scoping import visible_townships
from children.identity import mask_id_number
from children.io import staging
from children.io.forms import LedgerImportForm
from children.io.ledger_import import import_ledger, preview_ledger
from children.io.template import build_template
from children.io.xlsx_guard import WorkbookRefused
from children.jobs import LEDGER_EXPORT
from jobs.services import job_submit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "ledger_import"
PREVIEW_ROWS = 50  # rows listed on the page; the counts cover the whole file
MAX_ERRORS_SHOWN = 1000  # beyond this the page gets unwieldy; the command prints them all


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    # A sheet of minors' data must not linger in a shared or browser cache.
    response["Cache-Control"] = "no-store"
    return response


class LedgerImportView(PermissionRequiredMixin, View):
    """Upload → preview (nothing written) → confirm (everything written, or nothing)."""

    permission_required = "children.import_ledger"
    raise_exception = True
    template_name = "children/import_ledger.html"

    def render_page(self, request, form, **context):
        return render(request, self.template_name, {"form": form, **context})

    def get(self, request):
        return self.render_page(request, LedgerImportForm(user=request.user))

    def post(self, request):
        if "confirm" in request.POST:
            return self.confirm(request)
        form = LedgerImportForm(request.POST, request.FILES, user=request.user)
        if not form.is_valid():
            return self.render_page(request, form)
        upload, township = form.cleaned_data["file"], form.cleaned_data["township"]
        data = upload.read()
        try:
            preview = preview_ledger(actor=request.user, township=township, data=data)
        except WorkbookRefused as exc:
            form.add_error("file", exc.message)
            return self.render_page(request, form)
        token = None
        if preview.ok:
            old = request.session.get(SESSION_KEY)
            if old:
                staging.discard(old.get("token", ""))
            token = staging.stage(data)
            request.session[SESSION_KEY] = {
                "token": token,
                "township": township.pk,
                "filename": upload.name[:200],
            }
        return self.render_page(
            request,
            form,
            **self.preview_context(preview, township, upload.name, token),
        )

    def confirm(self, request):
        state = request.session.get(SESSION_KEY) or {}
        token = request.POST.get("token", "")
        data = None
        if state.get("token") and constant_time_compare(token, state["token"]):
            data = staging.take(token)
        township = visible_townships(request.user).filter(pk=state.get("township")).first()
        if data is None or township is None:
            messages.error(request, _("预览已过期或已导入，请重新上传文件。"))
            return redirect("children:import")
        filename = state.get("filename", "")
        try:
            result = import_ledger(
                actor=request.user,
                township=township,
                data=data,
                filename=filename,
                request=request,
            )
        except WorkbookRefused as exc:
            result, refusal = None, exc.message
        else:
            refusal = None
        request.session.pop(SESSION_KEY, None)
        form = LedgerImportForm(user=request.user, initial={"township": township.pk})
        if refusal:
            messages.error(request, refusal)
            return redirect("children:import")
        if result.errors:
            # Something changed since the preview (another import, an edit): nothing written.
            return self.render_page(
                request,
                form,
                confirm_failed=True,
                **self.preview_context(result, township, filename, None),
            )
        messages.success(
            request,
            _("导入完成：新增 %(new)d 人，更新 %(updated)d 人，无变化 %(unchanged)d 人。")
            % {
                "new": result.plan.new,
                "updated": result.plan.updated,
                "unchanged": result.plan.unchanged,
            },
        )
        return redirect("children:import")

    @staticmethod
    def preview_context(preview, township, filename, token) -> dict:
        rows = []
        for row in preview.plan.rows[:PREVIEW_ROWS]:
            child = row.child
            rows.append(
                {
                    "row": row.source.row,
                    "name": child.name,
                    "id": mask_id_number(child.id_number) if child.id_number else _("未登记户口"),
                    "village": row.source.village.name,
                    "status": row.status,
                    "status_label": row.status_label,
                    "changes": [
                        f"{label}：{before or '—'} → {after or '—'}"
                        for label, (before, after) in row.changes.items()
                    ],
                }
            )
        errors = preview.errors
        return {
            "preview": preview,
            "township": township,
            "filename": filename,
            "token": token,
            "preview_rows": rows,
            "more_rows": max(0, len(preview.plan.rows) - PREVIEW_ROWS),
            "errors": errors[:MAX_ERRORS_SHOWN],
            "errors_hidden": max(0, len(errors) - MAX_ERRORS_SHOWN),
        }


class LedgerImportTemplateView(PermissionRequiredMixin, View):
    """The blank template, with the villages and directors of the chosen township."""

    permission_required = "children.import_ledger"
    raise_exception = True

    def get(self, request):
        townships = visible_townships(request.user)
        township = None
        if request.GET.get("township", "").isdigit():
            township = townships.filter(pk=request.GET["township"]).first()
        elif request.user.township_id:
            township = townships.filter(pk=request.user.township_id).first()
        data = build_template(township=township)
        name = township.name if township is not None else _("全县")
        return _xlsx_response(data, _("困境儿童台账导入模板-%(name)s.xlsx") % {"name": name})


class LedgerExportView(PermissionRequiredMixin, View):
    """The filtered ledger list as a 花名册 workbook, written by a background job
    (children/jobs.py); the person follows its progress and downloads it from the job page."""

    permission_required = "children.export_ledger"
    raise_exception = True

    def get(self, request):
        query = request.GET.copy()
        query.pop("reveal", None)
        job = job_submit(
            actor=request.user,
            kind=LEDGER_EXPORT,
            title=_("导出困境儿童花名册"),
            params={
                "query": query.urlencode(),
                "reveal": request.GET.get("reveal") == "1",
                "filters": {
                    key: values[0] if len(values) == 1 else values
                    for key, values in request.GET.lists()
                },
            },
        )
        return redirect(job.get_absolute_url())
