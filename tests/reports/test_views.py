"""The report pages: who may see and do what, the workflow through the pages, the roll-up's
highlighting, the home page's countdown, the dashboards' links and their query counts."""

import datetime as dt

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from reports import services
from reports.choices import ReportStatus
from reports.models import ReportVersion, TownshipReport
from tests import factories
from tests.reports.conftest import at, build_dataset
from tests.reports.test_workflow import NARRATIVES


def page_url(dataset, township=None):
    township = township or dataset.ls
    return reverse("reports:township", args=[dataset.campaign.year, township.pk])


def urls_with_ids(dataset, township):
    year, tid = dataset.campaign.year, township.pk
    return {
        "get": [
            reverse("reports:township", args=[year, tid]),
            reverse("reports:township_export", args=[year, tid]),
            reverse("reports:version", args=[year, tid, 1]),
        ],
        "post": [
            reverse("reports:township", args=[year, tid]),
            reverse("reports:return", args=[year, tid]),
            reverse("reports:accept", args=[year, tid]),
            reverse("reports:reopen", args=[year, tid]),
        ],
    }


@pytest.fixture
def submitted(dataset, longsheng_supervisor):
    with time_machine.travel(at(2026, 6, 3, 12), tick=False):
        return services.report_submit(
            actor=longsheng_supervisor,
            campaign=dataset.campaign,
            township=dataset.ls,
            data=NARRATIVES,
        )


def snapshot():
    return (
        list(TownshipReport.objects.values_list("pk", "status", "version", "brand")),
        list(ReportVersion.objects.values_list("pk", "outcome")),
    )


# --- scope and permissions -----------------------------------------------------------------


def test_another_townships_report_is_404_for_every_url_and_method(
    submitted, dataset, pingdeng_supervisor, client_for
):
    client = client_for(pingdeng_supervisor)
    before = snapshot()
    urls = urls_with_ids(dataset, dataset.ls)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        response = client.post(
            url, {"version": 2, "comment": "x", "action": "submit", **NARRATIVES}
        )
        assert response.status_code == 404, url
    assert snapshot() == before


def test_a_director_of_another_township_gets_404(submitted, dataset, client_for):
    director = factories.make_user(
        Role.VILLAGE_DIRECTOR, township_name="平等镇", village_name="罗汉村", username="lh"
    )
    client = client_for(director)
    before = snapshot()
    urls = urls_with_ids(dataset, dataset.ls)
    for url in urls["get"]:
        assert client.get(url).status_code == 404, url
    for url in urls["post"]:
        assert client.post(url, {"version": 2, "comment": "x"}).status_code == 404, url
    assert snapshot() == before


def test_village_directors_have_no_report_pages(submitted, dataset, shandong_director, client_for):
    client = client_for(shandong_director)
    for url in [
        reverse("reports:index"),
        reverse("reports:dashboard"),
        reverse("reports:rollup", args=[2026]),
        reverse("reports:county_export", args=[2026]),
        *urls_with_ids(dataset, dataset.ls)["get"],
    ]:
        assert client.get(url).status_code == 403, url


def test_township_supervisor_cannot_see_the_rollup_or_county_workbook(
    dataset, longsheng_supervisor, client_for
):
    client = client_for(longsheng_supervisor)
    assert client.get(reverse("reports:rollup", args=[2026])).status_code == 403
    assert client.get(reverse("reports:county_export", args=[2026])).status_code == 403


def test_unknown_campaign_or_version_is_404(submitted, dataset, county_staff, client_for):
    client = client_for(county_staff)
    assert client.get(reverse("reports:rollup", args=[2031])).status_code == 404
    assert client.get(reverse("reports:version", args=[2026, dataset.ls.pk, 9])).status_code == 404


def test_navigation_offers_reports_to_county_roles_and_supervisors_only(
    campaign, county_staff, longsheng_supervisor, shandong_director, client_for
):
    def labels(user):
        return client_for(user).get("/").content.decode()

    for user in (county_staff, longsheng_supervisor):
        content = labels(user)
        assert "统计报表" in content and "数据看板" in content
    content = labels(shandong_director)
    assert "统计报表" not in content and "数据看板" not in content


