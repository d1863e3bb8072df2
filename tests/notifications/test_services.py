"""Notifications reach whoever must act, in their own area only; a daily digest per user
rather than a message per record; no full name or ID number ever leaves the portal; every
send is logged, a failed one retried and shown to the county admin."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from accounts.choices import Role
from care import services as care_services
from notifications import services, sms
from notifications.models import Delivery, Notification
from tests import factories
from tests.care.conftest import at, screen

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def with_contacts(user, email, phone):
    user.email, user.phone = email, phone
    user.save(update_fields=["email", "phone"])
    return user


@pytest.fixture
def people(longsheng_supervisor, pingdeng_supervisor, county_admin, shandong_director):
    return {
        "longsheng": with_contacts(longsheng_supervisor, "ls@example.test", "13800000001"),
        "pingdeng": with_contacts(pingdeng_supervisor, "pd@example.test", "13800000002"),
        "county": with_contacts(county_admin, "county@example.test", ""),
        "director": with_contacts(shandong_director, "sd@example.test", "13800000003"),
    }


def sent_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_mask_name_keeps_the_family_name_only():
    assert services.mask_name("张小花") == "张*"
    assert services.mask_name("欧阳娜娜") == "欧*"
    assert services.mask_name("") == "*"


def test_a_suicide_risk_alert_goes_out_at_once_to_the_township_only(
    people, shandong_child, pingdeng_child
):
    screen(people["longsheng"], shandong_child, "PHQA", i9=2)
    stats = services.notifications_send()
    assert stats["users"] == 1
    (message,) = sent_to("ls@example.test")
    assert not sent_to("pd@example.test") and not sent_to("county@example.test")
    assert "[紧急] 新的自杀意念预警：张*（龙胜镇 山东村）" in message.body
    assert "https://care.example.test/care/alerts/" in message.body
    assert [phone for phone, _text in sms.outbox] == ["13800000001"]
    # A second run sends nothing new.
    assert services.notifications_send() == {}


def test_a_positive_screening_waits_for_the_daily_digest(people, shandong_child):
    screen(people["longsheng"], shandong_child, "GAD7", 3)  # severe, not a suicide risk
    assert services.notifications_send() == {}
    assert mail.outbox == []
    services.notifications_send(digest=True)
    (message,) = sent_to("ls@example.test")
    assert "测评阳性预警：张*" in message.body
    assert "待办汇总" in message.body


def test_the_digest_is_one_message_per_user_and_never_another_areas(
    people, shandong_child, pingdeng_child
):
    second = factories.ChildFactory(name="李小明", village=shandong_child.village)
    for child in (shandong_child, second):
        screen(people["longsheng"], child, "GAD7", 3)
    screen(people["pingdeng"], pingdeng_child, "CESDC", 2)
    services.notifications_send(digest=True)
    (longsheng,) = sent_to("ls@example.test")
    (pingdeng,) = sent_to("pd@example.test")
    assert longsheng.body.count("测评阳性预警") == 2
    assert "罗*" not in longsheng.body and "平等镇" not in longsheng.body
    assert pingdeng.body.count("测评阳性预警") == 1
    assert "张*" not in pingdeng.body and "李*" not in pingdeng.body
    assert "龙胜镇" not in pingdeng.body
    # One SMS each, also a summary.
    assert sorted(phone for phone, _text in sms.outbox) == ["13800000001", "13800000002"]


def test_no_message_carries_a_full_name_or_id_number(people, shandong_child):
    screen(people["longsheng"], shandong_child, "PHQA", i9=1)
    screen(people["longsheng"], shandong_child, "GAD7", 3)
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(days=3), tick=False):
        care_services.alerts_escalate()
        services.notifications_send(digest=True)
    texts = [m.subject + m.body for m in mail.outbox] + [text for _phone, text in sms.outbox]
    texts += list(Notification.objects.values_list("text", flat=True))
    texts += list(Delivery.objects.values_list("body", flat=True))
    assert texts
    for text in texts:
        assert shandong_child.name not in text
        assert shandong_child.id_number not in text
        assert shandong_child.id_number[-6:] not in text


def test_visit_overdue_digest_goes_to_the_director_and_supervisor_of_the_area(
    people, shandong_child, pingdeng_child
):
    # Both children registered 100 days ago and never visited: overdue.
    from children.models import Child

    Child.objects.filter(pk__in=[shandong_child.pk, pingdeng_child.pk]).update(
        registered_on=dt.date.today() - dt.timedelta(days=100)
    )
    services.notifications_send(digest=True)
    director = sent_to("sd@example.test")
    assert len(director) == 1 and "1 名儿童家访已逾期" in director[0].body
    pingdeng = sent_to("pd@example.test")
    assert len(pingdeng) == 1 and "1 名儿童家访已逾期" in pingdeng[0].body
    # The county is not sent the county's overdue visits every morning.
    assert not sent_to("county@example.test")
    # Once a day: a second digest the same day adds nothing.
    mail.outbox.clear()
    services.notifications_send(digest=True)
    assert mail.outbox == []


def test_report_returned_is_sent_to_the_township(people, county_admin):
    from django.utils import timezone

    from activities.models import Campaign
    from reports import services as report_services

    today = timezone.localdate()
    campaign = Campaign.objects.create(
        year=today.year + 7,
        start_date=today - dt.timedelta(days=20),
        end_date=today + dt.timedelta(days=20),
        report_deadline=today + dt.timedelta(days=10),
    )
    report = report_services.report_submit(
        actor=people["longsheng"],
        campaign=campaign,
        township=people["longsheng"].township,
        data={"featured_practices": "特色做法"},
    )
    report_services.report_return(actor=county_admin, report=report, comment="请补充活动照片。")
    notes = Notification.objects.filter(kind="report_returned")
    assert list(notes.values_list("recipient", flat=True)) == [people["longsheng"].pk]


def test_transfer_hook_notifies_with_a_masked_name(people):
    made = services.notify_transfer_waiting(
        recipients=[people["pingdeng"]], child_name="张小花", url="/children/1/", key="transfer:1"
    )
    assert made[0].text == "有儿童（张*）转入本辖区，等待您接收。"
    assert (
        services.notify_transfer_waiting(
            recipients=[people["pingdeng"]],
            child_name="张小花",
            url="/children/1/",
            key="transfer:1",
        )
        == []
    )


class BrokenSms:
    def send(self, phone, text):
        raise ConnectionError("provider unreachable")


@override_settings(SMS_BACKEND="tests.notifications.test_services.BrokenSms")
def test_a_failed_send_is_logged_retried_and_shown_to_the_county_admin(
    people, shandong_child, client_for
):
    start = at(2026, 6, 1, 9)
    with time_machine.travel(start, tick=False):
        screen(people["longsheng"], shandong_child, "PHQA", i9=1, on=start.date())
        services.notifications_send()
    failed = Delivery.objects.get(channel="sms")
    assert (failed.status, failed.attempts) == ("failed", 1)
    assert "provider unreachable" in failed.last_error
    assert Delivery.objects.get(channel="email").status == "sent"
    # Not retried before its time; retried after it (still failing), then given up.
    with time_machine.travel(start + dt.timedelta(minutes=1), tick=False):
        services.notifications_send()
    failed.refresh_from_db()
    assert failed.attempts == 1
    moment = start
    for _ in range(10):
        moment += dt.timedelta(days=1)
        with time_machine.travel(moment, tick=False):
            services.notifications_send()
    failed.refresh_from_db()
    assert failed.status == "gave_up" and failed.attempts == 5
    # The county admin sees it on the home page and the delivery page.
    client = client_for(people["county"])
    home = client.get(reverse("home")).content.decode()
    assert "通知发送失败" in home
    page = client.get(reverse("notifications:delivery_list"), {"failed": "1"}).content.decode()
    assert "provider unreachable" in page and "13800000001" in page
    assert (
        client_for(people["longsheng"]).get(reverse("notifications:delivery_list")).status_code
        == 403
    )


@override_settings(SMS_BACKEND="tests.notifications.test_services.BrokenSms")
def test_a_retry_that_succeeds_is_marked_sent(people, shandong_child):
    start = at(2026, 6, 1, 9)
    with time_machine.travel(start, tick=False):
        screen(people["longsheng"], shandong_child, "PHQA", i9=1, on=start.date())
        services.notifications_send()
    with override_settings(SMS_BACKEND="notifications.sms.LocmemBackend"):
        with time_machine.travel(start + dt.timedelta(minutes=6), tick=False):
            stats = services.notifications_send()
    assert stats["retried"] == 1
    delivery = Delivery.objects.get(channel="sms")
    assert (delivery.status, delivery.attempts) == ("sent", 2)
    assert len(sms.outbox) == 1


def test_file_sms_backend_writes_the_message(tmp_path):
    with override_settings(
        SMS_BACKEND="notifications.sms.FileBackend", SMS_FILE_PATH=str(tmp_path)
    ):
        sms.send_sms("13800000009", "【龙胜儿童关爱】测试")
    (log,) = tmp_path.iterdir()
    assert "13800000009\t【龙胜儿童关爱】测试" in log.read_text(encoding="utf-8")


def test_the_command_sends(people, shandong_child, capsys):
    screen(people["longsheng"], shandong_child, "PHQA", i9=1)
    call_command("send_notifications")
    assert "sent 2" in capsys.readouterr().out
    call_command("send_notifications", "--digest")


def test_inactive_users_get_nothing(people, shandong_child):
    supervisor = people["longsheng"]
    supervisor.is_active = False
    supervisor.save(update_fields=["is_active"])
    other = factories.make_user(Role.TOWNSHIP_SUPERVISOR, township_name="龙胜镇", username="t-ls2")
    screen(factories.make_user(Role.COUNTY_ADMIN, username="t-c2"), shandong_child, "PHQA", i9=1)
    assert set(Notification.objects.values_list("recipient", flat=True)) == {other.pk}
