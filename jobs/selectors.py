"""Reads of jobs: only ever the user's own."""

from jobs.models import Job


def recent_jobs(user, limit: int = 20):
    return Job.objects.visible_to(user).defer("params", "result_data")[:limit]
