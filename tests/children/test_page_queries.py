"""The child page runs a fixed, small number of queries whatever the child's records: a query
per visit, screening, plan, pairing or change anywhere (a provider, the template) fails here.

The limits count every query of the request, the session and the user (2), the user's
permissions (1) and the access-log entry (1) included; a session renewal (at most once a
minute) is kept out by a first request.
"""

import datetime as dt

import pytest
from django.utils import timezone

from activities.choices import PartnerKind
from activities.models import PartnerOrganisation
from care import choices as care_choices
from care import services as care_services
from care.models import Institution, Mentor
from children import services_transfer
from children.timeline import LIMIT
from tests import factories
from tests.activities.conftest import make_activity, make_service
from tests.care.conftest import make_pairing, make_plan, make_referral, screen
from tests.visits.conftest import record

pytestmark = pytest.mark.django_db

# What the page costs today for a township supervisor (who sees every kind of record) and a
# village director. Raise only with a reason: each query is paid on every visit to the page.
# Issue 18: services delivered and incidents on the timeline (one query each, for the roles
# that see them) and the incident flag (one aggregate): +3 and +2; the consent panel (one
# query, for the roles that see consents): +1. The change history bounded like the timeline,
# the newest 10 and how many are older (a count, only for a child with more than 10
# changes; 40 fewer rows to build and render in exchange): +1. Whether a transfer is waiting
# read with the child (an EXISTS), its query only when one is: -1.
CHILD_PAGE_MAX_QUERIES = {"longsheng_supervisor": 30, "shandong_director": 26}


def add_records(child, supervisor, director, *, n):
    """n records of every kind shown on the child page, made through the services."""
    today = timezone.localdate()
    institution, _ = Institution.objects.get_or_create(
        name="测试县人民医院心理门诊", defaults={"kind": care_choices.InstitutionType.MEDICAL}
    )
    mentor, _ = Mentor.objects.get_or_create(
        name="李老师", defaults={"kind": care_choices.MentorType.TEACHER}
    )
    partner, _ = PartnerOrganisation.objects.get_or_create(
        name="龙胜县心语社会工作服务中心", defaults={"kind": PartnerKind.SOCIAL_ORGANISATION}
    )
    for i in range(n):
        record(director, child, today - dt.timedelta(days=40 + i), problems=["emotional", "other"])
        record(supervisor, child, today - dt.timedelta(days=20 + i), study_state="poor")
        screen(supervisor, child, "PHQA", i1=1, i9=1, on=today - dt.timedelta(days=30 + i))
        plan = make_plan(supervisor, child, started_on=today - dt.timedelta(days=60 + i))
        # Older than the visits: the newest entries the test counts stay visits.
        care_services.session_record(
            actor=director,
            plan=plan,
            data={
                "delivered_on": today - dt.timedelta(days=59 + i),
                "kind": "comfort",
                "delivered_by": "staff",
                "provider_name": "赵主任",
                "duration_minutes": 30,
                "notes": "",
            },
        )
        care_services.incident_record(
            actor=supervisor,
            child=child,
            data={
                "kind": "neglect",
                "occurred_on": today - dt.timedelta(days=91 + i),
                "description": "无人照料",
                "reported_to": "civil_affairs",
                "reported_on": today - dt.timedelta(days=90 + i),
                "reported_by_name": "王督导",
            },
        )
        referral = make_referral(
            supervisor, child, institution, on=today - dt.timedelta(days=15 + i)
        )
        care_services.referral_change_status(
            actor=supervisor,
            referral=referral,
            to_status="admitted",
            changed_on=today - dt.timedelta(days=14 + i),
        )
        pairing = make_pairing(supervisor, child, mentor, started_on=today - dt.timedelta(days=70))
        for days in (50, 45):
            care_services.follow_up_record(
                actor=supervisor,
                pairing=pairing,
                followed_on=today - dt.timedelta(days=days + i),
                by_name="李老师",
                condition="情况稳定",
            )
        make_activity(supervisor, children=[child], title=f"关爱活动{i}")
        make_service(supervisor, partner, children=[child])
        factories.rename_guardian(child, supervisor, f"监护人{i}")


