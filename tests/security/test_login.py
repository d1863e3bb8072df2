"""Login hardening: lockout (django-axes), its audit trail, sessions and logout."""

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.utils import timezone

from accounts.models import AccessAction, AccessLog
from tests.factories import TEST_PASSWORD

LOCKOUT_TEXT = "登录失败次数过多，账号已暂时锁定，请 30 分钟后再试或联系县未保中心"
WRONG = "not-the-password"
# A signed-in response that renders no navigation (other apps' menus may be in flux).
PAGE = "/accounts/users/import/template.xlsx"


def logged_in(client: Client) -> bool:
    return SESSION_KEY in client.session


def fail(login_post, client, user, times, **kwargs):
    return [login_post(client, user.username, WRONG, **kwargs) for _ in range(times)]


def test_limit_and_lockout_settings_match_the_promise():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
    assert settings.AXES_RESET_ON_SUCCESS is True
    assert settings.AXES_COOLOFF_TIME == dt.timedelta(minutes=30)


def test_four_failures_then_the_right_password_logs_in(login_post, shandong_director):
    client = Client()
    responses = fail(login_post, client, shandong_director, 4)
    assert all(r.status_code == 200 for r in responses)
    assert "用户名或密码不正确" in responses[-1].content.decode()
    response = login_post(client, shandong_director.username, TEST_PASSWORD)
    assert response.status_code == 302
    assert logged_in(client)


def test_fifth_failure_locks_with_a_chinese_message(login_post, shandong_director):
    client = Client()
    responses = fail(login_post, client, shandong_director, 5)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 429]
    assert LOCKOUT_TEXT in responses[-1].content.decode()


