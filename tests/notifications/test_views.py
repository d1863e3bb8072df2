"""The inbox: each user's own notifications, the unread count in the header, opening one
marks it read and leads to its page; another's notification is 404."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from tests.care.conftest import screen

pytestmark = pytest.mark.django_db


@pytest.fixture
def note(longsheng_supervisor, shandong_child):
    alert = screen(longsheng_supervisor, shandong_child, "PHQA", i9=1).safety_alert
    return Notification.objects.get(recipient=longsheng_supervisor, key=f"alert:{alert.pk}:raised")


def test_inbox_lists_own_notifications_and_header_counts_unread(
    client_for, longsheng_supervisor, note
):
    page = client_for(longsheng_supervisor).get(reverse("notifications:inbox"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "自杀意念预警：张*（龙胜镇 山东村）" in html
    assert "张小花" not in html
    assert '<span class="badge text-bg-danger"' in html and ">1</span>" in html


def test_opening_marks_read_and_goes_to_the_alert(client_for, longsheng_supervisor, note):
    client = client_for(longsheng_supervisor)
    response = client.get(reverse("notifications:open", args=[note.pk]))
    assert response.status_code == 302
    assert response["Location"] == note.url
    note.refresh_from_db()
    assert note.read_at is not None
    assert ">1</span>" not in client.get(reverse("notifications:inbox")).content.decode()


def test_another_users_notification_is_404_and_stays_unread(
    client_for, pingdeng_supervisor, county_admin, note
):
    for user in (pingdeng_supervisor, county_admin):
        response = client_for(user).get(reverse("notifications:open", args=[note.pk]))
        assert response.status_code == 404
        assert "张*" not in client_for(user).get(reverse("notifications:inbox")).content.decode()
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_only_touches_ones_own(
    client_for, longsheng_supervisor, pingdeng_supervisor, note
):
    client_for(pingdeng_supervisor).post(reverse("notifications:read_all"))
    note.refresh_from_db()
    assert note.read_at is None
    client_for(longsheng_supervisor).post(reverse("notifications:read_all"))
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_foreign_url_is_never_followed(client_for, longsheng_supervisor):
    note = Notification.objects.create(
        recipient=longsheng_supervisor, kind="new_alert", text="x", url="https://evil.test/"
    )
    response = client_for(longsheng_supervisor).get(reverse("notifications:open", args=[note.pk]))
    assert response["Location"] == reverse("notifications:inbox")
