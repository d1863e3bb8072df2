"""Journey 4: the 龙胜镇 supervisor submits the 2026 township report on a phone; the county
center returns it with a comment (desktop); the supervisor corrects and resubmits; the center
accepts; both versions stay visible."""

import re

from playwright.sync_api import expect

from reports.models import ReportVersion, TownshipReport
from tests.e2e.helpers import (
    assert_journey_clean,
    check_page,
    login,
    open_menu_item,
    save_artifact,
)

FIRST = "各村儿童主任入户走访困境儿童，开展「点亮六一」游园会。"
SECOND = FIRST + "镇党委副书记出席游园会，全镇受益儿童及家长逾百人。"
RETURN_COMMENT = "请补充领导参与情况和受益人数。"


def _report_page(page, heading="2026年龙胜镇主题活动情况报表"):
    expect(page.get_by_role("heading", name=heading)).to_be_visible()


def test_report_submitted_returned_resubmitted_and_accepted(page, make_page):
    # The demo has already submitted 龙胜镇's 2026 report: start from before that.
    demo = TownshipReport.objects.filter(campaign__year=2026, township__name="龙胜镇")
    ReportVersion.objects.filter(report__in=demo).delete()
    demo.delete()

    # --- the supervisor submits (phone) ---------------------------------------------------
    login(page, "longsheng")
    open_menu_item(page, "统计报表")
    _report_page(page)
    expect(page.locator("main")).to_contain_text("草稿")
    page.get_by_role("textbox", name="特色做法", exact=True).fill(FIRST)
    page.get_by_role("textbox", name="活动品牌", exact=True).fill("润心伴成长·龙胜六一")
    check_page(page)
    page.get_by_role("button", name="报送", exact=True).click()
    expect(page.get_by_role("alert").filter(has_text="报表已报送")).to_be_visible()
    assert page.dialogs == ["报送后不能再修改，确认报送？"]
    expect(page.locator("main")).to_contain_text("已报送")
    expect(page.get_by_role("textbox", name="特色做法", exact=True)).to_have_count(
        0
    )  # no longer editable
    check_page(page)

    # --- the county center returns it (desktop) -------------------------------------------
    center = make_page("desktop")
    login(center, "center")
    open_menu_item(center, "统计报表")
    expect(center.get_by_role("heading", name="2026年各乡镇主题活动情况汇总")).to_be_visible()
    check_page(center)
    center.locator("table.rollup-table").get_by_role("link", name="龙胜镇", exact=True).click()
    _report_page(center)
    expect(center.locator("main")).to_contain_text(FIRST)
    center.get_by_label("退回意见（必填）").fill(RETURN_COMMENT)
    check_page(center)
    center.get_by_role("button", name="退回修改").click()
    expect(center.get_by_role("alert").filter(has_text="报表已退回")).to_be_visible()
    check_page(center)

    # --- the supervisor corrects and resubmits ----------------------------------------------
    page.reload()
    expect(page.get_by_role("alert").filter(has_text="退回意见")).to_contain_text(RETURN_COMMENT)
    page.get_by_role("textbox", name="特色做法", exact=True).fill(SECOND)
    page.get_by_role("textbox", name="领导参与", exact=True).fill("镇党委副书记 蒙建华 出席并讲话")
    check_page(page)
    page.get_by_role("button", name="重新报送").click()
    expect(page.get_by_role("alert").filter(has_text="报表已报送")).to_be_visible()
    check_page(page)

    # --- the center accepts -----------------------------------------------------------------
    center.reload()
    expect(center.locator("main")).to_contain_text(SECOND)
    center.get_by_label("采纳意见（选填）").fill("材料完整，予以采纳。")
    center.get_by_role("button", name="采纳", exact=True).click()
    expect(center.get_by_role("alert").filter(has_text="报表已采纳")).to_be_visible()
    assert center.dialogs == ["确认采纳该报表？"]
    check_page(center)

    report = TownshipReport.objects.get(campaign__year=2026, township__name="龙胜镇")
    assert report.status == "accepted"
    outcomes = list(report.versions.order_by("number").values_list("number", "outcome"))
    assert outcomes == [(1, "returned"), (2, "accepted")]

    # --- both versions are visible, each as it was sent -------------------------------------
    for viewer in (center, page):
        viewer.goto(f"/reports/2026/{report.township_id}/")
        versions = viewer.get_by_role("region", name="报送记录").locator("tbody tr")
        expect(versions).to_have_count(2)
        expect(versions.filter(has_text="第1版")).to_contain_text("已退回")
        expect(versions.filter(has_text="第1版")).to_contain_text(RETURN_COMMENT)
        expect(versions.filter(has_text="第2版")).to_contain_text("已采纳")
        check_page(viewer)
    page.get_by_role("link", name="第1版").click()
    expect(page.get_by_role("heading", name=re.compile("第1版"))).to_be_visible()
    narratives = page.locator("dl.report-narratives")
    expect(narratives).to_contain_text(FIRST)
    expect(narratives).not_to_contain_text("镇党委副书记出席游园会")
    check_page(page)
    save_artifact(page, "journey4-version-1-as-sent")
    page.go_back()
    page.get_by_role("link", name="第2版").click()
    expect(page.locator("dl.report-narratives")).to_contain_text(SECOND)
    check_page(page)
    save_artifact(page, "journey4-version-2-as-sent")
    center.goto(f"/reports/2026/{report.township_id}/")
    save_artifact(center, "journey4-center-accepted")
    assert_journey_clean(page, center)