def test_correct_password_is_refused_while_locked(login_post, shandong_director):
    client = Client()
    fail(login_post, client, shandong_director, 5)
    response = login_post(client, shandong_director.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert LOCKOUT_TEXT in response.content.decode()
    assert not logged_in(client)


def test_lockout_ends_after_the_cool_off(login_post, shandong_director):
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        fail(login_post, client, shandong_director, 5)
    with time_machine.travel(start + dt.timedelta(minutes=20), tick=False):
        assert login_post(client, shandong_director.username, TEST_PASSWORD).status_code == 429
    # The refused try at minute 20 started the cool-off again (and so does this one).
    with time_machine.travel(start + dt.timedelta(minutes=31), tick=False):
        assert login_post(client, shandong_director.username, TEST_PASSWORD).status_code == 429
    with time_machine.travel(start + dt.timedelta(minutes=62), tick=False):
        response = login_post(client, shandong_director.username, TEST_PASSWORD)
        assert response.status_code == 302
        assert logged_in(client)


def test_lockout_is_per_username_and_address(login_post, shandong_director, nanmen_director):
    fail(login_post, Client(), shandong_director, 5, ip="198.51.100.7")
    # Same user from another address: not locked.
    other_place = Client()
    login_post(other_place, shandong_director.username, TEST_PASSWORD, ip="198.51.100.99")
    assert logged_in(other_place)
    # Another user from the locked address: not locked.
    colleague = Client()
    login_post(colleague, nanmen_director.username, TEST_PASSWORD, ip="198.51.100.7")
    assert logged_in(colleague)


def test_forged_forwarded_for_does_not_reset_the_count(login_post, shandong_director):
    client = Client()
    for n in range(5):
        login_post(
            client,
            shandong_director.username,
            WRONG,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
            HTTP_X_REAL_IP=f"203.0.113.{n}",
        )
    response = login_post(
        client, shandong_director.username, TEST_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.200"
    )
    assert response.status_code == 429
    assert not logged_in(client)


@override_settings(TRUSTED_PROXIES=["127.0.0.1"])
def test_behind_a_trusted_proxy_the_forwarded_address_counts(login_post, shandong_director):
    proxy = "127.0.0.1"
    client = Client()
    # The client prepends a forged address; only the entry nginx appended is believed.
    for _ in range(5):
        login_post(
            client,
            shandong_director.username,
            WRONG,
            ip=proxy,
            HTTP_X_FORWARDED_FOR=f"10.9.9.{_}, 203.0.113.5",
        )
    locked = login_post(
        client, shandong_director.username, TEST_PASSWORD, ip=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.5",
    )  # fmt: skip
    assert locked.status_code == 429
    entry = AccessLog.objects.filter(action=AccessAction.LOCKED_OUT).latest("pk")
    assert entry.ip == "203.0.113.5"
    # Another client behind the same proxy is not locked.
    other = Client()
    login_post(
        other, shandong_director.username, TEST_PASSWORD, ip=proxy,
        HTTP_X_FORWARDED_FOR="203.0.113.6",
    )  # fmt: skip
    assert logged_in(other)


def test_forwarded_for_from_an_untrusted_peer_is_ignored(login_post, shandong_director):
    with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
        fail(login_post, Client(), shandong_director, 1, ip="198.51.100.7",
             HTTP_X_FORWARDED_FOR="203.0.113.9")  # fmt: skip
    entry = AccessLog.objects.get(action=AccessAction.LOGIN_FAILED)
    assert entry.ip == "198.51.100.7"


def test_failures_and_lockout_are_in_the_access_log(login_post, shandong_director):
    fail(login_post, Client(), shandong_director, 5, ip="198.51.100.7")
    failed = AccessLog.objects.filter(action=AccessAction.LOGIN_FAILED)
    assert failed.count() == 5
    assert {e.username for e in failed} == {shandong_director.username}
    assert {e.ip for e in failed} == {"198.51.100.7"}
    assert failed.filter(user__isnull=True).count() == 5
    locked = AccessLog.objects.get(action=AccessAction.LOCKED_OUT)
    assert locked.username == shandong_director.username
    assert locked.ip == "198.51.100.7"
    assert WRONG not in str(locked.detail) and WRONG not in str(failed.first().detail)


def test_successful_login_is_in_the_access_log(login_post, shandong_director):
    login_post(Client(), shandong_director.username, TEST_PASSWORD, ip="198.51.100.8")
    entry = AccessLog.objects.get(action=AccessAction.LOGIN)
    assert entry.user == shandong_director
    assert entry.ip == "198.51.100.8"


def test_session_key_is_rotated_at_login(login_post, shandong_director):
    client = Client()
    session = client.session
    session["before_login"] = "anonymous visit"
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    old_key = session.session_key
    assert Session.objects.filter(session_key=old_key).exists()

    login_post(client, shandong_director.username, TEST_PASSWORD)

    new_key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    assert not Session.objects.filter(session_key=old_key).exists()
    assert logged_in(client)


def test_session_ends_after_30_idle_minutes(login_post, county_admin):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        login_post(client, county_admin.username, TEST_PASSWORD)
        assert client.get(PAGE).status_code == 200
    # Activity within 30 minutes keeps the session alive and renews it…
    with time_machine.travel(start + dt.timedelta(minutes=29), tick=False):
        assert client.get(PAGE).status_code == 200
    with time_machine.travel(start + dt.timedelta(minutes=58), tick=False):
        assert client.get(PAGE).status_code == 200
    # …but 31 idle minutes end it.
    with time_machine.travel(start + dt.timedelta(minutes=58 + 31), tick=False):
        response = client.get(PAGE)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_session_in_use_is_renewed_at_most_once_a_minute(login_post, county_admin):
    client = Client()
    start = timezone.now()

    def expiry():
        key = client.cookies[settings.SESSION_COOKIE_NAME].value
        return Session.objects.get(session_key=key).expire_date

    with time_machine.travel(start, tick=False):
        login_post(client, county_admin.username, TEST_PASSWORD)
        client.get(PAGE)
        renewed = expiry()
    # Pages within the minute do not write the session row again…
    with time_machine.travel(start + dt.timedelta(seconds=40), tick=False):
        assert client.get(PAGE).status_code == 200
        assert expiry() == renewed
    # …the first page after it renews the idle timeout from that moment.
    later = start + dt.timedelta(seconds=70)
    with time_machine.travel(later, tick=False):
        assert client.get(PAGE).status_code == 200
        assert expiry() == later + dt.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    # Thirty idle minutes after the last renewal the session is over.
    with time_machine.travel(later + dt.timedelta(minutes=30, seconds=1), tick=False):
        assert client.get(PAGE).status_code == 302


def test_logout_refuses_get(client_for, shandong_director):
    client = client_for(shandong_director)
    response = client.get("/accounts/logout/")
    assert response.status_code == 405
    assert logged_in(client)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not logged_in(client)


def test_password_validators_refuse_weak_passwords(shandong_director):
    for weak in ("12345678901", "password123", "short1", shandong_director.username + "1"):
        with pytest.raises(ValidationError):
            validate_password(weak, shandong_director)
    validate_password("Qiao-Lin-2026-guilin", shandong_director)


def test_no_attempts_warning_before_the_third_failure(login_post, shandong_director):
    client = Client()
    responses = fail(login_post, client, shandong_director, 2)
    assert "还可再试" not in responses[-1].content.decode()


def test_third_and_fourth_failures_say_how_many_attempts_are_left(login_post, shandong_director):
    client = Client()
    responses = fail(login_post, client, shandong_director, 4)
    third, fourth = (r.content.decode() for r in responses[2:])
    assert "还可再试 2 次；再失败将锁定账号 30 分钟。" in third
    assert "还可再试 1 次；再失败将锁定账号 30 分钟。" in fourth


def test_attempts_warning_for_an_unknown_name_is_the_same(login_post, db):
    # The count is per name and address, existing or not: no hint about which names are real.
    client = Client()
    responses = [login_post(client, "no-such-user", WRONG) for _ in range(3)]
    assert "还可再试 2 次" in responses[-1].content.decode()


def test_logout_says_signed_out_on_the_login_page(client, shandong_director):
    client.force_login(shandong_director)
    response = client.post("/accounts/logout/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "已安全退出。" in response.content.decode()
    assert not logged_in(client)
