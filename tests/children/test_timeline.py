"""The child page's timeline is bounded: the newest LIMIT entries, and all of them on demand.

Each app's provider fetches only its newest ``limit`` records, so the merged top must be
exactly the top of the full timeline: checked here against the unlimited timeline for a
child with records of every kind on interleaved dates, several on the same day, and visits
whose creation time runs against their pk (the timeline orders a day by creation time).
"""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from accounts.models import AccessAction, AccessLog
from activities import services as activity_services
from activities.choices import PartnerKind
from activities.models import PartnerOrganisation
from care import services as care_services
from children.choices import ChangeAction
from children.models import ChangeLog
from children.timeline import LIMIT, TimelineEntries, timeline_for
from core.extensions import call_each
from tests import factories
from tests.activities.conftest import make_activity
from tests.care.conftest import at, make_pairing, make_plan, make_referral, screen
from tests.visits.conftest import record

pytestmark = pytest.mark.django_db

FIRST_DAY = dt.date(2026, 3, 2)
DAYS = [FIRST_DAY + dt.timedelta(days=2 * i) for i in range(5)]


def moment(day: dt.date, hour: int):
    return time_machine.travel(at(day.year, day.month, day.day, hour), tick=False)


def build_history(child, supervisor, director, institution, mentor):
    """Records of every kind on interleaved days, made at chosen moments of each day."""
    partner = PartnerOrganisation.objects.create(
        name="龙胜县心语社会工作服务中心", kind=PartnerKind.SOCIAL_ORGANISATION
    )
    with moment(DAYS[0], 8):
        pairing = make_pairing(supervisor, child, mentor, started_on=DAYS[0])
    for i, day in enumerate(DAYS):
        # Two visits a day, the later-made one earlier in the day: it has the larger pk, and
        # the timeline still puts it after the other.
        with moment(day, 16):
            record(director, child, day, problems=["emotional"])
        with moment(day, 9):
            record(supervisor, child, day, study_state="poor")
        with moment(day, 11):
            # A positive item 9 raises a safety alert, dated by when it was raised.
            screen(supervisor, child, "PHQA", i1=1, i9=i % 2, on=day)
            make_plan(supervisor, child, started_on=day)
        with moment(day, 14):
            referral = make_referral(supervisor, child, institution, on=day)
            care_services.referral_change_status(
                actor=supervisor, referral=referral, to_status="admitted", changed_on=day
            )
            care_services.follow_up_record(
                actor=supervisor,
                pairing=pairing,
                followed_on=day,
                by_name="李老师",
                condition="情况稳定",
            )
        with moment(day, 10):
            make_activity(
                supervisor, children=[child], title=f"关爱活动{i}", start_date=day, end_date=day
            )
            activity_services.purchased_service_create(
                actor=supervisor,
                data={
                    "township": supervisor.township,
                    "organisation": partner,
                    "content": f"个案心理辅导{i}",
                    "start_date": day,
                    "end_date": day + dt.timedelta(days=30),
                    "amount": Decimal("1000.00"),
                },
                children=[child],
            )
        with moment(day, 12):
            ChangeLog.objects.create(
                child=child, action=ChangeAction.TRANSFER, actor=supervisor, note=f"转移{i}"
            )
    # Typed in late, but dated by the ledger's registration date: the oldest entry.
    with moment(DAYS[3], 13):
        ChangeLog.objects.create(child=child, action=ChangeAction.CREATE, actor=director)


@pytest.fixture
def child_with_history(longsheng_supervisor, shandong_director, institution, mentor):
    child = factories.ChildFactory(
        village=factories.village("龙胜镇", "山东村"), registered_on=dt.date(2026, 3, 1)
    )
    build_history(child, longsheng_supervisor, shandong_director, institution, mentor)
    return child


@pytest.fixture
def institution(db):
    from care.choices import InstitutionType
    from care.models import Institution

    return Institution.objects.create(name="测试县人民医院心理门诊", kind=InstitutionType.MEDICAL)


@pytest.fixture
def mentor(db):
    from care.choices import MentorType
    from care.models import Mentor

    return Mentor.objects.create(name="李老师", kind=MentorType.TEACHER)


USERS = ["longsheng_supervisor", "shandong_director", "county_staff", "county_admin"]


