"""A safety alert is closed only by recording what was done (one or more actions and a
note); who and when are kept in its timeline."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from care import choices, services
from care.models import SafetyAlert
from tests import factories
from tests.care.conftest import at, make_plan, make_referral, screen

pytestmark = pytest.mark.django_db


@pytest.fixture
def alert(longsheng_supervisor, shandong_child):
    return screen(longsheng_supervisor, shandong_child, "PHQA", i9=1).safety_alert


def _reload(alert):
    return SafetyAlert.objects.get(pk=alert.pk)


NOTE = "已当面联系监护人并安排陪伴"
GUARDIAN = [choices.AlertAction.GUARDIAN_INFORMED]


def test_alert_without_an_action_is_refused_in_chinese(longsheng_supervisor, alert):
    with pytest.raises(ValidationError) as exc:
        services.alert_close(actor=longsheng_supervisor, alert=alert, note=NOTE)
    assert "只能在记录处置措施后关闭" in " ".join(exc.value.message_dict["actions"])
    assert _reload(alert).status == "open"


def test_a_note_alone_no_longer_closes(longsheng_supervisor, alert):
    """The first interface's 「处置说明」 alone: a note is not an action."""
    with pytest.raises(ValidationError) as exc:
        services.alert_close(actor=longsheng_supervisor, alert=alert, resolution="note", note=NOTE)
    assert "actions" in exc.value.message_dict
    assert _reload(alert).status == "open"


@pytest.mark.parametrize("note", ["", "已处理", "   已联系监护人   "])
def test_an_action_without_a_note_of_ten_characters_is_refused(longsheng_supervisor, alert, note):
    with pytest.raises(ValidationError) as exc:
        services.alert_close(actor=longsheng_supervisor, alert=alert, actions=GUARDIAN, note=note)
    assert "至少 10 个字" in exc.value.message_dict["note"][0]
    assert _reload(alert).status == "open"


def test_unknown_action_is_refused(longsheng_supervisor, alert):
    with pytest.raises(ValidationError) as exc:
        services.alert_close(actor=longsheng_supervisor, alert=alert, actions=["prayed"], note=NOTE)
    assert "actions" in exc.value.message_dict


def test_care_plan_action_needs_a_plan(longsheng_supervisor, alert):
    with pytest.raises(ValidationError) as exc:
        services.alert_close(
            actor=longsheng_supervisor, alert=alert, actions=["care_plan"], note=NOTE
        )
    assert "care_plan" in exc.value.message_dict


def test_actions_and_note_close_and_keep_who_and_when(longsheng_supervisor, alert):
    with time_machine.travel(at(2026, 6, 10, 15), tick=False):
        services.alert_close(
            actor=longsheng_supervisor,
            alert=alert,
            actions=["guardian_informed", "safety_plan"],
            note=NOTE,
        )
    alert = _reload(alert)
    assert alert.status == "closed"
    assert alert.actions == ["guardian_informed", "safety_plan"]
    assert alert.note == NOTE
    assert alert.closed_by == longsheng_supervisor
    assert timezone.localtime(alert.closed_at).date() == dt.date(2026, 6, 10)
    # The timeline keeps who raised it and who closed it with what, and when.
    events = list(alert.events.order_by("pk").values_list("kind", "actor_id"))
    assert events == [("raised", longsheng_supervisor.pk), ("closed", longsheng_supervisor.pk)]
    closed = alert.events.get(kind="closed")
    assert "已告知监护人" in closed.note and "安全计划" in closed.note
    assert timezone.localtime(closed.at).date() == dt.date(2026, 6, 10)


@pytest.mark.parametrize("action", ["guardian_informed", "emergency", "safety_plan"])
def test_each_action_that_needs_no_record_closes(longsheng_supervisor, alert, action):
    services.alert_close(actor=longsheng_supervisor, alert=alert, actions=[action], note=NOTE)
    assert _reload(alert).actions == [action]


