"""Lists, the detail page and the child timeline run a fixed number of queries, whatever
the number of visits or children."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.visits.conftest import image_upload, record
from visits import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 6, 3, 10, tzinfo=dt.UTC), tick=False):
        yield


def add_children(make_child, director, n):
    """n children: a third never visited (overdue), a third never visited and due this week,
    a third red and visited (pending review, due 06-08)."""
    children = []
    for i in range(n):
        if i % 3 == 0:
            child = make_child(registered_on=dt.date(2026, 5, 1), responsible_director=director)
        elif i % 3 == 1:
            child = make_child(registered_on=dt.date(2026, 5, 29))  # due Friday 06-05
        else:
            child = make_child(risk_level="red")
            record(director, child, dt.date(2026, 5, 25), problems=["emotional"])
        children.append(child)
    return children


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url_name", ["visits:list", "visits:pending", "visits:overdue", "visits:due_week"]
)
def test_list_pages_keep_a_constant_query_count(
    url_name, client_for, make_child, shandong_director, longsheng_supervisor
):
    client = client_for(longsheng_supervisor)
    url = reverse(url_name)
    add_children(make_child, shandong_director, 3)
    small = count(client, url)
    add_children(make_child, shandong_director, 6)
    assert count(client, url) == small


def test_schedule_lists_have_rows_to_count(make_child, shandong_director, longsheng_supervisor):
    add_children(make_child, shandong_director, 6)
    assert selectors.overdue_list(longsheng_supervisor).count() == 2
    assert selectors.due_week_list(longsheng_supervisor).count() == 2
    assert selectors.pending_review(longsheng_supervisor).count() == 2


def test_detail_page_keeps_a_constant_query_count(
    client_for, shandong_child, shandong_director, longsheng_supervisor
):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1), problems=["other"])
    client = client_for(shandong_director)
    services.attachment_add(actor=shandong_director, visit=visit, upload=image_upload())
    small = count(client, visit.get_absolute_url())
    for _ in range(3):
        services.attachment_add(actor=shandong_director, visit=visit, upload=image_upload())
    services.visit_update(
        actor=shandong_director,
        visit=visit,
        expected_version=visit.__class__.objects.get(pk=visit.pk).version,
        data={"place": "学校"},
        problems=["other", "emotional", "study_pressure"],
    )
    assert count(client, visit.get_absolute_url()) == small


def test_child_timeline_keeps_a_constant_query_count(
    shandong_child, shandong_director, longsheng_supervisor
):
    record(shandong_director, shandong_child, dt.date(2026, 5, 1), problems=["other"])
    selectors.timeline_entries(shandong_child, longsheng_supervisor)  # permissions cached
    with CaptureQueriesContext(connection) as small:
        selectors.timeline_entries(shandong_child, longsheng_supervisor)
    for day in range(2, 8):
        record(shandong_director, shandong_child, dt.date(2026, 5, day), problems=["emotional"])
    with CaptureQueriesContext(connection) as large:
        entries = selectors.timeline_entries(shandong_child, longsheng_supervisor)
    assert len(entries) == 7
    assert len(large.captured_queries) == len(small.captured_queries) <= 2


def test_home_panels_keep_a_constant_query_count(
    make_child, shandong_director, longsheng_supervisor
):
    add_children(make_child, shandong_director, 3)
    selectors.home_panels(longsheng_supervisor)  # permissions cached
    with CaptureQueriesContext(connection) as small:
        selectors.home_panels(longsheng_supervisor)
    add_children(make_child, shandong_director, 6)
    with CaptureQueriesContext(connection) as large:
        selectors.home_panels(longsheng_supervisor)
    assert len(large.captured_queries) == len(small.captured_queries) <= 5
