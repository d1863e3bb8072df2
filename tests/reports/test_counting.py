"""Figures a county can sign: 人数 counts each identified person once within the scope, 人次
counts attendances; the county total is counted over the county with the county center's
own records; versions hold what was known at their freeze and their own 按时/逾期; the
narratives' numbers are the figures. Expectations are counted by hand from
tests/reports/conftest.py (the dataset) plus what each test adds."""

import datetime as dt
import io
import re

import openpyxl
import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from activities.models import Participation
from care.models import SafetyAlert
from reports import services
from reports.figures import (
    COUNTY,
    HEADLINE_KEYS,
    Scope,
    area_figures,
    county_key_figures,
    county_rollup,
    headline_figures,
    key_figures,
    township_figures,
)
from reports.narratives import PLACEHOLDERS, contradictions
from reports.sections import figure_sections
from reports.selectors import narrative_prefill
from tests.jobs.helpers import downloaded
from tests.reports.conftest import FIGURES_TODAY, activity, at, screening

NOON = at(2026, 6, 3, 12)


def _row(figures, label):
    for section in figure_sections(figures, links=False):
        for row in section.rows:
            if row.label == label:
                return row
    raise AssertionError(f"no row {label}")


# --- 人数 and 人次 --------------------------------------------------------------------------


def test_a_child_at_activities_of_two_townships_is_one_person_and_two_attendances(dataset):
    jia = dataset.children[0]  # 甲童 of 龙胜镇
    pd_sports = dataset.campaign.activities.get(title="运动会")
    with time_machine.travel(at(2026, 5, 28, 18), tick=False):
        Participation.objects.create(activity=pd_sports, child=jia)
    ls = township_figures(dataset.campaign, dataset.ls, today=FIGURES_TODAY)["activities"]
    pd = township_figures(dataset.campaign, dataset.pd, today=FIGURES_TODAY)["activities"]
    county = county_key_figures(dataset.campaign, today=FIGURES_TODAY)
    # Each township counts 甲 once: 3 in 龙胜镇 (甲乙丙), 3 in 平等镇 (平一 平二 甲).
    assert (ls["distinct_children"], pd["distinct_children"]) == (3, 3)
    # The county: 甲乙丙 + 平一 平二 = 5 people, not 3 + 3 + 1 (the county's 启动仪式, 平一).
    assert county["distinct_children"] == 5
    # Attendances add up: 4 (龙胜镇) + 3 (平等镇) + 1 (county) = 8, 甲 at 运动会 included.
    assert county["attendances"] == 8


def test_a_county_run_activity_is_in_the_county_total_and_in_its_own_row(dataset):
    rollup = county_rollup(dataset.campaign, now=NOON)
    townships = sum(row.figures["activities"] for row in rollup.rows)
    assert townships == 3  # 龙胜镇 2 + 平等镇 1
    assert rollup.center["activities"] == 1  # 县级启动仪式
    assert rollup.center["children"] is None  # the center keeps no ledger
    assert rollup.totals["activities"] == 4
    assert rollup.totals["other_beneficiaries"] == 38 + 4 + 99


def test_a_grandparent_at_three_activities_is_three_attendances_never_three_people(dataset):
    for day in (16, 17, 18):
        activity(dataset.campaign, dataset.pd, f"隔代教育{day}", dt.date(2026, 5, day))
    for title in ("隔代教育16", "隔代教育17", "隔代教育18"):
        dataset.campaign.activities.filter(title=title).update(guardians_count=1)
    figures = township_figures(dataset.campaign, dataset.pd, today=FIGURES_TODAY)
    assert figures["activities"]["guardians"] == 4 + 3  # 运动会's 4 and the grandparent's 3
    row = _row(figures, "监护人/家长")
    assert (row.value, str(row.unit)) == (7, "人次")
    total = _row(figures, "其他受益人员合计（按活动登记人数相加）")
    assert str(total.unit) == "人次"
    # Only the distinct children are labelled 人 plainly.
    assert str(_row(figures, "参与活动的台账儿童（去重）").unit) == "人"
    assert "未去重" in str(_row(figures, "受益人数（台账儿童去重＋其他人员未去重）").unit)


