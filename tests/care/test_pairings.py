"""Pairings and follow-ups: next due = last follow-up (or start) + interval; overdue means the
due date is before today; the lists and home figures follow the clock."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from care import choices, due, selectors, services
from care.models import Pairing
from tests import factories
from tests.care.conftest import at, make_pairing

pytestmark = pytest.mark.django_db


def follow(actor, pairing, on):
    return services.follow_up_record(
        actor=actor,
        pairing=Pairing.objects.get(pk=pairing.pk),
        followed_on=on,
        by_name="李老师",
        condition="情绪平稳，按时上学",
    )


def overdue_count(user):
    return {p.label: p.value for p in selectors.home_panels(user)}["随访逾期"]


def test_overdue_is_strictly_before_today():
    today = dt.date(2026, 6, 10)
    assert not due.is_overdue(today, on=today)
    assert due.is_overdue(today - dt.timedelta(days=1), on=today)
    assert not due.is_overdue(None, on=today)


def test_due_this_week_runs_from_today_to_sunday():
    wednesday = dt.date(2026, 6, 10)
    assert due.week_bounds(wednesday) == (wednesday, dt.date(2026, 6, 14))
    assert due.is_due_this_week(dt.date(2026, 6, 14), on=wednesday)
    assert not due.is_due_this_week(dt.date(2026, 6, 15), on=wednesday)
    assert not due.is_due_this_week(dt.date(2026, 6, 9), on=wednesday)


def test_follow_up_due_and_overdue_across_time(longsheng_supervisor, shandong_child, mentor):
    with time_machine.travel(at(2026, 3, 1), tick=False):
        pairing = make_pairing(
            longsheng_supervisor,
            shandong_child,
            mentor,
            started_on=dt.date(2026, 3, 1),
            interval_days=30,
        )
        assert pairing.next_follow_up_on == dt.date(2026, 3, 31)
        assert overdue_count(longsheng_supervisor) == 0
    with time_machine.travel(at(2026, 3, 31), tick=False):  # due today: not overdue yet
        assert overdue_count(longsheng_supervisor) == 0
        assert list(selectors.due_follow_ups(longsheng_supervisor, when="week")) == [pairing]
    with time_machine.travel(at(2026, 4, 1), tick=False):  # the day after: overdue
        assert overdue_count(longsheng_supervisor) == 1
        assert list(selectors.due_follow_ups(longsheng_supervisor, when="overdue")) == [pairing]
        follow(longsheng_supervisor, pairing, dt.date(2026, 4, 1))
        pairing.refresh_from_db()
        assert pairing.next_follow_up_on == dt.date(2026, 5, 1)
        assert overdue_count(longsheng_supervisor) == 0
    with time_machine.travel(at(2026, 5, 2), tick=False):
        assert overdue_count(longsheng_supervisor) == 1


def test_a_late_entered_earlier_follow_up_does_not_move_the_due_date_back(
    longsheng_supervisor, shandong_child, mentor
):
    with time_machine.travel(at(2026, 5, 20), tick=False):
        pairing = make_pairing(
            longsheng_supervisor, shandong_child, mentor, started_on=dt.date(2026, 3, 1)
        )
        follow(longsheng_supervisor, pairing, dt.date(2026, 5, 10))
        follow(longsheng_supervisor, pairing, dt.date(2026, 4, 1))  # entered late
        pairing.refresh_from_db()
        assert pairing.next_follow_up_on == dt.date(2026, 6, 9)


def test_changing_the_interval_moves_the_due_date(longsheng_supervisor, shandong_child, mentor):
    with time_machine.travel(at(2026, 3, 10), tick=False):
        pairing = make_pairing(
            longsheng_supervisor, shandong_child, mentor, started_on=dt.date(2026, 3, 1)
        )
        pairing = services.pairing_update(
            actor=longsheng_supervisor,
            pairing=pairing,
            expected_version=pairing.version,
            data={"interval_days": 14},
        )
        assert pairing.next_follow_up_on == dt.date(2026, 3, 15)


def test_ending_a_pairing_needs_a_date_and_stops_follow_ups(
    longsheng_supervisor, shandong_child, mentor
):
    with time_machine.travel(at(2026, 6, 10), tick=False):
        pairing = make_pairing(
            longsheng_supervisor, shandong_child, mentor, started_on=dt.date(2026, 3, 1)
        )
        assert overdue_count(longsheng_supervisor) == 1
        with pytest.raises(ValidationError) as exc:
            services.pairing_update(
                actor=longsheng_supervisor,
                pairing=pairing,
                expected_version=pairing.version,
                data={"status": choices.PairingStatus.ENDED},
            )
        assert "结束日期" in exc.value.message_dict["ended_on"][0]
        pairing = services.pairing_update(
            actor=longsheng_supervisor,
            pairing=pairing,
            expected_version=pairing.version,
            data={"status": choices.PairingStatus.ENDED, "ended_on": dt.date(2026, 6, 1)},
        )
        assert pairing.next_follow_up_on is None
        assert overdue_count(longsheng_supervisor) == 0
        with pytest.raises(ValidationError):
            follow(longsheng_supervisor, pairing, dt.date(2026, 6, 5))


def test_closed_case_leaves_the_due_lists(longsheng_supervisor, mentor):
    child = factories.ChildFactory()
    with time_machine.travel(at(2026, 6, 10), tick=False):
        make_pairing(longsheng_supervisor, child, mentor, started_on=dt.date(2026, 3, 1))
        assert overdue_count(longsheng_supervisor) == 1
        child.status, child.closed_on, child.close_reason = "closed", dt.date(2026, 6, 9), "other"
        child.save()
        assert overdue_count(longsheng_supervisor) == 0


def test_stale_pairing_edit_is_refused(longsheng_supervisor, shandong_child, mentor):
    pairing = make_pairing(longsheng_supervisor, shandong_child, mentor)
    services.pairing_update(
        actor=longsheng_supervisor, pairing=pairing, expected_version=1, data={"interval_days": 20}
    )
    with pytest.raises(services.StaleEdit):
        services.pairing_update(
            actor=longsheng_supervisor,
            pairing=pairing,
            expected_version=1,
            data={"interval_days": 40},
        )
    pairing.refresh_from_db()
    assert pairing.interval_days == 20


def test_follow_up_date_checks(longsheng_supervisor, shandong_child, mentor):
    with time_machine.travel(at(2026, 6, 10), tick=False):
        pairing = make_pairing(
            longsheng_supervisor, shandong_child, mentor, started_on=dt.date(2026, 6, 1)
        )
        with pytest.raises(ValidationError) as exc:
            follow(longsheng_supervisor, pairing, dt.date(2026, 5, 31))
        assert "不能早于结对开始日期" in exc.value.message_dict["followed_on"][0]
        with pytest.raises(ValidationError):
            follow(longsheng_supervisor, pairing, dt.date(2026, 6, 11))


def test_director_may_record_a_follow_up(
    shandong_director, longsheng_supervisor, shandong_child, mentor
):
    pairing = make_pairing(longsheng_supervisor, shandong_child, mentor)
    follow_up = follow(shandong_director, pairing, pairing.started_on)
    assert follow_up.created_by == shandong_director


def test_due_list_page_follows_the_clock(
    client_for, shandong_director, longsheng_supervisor, shandong_child, mentor
):
    with time_machine.travel(at(2026, 3, 1), tick=False):
        make_pairing(longsheng_supervisor, shandong_child, mentor, started_on=dt.date(2026, 3, 1))
    url = reverse("care:due_list")
    # A fresh login inside each frozen moment: the session idles out across the jumps.
    with time_machine.travel(at(2026, 3, 20), tick=False):
        html = client_for(shandong_director).get(url).content.decode()
        assert "到期/逾期" in html and "张小花" not in html
    with time_machine.travel(at(2026, 3, 30), tick=False):  # Monday; due Tuesday 31st
        client = client_for(shandong_director)
        html = client.get(url, {"when": "week"}).content.decode()
        assert "张小花" in html and "本周到期" in html
        assert "张小花" not in client.get(url, {"when": "overdue"}).content.decode()
    with time_machine.travel(at(2026, 4, 2), tick=False):
        client = client_for(shandong_director)
        html = client.get(url, {"when": "overdue", "kind": "follow_up"}).content.decode()
        assert "张小花" in html and "逾期" in html


# --- mentors --------------------------------------------------------------------------------


def test_a_mentor_may_pair_with_several_children_and_the_page_lists_only_visible_ones(
    client_for, longsheng_supervisor, pingdeng_supervisor, shandong_child, pingdeng_child, mentor
):
    make_pairing(longsheng_supervisor, shandong_child, mentor)
    make_pairing(pingdeng_supervisor, pingdeng_child, mentor)
    url = reverse("care:mentor_detail", args=[mentor.pk])
    html = client_for(longsheng_supervisor).get(url).content.decode()
    assert "张小花" in html and "罗平安" not in html
    html = client_for(pingdeng_supervisor).get(url).content.decode()
    assert "罗平安" in html and "张小花" not in html
    counts = {m.pk: m.active_pairings for m in selectors.mentor_list(longsheng_supervisor)}
    assert counts[mentor.pk] == 1


def test_mentor_phone_is_masked_without_reveal_permission(
    client_for, shandong_director, longsheng_supervisor, mentor
):
    url = reverse("care:mentor_detail", args=[mentor.pk])
    html = client_for(shandong_director).get(url).content.decode()
    assert "13812345678" not in html and "138****5678" in html
    html = client_for(shandong_director).get(reverse("care:mentor_list")).content.decode()
    assert "13812345678" not in html
    html = client_for(longsheng_supervisor).get(url).content.decode()
    assert "13812345678" in html


def test_mentor_phone_is_validated_in_chinese(longsheng_supervisor):
    with pytest.raises(ValidationError) as exc:
        services.mentor_save(
            actor=longsheng_supervisor,
            data={"name": "王志愿", "kind": "volunteer", "phone": "12345"},
        )
    assert "联系电话格式不正确" in exc.value.message_dict["phone"][0]
