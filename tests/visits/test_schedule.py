"""The one definition of next-due and overdue (visits/schedule.py), across time."""

import datetime as dt

import pytest
import time_machine
from django.db.models import Count

from accounts.choices import Role
from children import services as child_services
from children.models import Child
from tests import factories
from tests.visits.conftest import record
from visits import schedule, services
from visits.models import VisitRule, VisitScheduleSetting

pytestmark = pytest.mark.django_db

FRIDAY = dt.date(2026, 5, 1)


def travel(day: dt.date):
    return time_machine.travel(
        dt.datetime(day.year, day.month, day.day, 10, tzinfo=dt.UTC), tick=False
    )


def due(child, today=None):
    return schedule.child_schedule(child, today)


def ids(queryset):
    return set(queryset.values_list("pk", flat=True))


def test_defaults_come_from_the_data_migration():
    assert dict(VisitRule.objects.values_list("risk_level", "interval_days")) == {
        "red": 14,
        "orange": 30,
        "yellow": 30,
        "green": 90,
    }
    assert VisitScheduleSetting.objects.get(pk=1).first_visit_working_days == 5


def test_first_visit_due_five_working_days_after_a_friday_registration(make_child):
    child = make_child(registered_on=FRIDAY)
    status = due(child, FRIDAY)
    assert status.last_visit_date is None
    assert status.next_visit_due == dt.date(2026, 5, 8)  # the next Friday


@pytest.mark.parametrize(
    ("registered", "expected"),
    [
        (dt.date(2026, 5, 4), dt.date(2026, 5, 11)),  # Monday → next Monday
        (dt.date(2026, 5, 6), dt.date(2026, 5, 13)),  # Wednesday → next Wednesday
        (dt.date(2026, 5, 2), dt.date(2026, 5, 8)),  # Saturday → Friday
        (dt.date(2026, 5, 3), dt.date(2026, 5, 8)),  # Sunday → Friday
    ],
)
def test_first_visit_counts_only_monday_to_friday(make_child, registered, expected):
    child = make_child(registered_on=registered)
    assert due(child, registered).next_visit_due == expected
    assert schedule.first_visit_due(registered, 5) == expected


def test_sql_and_python_agree_on_every_weekday_and_other_limits(make_child):
    VisitScheduleSetting.objects.filter(pk=1).update(first_visit_working_days=7)
    children = [make_child(registered_on=FRIDAY + dt.timedelta(days=n)) for n in range(7)]
    annotated = schedule.annotate_next_due(Child.objects.filter(pk__in=[c.pk for c in children]))
    for child in annotated:
        assert child.next_visit_due == schedule.first_visit_due(child.registered_on, 7)


def test_never_visited_child_is_overdue_the_day_after_the_first_visit_limit(make_child):
    child = make_child(registered_on=FRIDAY)
    qs = Child.objects.all()
    assert child.pk not in ids(schedule.overdue_children(qs, dt.date(2026, 5, 8)))
    assert child.pk in ids(schedule.due_between(qs, dt.date(2026, 5, 8), dt.date(2026, 5, 8)))
    assert child.pk in ids(schedule.overdue_children(qs, dt.date(2026, 5, 9)))
    assert due(child, dt.date(2026, 5, 9)).overdue


def test_red_child_is_due_14_days_after_the_last_visit(make_child, longsheng_supervisor):
    child = make_child(risk_level="red")
    with travel(dt.date(2026, 6, 1)):
        record(longsheng_supervisor, child, dt.date(2026, 6, 1))
    qs = Child.objects.all()
    status = due(child, dt.date(2026, 6, 15))
    assert status.last_visit_date == dt.date(2026, 6, 1)
    assert status.next_visit_due == dt.date(2026, 6, 15)
    assert not status.overdue
    assert child.pk not in ids(schedule.overdue_children(qs, dt.date(2026, 6, 15)))
    assert child.pk in ids(schedule.overdue_children(qs, dt.date(2026, 6, 16)))


def test_the_latest_visit_counts_not_the_latest_recorded(make_child, longsheng_supervisor):
    child = make_child(risk_level="red")
    with travel(dt.date(2026, 6, 10)):
        record(longsheng_supervisor, child, dt.date(2026, 6, 8))
        record(longsheng_supervisor, child, dt.date(2026, 6, 1))  # entered late
    assert due(child, dt.date(2026, 6, 10)).next_visit_due == dt.date(2026, 6, 22)


