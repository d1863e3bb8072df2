"""The visit form and recording a visit run a fixed, small number of queries, whatever the
child's visits and the staff of its area: a query per visit or per person offered as the
visitor fails here.

The limits count every query of the request, the session and the user (2) and the user's
permissions (2) included; a session renewal (at most once a minute) is kept out by a first
request.
"""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.choices import Role
from tests import factories
from tests.visits.conftest import record, visit_data
from visits.models import Visit

pytestmark = pytest.mark.django_db

# Raise only with a reason: the form is opened and saved on every visit a director records.
FORM_MAX_QUERIES = 9
RECORD_MAX_QUERIES = 12


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 6, 3, 10, tzinfo=dt.UTC), tick=False):
        yield


def add_staff_and_visits(child, director, supervisor, *, n):
    """n more visits of the child, and n more directors of its village (all offered)."""
    for i in range(n):
        factories.make_user(Role.VILLAGE_DIRECTOR, township_name="龙胜镇", village_name="山东村")
        record(director, child, dt.date(2026, 5, 1) + dt.timedelta(days=i), problems=["other"])
        record(supervisor, child, dt.date(2026, 4, 1) + dt.timedelta(days=i))


def form(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_visit_form_query_count_is_pinned(
    client_for, make_child, shandong_director, longsheng_supervisor, django_assert_max_num_queries
):
    child = make_child()
    client = client_for(shandong_director)
    url = reverse("visits:create", args=[child.pk])
    add_staff_and_visits(child, shandong_director, longsheng_supervisor, n=2)
    form(client, url)  # the session's first request settles what it stores
    with django_assert_max_num_queries(FORM_MAX_QUERIES) as few:
        html = form(client, url)
    assert html.count("（村/居儿童主任）</option>") == 3

    # More visits to schedule from, more people to offer as the visitor: not one query more.
    add_staff_and_visits(child, shandong_director, longsheng_supervisor, n=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = form(client, url)
    assert html.count("（村/居儿童主任）</option>") == 6


def test_recording_a_visit_query_count_is_pinned(
    client_for, make_child, shandong_director, longsheng_supervisor, django_assert_max_num_queries
):
    child = make_child()
    client = client_for(shandong_director)
    url = reverse("visits:create", args=[child.pk])
    add_staff_and_visits(child, shandong_director, longsheng_supervisor, n=3)
    client.get(url)
    data = visit_data(date="2026-06-02", guardian_informed="on", visitor=shandong_director.pk)
    data.update(follow_up_needed="", problems=["emotional", "other"])
    with django_assert_max_num_queries(RECORD_MAX_QUERIES):
        response = client.post(url, data)
    assert response.status_code == 302
    visit = Visit.objects.get(child=child, date=dt.date(2026, 6, 2))
    assert visit.visitor == shandong_director
    assert sorted(visit.problems.values_list("code", flat=True)) == ["emotional", "other"]