def test_index_leads_reviewers_to_the_rollup_and_supervisors_to_their_report(
    campaign, county_staff, longsheng_supervisor, client_for
):
    with time_machine.travel(at(2026, 6, 1), tick=False):
        response = client_for(county_staff).get(reverse("reports:index"))
        assert response["Location"] == reverse("reports:rollup", args=[2026])
        response = client_for(longsheng_supervisor).get(reverse("reports:index"))
        assert response["Location"] == reverse(
            "reports:township", args=[2026, longsheng_supervisor.township_id]
        )


# --- the workflow through the pages --------------------------------------------------------


def test_supervisor_saves_a_draft_then_submits_and_the_form_disappears(
    dataset, longsheng_supervisor, client_for
):
    client = client_for(longsheng_supervisor)
    url = page_url(dataset)
    with time_machine.travel(at(2026, 6, 2, 9), tick=False):
        content = client.get(url).content.decode()
        assert 'name="featured_practices"' in content
        # Prefilled from the township's campaign activities.
        assert "各村儿童排练民族歌舞。" in content and "设立心愿墙。" in content
        assert "副县长 李县长" in content
        response = client.post(url, {"action": "save", **NARRATIVES})
        assert response.status_code == 302
        report = TownshipReport.objects.get()
        assert report.status == ReportStatus.DRAFT and report.brand == "龙脊润心"
        response = client.post(
            url, {"action": "submit", "version": report.version, **NARRATIVES}, follow=True
        )
    content = response.content.decode()
    assert "报表已报送（按时）" in content
    assert 'name="featured_practices"' not in content
    assert "第1版" in content
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED and report.on_time is True

    # A crafted POST after submission changes nothing.
    before = snapshot()
    response = client.post(url, {"action": "save", "version": report.version, "brand": "改"})
    assert response.status_code == 302
    assert snapshot() == before


def test_too_long_narrative_is_refused_with_a_chinese_message(
    dataset, longsheng_supervisor, client_for
):
    client = client_for(longsheng_supervisor)
    response = client.post(page_url(dataset), {"action": "save", "brand": "长" * 5001})
    assert response.status_code == 200
    assert "确保该变量包含不超过 5000 字符" in response.content.decode()
    assert not TownshipReport.objects.exists()


def test_stale_page_save_is_refused_with_a_message(dataset, longsheng_supervisor, client_for):
    client = client_for(longsheng_supervisor)
    url = page_url(dataset)
    client.post(url, {"action": "save", **NARRATIVES})
    client.post(url, {"action": "save", "version": 1, **NARRATIVES, "brand": "新"})
    response = client.post(url, {"action": "save", "version": 1, "brand": "旧"}, follow=True)
    assert "已被他人修改" in response.content.decode()
    assert TownshipReport.objects.get().brand == "新"


def test_two_pages_opened_before_the_first_save_cannot_both_write(
    dataset, longsheng_supervisor, client_for
):
    client = client_for(longsheng_supervisor)
    url = page_url(dataset)
    client.post(url, {"action": "save", "version": "", "brand": "先保存的"})
    response = client.post(url, {"action": "save", "version": "", "brand": "后保存的"}, follow=True)
    assert "已被他人修改" in response.content.decode()
    assert TownshipReport.objects.get().brand == "先保存的"


def test_county_staff_returns_with_comment_and_cannot_reopen(
    submitted, dataset, county_staff, client_for
):
    client = client_for(county_staff)
    year, tid = 2026, dataset.ls.pk
    content = client.get(page_url(dataset)).content.decode()
    assert "退回修改" in content and "重新开放" not in content
    response = client.post(
        reverse("reports:return", args=[year, tid]), {"version": submitted.version}, follow=True
    )
    assert "退回时必须填写退回意见" in response.content.decode()
    assert TownshipReport.objects.get().status == ReportStatus.SUBMITTED
    client.post(
        reverse("reports:return", args=[year, tid]),
        {"version": submitted.version, "comment": "请补充受益人数。"},
    )
    assert TownshipReport.objects.get().status == ReportStatus.RETURNED
    before = snapshot()
    response = client.post(
        reverse("reports:reopen", args=[year, tid]), {"version": 3, "comment": "x"}
    )
    assert response.status_code == 403
    assert snapshot() == before


