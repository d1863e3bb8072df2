"""Every visits URL that takes an id, as a user of another township and as the director of
another village: 404 (as if absent), and nothing in the database changes."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from children.models import ChangeLog
from children.services_households import household_create
from tests.factories import ChildFactory
from tests.visits.conftest import image_upload, record, visit_data
from visits import services
from visits import urls as visit_urls
from visits.models import Visit, VisitAttachment, VisitProblem

pytestmark = pytest.mark.django_db

# URL name → what its id names. A new URL with an id must be added here (the first test
# fails until it is), so nothing escapes the 404 matrix.
ID_URLS = {
    "create": "child",
    "detail": "visit",
    "edit": "visit",
    "review": "visit",
    "attachment_add": "visit",
    "attachment": "attachment",
    "attachment_delete": "attachment",
    "household_create": "household",
}


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 6, 3, 10, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def target(shandong_director, shandong_child):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1), problems=["other"])
    attachment = services.attachment_add(
        actor=shandong_director, visit=visit, upload=image_upload()
    )
    sibling = ChildFactory(name="兄", village=shandong_child.village)
    household = household_create(
        actor=shandong_director,
        village=shandong_child.village,
        data={"name": "山东村一户", "guardian_name": "监护人", "guardian_phone": "13800000077"},
        members=[shandong_child, sibling],
    )
    return {
        "child": shandong_child,
        "visit": visit,
        "attachment": attachment,
        "household": household,
    }


def snapshot():
    return (
        list(Visit.objects.order_by("pk").values()),
        list(VisitProblem.objects.order_by("pk").values()),
        list(VisitAttachment.objects.order_by("pk").values()),
        ChangeLog.objects.count(),
    )


def post_data(visit):
    data = {k: v for k, v in visit_data(date="2026-06-02").items() if v not in (False, "")}
    return data | {
        "visitor": visit.visitor_id,
        "version": visit.version,
        "decision": "approve",
        "comment": "越权",
        "problems": ["emotional"],
    }


def test_every_visits_url_with_an_id_is_in_the_matrix():
    with_id = {p.name for p in visit_urls.urlpatterns if "<int:pk>" in str(p.pattern)}
    assert with_id == set(ID_URLS)


@pytest.mark.parametrize("name", sorted(ID_URLS))
@pytest.mark.parametrize("outsider", ["pingdeng_supervisor", "nanmen_director"])
def test_outside_the_area_every_url_is_404_and_writes_nothing(
    request, client_for, target, name, outsider
):
    user = request.getfixturevalue(outsider)
    client = client_for(user)
    url = reverse(f"visits:{name}", args=[target[ID_URLS[name]].pk])
    before = snapshot()
    assert client.get(url).status_code in (404, 405)
    data = post_data(target["visit"]) | {"file": image_upload(), "attachments": image_upload()}
    response = client.post(url, data)
    assert response.status_code in (404, 405)
    if response.status_code == 405:  # a GET-only URL: its GET above must have been the 404
        assert client.get(url).status_code == 404
    else:
        assert "张小花" not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("name", ["detail", "edit", "review", "attachment"])
def test_the_get_pages_answer_404_not_403_outside_the_area(client_for, target, name, county_staff):
    # county staff lack change/review rights but see the whole county: 403, not 404.
    url = reverse(f"visits:{name}", args=[target[ID_URLS[name]].pk])
    expected = 200 if name in ("detail", "attachment") else 403
    assert client_for(county_staff).get(url).status_code == expected


def test_lists_leak_nothing_from_another_area(client_for, target, pingdeng_supervisor):
    client = client_for(pingdeng_supervisor)
    for name in ("list", "pending", "overdue", "due_week"):
        response = client.get(reverse(f"visits:{name}"))
        assert response.status_code == 200
        assert "张小花" not in response.content.decode()
    assert "山东村" not in client.get(reverse("visits:list")).content.decode()
