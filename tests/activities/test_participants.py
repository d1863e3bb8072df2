"""Participants are picked only from the user's own area: the picker shows nothing else and a
crafted POST naming another township's child is a form error that writes nothing."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities import services
from activities.models import Activity, Participation, PurchasedService
from children.choices import ChangeAction
from children.models import ChangeLog
from tests import factories
from tests.activities.conftest import activity_data, make_activity, make_service

pytestmark = pytest.mark.django_db


def activity_post(child_ids, township=None, **extra) -> dict:
    data = {
        "title": "「点亮六一」关爱活动",
        "start_date": "2026-05-30",
        "end_date": "2026-05-30",
        "formats": ["light_up_june_first"],
        "guardians_count": "3",
        "other_children_count": "0",
        "teachers_count": "0",
        "public_count": "0",
        "volunteers_count": "2",
        "children": [str(pk) for pk in child_ids],
        "leaders-TOTAL_FORMS": "1",
        "leaders-INITIAL_FORMS": "0",
        "leaders-MIN_NUM_FORMS": "0",
        "leaders-MAX_NUM_FORMS": "30",
        "leaders-0-name": "杨秀梅",
        "leaders-0-post": "党委副书记",
        "leaders-0-level": "township",
        "channels-TOTAL_FORMS": "1",
        "channels-INITIAL_FORMS": "0",
        "channels-MIN_NUM_FORMS": "0",
        "channels-MAX_NUM_FORMS": "30",
        "channels-0-channel": "wechat",
        "channels-0-link": "https://example.com/a",
    }
    if township is not None:
        data["township"] = str(township.pk)
    data.update(extra)
    return data


# --- the picker endpoints -------------------------------------------------------------------


@pytest.mark.parametrize("query", ["罗平安", "luopingan", "lpa", "罗"])
def test_picker_search_never_returns_another_townships_children(
    client_for, longsheng_supervisor, pingdeng_child, shandong_child, query
):
    response = client_for(longsheng_supervisor).get(
        reverse("activities:child_search"), {"q": query}
    )
    assert response.status_code == 200
    assert "罗平安" not in response.content.decode()
    assert f'data-id="{pingdeng_child.pk}"' not in response.content.decode()


@pytest.mark.parametrize("query", ["张小花", "zhangxiaohua", "zxh", "小花"])
def test_picker_search_finds_own_children_by_name_pinyin_and_initials(
    client_for, longsheng_supervisor, shandong_child, query
):
    response = client_for(longsheng_supervisor).get(
        reverse("activities:child_search"), {"q": query}
    )
    assert f'data-id="{shandong_child.pk}"' in response.content.decode()


def test_picker_village_list_of_another_township_is_404(
    client_for, longsheng_supervisor, pingdeng_child
):
    response = client_for(longsheng_supervisor).get(
        reverse("activities:village_children"), {"village": pingdeng_child.village_id}
    )
    assert response.status_code == 404
    assert "罗平安" not in response.content.decode()


def test_picker_village_list_shows_active_children_of_a_visible_village(
    client_for, longsheng_supervisor, shandong_child
):
    closed = factories.ChildFactory(name="王结案", status="closed", closed_on=dt.date(2026, 1, 1))
    response = client_for(longsheng_supervisor).get(
        reverse("activities:village_children"), {"village": shandong_child.village_id}
    )
    content = response.content.decode()
    assert "张小花" in content and "data-add-all" in content
    assert closed.name not in content


def test_a_director_cannot_use_the_picker(client_for, shandong_director, shandong_child):
    client = client_for(shandong_director)
    assert client.get(reverse("activities:child_search"), {"q": "张"}).status_code == 403
    response = client.get(
        reverse("activities:village_children"), {"village": shandong_child.village_id}
    )
    assert response.status_code == 403


# --- crafted POSTs --------------------------------------------------------------------------


def test_create_with_another_townships_child_is_a_form_error_and_writes_nothing(
    client_for, longsheng_supervisor, shandong_child, pingdeng_child
):
    logs = ChangeLog.objects.count()
    response = client_for(longsheng_supervisor).post(
        reverse("activities:create"), activity_post([shandong_child.pk, pingdeng_child.pk])
    )
    assert response.status_code == 200
    assert "所选儿童不存在或不在您的管辖范围内" in response.content.decode()
    assert "罗平安" not in response.content.decode()
    assert Activity.objects.count() == 0
    assert Participation.objects.count() == 0
    assert ChangeLog.objects.count() == logs


def test_edit_with_another_townships_child_is_refused_and_changes_nothing(
    client_for, longsheng_supervisor, shandong_child, pingdeng_child
):
    activity = make_activity(longsheng_supervisor, children=[shandong_child])
    before = Activity.objects.values().get(pk=activity.pk)
    response = client_for(longsheng_supervisor).post(
        reverse("activities:edit", args=[activity.pk]),
        activity_post([pingdeng_child.pk], title="篡改", version="1"),
    )
    assert response.status_code == 200
    assert "所选儿童不存在或不在您的管辖范围内" in response.content.decode()
    assert Activity.objects.values().get(pk=activity.pk) == before
    assert list(activity.participants.values_list("child_id", flat=True)) == [shandong_child.pk]


def test_purchased_service_with_another_townships_child_is_refused(
    client_for, longsheng_supervisor, pingdeng_child, partner
):
    response = client_for(longsheng_supervisor).post(
        reverse("activities:service_create"),
        {
            "organisation": partner.pk,
            "content": "辅导",
            "start_date": "2026-05-15",
            "end_date": "2026-06-15",
            "amount": "1000",
            "other_children_count": "0",
            "children": [pingdeng_child.pk],
        },
    )
    assert response.status_code == 200
    assert "所选儿童不存在或不在您的管辖范围内" in response.content.decode()
    assert PurchasedService.objects.count() == 0


def test_the_service_rechecks_children_whatever_the_form_did(longsheng_supervisor, pingdeng_child):
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            actor=longsheng_supervisor,
            data=activity_data(longsheng_supervisor.township),
            formats=["theme_day"],
            children=[pingdeng_child],
        )
    assert "children" in exc.value.message_dict
    assert Activity.objects.count() == 0


def test_the_service_refuses_another_township_as_the_activitys_township(
    longsheng_supervisor, pingdeng_supervisor
):
    with pytest.raises(ValidationError) as exc:
        services.activity_create(
            actor=longsheng_supervisor,
            data=activity_data(pingdeng_supervisor.township),
            formats=["theme_day"],
        )
    assert "township" in exc.value.message_dict
    assert Activity.objects.count() == 0


def test_a_township_user_cannot_create_a_county_level_activity(longsheng_supervisor):
    with pytest.raises(ValidationError):
        services.activity_create(
            actor=longsheng_supervisor, data=activity_data(None), formats=["theme_day"]
        )


def test_posted_township_is_ignored_for_a_supervisor(
    client_for, longsheng_supervisor, pingdeng_supervisor, shandong_child
):
    """The township field is fixed for a supervisor: a crafted value cannot move it."""
    client_for(longsheng_supervisor).post(
        reverse("activities:create"),
        activity_post([shandong_child.pk], township=pingdeng_supervisor.township),
    )
    activity = Activity.objects.get()
    assert activity.township == longsheng_supervisor.township


# --- the good path and the children's history -----------------------------------------------


def test_create_through_the_page_records_participants_and_history(
    client_for, longsheng_supervisor, shandong_child, longsheng_children
):
    ids = [shandong_child.pk, longsheng_children[0].pk]
    response = client_for(longsheng_supervisor).post(
        reverse("activities:create"), activity_post(ids)
    )
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("activities:detail", args=[activity.pk])
    assert sorted(activity.participants.values_list("child_id", flat=True)) == sorted(ids)
    assert activity.leaders.get().name == "杨秀梅"
    assert activity.channels.get().link == "https://example.com/a"
    assert list(activity.formats.values_list("code", flat=True)) == ["light_up_june_first"]
    assert (activity.guardians_count, activity.volunteers_count) == (3, 2)
    log = ChangeLog.objects.get(child=shandong_child, record_type="activity")
    assert log.action == ChangeAction.RECORD and log.record_id == activity.pk


def test_removing_a_participant_keeps_children_the_editor_cannot_see(
    county_admin, longsheng_supervisor, shandong_child, pingdeng_child
):
    """A participant outside the editor's area (here: added by the county) is never dropped
    because the editor could not see it on the form."""
    activity = make_activity(longsheng_supervisor, children=[shandong_child])
    services.activity_update(
        actor=county_admin,
        activity=activity,
        expected_version=1,
        data={},
        formats=["theme_day"],
        children=[shandong_child, pingdeng_child],
    )
    services.activity_update(
        actor=longsheng_supervisor,
        activity=activity,
        expected_version=2,
        data={},
        formats=["theme_day"],
        children=[],
    )
    assert list(activity.participants.values_list("child_id", flat=True)) == [pingdeng_child.pk]
    removed = ChangeLog.objects.get(child=shandong_child, action=ChangeAction.UPDATE)
    assert "移出" in removed.note


def test_served_children_of_a_purchased_service_are_recorded_in_history(
    longsheng_supervisor, shandong_child, partner
):
    service = make_service(longsheng_supervisor, partner, children=[shandong_child])
    assert list(service.children.all()) == [shandong_child]
    assert ChangeLog.objects.filter(
        child=shandong_child, record_type="purchased_service", record_id=service.pk
    ).exists()