def test_care_plan_for_the_child_closes_and_is_linked(longsheng_supervisor, shandong_child, alert):
    plan = make_plan(longsheng_supervisor, shandong_child)
    services.alert_close(
        actor=longsheng_supervisor,
        alert=alert,
        actions=["care_plan", "guardian_informed"],
        care_plan=plan,
        note=NOTE,
    )
    alert = _reload(alert)
    assert alert.status == "closed" and alert.care_plan == plan
    assert alert.closed_by == longsheng_supervisor and alert.closed_at is not None


def test_referral_for_the_child_closes_and_is_linked(
    longsheng_supervisor, shandong_child, alert, institution
):
    referral = make_referral(longsheng_supervisor, shandong_child, institution)
    services.alert_close(
        actor=longsheng_supervisor,
        alert=alert,
        actions=["referral"],
        referral=referral,
        note=NOTE,
    )
    alert = _reload(alert)
    assert alert.status == "closed" and alert.referral == referral
    assert alert.closed_by == longsheng_supervisor and alert.closed_at is not None


def test_plan_of_another_child_does_not_close(longsheng_supervisor, alert):
    other = factories.ChildFactory()
    plan = make_plan(longsheng_supervisor, other)
    with pytest.raises(ValidationError) as exc:
        services.alert_close(
            actor=longsheng_supervisor,
            alert=alert,
            actions=["care_plan"],
            care_plan=plan,
            note=NOTE,
        )
    assert "不属于该儿童" in exc.value.message_dict["care_plan"][0]
    assert _reload(alert).status == "open"


def test_plan_finished_before_the_alert_does_not_close(longsheng_supervisor, shandong_child):
    plan = make_plan(longsheng_supervisor, shandong_child)
    services.care_plan_update(
        actor=longsheng_supervisor,
        plan=plan,
        expected_version=plan.version,
        data={"status": choices.PlanStatus.COMPLETED},
    )
    alert = screen(longsheng_supervisor, shandong_child, "PHQA", i9=1).safety_alert
    with pytest.raises(ValidationError):
        services.alert_close(
            actor=longsheng_supervisor,
            alert=alert,
            actions=["care_plan"],
            care_plan=plan,
            note=NOTE,
        )


def test_closed_alert_cannot_be_closed_again(longsheng_supervisor, alert):
    services.alert_close(actor=longsheng_supervisor, alert=alert, actions=GUARDIAN, note=NOTE)
    with pytest.raises(ValidationError):
        services.alert_close(
            actor=longsheng_supervisor, alert=alert, actions=GUARDIAN, note="再次处置的说明文字"
        )


def test_director_may_not_close_alerts(shandong_director, alert):
    with pytest.raises(PermissionDenied):
        services.alert_close(
            actor=shandong_director,
            alert=alert,
            actions=GUARDIAN,
            note=NOTE,
        )
    assert _reload(alert).status == "open"


def test_supervisor_of_another_township_may_not_close(pingdeng_supervisor, alert):
    with pytest.raises(PermissionDenied):
        services.alert_close(
            actor=pingdeng_supervisor,
            alert=alert,
            actions=GUARDIAN,
            note=NOTE,
        )


def test_database_refuses_a_closed_alert_without_action(alert, longsheng_supervisor):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        SafetyAlert.objects.filter(pk=alert.pk).update(
            status="closed", closed_at=timezone.now(), closed_by=longsheng_supervisor
        )


# --- pages ---------------------------------------------------------------------------------


def test_alert_page_refuses_closing_without_action(client_for, longsheng_supervisor, alert):
    url = reverse("care:alert_detail", args=[alert.pk])
    client = client_for(longsheng_supervisor)
    response = client.post(url, {"note": NOTE})
    assert response.status_code == 200
    assert "请至少勾选一项处置措施" in response.content.decode()
    response = client.post(url, {"actions": ["guardian_informed"], "note": "短"})
    assert response.status_code == 200
    assert "至少 10 个字" in response.content.decode()
    assert _reload(alert).status == "open"


def test_alert_page_closes_with_actions_and_shows_the_timeline(
    client_for, longsheng_supervisor, alert
):
    client = client_for(longsheng_supervisor)
    url = reverse("care:alert_detail", args=[alert.pk])
    response = client.post(url, {"actions": ["guardian_informed", "emergency"], "note": NOTE})
    assert response.status_code == 302
    alert = _reload(alert)
    assert alert.actions == ["guardian_informed", "emergency"]
    page = client.get(url).content.decode()
    assert "处置记录" in page
    assert "已拨打 120/110 或送医" in page
    assert longsheng_supervisor.display_name in page


