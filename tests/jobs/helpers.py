"""Following a job from the page that started it to its result (the tests run jobs inline,
with the task framework's immediate backend, so the job is done when the redirect comes)."""

from django.http import HttpResponse

from jobs.models import Job


def job_of(response) -> Job:
    """The job a response redirected to (``/jobs/<uuid>/``)."""
    assert response.status_code == 302, response.status_code
    job_id = response["Location"].rstrip("/").split("/")[-1]
    return Job.objects.get(pk=job_id)


def downloaded(client, response) -> HttpResponse:
    """The result file of the job ``response`` started, as a plain response (its headers and
    its bytes in ``content``), or the job page's response when there is nothing to download."""
    job = job_of(response)
    download = client.get(f"/jobs/{job.pk}/download/")
    if not getattr(download, "streaming", False):
        return download
    plain = HttpResponse(b"".join(download.streaming_content), status=download.status_code)
    for header, value in download.items():
        plain[header] = value
    return plain