def test_reopen_is_for_the_county_admin_only(
    submitted, dataset, county_admin, longsheng_supervisor, client_for
):
    url = reverse("reports:reopen", args=[2026, dataset.ls.pk])
    data = {"version": submitted.version, "comment": "数据需更正"}
    before = snapshot()
    assert client_for(longsheng_supervisor).post(url, data).status_code == 403
    assert snapshot() == before
    assert "重新开放" in client_for(county_admin).get(page_url(dataset)).content.decode()
    client_for(county_admin).post(url, data)
    report = TownshipReport.objects.get()
    assert report.status == ReportStatus.RETURNED and report.return_comment == "数据需更正"


def test_accept_through_the_page(submitted, dataset, county_staff, client_for):
    url = reverse("reports:accept", args=[2026, dataset.ls.pk])
    response = client_for(county_staff).post(url, {"version": submitted.version}, follow=True)
    assert "报表已采纳" in response.content.decode()
    assert TownshipReport.objects.get().status == ReportStatus.ACCEPTED


def test_every_version_stays_viewable_as_it_was_sent(
    submitted, dataset, county_staff, longsheng_supervisor, client_for
):
    services.report_return(actor=county_staff, report=submitted, comment="请补充。")
    services.report_resubmit(
        actor=longsheng_supervisor,
        campaign=dataset.campaign,
        township=dataset.ls,
        data={"brand": "第二版品牌"},
    )
    client = client_for(longsheng_supervisor)
    first = client.get(reverse("reports:version", args=[2026, dataset.ls.pk, 1]))
    second = client.get(reverse("reports:version", args=[2026, dataset.ls.pk, 2]))
    assert "龙脊润心" in first.content.decode() and "第二版品牌" not in first.content.decode()
    assert "第二版品牌" in second.content.decode()
    assert "请补充。" in first.content.decode()


# --- the roll-up ---------------------------------------------------------------------------


def _row(content: str, code: str) -> str:
    return content.split(f'data-township="{code}"', 1)[1].split("</tr>", 1)[0]


def _row_class(content: str, code: str) -> str:
    before = content.split(f'data-township="{code}"', 1)[0]
    return before.rsplit("<tr", 1)[1]


def test_rollup_highlights_townships_without_a_report_after_the_deadline(
    submitted, dataset, county_staff, client_for
):
    url = reverse("reports:rollup", args=[2026])
    with time_machine.travel(at(2026, 6, 4, 23, 0), tick=False):
        content = client_for(county_staff).get(url).content.decode()
    assert "合计" in content  # the page itself, not a redirect
    assert "missing-report-row" not in content
    with time_machine.travel(at(2026, 6, 5, 9, 0), tick=False):
        content = client_for(county_staff).get(url).content.decode()
    assert "missing-report-row" in _row_class(content, "450328104")  # 平等镇
    assert "逾期未报送" in _row(content, "450328104")
    assert "missing-report-row" not in _row_class(content, "450328100")  # 龙胜镇 submitted
    assert "按时" in _row(content, "450328100")
    assert content.count("missing-report-row") == 9
    assert "合计" in content


# --- home page -----------------------------------------------------------------------------


def test_home_shows_the_supervisor_countdown_and_report_status(
    campaign, longsheng_supervisor, county_staff, client_for
):
    with time_machine.travel(at(2026, 6, 1, 9), tick=False):
        content = client_for(longsheng_supervisor).get("/").content.decode()
        assert "距报送截止还有 3 天" in content
        assert "2026年报表状态" in content
        assert reverse("reports:township", args=[2026, longsheng_supervisor.township_id]) in (
            content
        )
        staff = client_for(county_staff).get("/").content.decode()
    assert "距报送截止还有" not in staff
    assert "待审核乡镇报表" in staff


# --- dashboards ----------------------------------------------------------------------------


def test_county_dashboard_numbers_link_to_the_filtered_lists(dataset, county_staff, client_for):
    with time_machine.travel(at(2026, 6, 3, 12), tick=False):
        content = client_for(county_staff).get(reverse("reports:dashboard")).content.decode()
    ls = dataset.ls.pk
    # One bar per circumstance, each child once: 甲 乙 (龙胜镇) and 平一 (平等镇) are 留守.
    assert 'href="/children/?status=active&amp;circumstance=left_behind">3<' in content
    assert 'href="/children/?status=active&amp;risk_level=red">1<' in content
    assert f'href="/visits/overdue/?township={ls}">2<' in content
    assert f'href="/care/alerts/?status=open&amp;township={ls}">1<' in content
    assert 'id="dashboard-data"' in content
    assert "<script>" not in content.replace('<script id="dashboard-data"', "")
    assert "js/reports.js" in content and "echarts-5.6.0/echarts.min.js" in content


