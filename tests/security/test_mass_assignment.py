"""Extra POSTed fields are ignored: the main edit forms, submitted exactly as the portal renders
them (read from the page's HTML) plus fields a crafted request might add — the record's area,
child, creator, status, review state, synthetic flag, submission times — save the legitimate
change and leave every one of those fields as it was. ``version`` is a field of every edit
form (optimistic locking); it cannot be set either: each save moves it on by exactly one.
"""

import datetime as dt

import pytest
from django.urls import reverse

from care.models import Screening
from care.screening import get_instrument
from reports import services as report_services
from reports.models import TownshipReport
from tests.security import fixtures_matrix as m


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    yield from m.world_fixture(django_db_blocker, harvest=False)


def _submit(user, url: str, changes: dict, extras: dict):
    """GET the page as ``user``, fill its form as rendered, change ``changes``, add ``extras``
    (names the form does not submit: absent, or shown disabled) and POST it; the save must
    succeed (a redirect)."""
    client = m.user_client(user)
    form = m.form_posting_to(client, url)
    present = set(extras) & (form.names - form.disabled)
    assert not present, f"{url}: {sorted(present)} are fields of the form, not extras"
    data = form.data()
    for name, value in {**changes, **extras}.items():
        data[name] = [str(value)]
    response = client.post(url, data)
    assert response.status_code == 302, (url, response.status_code, _errors(response))
    return response


def _errors(response):
    context = response.context or {}
    return {k: v.errors for k, v in context.items() if hasattr(v, "errors") and v.errors}


def _fields(obj, names):
    obj.refresh_from_db()
    return {name: getattr(obj, name) for name in names}


def _other_area(world) -> dict:
    """Values pointing at the other area and at other people."""
    return {
        "township": world.pd.pk,
        "village": world.pd_village.pk,
        "child": world.pd_child.pk,
        "created_by": world.pingdeng_supervisor.pk,
    }


def test_child_edit_ignores_area_status_and_bookkeeping(db, world):
    child = world.child
    protected = [
        "township_id",
        "village_id",
        "status",
        "closed_on",
        "close_reason",
        "is_synthetic",
        "created_by_id",
        "name_pinyin",
        "created_at",
    ]
    before, version = _fields(child, protected), child.version
    extras = {
        **_other_area(world),
        "status": "closed",
        "closed_on": world.today.isoformat(),
        "close_reason": "moved_out",
        "is_synthetic": "false",
        "name_pinyin": "hacked",
        "created_at": "2020-01-01 00:00",
    }
    extras.pop("child")
    _submit(
        world.shandong_director,
        reverse("children:edit", args=[child.pk]),
        {"address": "矩阵新址"},
        extras,
    )
    assert _fields(child, protected) == before
    assert child.address == "矩阵新址"
    assert child.version == version + 1


def test_visit_edit_ignores_child_creator_and_review(db, world):
    visit = world.visit
    protected = [
        "child_id",
        "created_by_id",
        "review_status",
        "reviewer_id",
        "reviewed_at",
        "review_comment",
        "created_at",
    ]
    before, version = _fields(visit, protected), visit.version
    extras = {
        "child": world.pd_child.pk,
        "created_by": world.pingdeng_supervisor.pk,
        "review_status": "approved",
        "reviewer": world.ls_supervisor.pk,
        "reviewed_at": "2026-01-01 10:00",
        "review_comment": "自己通过",
        "created_at": "2020-01-01 00:00",
    }
    _submit(
        world.shandong_director,
        reverse("visits:edit", args=[visit.pk]),
        {"co_visitors": "矩阵同行"},
        extras,
    )
    assert _fields(visit, protected) == before
    assert visit.review_status == "pending"
    assert visit.co_visitors == "矩阵同行"
    assert visit.version == version + 1


def test_care_plan_edit_ignores_child_and_creator(db, world):
    plan = world.plan
    protected = ["child_id", "created_by_id", "created_at"]
    before, version = _fields(plan, protected), plan.version
    extras = {**_other_area(world), "created_at": "2020-01-01 00:00"}
    _submit(
        world.ls_supervisor,
        reverse("care:plan_edit", args=[plan.pk]),
        {"status_note": "矩阵复核"},
        extras,
    )
    assert _fields(plan, protected) == before
    assert plan.status_note == "矩阵复核"
    assert plan.version == version + 1


def test_referral_edit_ignores_child_creator_status_and_dates(db, world):
    referral = world.referral
    protected = ["child_id", "created_by_id", "status", "status_on", "referred_on"]
    before, version = _fields(referral, protected), referral.version
    extras = {
        **_other_area(world),
        "status": "ended",
        "status_on": "2020-01-01",
        "referred_on": "2020-01-01",
    }
    _submit(
        world.ls_supervisor,
        reverse("care:referral_edit", args=[referral.pk]),
        {"feedback": "矩阵反馈"},
        extras,
    )
    assert _fields(referral, protected) == before
    assert referral.feedback == "矩阵反馈"
    assert referral.version == version + 1


