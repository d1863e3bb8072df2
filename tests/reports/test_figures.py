"""Every figure of the township report against numbers counted by hand from the fixture
(tests/reports/conftest.py describes the dataset; the counts below follow from it)."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from reports.figures import county_rollup, key_figures, township_figures
from tests import factories
from tests.reports.conftest import FIGURES_TODAY, at, build_dataset

NO_FORMS = {
    "patriotic_base": 0, "educational_film": 0, "theme_day": 0, "open_day": 0,
    "sports_meet": 0, "lecture": 0, "knowledge_quiz": 0, "light_up_june_first": 0,
    "mental_health_talk": 0, "family_education": 0, "cloud_consultation": 0,
    "caring_visit": 0, "other": 0,
}  # fmt: skip
NO_CHANNELS = {
    "internet": 0, "newspaper": 0, "wechat": 0, "app": 0, "mini_program": 0,
    "short_video": 0, "electronic_screen": 0,
}  # fmt: skip
NO_CIRCUMSTANCES = {
    "living_difficulty": 0, "family_crisis": 0, "guardianship_absent": 0, "left_behind": 0,
    "migrant": 0, "psychological": 0, "asked_for_help": 0, "disability": 0,
    "serious_illness": 0, "parent_detained": 0,
}  # fmt: skip
NO_REFERRALS = {
    "referred": 0, "admitted": 0, "outpatient": 0, "inpatient": 0, "discharged": 0,
    "ended": 0, "not_admitted": 0,
}  # fmt: skip

NO_SERVICES = {
    "sessions": 0, "children": 0, "hours": "0.0",
    "by_kind": {"counselling": 0, "emotional_guidance": 0, "comfort": 0, "family_education": 0},
}  # fmt: skip
NO_INCIDENTS = {"reported": 0}

NO_NOTICE = {
    "plans": 0, "plans_reported": 0, "first_reported_on": None, "stories": 0,
    "stories_used": 0, "needs": 0, "needs_resolved": 0, "needs_open": 0, "needs_overdue": 0,
    "needs_children": 0,
    "needs_by_kind": {
        "counselling": 0, "medical": 0, "school": 0, "living": 0, "guardianship": 0, "other": 0,
    },
}  # fmt: skip

LONGSHENG = {
    "period": {"start": "2026-05-15", "end": "2026-06-10", "as_of": "2026-06-03"},
    "scope": {"kind": "township", "name": "龙胜镇"},
    "ledger": {
        # 甲 乙 丙 戊 (丁 closed before the period); 乙 registered in the period
        "children": 4,
        "new_registrations": 1,
        "by_circumstance": NO_CIRCUMSTANCES
        | {"left_behind": 2, "psychological": 1, "living_difficulty": 1, "family_crisis": 1}
        | {"migrant": 1},
        "by_benefit_category": {
            "institutional_orphan": 0,
            "scattered_orphan": 1,
            "de_facto_unsupported": 1,
            "other_difficulty": 1,
            "none": 1,
        },
        "by_risk": {"red": 1, "orange": 0, "yellow": 2, "green": 1},
    },
    # 甲 twice, 乙 once in the period (丙's screening is in April): 2 of 4 children = 50 %
    "screening": {
        "screenings": 3,
        "children_screened": 2,
        "coverage": 50.0,
        "positive": 1,
        "positive_children": 1,
        "severe": 1,  # 甲's suicidal-ideation alert
        "severe_children": 1,
    },
    "alerts": {"raised": 1, "closed": 1, "open": 1},  # 甲's raised+closed; 丙's April one open
    "care_plans": {"started": 1, "active": 1},
    "services": NO_SERVICES,
    "incidents": NO_INCIDENTS,
    "referrals": {"total": 1, "by_status": NO_REFERRALS | {"admitted": 1}},
    # 甲 followed up 05-31; 丙 overdue since 05-01: both due
    "pairings": {"pairings": 2, "followed": 1, "overdue": 1, "due": 2, "follow_ups": 1},
    # visits 甲×2 + 戊 (closed since); 甲 visited; 乙 (first visit due 05-27) and 丙 (due
    # 05-02) overdue; due = 甲 + 乙 + 丙
    "visits": {"visits": 3, "children_visited": 1, "children_overdue": 2, "children_due": 3},
    "activities": {
        # 家庭教育 (06-08) is not yet held on 06-03: two activities
        "activities": 2,
        "on_time": 2,
        "with_leaders": 2,
        "by_form": NO_FORMS | {"light_up_june_first": 1, "theme_day": 1, "lecture": 1},
        # 甲 in 2 activities, 乙 and 丙 in 1 each: 3 children (人), 4 attendances (人次)
        "distinct_children": 3,
        "attendances": 4,
        "guardians": 10,
        "other_children": 20,
        "teachers": 3,
        "public": 5,
        "other_beneficiaries": 38,  # 人次: typed per activity, never de-duplicated
        "beneficiaries": 41,  # 3 + 38 (其他人员未去重)
        "beneficiary_attendances": 42,  # 4 + 38
        "volunteers": 4,
        "timeline": [
            {
                "title": "心理讲座",
                "start": "2026-05-22",
                "end": "2026-05-22",
                "on_time": True,
                "effect": "",
            },
            {
                "title": "六一游园",
                "start": "2026-05-30",
                "end": "2026-05-30",
                "on_time": True,
                "effect": "儿童与家长共同参与。",
            },
        ],
    },
    "leaders": {
        "attendances": 3,  # 李县长 once, 王书记 twice
        "by_level": {"county": 1, "township": 2, "village": 0},
        "people": 2,
        "list": [
            {"level": "county", "post": "副县长", "name": "李县长"},
            {"level": "township", "post": "镇党委书记", "name": "王书记"},
        ],
    },
    "brands": ["龙脊润心"],
    "channels": NO_CHANNELS | {"wechat": 2, "internet": 1},
    "partners": {"count": 2, "names": ["桂林润苗公益慈善基金会", "龙胜县心语社会工作服务中心"]},
    "purchased_services": {
        "count": 1,
        "amount": "12000.50",
        "ledger_children": 2,
        "other_children": 3,
    },
    "trainings": {
        "count": 1,
        "hours": "2.5",
        "supervisors": 1,
        "directors": 4,
        "others": 2,
        "attendances": 7,  # 人次: headcounts typed per training
        "accounts": 0,  # no platform account listed as attendee
    },
    "notice": NO_NOTICE,
}

PINGDENG = {
    "period": {"start": "2026-05-15", "end": "2026-06-10", "as_of": "2026-06-03"},
    "scope": {"kind": "township", "name": "平等镇"},
    "ledger": {
        "children": 2,
        "new_registrations": 0,
        "by_circumstance": NO_CIRCUMSTANCES | {"left_behind": 1, "migrant": 1},
        "by_benefit_category": {
            "institutional_orphan": 0,
            "scattered_orphan": 0,
            "de_facto_unsupported": 0,
            "other_difficulty": 0,
            "none": 2,
        },
        "by_risk": {"red": 0, "orange": 1, "yellow": 1, "green": 0},
    },
    "screening": {
        "screenings": 1,
        "children_screened": 1,
        "coverage": 50.0,
        "positive": 1,
        "positive_children": 1,
        "severe": 0,
        "severe_children": 0,
    },
    "alerts": {"raised": 1, "closed": 0, "open": 1},
    "care_plans": {"started": 0, "active": 0},
    "services": NO_SERVICES,
    "incidents": NO_INCIDENTS,
    "referrals": {"total": 0, "by_status": NO_REFERRALS},
    "pairings": {"pairings": 0, "followed": 0, "overdue": 0, "due": 0, "follow_ups": 0},
    # 平一 visited 05-20; 平二 never visited, first visit due 2026-02-06
    "visits": {"visits": 1, "children_visited": 1, "children_overdue": 1, "children_due": 2},
    "activities": {
        "activities": 1,
        "on_time": 1,
        "with_leaders": 1,
        "by_form": NO_FORMS | {"sports_meet": 1},
        "distinct_children": 2,
        "attendances": 2,
        "guardians": 4,
        "other_children": 0,
        "teachers": 0,
        "public": 0,
        "other_beneficiaries": 4,
        "beneficiaries": 6,
        "beneficiary_attendances": 6,
        "volunteers": 0,
        "timeline": [
            {
                "title": "运动会",
                "start": "2026-05-28",
                "end": "2026-05-28",
                "on_time": True,
                "effect": "",
            }
        ],
    },
    "leaders": {
        "attendances": 1,
        "by_level": {"county": 0, "township": 0, "village": 1},
        "people": 1,
        "list": [{"level": "village", "post": "村支书", "name": "张支书"}],
    },
    "brands": [],
    "channels": NO_CHANNELS,
    "partners": {"count": 0, "names": []},
    "purchased_services": {
        "count": 0,
        "amount": "0.00",
        "ledger_children": 0,
        "other_children": 0,
    },
    "trainings": {
        "count": 0,
        "hours": "0.0",
        "supervisors": 0,
        "directors": 0,
        "others": 0,
        "attendances": 0,
        "accounts": 0,
    },
    "notice": NO_NOTICE,
}


def _comparable(figures: dict) -> dict:
    # Partner names are listed in the database's collation order; compare them as a set.
    figures = {**figures, "partners": dict(figures["partners"])}
    figures["partners"]["names"] = sorted(figures["partners"]["names"])
    return figures


def test_longsheng_figures_match_the_hand_count(dataset):
    figures = township_figures(dataset.campaign, dataset.ls, today=FIGURES_TODAY)
    assert _comparable(figures) == _comparable(LONGSHENG)


def test_pingdeng_figures_match_the_hand_count(dataset):
    figures = township_figures(dataset.campaign, dataset.pd, today=FIGURES_TODAY)
    assert figures == PINGDENG


def test_distinct_children_and_attendances_differ_when_a_child_attends_several(dataset):
    acts = township_figures(dataset.campaign, dataset.ls, today=FIGURES_TODAY)["activities"]
    assert (acts["distinct_children"], acts["attendances"]) == (3, 4)
    assert (acts["beneficiaries"], acts["beneficiary_attendances"]) == (41, 42)


def test_an_activity_held_after_the_day_figures_are_taken_is_not_yet_counted(dataset):
    """家庭教育 (06-08, after the 06-04 deadline) counts from 06-08 on, as not on time."""
    on_deadline = township_figures(dataset.campaign, dataset.ls, today=dt.date(2026, 6, 4))
    after = township_figures(dataset.campaign, dataset.ls, today=dt.date(2026, 6, 8))
    assert on_deadline["activities"]["activities"] == 2
    acts = after["activities"]
    assert (acts["activities"], acts["on_time"]) == (3, 2)
    assert (acts["distinct_children"], acts["attendances"]) == (3, 5)
    assert acts["timeline"][-1] | {"effect": ""} == {
        "title": "家庭教育", "start": "2026-06-08", "end": "2026-06-08", "on_time": False,
        "effect": "",
    }  # fmt: skip


def test_figures_are_json_ready(dataset):
    import json

    figures = township_figures(dataset.campaign, dataset.ls, today=FIGURES_TODAY)
    assert json.loads(json.dumps(figures)) == figures


def test_a_township_with_no_records_has_zero_figures(campaign):
    figures = township_figures(campaign, factories.township("马堤乡"), today=FIGURES_TODAY)
    assert figures["ledger"]["children"] == 0
    assert figures["screening"]["coverage"] == 0.0
    assert figures["activities"]["beneficiaries"] == 0
    assert figures["activities"]["timeline"] == []


ROLLUP_LS = {
    "children": 4, "new_registrations": 1, "screenings": 3, "children_screened": 2,
    "coverage": 50.0, "positive": 1, "alerts_raised": 1, "visits": 3, "children_visited": 1,
    "children_due": 3, "children_overdue": 2, "services": 0, "children_served": 0,
    "activities": 2, "distinct_children": 3,
    "attendances": 4, "other_beneficiaries": 38, "beneficiary_attendances": 42,
    "beneficiaries": 41, "leader_attendances": 3, "trainings": 1, "training_attendances": 7,
    "purchased_services": 1, "purchased_amount": "12000.50",
}  # fmt: skip
ROLLUP_PD = {
    "children": 2, "new_registrations": 0, "screenings": 1, "children_screened": 1,
    "coverage": 50.0, "positive": 1, "alerts_raised": 1, "visits": 1, "children_visited": 1,
    "children_due": 2, "children_overdue": 1, "services": 0, "children_served": 0,
    "activities": 1, "distinct_children": 2,
    "attendances": 2, "other_beneficiaries": 4, "beneficiary_attendances": 6,
    "beneficiaries": 6, "leader_attendances": 1, "trainings": 0, "training_attendances": 0,
    "purchased_services": 0, "purchased_amount": "0.00",
}  # fmt: skip
# The county center's own 启动仪式 (05-16): 平一, 99 public.
ROLLUP_CENTER = {
    "children": None, "new_registrations": None, "screenings": None,
    "children_screened": None, "coverage": None, "positive": None, "alerts_raised": None,
    "visits": None, "children_visited": None, "children_due": None,
    "children_overdue": None, "services": None, "children_served": None,
    "activities": 1, "distinct_children": 1, "attendances": 1,
    "other_beneficiaries": 99, "beneficiary_attendances": 100, "beneficiaries": 100,
    "leader_attendances": 0, "trainings": 0, "training_attendances": 0,
    "purchased_services": 0, "purchased_amount": "0.00",
}  # fmt: skip
# Counted over the county: 平一 took part in 平等镇's 运动会 and in the county's 启动仪式, one
# 人 and two 人次; the county's own activity is in the total.
ROLLUP_TOTAL = {
    "children": 6, "new_registrations": 1, "screenings": 4, "children_screened": 3,
    "coverage": 50.0, "positive": 2, "alerts_raised": 2, "visits": 4, "children_visited": 2,
    "children_due": 5, "children_overdue": 3, "services": 0, "children_served": 0,
    "activities": 4, "distinct_children": 5,
    "attendances": 7, "other_beneficiaries": 141, "beneficiary_attendances": 148,
    "beneficiaries": 146, "leader_attendances": 4, "trainings": 1, "training_attendances": 7,
    "purchased_services": 1, "purchased_amount": "12000.50",
}  # fmt: skip


def test_county_rollup_has_all_ten_townships_with_hand_counted_figures_and_totals(dataset):
    rollup = county_rollup(dataset.campaign, now=at(2026, 6, 3, 12))
    names = [row.township.name for row in rollup.rows]
    assert len(names) == 10 and names[0] == "龙胜镇"
    by_name = {row.township.name: row for row in rollup.rows}
    assert by_name["龙胜镇"].figures == ROLLUP_LS
    assert by_name["平等镇"].figures == ROLLUP_PD
    assert by_name["马堤乡"].figures["children"] == 0
    assert rollup.center == ROLLUP_CENTER
    assert rollup.totals == ROLLUP_TOTAL
    assert all(row.source == "live" and row.report is None for row in rollup.rows)
    assert not rollup.deadline_passed


def test_rollup_key_figures_agree_with_the_township_figures(dataset):
    """The grouped roll-up and the per-township figures are two computations of the same
    definitions; they must never disagree."""
    rollup = county_rollup(dataset.campaign, now=at(2026, 6, 3, 12))
    for row in rollup.rows:
        if row.township in (dataset.ls, dataset.pd):
            full = township_figures(dataset.campaign, row.township, today=FIGURES_TODAY)
            assert key_figures(full) == row.figures


def _queries(func) -> int:
    with CaptureQueriesContext(connection) as ctx:
        func()
    return len(ctx.captured_queries)


def _grow(campaign, times: int):
    """Build the whole dataset ``times`` more times (more children, records, activities)."""
    for round_ in range(times):
        build_dataset(campaign, suffix=f"-{round_}")


def test_township_figures_and_rollup_cost_a_fixed_number_of_queries(dataset):
    campaign = dataset.campaign
    small = _queries(lambda: township_figures(campaign, dataset.ls, today=FIGURES_TODAY))
    small_rollup = _queries(lambda: county_rollup(campaign, now=at(2026, 6, 3, 12)))
    _grow(campaign, 2)  # three times the records
    figures = township_figures(campaign, dataset.ls, today=FIGURES_TODAY)
    assert figures["ledger"]["children"] == 12  # really three times the data
    assert _queries(lambda: township_figures(campaign, dataset.ls, today=FIGURES_TODAY)) == small
    assert _queries(lambda: county_rollup(campaign, now=at(2026, 6, 3, 12))) == small_rollup


def test_period_bounds_are_inclusive(campaign):
    """A screening on the first and one on the last day of the period both count."""
    from tests.reports.conftest import make_child, screening

    user = factories.make_user("township_supervisor", township_name="龙胜镇", username="b")
    child = make_child("边界童", "龙胜镇", "山东村", registered_on=dt.date(2026, 1, 1))
    screening(child, dt.date(2026, 5, 15), user)
    screening(child, dt.date(2026, 6, 10), user)
    screening(child, dt.date(2026, 6, 11), user)
    figures = township_figures(campaign, child.township, today=dt.date(2026, 6, 30))
    assert figures["screening"]["screenings"] == 2
    assert figures["period"]["as_of"] == "2026-06-10"


def test_the_reports_visited_and_overdue_children_are_the_schedules(campaign):
    """The report and the roll-up count overdue children through the schedule's annotation:
    for children of every risk level, registered on every weekday, visited in the period,
    before it or never, on days through the campaign, both give the schedule's own list of
    overdue children, and the visited and due children of the records."""
    from children.models import Child
    from reports.figures import live_key_figures_by_township
    from tests.reports.conftest import make_child, visit
    from visits import schedule

    user = factories.make_user("township_supervisor", township_name="龙胜镇", username="s")
    children = []
    for offset in range(7):
        for risk in ("red", "orange", "yellow", "green"):
            registered = dt.date(2026, 3, 2) + dt.timedelta(days=offset * 9)
            children.append(
                make_child(f"童{offset}{risk}", "龙胜镇", "山东村", registered_on=registered)
            )
            Child.objects.filter(pk=children[-1].pk).update(risk_level=risk)
    for index, child in enumerate(children):
        if index % 3 == 1:  # visited once, at a date spread from March to June
            visit(child, dt.date(2026, 3, 10) + dt.timedelta(days=index * 3), user)
    township = children[0].township
    ledger = Child.objects.filter(township=township)
    checked = set()
    for today in (dt.date(2026, 5, 20), dt.date(2026, 6, 3), dt.date(2026, 6, 10)):
        overdue = set(schedule.overdue_children(ledger, today).values_list("pk", flat=True))
        visited = set(
            ledger.filter(visits__date__range=(campaign.start_date, today)).values_list(
                "pk", flat=True
            )
        )
        figures = township_figures(campaign, township, today=today)["visits"]
        assert figures["children_overdue"] == len(overdue), today
        assert figures["children_visited"] == len(visited), today
        assert figures["children_due"] == len(overdue | visited), today
        rollup = live_key_figures_by_township(campaign, today=today)[township.pk]
        assert rollup["children_overdue"] == len(overdue), today
        assert rollup["children_visited"] == len(visited), today
        assert rollup["children_due"] == len(overdue | visited), today
        checked |= overdue
    assert 0 < len(checked) < len(children)  # some overdue, some not: the check can fail


def test_a_child_both_visited_and_overdue_is_due_once(campaign):
    """A red-risk child visited early in the period is overdue again before it ends: the
    report and the county roll-up count it among the visited, among the overdue, and once
    among the due. In a version frozen before that visit was entered, the visit is not
    counted (not visited), and the child is still due once."""
    from django.utils import timezone

    from children.models import Child
    from reports.figures import live_key_figures_by_township, township_figures
    from tests.reports.conftest import make_child, visit

    user = factories.make_user("township_supervisor", township_name="龙胜镇", username="s")
    both = make_child("甲", "龙胜镇", "山东村", registered_on=dt.date(2026, 3, 2))
    only_overdue = make_child("乙", "龙胜镇", "山东村", registered_on=dt.date(2026, 3, 2))
    only_visited = make_child("丙", "龙胜镇", "山东村", registered_on=dt.date(2026, 3, 2))
    Child.objects.filter(pk__in=[both.pk, only_overdue.pk]).update(risk_level="red")
    Child.objects.filter(pk=only_visited.pk).update(risk_level="green")
    frozen_at = timezone.now()
    Child.objects.update(created_at=frozen_at - dt.timedelta(days=1))
    visit(both, dt.date(2026, 5, 16), user)  # next due 05-30: overdue on 06-10
    visit(only_visited, dt.date(2026, 6, 1), user)  # next due in September

    figures = township_figures(campaign, both.township, today=dt.date(2026, 6, 10))["visits"]
    assert figures == {
        "children_visited": 2,
        "children_overdue": 2,
        "children_due": 3,
        "visits": 2,
    }
    rollup = live_key_figures_by_township(campaign, today=dt.date(2026, 6, 10))
    assert {key: rollup[both.township_id][key] for key in figures} == figures
    other = next(pk for pk in rollup if pk != both.township_id)
    assert rollup[other]["children_due"] == rollup[other]["visits"] == 0
    frozen = township_figures(
        campaign, both.township, today=dt.date(2026, 6, 10), recorded_by=frozen_at
    )["visits"]
    # Neither visit was entered by the freeze; the schedule still knows of them.
    assert frozen == {
        "children_visited": 0,
        "children_overdue": 2,
        "children_due": 2,
        "visits": 0,
    }