def test_pending_and_returned_visits_count_as_visits(
    make_child, shandong_director, longsheng_supervisor
):
    child = make_child(risk_level="red")
    with travel(dt.date(2026, 6, 1)):
        visit = record(shandong_director, child, dt.date(2026, 6, 1))
        assert visit.review_status == "pending"
        assert due(child).next_visit_due == dt.date(2026, 6, 15)
        services.visit_return(actor=longsheng_supervisor, visit=visit, comment="请补充照片")
        assert due(child).next_visit_due == dt.date(2026, 6, 15)


def test_closing_a_case_removes_it_from_due_and_overdue_lists_and_reopening_restores_it(
    make_child, longsheng_supervisor
):
    child = make_child(registered_on=FRIDAY)
    qs = Child.objects.all()
    later = dt.date(2026, 6, 1)
    assert child.pk in ids(schedule.overdue_children(qs, later))
    with travel(later):
        child_services.child_close(actor=longsheng_supervisor, child=child, reason="moved_out")
    assert child.pk not in ids(schedule.overdue_children(qs, later))
    assert child.pk not in ids(schedule.due_between(qs, FRIDAY, dt.date(2026, 12, 31)))
    assert due(child, later).next_visit_due is None
    assert not due(child, later).overdue
    with travel(later):
        child_services.child_reopen(
            actor=longsheng_supervisor, child=Child.objects.get(pk=child.pk)
        )
    assert child.pk in ids(schedule.overdue_children(qs, later))


def test_raising_the_risk_level_shortens_the_interval_at_once(make_child, longsheng_supervisor):
    child = make_child(risk_level="yellow")
    with travel(dt.date(2026, 6, 1)):
        record(longsheng_supervisor, child, dt.date(2026, 6, 1))
        assert due(child).next_visit_due == dt.date(2026, 7, 1)
        child_services.child_raise_risk(
            actor=longsheng_supervisor, child=child, level="red", reason="测评阳性"
        )
        assert due(child).next_visit_due == dt.date(2026, 6, 15)
    assert child.pk in ids(schedule.overdue_children(Child.objects.all(), dt.date(2026, 6, 20)))


def test_a_rule_change_applies_to_every_child_without_recomputing(
    make_child, county_admin, longsheng_supervisor
):
    child = make_child(risk_level="green")
    with travel(dt.date(2026, 6, 1)):
        record(longsheng_supervisor, child, dt.date(2026, 6, 1))
    assert due(child, dt.date(2026, 6, 1)).next_visit_due == dt.date(2026, 8, 30)
    services.visit_rules_update(
        actor=county_admin,
        intervals={"red": 7, "orange": 21, "yellow": 30, "green": 60},
        first_visit_working_days=3,
    )
    assert due(child, dt.date(2026, 6, 1)).next_visit_due == dt.date(2026, 7, 31)


def test_only_the_county_admin_changes_the_rules(longsheng_supervisor):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.visit_rules_update(
            actor=longsheng_supervisor, intervals={"red": 60}, first_visit_working_days=5
        )
    assert VisitRule.objects.get(risk_level="red").interval_days == 14


def test_due_this_week_runs_from_today_to_sunday(make_child):
    wednesday = dt.date(2026, 5, 13)
    assert schedule.week_bounds(wednesday) == (wednesday, dt.date(2026, 5, 17))
    sunday = dt.date(2026, 5, 17)
    assert schedule.week_bounds(sunday) == (sunday, sunday)
    due_thursday = make_child(registered_on=dt.date(2026, 5, 7))  # due 2026-05-14
    due_tuesday = make_child(registered_on=dt.date(2026, 5, 5))  # due 2026-05-12: overdue
    due_next_week = make_child(registered_on=dt.date(2026, 5, 11))  # due 2026-05-18
    found = ids(schedule.due_this_week(Child.objects.all(), wednesday))
    assert due_thursday.pk in found
    assert due_tuesday.pk not in found
    assert due_next_week.pk not in found


def test_annotation_composes_with_counts_and_scoping(make_child, shandong_director):
    make_child(registered_on=FRIDAY)
    make_child(registered_on=FRIDAY, village=("平等镇", "罗汉村"))
    visible = Child.objects.visible_to(shandong_director)
    today = dt.date(2026, 6, 1)
    counts = schedule.annotate_next_due(visible, today).aggregate(
        overdue=Count("pk", filter=schedule.overdue_q(today))
    )
    assert counts["overdue"] == 1