def test_activity_edit_ignores_township_and_creator(db, world):
    activity = world.activity
    protected = ["township_id", "created_by_id", "created_at"]
    before, version = _fields(activity, protected), activity.version
    extras = {
        "township": world.pd.pk,
        "created_by": world.pingdeng_supervisor.pk,
        "created_at": "2020-01-01 00:00",
    }
    _submit(
        world.ls_supervisor,
        reverse("activities:edit", args=[activity.pk]),
        {"place": "矩阵广场"},
        extras,
    )
    assert _fields(activity, protected) == before
    assert activity.place == "矩阵广场"
    assert activity.version == version + 1


def test_township_report_save_ignores_area_status_and_submission(db, world):
    """The 平等镇 supervisor saves their own draft with 龙胜镇's id and an accepted status
    added: a 平等镇 draft is saved; 龙胜镇's report is untouched."""
    user = world.pingdeng_supervisor
    url = reverse("reports:township", args=[world.campaign.year, world.pd.pk])
    other_before = m.snapshot(world)["rows"]["report"]
    extras = {
        "township": world.ls.pk,
        "campaign": world.campaign.pk,
        "status": "accepted",
        "submitted_at": "2026-01-01 10:00",
        "first_submitted_at": "2026-01-01 10:00",
        "submitted_by": user.pk,
        "on_time": "true",
        "accepted_by": world.county_admin.pk,
        "accepted_at": "2026-01-02 10:00",
        "return_comment": "无",
        "created_by": world.county_admin.pk,
    }
    _submit(user, url, {"featured_practices": "平等镇特色做法"}, extras)
    report = TownshipReport.objects.get(campaign=world.campaign, township=world.pd)
    assert report.featured_practices == "平等镇特色做法"
    assert report.status == "draft"
    assert (report.submitted_at, report.first_submitted_at, report.on_time) == (None, None, None)
    assert (report.submitted_by, report.accepted_by, report.accepted_at) == (None, None, None)
    assert report.return_comment == ""
    assert report.created_by == user
    assert report.version == 1
    assert m.snapshot(world)["rows"]["report"] == other_before


def test_returned_report_save_ignores_status_and_submission(db, world):
    """A returned 龙胜镇 report saved again by its supervisor stays returned (a draft save
    cannot submit or accept it by adding fields)."""
    report = report_services.report_return(
        actor=world.county_admin,
        report=world.report,
        comment="请补充活动照片。",
        expected_version=world.report.version,
    )
    protected = [
        "township_id",
        "campaign_id",
        "status",
        "submitted_at",
        "first_submitted_at",
        "submitted_by_id",
        "on_time",
        "accepted_by_id",
        "accepted_at",
        "created_by_id",
    ]
    before, version = _fields(report, protected), report.version
    extras = {
        "township": world.pd.pk,
        "campaign": world.campaign.pk,
        "status": "accepted",
        "submitted_at": "2026-01-01 10:00",
        "first_submitted_at": "2026-01-01 10:00",
        "submitted_by": world.pingdeng_supervisor.pk,
        "on_time": "false",
        "accepted_by": world.county_admin.pk,
        "accepted_at": "2026-01-02 10:00",
        "created_by": world.county_admin.pk,
    }
    url = reverse("reports:township", args=[world.campaign.year, world.ls.pk])
    _submit(world.ls_supervisor, url, {"brand": "龙脊润心"}, extras)
    assert _fields(report, protected) == before
    assert report.status == "returned"
    assert report.brand == "龙脊润心"
    assert report.version == version + 1
    assert report.versions.count() == 1


def test_screening_entry_ignores_child_enterer_and_scores(db, world):
    """The scores are computed, the enterer is the user and the child is the URL's."""
    url = reverse("care:screening_create", args=[world.child.pk])
    data = {
        "instrument": "PHQA",
        "respondent": "self",
        "screened_on": (world.today - dt.timedelta(days=1)).isoformat(),
        **{f"item_{n}": "0" for n in get_instrument("PHQA").item_numbers},
        "child": world.pd_child.pk,
        "entered_by": world.pingdeng_supervisor.pk,
        "total": "27",
        "band": "severe",
        "positive": "true",
        "severity": "9",
        "cutoff_version": "hacked",
    }
    before = set(Screening.objects.values_list("pk", flat=True))
    response = m.user_client(world.shandong_director).post(url, data)
    assert response.status_code == 302
    (screening,) = Screening.objects.exclude(pk__in=before)
    assert screening.child == world.child
    assert screening.entered_by == world.shandong_director
    assert (screening.total, screening.positive) == (0, False)
    assert screening.cutoff_version != "hacked"
