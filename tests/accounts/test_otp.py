"""The optional second factor (TOTP) that the county admin can require for county roles."""

import datetime as dt
from urllib.parse import unquote

import pytest
import time_machine
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import SecurityPolicy
from tests.factories import TEST_PASSWORD

SETUP = "/accounts/otp/setup/"
VERIFY = "/accounts/otp/"
PROTECTED = "/accounts/users/"  # a county page


def token_for(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def login(user) -> Client:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": user.username, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert SESSION_KEY in client.session
    return client


@pytest.fixture
def otp_required(db):
    policy = SecurityPolicy.current()
    policy.require_otp_for_county_roles = True
    policy.save()
    return policy


def test_without_the_policy_county_users_go_straight_in(county_admin):
    client = login(county_admin)
    assert client.get(PROTECTED).status_code == 200


def test_required_county_admin_must_enrol_before_anything_else(otp_required, county_admin):
    client = login(county_admin)
    response = client.get(PROTECTED)
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)
    assert "next=" in response["Location"]
    # The admin site is behind the same step.
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(SETUP)


def test_enrolment_shows_key_and_qr_code_and_confirms_with_a_code(otp_required, county_admin):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = login(county_admin)
        page = client.get(SETUP)
        assert page.status_code == 200
        body = page.content.decode()
        device = TOTPDevice.objects.get(user=county_admin)
        assert not device.confirmed
        assert "data:image/svg+xml;base64," in body
        assert unquote(page.context["otpauth_url"]).startswith("otpauth://totp/")
        assert page.context["secret"].replace(" ", "") in device.config_url
        assert page.context["secret"] in body

        wrong = client.post(SETUP, {"token": "000000" if token_for(device) != "000000" else "1"})
        assert wrong.status_code == 200
        assert "验证码不正确或已过期" in wrong.content.decode()
    # After a wrong code the device makes the next try wait a moment (throttling).
    with time_machine.travel(start + dt.timedelta(seconds=3), tick=False):
        response = client.post(SETUP, {"token": token_for(device), "next": PROTECTED})
        assert response.status_code == 302
        assert response["Location"] == PROTECTED
        device.refresh_from_db()
        assert device.confirmed
        assert client.get(PROTECTED).status_code == 200


def test_next_login_asks_for_the_code(otp_required, county_admin):
    device = TOTPDevice.objects.create(user=county_admin, name="phone", confirmed=True)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        client = login(county_admin)
        response = client.get(PROTECTED)
        assert response["Location"].startswith(VERIFY)
        # Enrolling a second device is not a way around the code.
        assert client.get(SETUP)["Location"].startswith(VERIFY)
        refused = client.post(VERIFY, {"token": "12ab56"})
        assert "请输入 6 位数字验证码" in refused.content.decode()
        assert client.get(PROTECTED).status_code == 302
        used = token_for(device)
        ok = client.post(VERIFY, {"token": used, "next": PROTECTED})
        assert ok.status_code == 302 and ok["Location"] == PROTECTED
        assert client.get(PROTECTED).status_code == 200
    # A used code cannot be replayed in another session.
    with time_machine.travel(start + dt.timedelta(seconds=5), tick=False):
        other = login(county_admin)
        replay = other.post(VERIFY, {"token": used})
        assert replay.status_code == 200
        assert other.get(PROTECTED).status_code == 302


def test_next_must_stay_on_this_site(otp_required, county_admin):
    device = TOTPDevice.objects.create(user=county_admin, name="phone", confirmed=True)
    client = login(county_admin)
    response = client.post(VERIFY, {"token": token_for(device), "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_policy_does_not_apply_to_township_roles(otp_required, longsheng_supervisor):
    client = login(longsheng_supervisor)
    response = client.get("/accounts/password/")
    assert not (response.status_code == 302 and response["Location"].startswith(SETUP))


def test_a_user_who_enrolled_always_needs_the_code(shandong_director):
    TOTPDevice.objects.create(user=shandong_director, name="phone", confirmed=True)
    client = login(shandong_director)
    response = client.get("/accounts/password/")
    assert response.status_code == 302
    assert response["Location"].startswith(VERIFY)


def test_unverified_user_can_still_log_out(otp_required, county_admin):
    client = login(county_admin)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_policy_is_a_single_row(db):
    first = SecurityPolicy.current()
    second = SecurityPolicy(require_otp_for_county_roles=True)
    second.save()
    assert SecurityPolicy.objects.count() == 1
    assert first.pk == second.pk == 1
    with pytest.raises(PermissionError):
        first.delete()


def test_county_admin_may_change_the_policy_in_the_admin(client_for, county_admin):
    client = client_for(county_admin)
    SecurityPolicy.current()
    response = client.post(
        "/admin/accounts/securitypolicy/1/change/", {"require_otp_for_county_roles": "on"}
    )
    assert response.status_code == 302
    assert SecurityPolicy.current().require_otp_for_county_roles is True
