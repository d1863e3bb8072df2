"""Submitting, re-running and pruning jobs. The work itself runs in the worker (runner)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs import files
from jobs.models import FINISHED, Job, JobStatus
from jobs.registry import kind_of
from jobs.runner import stale_before
from jobs.tasks import run_job


def job_submit(*, actor, kind: str, title: str, params: dict | None = None) -> Job:
    """Record the job and put it on the queue. Not inside a transaction: the job's row is
    committed before the queue (Redis in production) can hand it to a worker."""
    if not actor.has_perm(kind_of(kind).permission):
        raise PermissionDenied
    job_prune()
    job = Job.objects.create(
        owner=actor,
        kind=kind,
        title=title[:200],
        params=params or {},
        expires_at=timezone.now() + timedelta(hours=settings.JOB_RESULT_HOURS),
    )
    run_job.enqueue(str(job.pk))
    return job


def is_interrupted(job: Job) -> bool:
    """Running, but its worker has not reported for a while: it was stopped or killed."""
    return (
        job.status == JobStatus.RUNNING
        and job.heartbeat_at is not None
        and job.heartbeat_at < stale_before()
    )


def job_retry(*, actor, job: Job) -> Job:
    """Run a failed or interrupted job again, from the start, with the same request."""
    if job.owner_id != actor.pk:
        raise PermissionDenied
    if not actor.has_perm(kind_of(job.kind).permission):
        raise PermissionDenied
    refused = job.result_data.get("refused")
    if not ((job.status == JobStatus.FAILED and not refused) or is_interrupted(job)):
        raise ValidationError(_("该任务正在进行或已完成，不能重新运行。"))
    files.remove_partials(job.pk)
    files.remove(job.result_file)
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.QUEUED,
        done=0,
        total=None,
        message="",
        result_file="",
        result_data={},
        finished_at=None,
        expires_at=timezone.now() + timedelta(hours=settings.JOB_RESULT_HOURS),
    )
    run_job.enqueue(str(job.pk))
    job.refresh_from_db()
    return job


def job_prune(*, now=None) -> int:
    """Remove expired jobs with their files (results are kept a few hours only)."""
    now = now or timezone.now()
    expired = Job.objects.filter(expires_at__lt=now).filter(
        Q(status__in=FINISHED) | Q(heartbeat_at__lt=stale_before()) | Q(heartbeat_at=None)
    )
    count = 0
    for job in expired.only("pk", "result_file"):
        files.remove(job.result_file)
        files.remove_partials(job.pk)
        job.delete()
        count += 1
    return count
