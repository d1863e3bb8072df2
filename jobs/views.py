"""Job pages: progress while it runs, then the download or the result. Only the job's owner
sees any of it (404 for everyone else, as for a record outside one's area)."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts.audit import AccessAction, log_access
from accounts.scoping import get_visible_or_404
from jobs import files, selectors, services
from jobs.models import Job, JobStatus
from jobs.registry import kind_of


class JobMixin:
    def dispatch(self, request, *args, **kwargs):
        self.job = get_visible_or_404(Job.objects.all(), request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def job_context(self) -> dict:
        job = self.job
        return {
            "job": job,
            "interrupted": services.is_interrupted(job),
            "result_template": kind_of(job.kind).result_template,
            "downloadable": job.status == JobStatus.DONE and bool(job.result_file),
        }


class JobListView(TemplateView):
    """我的后台任务: the user's recent exports and imports."""

    template_name = "jobs/job_list.html"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "jobs": selectors.recent_jobs(self.request.user),
        }


class JobDetailView(JobMixin, TemplateView):
    template_name = "jobs/job_detail.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.job_context()}


class JobProgressView(JobMixin, TemplateView):
    """The progress part of the job page, polled by htmx until the job ends; then the page
    reloads once to show the result."""

    template_name = "jobs/_progress.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.job.is_finished and request.headers.get("HX-Request"):
            response["HX-Refresh"] = "true"
        return response

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.job_context()}


class JobDownloadView(JobMixin, View):
    def get(self, request, *args, **kwargs):
        job = self.job
        path = files.result_path(job.result_file) if job.status == JobStatus.DONE else None
        if path is None or not path.exists():
            raise Http404
        log_access(
            action=AccessAction.DOWNLOAD,
            request=request,
            target_type="job",
            target_id=str(job.pk),
            target_label=job.result_name or job.title,
            detail={"kind": job.kind},
        )
        response = FileResponse(path.open("rb"), content_type=_content_type(job.result_name))
        response["Content-Disposition"] = content_disposition_header(True, job.result_name)
        return response


class JobRetryView(JobMixin, View):
    def post(self, request, *args, **kwargs):
        try:
            services.job_retry(actor=request.user, job=self.job)
        except ValidationError as exc:
            messages.error(request, exc.messages[0])
        else:
            messages.success(request, _("任务已重新开始。"))
        return redirect(self.job.get_absolute_url())


def _content_type(filename: str) -> str:
    if filename.endswith(".xlsx"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return "application/octet-stream"