# --- the three views of the county agree ----------------------------------------------------


def test_county_workbook_rollup_page_and_dashboard_give_the_same_figures(
    dataset, county_staff, client_for
):
    client = client_for(county_staff)
    with time_machine.travel(NOON, tick=False):
        rollup = client.get(reverse("reports:rollup", args=[2026])).context["rollup"]
        dashboard = client.get(reverse("reports:dashboard")).context["dashboard"]
        download = downloaded(client, client.get(reverse("reports:county_export", args=[2026])))
        workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    kpis = {str(label): value for label, value, _url in dashboard.kpis}
    summary = workbook["汇总"]
    header = [cell.value for cell in summary[4]]
    total = next(
        row
        for row in summary.iter_rows(min_row=5, values_only=True)
        if str(row[0]).startswith("全县合计")
    )
    # Hand count (conftest): 4 activities incl. the county's own; 甲乙丙 + 平一 平二 = 5
    # children; 4 + 2 + 1 attendances + 38 + 4 + 99 headcounts = 148 人次; 3 of 6 screened.
    expected = {
        "activities": 4,
        "distinct_children": 5,
        "beneficiary_attendances": 148,
        "coverage": 50.0,
    }
    assert {key: rollup.totals[key] for key in expected} == expected
    assert {
        "activities": kpis["主题活动（场）"],
        "distinct_children": kpis["参与儿童（去重，人）"],
        "beneficiary_attendances": kpis["受益人次"],
        "coverage": kpis["测评覆盖率(%)"],
    } == expected
    assert {
        "activities": total[header.index("活动场次")],
        "distinct_children": total[header.index("参与儿童(人)")],
        "beneficiary_attendances": total[header.index("受益人次")],
        "coverage": total[header.index("测评覆盖率(%)")],
    } == expected


# --- time -----------------------------------------------------------------------------------


def test_a_frozen_version_excludes_records_dated_or_entered_after_its_freeze(
    dataset, longsheng_supervisor
):
    jia, yi = dataset.children[0], dataset.children[1]
    with time_machine.travel(at(2026, 6, 2, 9), tick=False):
        services.report_save_draft(
            actor=longsheng_supervisor,
            campaign=dataset.campaign,
            township=dataset.ls,
            data={"brand": "龙脊润心"},
        )
    with time_machine.travel(at(2026, 6, 7, 9), tick=False):
        screening(yi, dt.date(2026, 6, 6), longsheng_supervisor)  # dated after the freeze
        late_entry = screening(jia, dt.date(2026, 6, 2), longsheng_supervisor, positive=True)
        SafetyAlert.objects.create(child=jia, screening=late_entry, kind="positive_screening")
        activity(dataset.campaign, dataset.ls, "补录活动", dt.date(2026, 6, 1), children=[yi])
        # Submitted as of the afternoon of 06-03 (as the demo does), a week later.
        report = services.submit_as_of(
            actor=longsheng_supervisor,
            campaign=dataset.campaign,
            township=dataset.ls,
            now=at(2026, 6, 3, 16, 30),
        )
    figures = report.versions.get().figures
    assert figures["period"]["as_of"] == "2026-06-03"
    assert figures["screening"]["screenings"] == 3  # neither later screening
    assert figures["alerts"] == {"raised": 1, "closed": 1, "open": 1}  # not the 06-07 alert
    assert figures["activities"]["activities"] == 2  # not the activity entered on 06-07
    # Computed live afterwards, the same township counts them all.
    live = township_figures(dataset.campaign, dataset.ls, today=dt.date(2026, 6, 7))
    assert live["screening"]["screenings"] == 5
    assert live["activities"]["activities"] == 3  # + 补录活动 (家庭教育 is on 06-08)


