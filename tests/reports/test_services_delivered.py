"""The report counts services delivered (服务记录), not plans: sessions are 人次, the children
served 人 (each once within the scope), by one rule wherever the figure shows (the township
report, its sections, the roll-up, the county total). Incidents are counted, never detailed."""

import datetime as dt

import time_machine

from care import choices
from care import services as care_services
from reports.figures import county_key_figures, county_rollup, key_figures, township_figures
from reports.sections import figure_sections
from tests.reports.conftest import FIGURES_TODAY, at

D = dt.date


def _plan(actor, child):
    return care_services.care_plan_create(
        actor=actor,
        child=child,
        data={
            "goals": "稳定情绪",
            "measures": "每周辅导",
            "responsible_name": "督导",
            "started_on": D(2026, 5, 1),
            "review_on": D(2026, 7, 1),
        },
        services=[choices.CareService.COUNSELLING, choices.CareService.COMFORT],
    )


def _session(actor, plan, day, kind=choices.SessionKind.COUNSELLING, minutes=30):
    return care_services.session_record(
        actor=actor,
        plan=plan,
        data={
            "delivered_on": day,
            "kind": kind,
            "delivered_by": choices.DeliveredBy.STAFF,
            "provider_name": "督导",
            "duration_minutes": minutes,
            "notes": "",
        },
    )


def _sessions(dataset):
    jia, yi, *_rest = dataset.children
    ping1 = dataset.children[5]
    with time_machine.travel(at(2026, 5, 30, 18), tick=False):
        jia_plan = _plan(dataset.ls_user, jia)
        yi_plan = _plan(dataset.ls_user, yi)
        ping_plan = _plan(dataset.pd_user, ping1)
        _session(dataset.ls_user, jia_plan, D(2026, 5, 10))  # before the period: not counted
        _session(dataset.ls_user, jia_plan, D(2026, 5, 20))
        _session(dataset.ls_user, jia_plan, D(2026, 5, 27), choices.SessionKind.COMFORT, 60)
        _session(dataset.ls_user, yi_plan, D(2026, 5, 28), choices.SessionKind.COMFORT)
        _session(dataset.pd_user, ping_plan, D(2026, 5, 29))
        care_services.incident_record(
            actor=dataset.ls_user,
            child=jia,
            data={
                "kind": choices.IncidentKind.NEGLECT,
                "occurred_on": D(2026, 5, 25),
                "description": "SENTINEL-REPORT-INCIDENT",
                "reported_to": choices.ReportedTo.CIVIL_AFFAIRS,
                "reported_on": D(2026, 5, 26),
                "reported_by_name": "督导",
            },
        )


def _row(figures, label):
    for section in figure_sections(figures, links=False):
        for row in section.rows:
            if row.label == label:
                return row
    raise AssertionError(label)


def test_sessions_are_attendances_and_children_are_people(dataset):
    _sessions(dataset)
    ls = township_figures(dataset.campaign, dataset.ls, today=FIGURES_TODAY)
    # 甲 twice and 乙 once in the period (甲's 05-10 session is before it): 3 人次, 2 人.
    assert ls["services"] == {
        "sessions": 3,
        "children": 2,
        "hours": "2.0",
        "by_kind": {"counselling": 1, "emotional_guidance": 0, "comfort": 2, "family_education": 0},
    }
    assert (_row(ls, "关爱服务（服务记录）").value, _row(ls, "关爱服务（服务记录）").unit) == (
        3,
        "人次",
    )
    assert (_row(ls, "接受关爱服务儿童").value, _row(ls, "接受关爱服务儿童").unit) == (2, "人")
    pd = township_figures(dataset.campaign, dataset.pd, today=FIGURES_TODAY)
    assert (pd["services"]["sessions"], pd["services"]["children"]) == (1, 1)
    # The county is counted over the county: 4 人次, 3 人.
    county = county_key_figures(dataset.campaign, today=FIGURES_TODAY)
    assert (county["services"], county["children_served"]) == (4, 3)


def test_the_rollup_agrees_with_the_township_report(dataset):
    _sessions(dataset)
    rollup = county_rollup(dataset.campaign, now=at(2026, 6, 3, 12))
    for row in rollup.rows:
        if row.township in (dataset.ls, dataset.pd):
            full = township_figures(dataset.campaign, row.township, today=FIGURES_TODAY)
            assert key_figures(full) == row.figures
    assert rollup.center["services"] is None  # the center keeps no ledger


def test_incidents_are_counted_never_detailed(dataset):
    _sessions(dataset)
    ls = township_figures(dataset.campaign, dataset.ls, today=FIGURES_TODAY)
    assert ls["incidents"] == {"reported": 1}
    row = _row(ls, "活动期间强制报告")
    assert (row.value, row.url) == (1, "")
    assert "SENTINEL" not in repr(ls) and "neglect" not in repr(ls)
