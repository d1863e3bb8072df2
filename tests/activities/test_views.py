"""Pages: constant query counts, filters, editing with optimistic locking, trainings, the
child timeline and the home panels."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from activities import selectors, services
from activities.models import Activity, Training
from children.timeline import timeline_for
from tests import factories
from tests.activities.conftest import (
    image_bytes,
    make_activity,
    make_service,
    make_training,
)
from tests.activities.test_participants import activity_post

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def add_records(supervisor, partner, children, n):
    for index in range(n):
        activity = make_activity(
            supervisor, children=children, leaders=2, title=f"活动{index}", brand="龙脊润心"
        )
        services.activity_photos_add(
            actor=supervisor, activity=activity, files=[("a.png", image_bytes(size=(40, 30)))]
        )
        activity.partners.add(partner)
        make_service(supervisor, partner, children=children)
        make_training(supervisor, attendees=[supervisor])


@pytest.mark.parametrize(
    "url_name",
    [
        "activities:list",
        "activities:service_list",
        "activities:training_list",
        "activities:partner_list",
        "activities:campaign_list",
    ],
)
def test_list_pages_keep_a_constant_query_count(
    client_for, longsheng_supervisor, longsheng_children, partner, campaign, url_name
):
    client = client_for(longsheng_supervisor)
    add_records(longsheng_supervisor, partner, longsheng_children, 2)
    few = count_queries(client, reverse(url_name))
    add_records(longsheng_supervisor, partner, longsheng_children, 4)
    many = count_queries(client, reverse(url_name))
    assert many == few


def test_detail_pages_keep_a_constant_query_count(
    client_for, longsheng_supervisor, longsheng_children, shandong_child, partner
):
    client = client_for(longsheng_supervisor)
    small = make_activity(longsheng_supervisor, children=[shandong_child], leaders=1)
    big = make_activity(
        longsheng_supervisor, children=[shandong_child, *longsheng_children], leaders=3
    )
    for activity, n in ((small, 1), (big, 3)):
        services.activity_photos_add(
            actor=longsheng_supervisor,
            activity=activity,
            files=[("a.png", image_bytes(size=(40, 30)))] * n,
        )
    assert count_queries(client, small.get_absolute_url()) == count_queries(
        client, big.get_absolute_url()
    )
    small_service = make_service(longsheng_supervisor, partner, children=[shandong_child])
    big_service = make_service(longsheng_supervisor, partner, children=longsheng_children)
    assert count_queries(client, small_service.get_absolute_url()) == count_queries(
        client, big_service.get_absolute_url()
    )
    directors = [
        factories.make_user("village_director", township_name="龙胜镇", village_name=v)
        for v in ("山东村", "南门村")
    ]
    # Both with a director, or the village prefetch would be skipped for the small one.
    small_training = make_training(longsheng_supervisor, attendees=directors[:1])
    big_training = make_training(longsheng_supervisor, attendees=[longsheng_supervisor, *directors])
    assert count_queries(client, small_training.get_absolute_url()) == count_queries(
        client, big_training.get_absolute_url()
    )


def test_activity_list_filters(client_for, county_admin, longsheng_supervisor, campaign):
    make_activity(longsheng_supervisor, campaign=campaign, title="有领导有品牌", brand="龙脊润心")
    make_activity(longsheng_supervisor, title="无领导", leaders=0, brand="")
    make_activity(
        longsheng_supervisor,
        title="五月活动",
        start_date=dt.date(2026, 5, 1),
        end_date=dt.date(2026, 5, 2),
    )
    client = client_for(county_admin)
    url = reverse("activities:list")

    def titles(**params):
        content = client.get(url, params).content.decode()
        return {t for t in ("有领导有品牌", "无领导", "五月活动") if t in content}

    assert titles(campaign=campaign.pk) == {"有领导有品牌"}
    assert titles(has_leaders="no") == {"无领导"}
    assert titles(has_leaders="yes") == {"有领导有品牌", "五月活动"}
    assert titles(brand="润心") == {"有领导有品牌", "五月活动"}
    assert titles(date_to="2026-05-10") == {"五月活动"}
    assert titles(date_from="2026-05-10") == {"有领导有品牌", "无领导"}
    assert titles(form="sports_meet") == set()
    assert titles(form="theme_day") == {"有领导有品牌", "无领导", "五月活动"}
    assert titles(township=longsheng_supervisor.township_id) == {
        "有领导有品牌",
        "无领导",
        "五月活动",
    }


def test_list_shows_beneficiaries_of_the_filtered_activities(
    client_for, longsheng_supervisor, shandong_child
):
    for _index in range(3):
        make_activity(longsheng_supervisor, children=[shandong_child])
    response = client_for(longsheng_supervisor).get(reverse("activities:list"))
    assert response.context["figures"]["total_beneficiaries"] == 1
    assert response.context["figures"]["total_attendances"] == 3


@pytest.mark.parametrize("user", ["longsheng_supervisor", "county_admin"])
def test_create_and_edit_pages_render(client_for, request, user, shandong_child, campaign):
    user = request.getfixturevalue(user)
    client = client_for(user)
    response = client.get(reverse("activities:create"))
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="leaders-TOTAL_FORMS"' in content and "data-child-picker" in content
    assert "js/activities.js" in content
    assert "<script>" not in content  # no inline script (CSP)
    activity = make_activity(user, township=factories.township(), children=[shandong_child])
    response = client.get(reverse("activities:edit", args=[activity.pk]))
    content = response.content.decode()
    assert f'value="{shandong_child.pk}"' in content  # the chosen child's chip
    assert 'name="version"' in content
    form = response.context["form"]
    assert sorted(form["formats"].value()) == ["light_up_june_first", "theme_day"]
    assert form["township"].value() == factories.township().pk
    assert response.context["leaders"].forms[0]["name"].value() == "领导0"


def test_a_stale_edit_is_refused_and_the_first_edit_kept(
    client_for, longsheng_supervisor, shandong_child
):
    activity = make_activity(longsheng_supervisor, children=[shandong_child])
    client = client_for(longsheng_supervisor)
    url = reverse("activities:edit", args=[activity.pk])
    first = client.post(url, activity_post([shandong_child.pk], title="第一次", version="1"))
    assert first.status_code == 302
    second = client.post(url, activity_post([], title="第二次", version="1"))
    assert second.status_code == 200
    assert "该记录已被他人修改" in second.content.decode()
    activity.refresh_from_db()
    assert (activity.title, activity.version) == ("第一次", 2)
    assert activity.participants.count() == 1


def test_an_activity_needs_a_form_and_an_ordered_period(client_for, longsheng_supervisor):
    response = client_for(longsheng_supervisor).post(
        reverse("activities:create"),
        activity_post([], formats=[], start_date="2026-06-02", end_date="2026-06-01"),
    )
    content = response.content.decode()
    assert "请至少选择一种活动形式" in content
    assert "结束日期不能早于开始日期" in content
    assert not Activity.objects.exists()


def test_a_bad_channel_link_is_refused_in_chinese(client_for, longsheng_supervisor):
    response = client_for(longsheng_supervisor).post(
        reverse("activities:create"), activity_post([], **{"channels-0-link": "不是网址 x"})
    )
    assert "请输入有效的网址" in response.content.decode()
    assert not Activity.objects.exists()


def test_leaders_and_channels_are_replaced_on_edit(client_for, longsheng_supervisor):
    activity = make_activity(longsheng_supervisor, leaders=2)
    data = activity_post(
        [],
        version="1",
        **{
            "leaders-TOTAL_FORMS": "2",
            "leaders-1-name": "潘建华",
            "leaders-1-post": "县民政局副局长",
            "leaders-1-level": "county",
            "leaders-0-DELETE": "on",
        },
    )
    client_for(longsheng_supervisor).post(reverse("activities:edit", args=[activity.pk]), data)
    assert list(activity.leaders.values_list("name", "level")) == [("潘建华", "county")]


# --- trainings ------------------------------------------------------------------------------


def test_training_counts_default_to_the_picked_accounts(
    longsheng_supervisor, shandong_director, nanmen_director
):
    training = make_training(
        longsheng_supervisor, attendees=[longsheng_supervisor, shandong_director, nanmen_director]
    )
    assert (training.supervisors_count, training.directors_count, training.others_count) == (
        1,
        2,
        0,
    )


def test_training_counts_may_add_people_without_accounts_but_not_fewer(
    longsheng_supervisor, shandong_director
):
    training = make_training(
        longsheng_supervisor,
        attendees=[shandong_director],
        counts={"directors_count": 9, "others_count": 4},
    )
    assert (training.directors_count, training.others_count) == (9, 4)
    with pytest.raises(ValidationError) as exc:
        make_training(
            longsheng_supervisor,
            attendees=[shandong_director],
            counts={"directors_count": 0},
        )
    assert "不能少于所选参训人员中的人数（1）" in exc.value.message_dict["directors_count"][0]


def test_a_training_attendee_outside_the_area_is_refused(
    client_for, longsheng_supervisor, pingdeng_supervisor
):
    response = client_for(longsheng_supervisor).post(
        reverse("activities:training_create"),
        {
            "kind": "training",
            "date": "2026-05-18",
            "topic": "培训",
            "trainer": "覃医生",
            "hours": "2.5",
            "attendees": [pingdeng_supervisor.pk],
        },
    )
    assert response.status_code == 200
    assert "所选参训人员不存在或不在您的管辖范围内" in response.content.decode()
    assert not Training.objects.exists()
    with pytest.raises(ValidationError):
        make_training(longsheng_supervisor, attendees=[pingdeng_supervisor])


def test_training_create_page(client_for, longsheng_supervisor, shandong_director):
    client = client_for(longsheng_supervisor)
    content = client.get(reverse("activities:training_create")).content.decode()
    assert shandong_director.name in content
    response = client.post(
        reverse("activities:training_create"),
        {
            "kind": "lecture",
            "date": "2026-05-18",
            "topic": "专题讲座",
            "trainer": "覃医生",
            "hours": "1.5",
            "attendees": [shandong_director.pk],
        },
    )
    assert response.status_code == 302
    training = Training.objects.get()
    assert training.township == longsheng_supervisor.township
    assert training.directors_count == 1


# --- timeline and home panels ---------------------------------------------------------------


def test_the_child_timeline_shows_the_activities_the_child_took_part_in(
    longsheng_supervisor, county_admin, shandong_child, partner, django_assert_max_num_queries
):
    own = make_activity(longsheng_supervisor, children=[shandong_child], title="龙胜六一")
    county = make_activity(county_admin, township=None, children=[shandong_child], title="县级六一")
    make_service(longsheng_supervisor, partner, children=[shandong_child])
    make_activity(longsheng_supervisor, title="别人的活动")
    with django_assert_max_num_queries(4):
        entries = selectors.child_timeline_entries(shandong_child, longsheng_supervisor)
    by_title = {entry.title: entry for entry in entries}
    assert set(by_title) == {"龙胜六一", "县级六一", partner.name}
    assert by_title["龙胜六一"].url == own.get_absolute_url()
    assert by_title["县级六一"].url == ""  # listed, but the township user cannot open it
    assert county.pk
    assert "龙胜六一" in [entry.title for entry in timeline_for(shandong_child, county_admin)]


def test_the_child_page_shows_the_activity(client_for, longsheng_supervisor, shandong_child):
    make_activity(longsheng_supervisor, children=[shandong_child], title="龙胜六一")
    response = client_for(longsheng_supervisor).get(shandong_child.get_absolute_url())
    assert "龙胜六一" in response.content.decode()


def test_home_panels_for_a_township_supervisor(
    client_for, longsheng_supervisor, pingdeng_supervisor, shandong_child, pingdeng_child, campaign
):
    for _index in range(3):
        make_activity(longsheng_supervisor, campaign=campaign, children=[shandong_child])
    make_activity(pingdeng_supervisor, campaign=campaign, children=[pingdeng_child])
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)):
        panels = {str(p.label): p for p in selectors.home_panels(longsheng_supervisor)}
        assert panels["2026年主题活动"].value == 3
        # One child at three activities: three attendances (the panel is 人次, never 人).
        assert panels["受益人次"].value == 3
        content = client_for(longsheng_supervisor).get(reverse("home")).content.decode()
        assert "受益人次" in content


def test_activities_panels_leave_the_deadline_countdown_to_the_report(county_staff, campaign):
    with time_machine.travel(dt.datetime(2026, 6, 1, 9, 0, tzinfo=dt.UTC)):
        labels = [str(p.label) for p in selectors.home_panels(county_staff)]
    assert "受益人次" in labels
    assert not any(label.startswith("距报送截止") for label in labels)


def test_an_untouched_extra_row_is_ignored(client_for, longsheng_supervisor):
    """A phone user adds a row and leaves it empty: the activity is still saved."""
    data = activity_post(
        [],
        **{
            "leaders-TOTAL_FORMS": "2",
            "leaders-1-name": "",
            "leaders-1-post": "",
            "leaders-1-level": "",
            "channels-TOTAL_FORMS": "2",
            "channels-1-channel": "",
            "channels-1-link": "",
        },
    )
    response = client_for(longsheng_supervisor).post(reverse("activities:create"), data)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.leaders.count() == 1 and activity.channels.count() == 1


def test_a_half_filled_leader_row_is_refused_in_chinese(client_for, longsheng_supervisor):
    data = activity_post([], **{"leaders-0-level": ""})
    response = client_for(longsheng_supervisor).post(
        reverse("activities:create"), data, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert "这个字段是必填项。" in response.content.decode()
    assert not Activity.objects.exists()


@pytest.mark.parametrize(
    "url_name", ["activities:create", "activities:service_create", "activities:training_create"]
)
def test_new_records_default_to_the_current_campaign(
    client_for, longsheng_supervisor, campaign, url_name
):
    with time_machine.travel(dt.datetime(2026, 5, 20, 9, 0, tzinfo=dt.UTC)):
        response = client_for(longsheng_supervisor).get(reverse(url_name))
    assert response.context["form"]["campaign"].value() == campaign.pk