def test_an_alert_closed_after_the_freeze_was_open_in_the_version(dataset):
    closed_later = SafetyAlert.objects.filter(child__township=dataset.pd).get()
    SafetyAlert.objects.filter(pk=closed_later.pk).update(
        status="closed",
        closed_at=at(2026, 6, 5, 9),
        closed_by=dataset.pd_user,
        resolution="note",
        note="已联系监护人。",
    )
    frozen = township_figures(dataset.campaign, dataset.pd, today=FIGURES_TODAY, recorded_by=NOON)
    assert frozen["alerts"]["open"] == 1 and frozen["alerts"]["closed"] == 0


def test_a_resubmission_after_the_deadline_shows_late_for_that_version(
    dataset, longsheng_supervisor, county_staff, client_for
):
    data = {"timeliness": "开展活动{活动场次}场。"}
    with time_machine.travel(NOON, tick=False):
        services.report_submit(
            actor=longsheng_supervisor, campaign=dataset.campaign, township=dataset.ls, data=data
        )
    with time_machine.travel(at(2026, 6, 4, 9), tick=False):
        report = dataset.ls.reports.get()
        services.report_return(actor=county_staff, report=report, comment="请补充。")
    with time_machine.travel(at(2026, 9, 1, 9), tick=False):
        services.report_resubmit(
            actor=longsheng_supervisor, campaign=dataset.campaign, township=dataset.ls, data=data
        )
        page = client_for(county_staff).get(reverse("reports:township", args=[2026, dataset.ls.pk]))
        rollup = county_rollup(dataset.campaign)
        client = client_for(county_staff)
        download = downloaded(client, client.get(reverse("reports:county_export", args=[2026])))
        workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    header = re.sub(r"\s+", "", page.content.decode().split("<main", 1)[1].split("</h1>")[1])
    assert "第2版报送于2026-09-0109:00" in header
    assert '本版</span><spanclass="badgetext-bg-danger">逾期' in header
    assert '首次报送</span><spanclass="badgetext-bg-success">按时' in header
    row = next(r for r in rollup.rows if r.township == dataset.ls)
    assert (row.version_number, row.version_on_time, row.first_on_time) == (2, False, True)
    assert row.source_label == "第2版（逾期）"
    line = next(
        r for r in workbook["汇总"].iter_rows(min_row=5, values_only=True) if r[1] == "龙胜镇"
    )
    assert line[3:6] == ("2026-09-01 09:00", "按时", "第2版（逾期）")


# --- narratives -----------------------------------------------------------------------------


def test_a_narratives_numbers_equal_the_figures_at_submission(dataset, longsheng_supervisor):
    figures = township_figures(dataset.campaign, dataset.ls, today=FIGURES_TODAY)
    draft = narrative_prefill(dataset.campaign, dataset.ls, figures)
    assert "{受益人次}" in draft["timeliness"]  # a placeholder, never a stale number
    with time_machine.travel(at(2026, 5, 30, 12), tick=False):
        services.report_save_draft(
            actor=longsheng_supervisor, campaign=dataset.campaign, township=dataset.ls, data=draft
        )
    # More is recorded after the draft was written: 家庭教育 (06-08) is held.
    with time_machine.travel(at(2026, 6, 8, 20), tick=False):
        report = services.report_submit(
            actor=longsheng_supervisor, campaign=dataset.campaign, township=dataset.ls
        )
    version = report.versions.get()
    acts = version.figures["activities"]
    text = version.narratives["timeliness"]
    assert acts["activities"] == 3 and acts["beneficiary_attendances"] == 45
    assert f"共开展主题活动{acts['activities']}场" in text
    assert f"受益人次合计{acts['beneficiary_attendances']}人次" in text
    assert f"其中{acts['on_time']}场" in text
    assert "{" not in text
    assert contradictions(version.narratives, version.figures) == []


