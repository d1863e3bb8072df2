"""Job pages: the owner follows the progress and downloads the result; nobody else, whatever
their role, learns that the job exists (404 on every job URL)."""

import datetime as dt
import io

import openpyxl
import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessAction, AccessLog
from jobs import files, services
from jobs.models import Job, JobStatus
from tests import factories
from tests.jobs.helpers import job_of
from tests.security.test_url_registry import ENDPOINTS, classify

pytestmark = pytest.mark.django_db

OWNER_URLS = sorted(e.name for e in ENDPOINTS if (classify(e) or "").startswith("owner:"))


@pytest.fixture
def export_job(client_for, longsheng_supervisor):
    factories.ChildFactory(name="下载甲", village=factories.village("龙胜镇", "山东村"))
    response = client_for(longsheng_supervisor).get(reverse("children:export"))
    return job_of(response)


def _request(client, name, job):
    url = reverse(name, args=[job.pk])
    return client.post(url) if name == "jobs:retry" else client.get(url)


def test_the_export_runs_as_a_job_and_its_page_offers_the_download(
    client_for, longsheng_supervisor, export_job
):
    assert export_job.status == JobStatus.DONE
    assert (export_job.done, export_job.total) == (1, 1)
    page = client_for(longsheng_supervisor).get(export_job.get_absolute_url())
    text = page.content.decode()
    assert "已完成，共 1 行" in text
    assert reverse("jobs:download", args=[export_job.pk]) in text
    download = client_for(longsheng_supervisor).get(reverse("jobs:download", args=[export_job.pk]))
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert "下载甲" in [cell.value for cell in workbook["花名册"]["B"]]
    assert "no-store" in download["Cache-Control"]
    assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize("name", OWNER_URLS)
@pytest.mark.parametrize("other", ["county_admin", "pingdeng_supervisor", "shandong_director"])
def test_another_user_gets_404_on_every_job_url(request, client_for, export_job, name, other):
    """Even the county admin: a result belongs to the person who asked for it."""
    user = request.getfixturevalue(other)
    response = _request(client_for(user), name, export_job)
    assert response.status_code == 404
    assert not AccessLog.objects.filter(action=AccessAction.DOWNLOAD).exists()
    export_job.refresh_from_db()
    assert export_job.status == JobStatus.DONE  # a retry by another user changed nothing


def test_the_job_list_shows_only_ones_own_jobs(client_for, county_admin, export_job):
    own = client_for(export_job.owner).get(reverse("jobs:list")).content.decode()
    other = client_for(county_admin).get(reverse("jobs:list")).content.decode()
    assert export_job.get_absolute_url() in own
    assert export_job.get_absolute_url() not in other


def test_progress_is_polled_until_done_then_the_page_reloads(client_for, longsheng_supervisor):
    job = Job.objects.create(
        owner=longsheng_supervisor,
        kind="ledger_export",
        title="导出",
        status=JobStatus.RUNNING,
        done=300,
        total=1200,
        heartbeat_at=timezone.now(),
        expires_at=timezone.now() + dt.timedelta(hours=6),
    )
    client = client_for(longsheng_supervisor)
    url = reverse("jobs:progress", args=[job.pk])
    running = client.get(url, headers={"HX-Request": "true"})
    text = running.content.decode()
    assert 'max="1200" value="300"' in text and "300 / 1200 行" in text
    assert 'hx-trigger="every 1s"' in text and "HX-Refresh" not in running
    Job.objects.filter(pk=job.pk).update(status=JobStatus.DONE, done=1200)
    finished = client.get(url, headers={"HX-Request": "true"})
    assert finished["HX-Refresh"] == "true"
    assert "every 1s" not in finished.content.decode()


def test_a_job_whose_worker_stopped_is_shown_interrupted_and_can_run_again(
    client_for, longsheng_supervisor
):
    factories.ChildFactory(village=factories.village("龙胜镇", "山东村"))
    started = timezone.now()
    job = Job.objects.create(
        owner=longsheng_supervisor,
        kind="ledger_export",
        title="导出",
        status=JobStatus.RUNNING,
        done=10,
        total=100,
        heartbeat_at=started,
        expires_at=started + dt.timedelta(hours=6),
    )
    client = client_for(longsheng_supervisor)
    with time_machine.travel(started + dt.timedelta(seconds=30)):
        assert "任务中断" not in client.get(job.get_absolute_url()).content.decode()
        assert client.post(reverse("jobs:retry", args=[job.pk])).status_code == 302
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING  # still running: not run twice
    with time_machine.travel(started + dt.timedelta(minutes=5)):
        page = client.get(job.get_absolute_url()).content.decode()
        assert "任务中断" in page and "重新运行" in page
        client.post(reverse("jobs:retry", args=[job.pk]))
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.attempts) == (JobStatus.DONE, 1, 1, 1)
    assert files.result_path(job.result_file).exists()


def test_a_failing_job_leaves_no_file_and_says_so_in_chinese(
    monkeypatch, client_for, longsheng_supervisor
):
    factories.ChildFactory(village=factories.village("龙胜镇", "山东村"))

    def broken_writer(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("children.io.ledger_export.write_ledger", broken_writer)
    job = job_of(client_for(longsheng_supervisor).get(reverse("children:export")))
    assert job.status == JobStatus.FAILED
    assert "任务出错，未生成任何结果" in job.message
    assert job.result_file == ""
    assert not list(files.results_dir().glob(f"*{job.pk}*"))
    response = client_for(longsheng_supervisor).get(reverse("jobs:download", args=[job.pk]))
    assert response.status_code == 404


def test_a_result_is_written_whole_or_not_at_all(monkeypatch, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path

    def interrupted_rename(src, dst):
        raise KeyboardInterrupt  # the process stopped between writing and renaming

    monkeypatch.setattr("core.files.os.replace", interrupted_rename)
    with pytest.raises(KeyboardInterrupt):
        files.write_result("abc", b"PK" * 1000, ".xlsx")
    assert not list(files.results_dir().iterdir())


def test_expired_jobs_and_their_files_are_removed(longsheng_supervisor, export_job):
    path = files.result_path(export_job.result_file)
    assert path.exists()
    assert services.job_prune(now=export_job.expires_at - dt.timedelta(minutes=1)) == 0
    assert services.job_prune(now=export_job.expires_at + dt.timedelta(minutes=1)) == 1
    assert not path.exists()
    assert not Job.objects.exists()


def test_a_job_kind_needs_its_permission(shandong_director):
    with pytest.raises(services.PermissionDenied):
        services.job_submit(actor=shandong_director, kind="ledger_export", title="导出")
    assert not Job.objects.exists()