def test_township_dashboard_is_by_village_and_shows_only_its_township(
    dataset, longsheng_supervisor, client_for
):
    with time_machine.travel(at(2026, 6, 3, 12), tick=False):
        content = (
            client_for(longsheng_supervisor).get(reverse("reports:dashboard")).content.decode()
        )
    shandong = factories.village("龙胜镇", "山东村").pk
    assert 'href="/children/?status=active&amp;circumstance=left_behind">2<' in content
    assert f'href="/visits/overdue/?village={shandong}">' in content
    assert "罗汉村" not in content and "平等镇" not in content.split("<main", 1)[1]


def test_dashboard_figures_are_reused_for_a_minute_then_recomputed(
    dataset, county_staff, client_for
):
    client = client_for(county_staff)
    url = reverse("reports:dashboard")
    red = 'href="/children/?status=active&amp;risk_level=red">{}<'
    with time_machine.travel(at(2026, 6, 3, 12), tick=False):
        first = client.get(url).content.decode()
        assert red.format(1) in first and "为 12:00 的数据" in first
        factories.ChildFactory(village=factories.village("龙胜镇", "山东村"), risk_level="red")
    with time_machine.travel(at(2026, 6, 3, 12) + dt.timedelta(seconds=30), tick=False):
        with CaptureQueriesContext(connection) as ctx:
            again = client.get(url).content.decode()
        assert red.format(1) in again  # the same figures, said to be from 12:00
        assert not any("children_childcircumstance" in q["sql"] for q in ctx.captured_queries)
    with time_machine.travel(at(2026, 6, 3, 12) + dt.timedelta(seconds=61), tick=False):
        later = client.get(url).content.decode()
    assert red.format(2) in later and "为 12:01 的数据" in later


def test_cached_dashboards_are_never_shared_between_users(
    dataset, county_staff, longsheng_supervisor, pingdeng_supervisor, client_for
):
    url = reverse("reports:dashboard")
    with time_machine.travel(at(2026, 6, 3, 12), tick=False):
        county = client_for(county_staff).get(url).content.decode()
        township = client_for(longsheng_supervisor).get(url).content.decode()
        other = client_for(pingdeng_supervisor).get(url).content.decode()
    assert "全县" in county and "全县" not in township
    assert "山东村" in township and "山东村" not in other
    assert "平等镇" not in township.split("<main", 1)[1]


def _count(client, url) -> int:
    """Queries of one fresh computation of the page (the dashboard cache emptied first)."""
    cache.clear()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("who", ["county_staff", "longsheng_supervisor"])
def test_dashboard_query_count_does_not_grow_with_the_data(dataset, who, request, client_for):
    client = client_for(request.getfixturevalue(who))
    url = reverse("reports:dashboard")
    with time_machine.travel(at(2026, 6, 3, 12), tick=False):
        small = _count(client, url)
        for round_ in range(2):  # three times the children and records
            build_dataset(dataset.campaign, suffix=f"-{round_}")
        assert _count(client, url) == small


def test_report_page_and_rollup_query_counts_do_not_grow_with_the_data(
    dataset, county_staff, client_for
):
    client = client_for(county_staff)
    urls = [page_url(dataset), reverse("reports:rollup", args=[2026])]
    with time_machine.travel(at(2026, 6, 3, 12), tick=False):
        small = [_count(client, url) for url in urls]
        for round_ in range(2):
            build_dataset(dataset.campaign, suffix=f"-{round_}")
        assert [_count(client, url) for url in urls] == small


def test_a_user_moved_to_another_area_never_sees_the_old_areas_cached_figures(
    dataset, longsheng_supervisor, client_for
):
    from accounts.models import Township

    url = reverse("reports:dashboard")
    client = client_for(longsheng_supervisor)
    with time_machine.travel(at(2026, 6, 3, 12), tick=False):
        before = client.get(url).content.decode()
        assert "山东村" in before
        longsheng_supervisor.township = Township.objects.get(name="平等镇")
        longsheng_supervisor.save(update_fields=["township"])
        after = client.get(url).content.decode()
    assert "山东村" not in after and "罗汉村" in after