def test_alert_page_closes_with_a_plan_made_from_the_alert(
    client_for, longsheng_supervisor, shandong_child, alert
):
    client = client_for(longsheng_supervisor)
    create = reverse("care:plan_create", args=[shandong_child.pk]) + f"?alert={alert.pk}"
    today = timezone.localdate()
    response = client.post(
        create,
        {
            "services": ["counselling", "comfort"],
            "goals": "稳定情绪",
            "measures": "每周谈心",
            "responsible_name": "王督导",
            "started_on": today.isoformat(),
            "review_on": (today + dt.timedelta(days=30)).isoformat(),
        },
    )
    plan = shandong_child.care_plans.get()
    assert response.status_code == 302
    assert response["Location"] == f"{alert.get_absolute_url()}?care_plan={plan.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f'value="{plan.pk}" selected' in page
    assert re.search(r'<input[^>]*name="actions"[^>]*value="care_plan"[^>]*checked', page)
    client.post(
        alert.get_absolute_url(), {"actions": ["care_plan"], "care_plan": plan.pk, "note": NOTE}
    )
    assert _reload(alert).care_plan == plan


def test_director_sees_no_alert_pages(client_for, shandong_director, alert):
    client = client_for(shandong_director)
    assert client.get(reverse("care:alert_list")).status_code == 403
    assert client.get(reverse("care:alert_detail", args=[alert.pk])).status_code == 403
    response = client.post(
        reverse("care:alert_detail", args=[alert.pk]),
        {"actions": ["guardian_informed"], "note": NOTE},
    )
    assert response.status_code == 403
    assert _reload(alert).status == "open"


def test_county_staff_see_alerts_but_may_not_close(client_for, county_staff, alert):
    client = client_for(county_staff)
    page = client.get(reverse("care:alert_detail", args=[alert.pk]))
    assert page.status_code == 200
    assert "记录处置并关闭预警" not in page.content.decode()
    response = client.post(
        reverse("care:alert_detail", args=[alert.pk]),
        {"actions": ["guardian_informed"], "note": NOTE},
    )
    assert response.status_code == 403


def test_alert_list_shows_open_alerts_by_default_and_filters(
    client_for, county_admin, longsheng_supervisor, alert, pingdeng_child, pingdeng_supervisor
):
    other = screen(pingdeng_supervisor, pingdeng_child, "CESDC", 2).safety_alert
    services.alert_close(actor=pingdeng_supervisor, alert=other, actions=GUARDIAN, note=NOTE)
    client = client_for(county_admin)
    html = client.get(reverse("care:alert_list")).content.decode()
    assert "张小花" in html and "罗平安" not in html
    html = client.get(reverse("care:alert_list"), {"status": "closed"}).content.decode()
    assert "罗平安" in html and "张小花" not in html
    html = (
        client_for(longsheng_supervisor)
        .get(reverse("care:alert_list"), {"status": ""})
        .content.decode()
    )
    assert "张小花" in html and "罗平安" not in html


def test_open_alert_count_on_the_home_panels(
    longsheng_supervisor, county_staff, pingdeng_supervisor, alert
):
    from care.selectors import home_panels

    def count(user):
        return {p.label: p.value for p in home_panels(user)}.get("待处置预警")

    assert count(longsheng_supervisor) == 1
    assert count(county_staff) == 1
    assert count(pingdeng_supervisor) == 0


def test_paging_keeps_the_open_only_default(client_for, pingdeng_supervisor, pingdeng_child):
    other = screen(pingdeng_supervisor, pingdeng_child, "CESDC", 2).safety_alert
    services.alert_close(actor=pingdeng_supervisor, alert=other, actions=GUARDIAN, note=NOTE)
    html = (
        client_for(pingdeng_supervisor)
        .get(reverse("care:alert_list"), {"page": 1})
        .content.decode()
    )
    assert "罗平安" not in html
