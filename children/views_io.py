"""Excel import and export of the ledger: thin views over children.io and the services."""

import uuid

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from accounts.scoping import visible_townships
from children.io import staging
from children.io.forms import LedgerImportForm
from children.io.template import build_template
from children.jobs import LEDGER_EXPORT, LEDGER_IMPORT_PREVIEW, LEDGER_IMPORT_WRITE
from jobs.models import Job, JobStatus
from jobs.services import job_submit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SESSION_KEY = "ledger_import"
PREVIEW_ROWS = 50  # rows listed on the page; the counts cover the whole file
MAX_ERRORS_SHOWN = 1000  # beyond this the page gets unwieldy; the command prints them all


def _xlsx_response(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


class LedgerImportView(PermissionRequiredMixin, View):
    """Upload → preview job (nothing written) → confirm → write job (everything, or nothing).

    Both steps run in the background (children/jobs.py): the person watches the progress on
    the job's page, which shows the preview with its confirm button, then the outcome."""

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
        job = job_submit(
            actor=request.user,
            kind=LEDGER_IMPORT_PREVIEW,
            title=_("导入台账预览：%(file)s") % {"file": upload.name[:100]},
            params={
                "token": staging.stage(upload.read()),
                "township": township.pk,
                "filename": upload.name[:200],
            },
        )
        return redirect(job.get_absolute_url())

    def confirm(self, request):
        """Confirm the previewed file: only the person who previewed it, only once."""
        preview = (
            Job.objects.visible_to(request.user)
            .filter(pk=_uuid_or_none(request.POST.get("job")), kind=LEDGER_IMPORT_PREVIEW)
            .first()
        )
        if (
            preview is None
            or preview.status != JobStatus.DONE
            or not preview.result_data.get("ok")
            or Job.objects.filter(
                kind=LEDGER_IMPORT_WRITE, params__preview=str(preview.pk)
            ).exists()
        ):
            messages.error(request, _("预览已过期或已导入，请重新上传文件。"))
            return redirect("children:import")
        summary = preview.result_data
        job = job_submit(
            actor=request.user,
            kind=LEDGER_IMPORT_WRITE,
            title=_("导入台账：%(file)s") % {"file": summary.get("filename", "")[:100]},
            params={
                **preview.params,
                "preview": str(preview.pk),
                "rows": summary["new"] + summary["updated"] + summary["unchanged"],
            },
        )
        return redirect(job.get_absolute_url())


def _uuid_or_none(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


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