def test_a_typed_number_that_contradicts_the_figures_is_refused_with_the_difference(
    dataset, longsheng_supervisor
):
    data = {"timeliness": "本乡镇转介 2 名儿童，受益人数合计50人。"}
    with time_machine.travel(NOON, tick=False):
        with pytest.raises(ValidationError) as refused:
            services.report_submit(
                actor=longsheng_supervisor,
                campaign=dataset.campaign,
                township=dataset.ls,
                data=data,
            )
    messages = refused.value.messages
    assert any("转介 2 名" in m and "为 1" in m and "相差 1" in m for m in messages)
    assert any("受益人数合计50人" in m and "为 41" in m and "相差 9" in m for m in messages)
    assert not dataset.ls.reports.filter(versions__isnull=False).exists()
    with time_machine.travel(NOON, tick=False):
        report = services.report_submit(
            actor=longsheng_supervisor,
            campaign=dataset.campaign,
            township=dataset.ls,
            data=data,
            confirm_numbers=True,
        )
    assert report.versions.get().narratives["timeliness"] == data["timeliness"]


def test_every_placeholder_names_a_figure(dataset):
    figures = township_figures(dataset.campaign, dataset.ls, today=FIGURES_TODAY)
    from reports.figures import dig

    assert all(dig(figures, path) is not None for path in PLACEHOLDERS.values())


def test_the_submit_page_shows_the_difference_and_submits_once_confirmed(
    dataset, longsheng_supervisor, client_for
):
    client = client_for(longsheng_supervisor)
    url = reverse("reports:township", args=[2026, dataset.ls.pk])
    body = {"action": "submit", "timeliness": "本乡镇开展活动5场。"}
    with time_machine.travel(NOON, tick=False):
        refused = client.post(url, body)
        assert refused.status_code == 200
        page = refused.content.decode()
        assert "「开展活动5场」与统计数据不符" in page and "相差 3" in page
        assert 'name="confirm_numbers"' in page
        # Nothing was written (the typed text stays on the page, in the form).
        assert not dataset.ls.reports.exists()
        assert "本乡镇开展活动5场。" in page
        done = client.post(url, body | {"confirm_numbers": "on"})
    assert done.status_code == 302
    assert dataset.ls.reports.get().versions.get().narratives["timeliness"] == "本乡镇开展活动5场。"


def test_dashboard_charts_never_share_a_colour_and_count_children_once_per_circumstance(
    dataset, county_staff
):
    from reports.dashboards import build

    dashboard = build(county_staff, dataset.campaign, today=FIGURES_TODAY)
    charts = dashboard.charts_json()
    for key, chart in charts.items():
        colours = [s["colour"] for s in chart["series"] if s.get("colour")]
        assert len(colours) == len(set(colours)), key
        for series in chart["series"]:
            if series.get("colours"):
                assert len(series["colours"]) == len(set(series["colours"])), key
    circumstance = charts["circumstance"]
    assert circumstance["unit"] == "人" and "一名儿童可同时有多种困境情形" in circumstance["note"]
    bars = dict(zip(circumstance["categories"], circumstance["series"][0]["data"], strict=True))
    # Active children: 甲 (留守, 心理) 乙 (留守) 丙 (生活困难, 家庭变故) 平一 (留守) 平二 (流动).
    assert bars["留守"]["value"] == 3
    assert sum(cell["value"] for cell in bars.values()) == 7  # more than the 5 children


@pytest.mark.parametrize("area", ["county", "ls", "pd"])
def test_the_dashboards_headline_figures_are_the_reports_own(dataset, area):
    # The dashboard computes its six figures alone (reports.figures.headline_figures): they
    # must be the report's, by the same rules, for the county and for each township.
    scope = COUNTY if area == "county" else Scope.of(getattr(dataset, area))
    report = key_figures(area_figures(dataset.campaign, scope, today=FIGURES_TODAY))
    headline = headline_figures(dataset.campaign, scope, today=FIGURES_TODAY)
    assert headline == {key: report[key] for key in HEADLINE_KEYS}
    assert all(headline[key] for key in ("screenings", "visits", "activities", "distinct_children"))
