"""An alert not acted on by its deadline goes to the township supervisor, then to the county
center: each step recorded exactly once, whatever how often the job runs (frozen clock)."""

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from accounts.choices import Role
from care import services
from care.models import AlertEvent
from notifications.models import Notification
from tests import factories
from tests.care.conftest import at, screen

pytestmark = pytest.mark.django_db

RAISED = at(2026, 6, 1, 9)


@pytest.fixture
def suicidal_alert(longsheng_supervisor, shandong_child):
    with time_machine.travel(RAISED, tick=False):
        return screen(
            longsheng_supervisor, shandong_child, "PHQA", i9=1, on=RAISED.date()
        ).safety_alert


def escalate_at(moment):
    with time_machine.travel(moment, tick=False):
        return services.alerts_escalate()


def steps(alert):
    return list(
        AlertEvent.objects.filter(alert=alert)
        .exclude(kind="raised")
        .order_by("at", "pk")
        .values_list("kind", flat=True)
    )


def test_deadline_is_set_from_the_county_setting(suicidal_alert):
    assert suicidal_alert.due_at == RAISED + dt.timedelta(hours=24)


def test_nothing_escalates_before_the_deadline(suicidal_alert):
    assert escalate_at(RAISED + dt.timedelta(hours=23, minutes=59)) == {"township": 0, "county": 0}
    assert steps(suicidal_alert) == []


def test_past_the_deadline_it_escalates_once_to_the_township_then_once_to_the_county(
    suicidal_alert, longsheng_supervisor, county_admin, county_staff, pingdeng_supervisor
):
    day = RAISED + dt.timedelta(hours=24)
    assert escalate_at(day) == {"township": 1, "county": 0}
    # Run again at once, and later the same day: nothing more.
    assert escalate_at(day) == {"township": 0, "county": 0}
    assert escalate_at(day + dt.timedelta(hours=23)) == {"township": 0, "county": 0}
    assert steps(suicidal_alert) == ["escalated_township"]
    # county_escalation_hours (24) after the deadline: to the county center, once.
    assert escalate_at(day + dt.timedelta(hours=24)) == {"township": 0, "county": 1}
    assert escalate_at(day + dt.timedelta(days=5)) == {"township": 0, "county": 0}
    assert steps(suicidal_alert) == ["escalated_township", "escalated_county"]
    suicidal_alert.refresh_from_db()
    assert suicidal_alert.escalation_level == 2

    escalated = Notification.objects.filter(kind="alert_escalated")
    township_step = escalated.filter(key=f"alert:{suicidal_alert.pk}:escalated_township")
    county_step = escalated.filter(key=f"alert:{suicidal_alert.pk}:escalated_county")
    assert set(township_step.values_list("recipient", flat=True)) == {longsheng_supervisor.pk}
    assert set(county_step.values_list("recipient", flat=True)) == {
        county_admin.pk,
        county_staff.pk,
    }
    assert not escalated.filter(recipient=pingdeng_supervisor).exists()
    assert all(n.urgent for n in escalated)


def test_a_late_run_takes_both_steps_once(suicidal_alert):
    assert escalate_at(RAISED + dt.timedelta(days=10)) == {"township": 1, "county": 1}
    assert escalate_at(RAISED + dt.timedelta(days=11)) == {"township": 0, "county": 0}
    assert steps(suicidal_alert) == ["escalated_township", "escalated_county"]


def test_a_closed_alert_never_escalates(suicidal_alert, longsheng_supervisor):
    with time_machine.travel(RAISED + dt.timedelta(hours=2), tick=False):
        services.alert_close(
            actor=longsheng_supervisor,
            alert=suicidal_alert,
            actions=["guardian_informed", "safety_plan"],
            note="已当面联系监护人，约定安全计划并每日电话确认。",
        )
    assert escalate_at(RAISED + dt.timedelta(days=3)) == {"township": 0, "county": 0}
    assert steps(suicidal_alert) == ["closed"]


def test_the_database_refuses_a_second_record_of_a_step(suicidal_alert):
    from django.db import IntegrityError, transaction

    escalate_at(RAISED + dt.timedelta(hours=25))
    with pytest.raises(IntegrityError), transaction.atomic():
        AlertEvent.objects.create(alert=suicidal_alert, kind="escalated_township")


def test_the_command_escalates(suicidal_alert, capsys):
    with time_machine.travel(RAISED + dt.timedelta(hours=30), tick=False):
        call_command("escalate_alerts")
    assert "escalated to township: 1" in capsys.readouterr().out
    assert steps(suicidal_alert) == ["escalated_township"]


def test_a_township_without_a_supervisor_goes_to_the_county(county_admin):
    director = factories.make_user(
        Role.VILLAGE_DIRECTOR, township_name="马堤乡", village_name="马堤村", username="t-madi"
    )
    child = factories.ChildFactory(village=factories.village("马堤乡", "马堤村"))
    alert = screen(director, child, "PHQA", i9=1).safety_alert
    recipients = Notification.objects.filter(key=f"alert:{alert.pk}:raised")
    assert list(recipients.values_list("recipient", flat=True)) == [county_admin.pk]


def test_county_home_and_dashboard_show_every_overdue_alert(
    client_for,
    suicidal_alert,
    county_admin,
    longsheng_supervisor,
    pingdeng_supervisor,
    pingdeng_child,
):
    from care.selectors import home_panels

    with time_machine.travel(RAISED + dt.timedelta(days=1, hours=1), tick=False):
        not_yet = screen(
            pingdeng_supervisor, pingdeng_child, "PHQA", i9=1, on=RAISED.date()
        ).safety_alert
    moment = RAISED + dt.timedelta(days=2)  # 龙胜镇's alert 24 h late, 平等镇's 1 h left
    with time_machine.travel(moment, tick=False):
        county = {p.label: p.value for p in home_panels(county_admin)}
        longsheng = {p.label: p.value for p in home_panels(longsheng_supervisor)}
        pingdeng = {p.label: p.value for p in home_panels(pingdeng_supervisor)}
        dashboard = client_for(county_admin).get(reverse("reports:dashboard"))
        listed = client_for(county_admin).get(
            reverse("care:alert_list"), {"status": "open", "overdue": "1"}
        )
    assert (county["逾期未处置预警"], county["待处置预警"]) == (1, 2)
    assert longsheng["逾期未处置预警"] == 1
    assert pingdeng["逾期未处置预警"] == 0
    assert "逾期未处置预警" in dashboard.content.decode()
    assert [a.pk for a in listed.context["table"].data] == [suicidal_alert.pk]
    assert not_yet.pk not in [a.pk for a in listed.context["table"].data]