@pytest.mark.parametrize("user_fixture", USERS)
def test_the_limited_timeline_is_the_top_of_the_full_timeline(
    request, child_with_history, user_fixture
):
    user = request.getfixturevalue(user_fixture)
    full = timeline_for(child_with_history, user)
    assert full.total == len(full) > LIMIT and full.older == 0
    # The history is what this test is about: several kinds on one day, and a day's visits
    # ordered by creation time, not by pk.
    kinds_on_a_day = {entry.kind for entry in full if entry.date == DAYS[2]}
    assert {"家访", "主题活动", "购买服务"} <= kinds_on_a_day and len(kinds_on_a_day) >= 5
    visits = [e for e in full if e.kind == "家访" and e.date == DAYS[2]]
    pks = [int(re.search(r"/(\d+)/$", e.url).group(1)) for e in visits]
    assert pks == sorted(pks)  # made later, but earlier in the day: second
    assert full[-1].date == child_with_history.registered_on  # typed in on DAYS[3]

    for limit in range(1, len(full) + 2):
        limited = timeline_for(child_with_history, user, limit=limit)
        assert list(limited) == full[:limit], limit
        assert (limited.total, limited.older) == (len(full), max(len(full) - limit, 0))


@pytest.mark.parametrize("user_fixture", USERS)
def test_each_provider_returns_its_newest_in_timeline_order(
    request, child_with_history, user_fixture
):
    user = request.getfixturevalue(user_fixture)
    parts = call_each("child_timeline", child_with_history, user)
    assert all(isinstance(part, TimelineEntries) for part in parts)
    for limit in (1, 2, 3, 7):
        limited = call_each("child_timeline", child_with_history, user, limit=limit)
        for whole, part in zip(parts, limited, strict=True):
            assert list(part) == whole[:limit]
            assert part.total == whole.total == len(whole)


def test_screening_details_stay_hidden_in_the_limited_and_the_full_timeline(
    child_with_history, shandong_director, longsheng_supervisor
):
    for limit in (None, LIMIT):
        hidden = [
            e
            for e in timeline_for(child_with_history, shandong_director, limit=limit)
            if e.kind == "心理测评"
        ]
        shown = [
            e
            for e in timeline_for(child_with_history, longsheng_supervisor, limit=limit)
            if e.kind == "心理测评"
        ]
        assert hidden and not any(e.summary for e in hidden)
        assert shown and all(e.summary for e in shown)


def test_a_limit_below_one_is_refused(shandong_child, longsheng_supervisor):
    with pytest.raises(ValueError):
        timeline_for(shandong_child, longsheng_supervisor, limit=0)


# --- the page -------------------------------------------------------------------------------


def entries_on(html: str) -> int:
    timeline = re.search(r'<ul class="timeline[^>]*>(.*?)</ul>', html, re.S).group(1)
    return timeline.count("<li>")


def test_the_page_shows_the_newest_entries_and_how_many_are_older(
    client_for, longsheng_supervisor, child_with_history
):
    total = timeline_for(child_with_history, longsheng_supervisor).total
    client = client_for(longsheng_supervisor)
    html = client.get(child_with_history.get_absolute_url()).content.decode()
    assert entries_on(html) == LIMIT
    older = re.search(r'<p[^>]*id="timeline-older"[^>]*>(.*?)</p>', html, re.S).group(1)
    assert f"另有 {total - LIMIT} 条较早的记录未显示" in older
    assert f'href="{child_with_history.get_absolute_url()}?timeline=all#timeline"' in older
    assert "显示全部记录" in older

    html = client.get(child_with_history.get_absolute_url(), {"timeline": "all"}).content
    html = html.decode()
    assert entries_on(html) == total
    assert 'id="timeline-older"' not in html
    # Each view is logged, the full timeline's as the page's.
    logged = AccessLog.objects.filter(
        action=AccessAction.VIEW_CHILD, target_id=str(child_with_history.pk)
    )
    assert logged.count() == 2


def test_a_short_timeline_has_no_older_line(client_for, longsheng_supervisor, shandong_child):
    record(longsheng_supervisor, shandong_child, timezone.localdate())
    html = client_for(longsheng_supervisor).get(shandong_child.get_absolute_url()).content
    html = html.decode()
    assert entries_on(html) == 1
    assert 'id="timeline-older"' not in html


def test_the_full_timeline_is_scoped_like_the_page(
    client_for, nanmen_director, pingdeng_supervisor, child_with_history
):
    for user in (nanmen_director, pingdeng_supervisor):
        response = client_for(user).get(child_with_history.get_absolute_url(), {"timeline": "all"})
        assert response.status_code == 404


def test_the_full_timeline_hides_screening_results_from_directors(
    client_for, shandong_director, child_with_history
):
    html = client_for(shandong_director).get(
        child_with_history.get_absolute_url(), {"timeline": "all"}
    )
    html = html.content.decode()
    assert "心理测评" in html
    assert "结果：" not in html