def test_a_county_user_sees_all_overdue(make_child, county_staff):
    factories.make_user(Role.COUNTY_ADMIN, username="x-admin")
    make_child(registered_on=FRIDAY)
    make_child(registered_on=FRIDAY, village=("平等镇", "罗汉村"))
    today = dt.date(2026, 6, 1)
    assert schedule.overdue_children(Child.objects.visible_to(county_staff), today).count() == 2


def _director_and_children_of_every_risk_and_weekday(make_child):
    """山东村's director, and a child of each risk level registered on each day of a week."""
    director = factories.make_user(
        Role.VILLAGE_DIRECTOR, township_name="龙胜镇", village_name="山东村"
    )
    children = [
        make_child(registered_on=FRIDAY + dt.timedelta(days=offset), risk_level=risk)
        for offset in range(7)
        for risk in ("red", "orange", "yellow", "green")
    ]
    return director, children


def test_a_childs_page_and_the_lists_give_the_same_schedule(make_child):
    """child_schedule and schedules_for (Python: a child's page, a ledger page's rows)
    against annotate_next_due (SQL: filters and counts), for every risk level, visited or
    not, active or closed, registered on each weekday."""
    VisitRule.objects.filter(risk_level="orange").update(interval_days=21)
    director, children = _director_and_children_of_every_risk_and_weekday(make_child)
    for index, child in enumerate(children):
        if index % 3:
            day = FRIDAY + dt.timedelta(days=10 + index)
            with travel(day):
                record(director, child, day)
                if index % 2:
                    record(director, child, day - dt.timedelta(days=4))
    Child.objects.filter(pk__in=[c.pk for c in children[::5]]).update(
        status="closed", closed_on=FRIDAY + dt.timedelta(days=39), close_reason="improved"
    )
    today = FRIDAY + dt.timedelta(days=40)
    annotated = schedule.annotate_next_due(
        Child.objects.filter(pk__in=[c.pk for c in children]), today
    )
    page = schedule.schedules_for(
        Child.objects.filter(pk__in=[c.pk for c in children]).values_list(
            "pk", "status", "risk_level", "registered_on"
        ),
        today,
    )
    for child in annotated:
        sql = (child.last_visit_date, child.next_visit_due, child.visit_overdue)
        for python in (schedule.child_schedule(child, today), page[child.pk]):
            assert (python.last_visit_date, python.next_visit_due, python.overdue) == sql, (
                child.risk_level,
                child.status,
                child.registered_on,
            )
    assert {c.visit_overdue for c in annotated} == {True, False}


def test_the_counting_form_of_overdue_finds_the_same_children(make_child):
    """overdue_count_q (no annotation, for counts) against annotate_next_due + overdue_q, for
    every risk level, weekday of registration, visited or not, active or closed, on days
    around each child's due date."""
    VisitRule.objects.filter(risk_level="red").update(interval_days=10)
    director, children = _director_and_children_of_every_risk_and_weekday(make_child)
    for index, child in enumerate(children):
        if index % 2:
            day = FRIDAY + dt.timedelta(days=8 + index)
            with travel(day):
                record(director, child, day)
    Child.objects.filter(pk__in=[c.pk for c in children[::9]]).update(
        status="closed", closed_on=FRIDAY + dt.timedelta(days=60), close_reason="improved"
    )
    qs = Child.objects.filter(pk__in=[c.pk for c in children])
    rules = schedule.load_rules()
    seen = set()
    for days in range(0, 130, 3):
        today = FRIDAY + dt.timedelta(days=days)
        expected = ids(schedule.overdue_children(qs, today, rules=rules))
        assert ids(qs.filter(schedule.overdue_count_q(today, rules))) == expected, today
        seen |= expected
    assert len(seen) > len(children) // 2  # the check went through many overdue children


def test_rules_are_read_in_one_query_with_defaults_for_missing_rows(
    django_assert_num_queries,
):
    VisitRule.objects.filter(risk_level="green").update(interval_days=60)
    VisitScheduleSetting.objects.filter(pk=1).update(first_visit_working_days=3)
    with django_assert_num_queries(1):
        rules = schedule.load_rules()
    assert rules.intervals == {"red": 14, "orange": 30, "yellow": 30, "green": 60}
    assert rules.first_visit_working_days == 3

    VisitRule.objects.filter(risk_level="red").delete()
    VisitScheduleSetting.objects.all().delete()
    rules = schedule.load_rules()
    assert rules.intervals["red"] == 14 and rules.first_visit_working_days == 5
