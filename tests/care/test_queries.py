"""Lists, pages and the child timeline run a fixed number of queries whatever the number of
records (N records vs 3N records give the same count)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from care import selectors, services
from tests import factories
from tests.care.conftest import make_pairing, make_plan, make_referral, screen

pytestmark = pytest.mark.django_db


def populate(n, actor, institution, mentor, *, child=None):
    """n children (or n records on one child) with a record of every kind."""
    today = timezone.localdate()
    for _ in range(n):
        target = child or factories.ChildFactory()
        screen(actor, target, "CESDC", 2, on=today - dt.timedelta(days=3))
        make_plan(
            actor,
            target,
            started_on=today - dt.timedelta(days=60),
            review_on=today - dt.timedelta(days=1),
        )
        referral = make_referral(actor, target, institution, on=today - dt.timedelta(days=10))
        services.referral_change_status(
            actor=actor,
            referral=referral,
            to_status="admitted",
            changed_on=today - dt.timedelta(days=9),
        )
        pairing = make_pairing(actor, target, mentor, started_on=today - dt.timedelta(days=70))
        for days in (50, 45):
            services.follow_up_record(
                actor=actor,
                pairing=pairing,
                followed_on=today - dt.timedelta(days=days),
                by_name="李老师",
                condition="情况稳定",
            )


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


LISTS = [
    ("care:screening_list", {}),
    ("care:alert_list", {}),
    ("care:alert_list", {"status": ""}),
    ("care:plan_list", {}),
    ("care:plan_list", {"service": "counselling"}),
    ("care:referral_list", {}),
    ("care:pairing_list", {}),
    ("care:due_list", {}),
    ("care:mentor_list", {}),
    ("care:institution_list", {}),
    ("care:index", {}),
]


@pytest.mark.parametrize(("name", "params"), LISTS)
def test_list_query_count_is_constant(
    client_for,
    longsheng_supervisor,
    institution,
    mentor,
    django_assert_max_num_queries,
    name,
    params,
):
    client = client_for(longsheng_supervisor)
    populate(2, longsheng_supervisor, institution, mentor)
    small = count_queries(client, reverse(name), params)
    populate(4, longsheng_supervisor, institution, mentor)
    with django_assert_max_num_queries(small):
        assert client.get(reverse(name), params).status_code == 200


def test_mentor_page_query_count_is_constant(
    client_for, longsheng_supervisor, institution, mentor, django_assert_max_num_queries
):
    client = client_for(longsheng_supervisor)
    url = reverse("care:mentor_detail", args=[mentor.pk])
    populate(2, longsheng_supervisor, institution, mentor)
    small = count_queries(client, url)
    populate(4, longsheng_supervisor, institution, mentor)
    with django_assert_max_num_queries(small):
        client.get(url)


def test_record_pages_query_count_is_constant(
    client_for,
    longsheng_supervisor,
    shandong_child,
    institution,
    mentor,
    django_assert_max_num_queries,
):
    """A referral with many status changes, a pairing with many follow-ups."""
    client = client_for(longsheng_supervisor)
    today = timezone.localdate()
    referral = make_referral(
        longsheng_supervisor, shandong_child, institution, on=today - dt.timedelta(days=30)
    )
    pairing = make_pairing(
        longsheng_supervisor, shandong_child, mentor, started_on=today - dt.timedelta(days=60)
    )

    def add(statuses, days):
        nonlocal referral
        for status, day in zip(statuses, days, strict=True):
            referral = services.referral_change_status(
                actor=longsheng_supervisor,
                referral=referral,
                to_status=status,
                changed_on=today - dt.timedelta(days=day),
            )
        for day in days:
            services.follow_up_record(
                actor=longsheng_supervisor,
                pairing=pairing,
                followed_on=today - dt.timedelta(days=day),
                by_name="李老师",
                condition="稳定",
            )

    urls = [referral.get_absolute_url(), pairing.get_absolute_url()]
    add(["admitted"], [29])
    small = [count_queries(client, url) for url in urls]
    add(["inpatient", "outpatient", "inpatient"], [28, 20, 10])
    for url, limit in zip(urls, small, strict=True):
        with django_assert_max_num_queries(limit):
            client.get(url)


@pytest.mark.parametrize(
    "user_fixture", ["longsheng_supervisor", "shandong_director", "county_staff"]
)
def test_child_timeline_query_count_is_constant(
    request,
    longsheng_supervisor,
    shandong_child,
    institution,
    mentor,
    django_assert_max_num_queries,
    user_fixture,
):
    user = request.getfixturevalue(user_fixture)
    populate(1, longsheng_supervisor, institution, mentor, child=shandong_child)
    with CaptureQueriesContext(connection) as ctx:
        small = selectors.timeline_entries(shandong_child, user)
    populate(3, longsheng_supervisor, institution, mentor, child=shandong_child)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        large = selectors.timeline_entries(shandong_child, user)
    assert len(large) > len(small)


def test_child_actions_and_notices_query_count_is_small(
    longsheng_supervisor, shandong_child, institution, mentor, django_assert_max_num_queries
):
    populate(3, longsheng_supervisor, institution, mentor, child=shandong_child)
    with django_assert_max_num_queries(4):
        selectors.child_actions(shandong_child, longsheng_supervisor)
        selectors.child_notices(shandong_child, longsheng_supervisor)


def test_home_panels_are_aggregated(
    longsheng_supervisor, institution, mentor, django_assert_max_num_queries
):
    populate(2, longsheng_supervisor, institution, mentor)
    with CaptureQueriesContext(connection) as ctx:
        selectors.home_panels(longsheng_supervisor)
    populate(4, longsheng_supervisor, institution, mentor)
    with django_assert_max_num_queries(len(ctx.captured_queries)):
        panels = {p.label: p.value for p in selectors.home_panels(longsheng_supervisor)}
    assert panels["待处置预警"] == 6
    assert panels["方案复核逾期"] == 6
    assert panels["随访逾期"] == 6
