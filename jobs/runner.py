"""Running a job inside the worker: claim it, report progress, keep the result.

A job is claimed by a conditional UPDATE (queued → running), so a job enqueued twice, or
picked up by two workers, runs once. Progress and the heartbeat are written at most about
once a second; a job whose heartbeat stops (its worker was killed) is shown as interrupted
and may be run again (``services.job_retry``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from jobs import files
from jobs.models import Job, JobStatus
from jobs.registry import JobRefused, Outcome, kind_of

logger = logging.getLogger(__name__)

REPORT_EVERY_SECONDS = 1.0


class Progress:
    """What a job's code tells its owner: how many of how many, and what it is doing."""

    def __init__(self, job: Job):
        self.job = job
        self._done = 0
        self._total: int | None = None
        self._reported_at = 0.0

    def start(self, total: int | None, message: str = "") -> None:
        self._total, self._done = total, 0
        self._save(message=message)

    def advance(self, rows: int = 1) -> None:
        self._done += rows
        if time.monotonic() - self._reported_at >= REPORT_EVERY_SECONDS:
            self._save()

    def counted(self, rows: Iterable) -> Iterator:
        """Pass ``rows`` through, counting each one."""
        for row in rows:
            yield row
            self.advance()

    @property
    def done(self) -> int:
        return self._done

    def _save(self, message: str | None = None) -> None:
        self._reported_at = time.monotonic()
        fields = {"done": self._done, "total": self._total, "heartbeat_at": timezone.now()}
        if message is not None:
            fields["message"] = message
        # A plain UPDATE (jobs are not audited records): the page polls these columns.
        Job.objects.filter(pk=self.job.pk).update(**fields)


def stale_before():
    return timezone.now() - timedelta(seconds=settings.JOB_STALE_SECONDS)


def job_run(*, job_id) -> None:
    claimed = Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        started_at=timezone.now(),
        heartbeat_at=timezone.now(),
        attempts=F("attempts") + 1,
        message="",
    )
    if not claimed:
        return  # run already, or withdrawn: nothing to do
    job = Job.objects.select_related("owner").get(pk=job_id)
    kind = kind_of(job.kind)
    progress = Progress(job)
    try:
        outcome: Outcome = kind.run(job, progress)
    except JobRefused as exc:
        # Running it again would meet the same answer: the page offers no retry.
        _finish(
            job,
            JobStatus.FAILED,
            message=exc.message,
            done=progress.done,
            result_data={"refused": True},
        )
        return
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        _finish(
            job,
            JobStatus.FAILED,
            message=_("任务出错，未生成任何结果。请重新运行；如仍失败请联系县未保中心管理员。"),
            done=progress.done,
        )
        return
    result_file = ""
    if outcome.data is not None:
        suffix = "." + outcome.filename.rsplit(".", 1)[-1] if "." in outcome.filename else ""
        result_file = files.write_result(job.pk, outcome.data, suffix)
    _finish(
        job,
        JobStatus.DONE,
        done=progress.done,
        result_file=result_file,
        result_name=outcome.filename,
        result_data=outcome.result,
        message="",
    )


def _finish(job: Job, status: str, **fields) -> None:
    Job.objects.filter(pk=job.pk).update(
        status=status, finished_at=timezone.now(), heartbeat_at=timezone.now(), **fields
    )
