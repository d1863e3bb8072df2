"""Journey: the 山东村 child director drafts a care plan on a phone and submits it; it is not
in force. The 龙胜镇 supervisor finds it on the home page and on 待审批, approves it, and
the plan is in force, with the trail in the child's history."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from care.models import CarePlan
from children.models import Child
from tests.e2e.helpers import (
    assert_journey_clean,
    check_page,
    list_rows,
    login,
    open_menu_item,
    save_artifact,
)

GOALS = "缓解分离焦虑，按时上学（审批旅程）"


def _shandong_child():
    """An active 山东村 child with a unique name and no plan waiting for approval."""
    names = list(Child.objects.filter(township__name="龙胜镇").values_list("name", flat=True))
    for child in (
        Child.objects.active()
        .filter(village__name="山东村", township__name="龙胜镇")
        .exclude(care_plans__status="submitted")
        .order_by("pk")
    ):
        if names.count(child.name) == 1:
            return child
    raise AssertionError("no suitable 山东村 child in the demo data")


def test_a_director_submits_a_plan_and_the_supervisor_approves_it(make_page):
    child = _shandong_child()
    today = timezone.localdate()

    # The director, on a phone.
    page = make_page("phone")
    login(page, "director")
    open_menu_item(page, "儿童台账")
    page.get_by_role("button", name="筛选与搜索").click()
    expect(page.locator("#ledger-filters")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_label("搜索").fill(child.name)
    page.get_by_role("button", name="查询").click()
    list_rows(page).get_by_role("link", name=child.name).click()
    expect(page.get_by_role("heading", name=re.compile(child.name))).to_be_visible()
    page.get_by_role("link", name="制定关爱方案").click()
    expect(page.get_by_role("heading", name="制定心理关爱方案")).to_be_visible()
    page.get_by_label("目标").fill(GOALS)
    page.get_by_label("措施").fill("儿童主任每周谈心一次；学校心理老师每两周辅导一次。")
    page.get_by_label("情绪疏导").check()
    page.get_by_label("复核日期").fill(today.replace(year=today.year + 1).isoformat())
    check_page(page)
    page.get_by_role("button", name="提交审批").click()

    expect(page.get_by_role("alert").filter(has_text="待乡镇督导员审批")).to_be_visible()
    expect(page.locator("#plan-status")).to_have_text("待审批")
    check_page(page)
    plan = CarePlan.objects.get(child=child, goals=GOALS)
    assert plan.status == "submitted" and not plan.is_active
    save_artifact(page, "journey-approval-submitted")

    # The supervisor, on a desktop: the home page's to-do panel, then 待审批.
    desk = make_page("desktop")
    login(desk, "longsheng")
    expect(desk.locator("main")).to_contain_text("待审批关爱方案")
    open_menu_item(desk, "待审批")
    expect(desk.get_by_role("heading", name="待审批", exact=True)).to_be_visible()
    card = desk.locator("#approval-plans > .list-card").filter(has_text=child.name)
    expect(card).to_have_count(1)
    check_page(desk)
    card.get_by_role("link", name="审批").click()

    decision = desk.locator("#plan-decision")
    expect(decision).to_be_visible()
    decision.get_by_label("批准").check()
    decision.get_by_label("审批意见").fill("同意，请按期复核。")
    check_page(desk)
    decision.get_by_role("button", name="提交审批意见").click()

    expect(desk.get_by_role("alert").filter(has_text="已批准")).to_be_visible()
    expect(desk.locator("#approval-plans")).not_to_contain_text(child.name)
    check_page(desk)
    plan.refresh_from_db()
    assert plan.status == "active" and plan.decided_by.username == "longsheng"
    assert plan.decision_comment == "同意，请按期复核。"
    notes = list(
        child.change_log.filter(record_type="care_plan", record_id=plan.pk).values_list(
            "note", flat=True
        )
    )
    assert "提交心理关爱方案审批" in notes and "批准心理关爱方案：同意，请按期复核。" in notes

    # The director sees the plan in force.
    page.goto(plan.get_absolute_url())
    expect(page.locator("#plan-status")).to_have_text("进行中")
    check_page(page)
    save_artifact(page, "journey-approval-approved")
    assert_journey_clean(page, desk)