@pytest.fixture
def child_with_records(longsheng_supervisor, shandong_director):
    """A 山东村 child with two of each kind of record."""
    child = factories.ChildFactory(village=factories.village("龙胜镇", "山东村"))
    add_records(child, longsheng_supervisor, shandong_director, n=2)
    return child


def page(client, child, query=None) -> str:
    response = client.get(child.get_absolute_url(), query or {})
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("user_fixture", sorted(CHILD_PAGE_MAX_QUERIES))
def test_child_page_query_count_is_pinned(
    request,
    client_for,
    child_with_records,
    longsheng_supervisor,
    shandong_director,
    django_assert_max_num_queries,
    user_fixture,
):
    child = child_with_records
    client = client_for(request.getfixturevalue(user_fixture))
    page(client, child)  # the session's first request settles what it stores
    with django_assert_max_num_queries(CHILD_PAGE_MAX_QUERIES[user_fixture]) as few:
        html = page(client, child)
    assert html.count("入户家访 ·") == 4
    assert "关爱活动1" in html

    # Two and a half times the records: not one query more.
    add_records(child, longsheng_supervisor, shandong_director, n=3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page(client, child)
    assert html.count("入户家访 ·") == 10


@pytest.mark.parametrize("query", [{}, {"timeline": "all"}], ids=["newest", "all"])
@pytest.mark.parametrize("user_fixture", sorted(CHILD_PAGE_MAX_QUERIES))
def test_three_times_the_records_cost_the_same_queries(
    request,
    client_for,
    child_with_records,
    longsheng_supervisor,
    shandong_director,
    django_assert_max_num_queries,
    user_fixture,
    query,
):
    """The newest entries and the full timeline alike: the providers cut and count their
    records in the queries they already run."""
    child = child_with_records
    client = client_for(request.getfixturevalue(user_fixture))
    page(client, child, query)  # the session's first request settles what it stores
    with django_assert_max_num_queries(CHILD_PAGE_MAX_QUERIES[user_fixture]) as few:
        page(client, child, query)

    add_records(child, longsheng_supervisor, shandong_director, n=4)  # three times as many
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page(client, child, query)
    timeline = html.split('id="timeline"', 1)[1].split("</ul>", 1)[0]
    if query:
        assert timeline.count("<li>") > LIMIT
        assert 'id="timeline-older"' not in html
    else:
        assert timeline.count("<li>") == LIMIT
        assert 'id="timeline-older"' in html


def queries_of(captured, table: str) -> list[str]:
    """The statements that read ``table`` itself (not as a subquery of another's)."""
    return [q["sql"] for q in captured if f'FROM "{table}"' in q["sql"].split(" WHERE ")[0]]


def test_consents_and_a_waiting_transfer_are_read_only_when_there_are_any(
    client_for, longsheng_supervisor, shandong_director
):
    """A child with neither: the child's own query says so (two EXISTS), and the page
    spares a statement for each. With one of each, the page reads and shows them."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    shandong_child = factories.ChildFactory(
        village=factories.village("龙胜镇", "山东村"), consent=False
    )
    client = client_for(longsheng_supervisor)
    page(client, shandong_child)
    with CaptureQueriesContext(connection) as captured:
        html = page(client, shandong_child)
    assert not queries_of(captured, "children_consent")
    assert not queries_of(captured, "children_childtransfer")
    assert "尚未登记监护人同意书" in html and "转移中" not in html

    factories.give_consent(shandong_child)
    services_transfer.transfer_request(
        actor=shandong_director,
        child=shandong_child,
        to_village=factories.village("平等镇", "罗汉村"),
        reason="随母迁居",
    )
    with CaptureQueriesContext(connection) as captured:
        html = page(client, shandong_child)
    assert queries_of(captured, "children_consent")
    assert queries_of(captured, "children_childtransfer")
    assert "尚未登记监护人同意书" not in html and "转移中" in html
