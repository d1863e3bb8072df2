"""The one task the queue carries: run job ``job_id``. The work is in ``runner``."""

from django_tasks import task

from jobs.runner import job_run


@task()
def run_job(job_id: str) -> None:
    job_run(job_id=job_id)
