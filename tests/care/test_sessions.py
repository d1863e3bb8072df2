"""Services delivered (服务记录): recorded under an active plan, scoped, listed on the plan
page, exported, edited with the optimistic lock, and in the child's history."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccessAction, AccessLog
from care import choices, services
from care.models import ServiceSession
from children.models import ChangeLog
from tests.care.conftest import make_plan

TODAY = timezone.localdate


def session_data(**overrides):
    data = {
        "delivered_on": TODAY() - dt.timedelta(days=2),
        "kind": choices.SessionKind.COUNSELLING,
        "delivered_by": choices.DeliveredBy.STAFF,
        "provider_name": "王督导",
        "provider_user": None,
        "duration_minutes": 45,
        "notes": "谈学习压力",
    }
    data.update(overrides)
    return data


@pytest.fixture
def plan(longsheng_supervisor, shandong_child):
    return make_plan(longsheng_supervisor, shandong_child)


def test_a_director_records_a_session_and_the_history_says_so(shandong_director, plan):
    session = services.session_record(actor=shandong_director, plan=plan, data=session_data())
    assert session.child_id == plan.child_id
    entry = ChangeLog.objects.get(record_type="service_session", record_id=session.pk)
    assert "心理辅导" in entry.note and "45" in entry.note


def test_a_partner_session_names_the_organisation_and_drops_any_account(longsheng_supervisor, plan):
    session = services.session_record(
        actor=longsheng_supervisor,
        plan=plan,
        data=session_data(
            delivered_by=choices.DeliveredBy.PURCHASED,
            provider_name="桂林心晴社工服务中心 李社工",
            provider_user=longsheng_supervisor,
        ),
    )
    assert session.provider_user is None
    assert session.get_delivered_by_display() == "政府购买服务"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"delivered_on": TODAY() + dt.timedelta(days=1)}, "delivered_on"),
        ({"delivered_on": TODAY() - dt.timedelta(days=400)}, "delivered_on"),
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"duration_minutes": 9999}, "duration_minutes"),
        ({"provider_name": "  "}, "provider_name"),
    ],
)
def test_bad_sessions_are_refused_at_their_field(longsheng_supervisor, plan, overrides, field):
    with pytest.raises(ValidationError) as exc:
        services.session_record(
            actor=longsheng_supervisor, plan=plan, data=session_data(**overrides)
        )
    assert field in exc.value.message_dict
    assert not ServiceSession.objects.exists()


def test_no_session_under_an_ended_plan(longsheng_supervisor, plan):
    services.care_plan_update(
        actor=longsheng_supervisor,
        plan=plan,
        expected_version=plan.version,
        data={"status": choices.PlanStatus.COMPLETED},
        services=[choices.CareService.COUNSELLING],
    )
    with pytest.raises(ValidationError):
        services.session_record(actor=longsheng_supervisor, plan=plan, data=session_data())


def test_no_session_outside_the_area_or_without_the_right(
    pingdeng_supervisor, county_staff, nanmen_director, plan
):
    for actor in (pingdeng_supervisor, county_staff, nanmen_director):
        with pytest.raises(PermissionDenied):
            services.session_record(actor=actor, plan=plan, data=session_data())


def test_a_stale_edit_keeps_the_first(shandong_director, longsheng_supervisor, plan):
    session = services.session_record(actor=shandong_director, plan=plan, data=session_data())
    services.session_update(
        actor=longsheng_supervisor,
        session=session,
        expected_version=1,
        data=session_data(duration_minutes=60),
    )
    with pytest.raises(services.StaleEdit):
        services.session_update(
            actor=shandong_director,
            session=session,
            expected_version=1,
            data=session_data(duration_minutes=30),
        )
    session.refresh_from_db()
    assert session.duration_minutes == 60
    assert ChangeLog.objects.filter(record_type="service_session", action="update").count() == 1


def test_the_plan_page_lists_its_sessions_and_offers_to_record(client_for, shandong_director, plan):
    services.session_record(
        actor=shandong_director, plan=plan, data=session_data(notes="SENTINEL-SESSION")
    )
    page = client_for(shandong_director).get(plan.get_absolute_url()).content.decode()
    assert "SENTINEL-SESSION" in page
    assert reverse("care:session_create", args=[plan.pk]) in page


def test_recording_through_the_page(client_for, shandong_director, plan):
    response = client_for(shandong_director).post(
        reverse("care:session_create", args=[plan.pk]),
        {
            "delivered_on": (TODAY() - dt.timedelta(days=1)).isoformat(),
            "kind": "comfort",
            "delivered_by": "staff",
            "provider_name": "赵主任",
            "duration_minutes": "30",
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert ServiceSession.objects.get().kind == "comfort"


def test_the_list_exports_what_it_shows_and_logs_it(
    client_for, longsheng_supervisor, shandong_director, plan, pingdeng_supervisor
):
    services.session_record(actor=shandong_director, plan=plan, data=session_data())
    client = client_for(longsheng_supervisor)
    response = client.get(reverse("care:session_list"), {"export": "xlsx"})
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "张小花" in rows[2] and "心理辅导" in rows[2]
    assert AccessLog.objects.filter(action=AccessAction.EXPORT, user=longsheng_supervisor).exists()
    other = client_for(pingdeng_supervisor).get(reverse("care:session_list"), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(other.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2  # the title and the header: nothing of another township
