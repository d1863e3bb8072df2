"""Journey 1: a village director finds a child by pinyin initials on a phone, records a home
visit, sees it on the child's timeline; the township supervisor approves it."""

import re

from django.db.models import Count
from django.utils import timezone
from playwright.sync_api import expect

from children.models import Child
from tests.e2e.helpers import (
    assert_journey_clean,
    check_page,
    list_rows,
    login,
    open_menu_item,
    save_artifact,
)
from visits.models import Visit


def _child_found_by_initials(director_village="山东村"):
    """A 山东村 child whose pinyin initials match no other child there, so the search result
    is unambiguous."""
    children = Child.objects.active().filter(
        village__name=director_village, township__name="龙胜镇"
    )
    counts = dict(
        children.values_list("name_initials")
        .annotate(n=Count("pk"))
        .values_list("name_initials", "n")
    )
    for child in children.order_by("pk"):
        clashes = [
            i for i in counts if i != child.name_initials and i.startswith(child.name_initials)
        ]
        if counts[child.name_initials] == 1 and not clashes:
            return child
    raise AssertionError("no 山东村 child with unique pinyin initials in the demo data")


def test_director_records_a_visit_and_supervisor_approves_it(page, make_page):
    child = _child_found_by_initials()
    visits_before = Visit.objects.filter(child=child).count()

    # --- the village director, on a phone ------------------------------------------------
    login(page, "director")
    check_page(page)
    open_menu_item(page, "儿童台账")
    expect(page.get_by_role("heading", name=re.compile("困境儿童台账"))).to_be_visible()
    page.get_by_role("button", name="筛选与搜索").click()
    # Let the collapse finish opening, as a person would; a tap mid-animation is lost.
    expect(page.locator("#ledger-filters")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_label("搜索").fill(child.name_initials.upper())
    check_page(page)
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(r"[?&]q=" + child.name_initials.upper()))
    results = list_rows(page)
    expect(results).to_have_count(1)
    check_page(page)
    results.get_by_role("link", name=child.name).click()

    expect(page.get_by_role("heading", name=re.compile(child.name))).to_be_visible()
    check_page(page)
    page.get_by_role("link", name=re.compile("^记录家访")).click()

    expect(page.get_by_role("heading", name=re.compile("记录家访"))).to_be_visible()
    page.get_by_label("走访日期").fill(timezone.localdate().isoformat())
    page.get_by_role("group", name="走访方式").get_by_label("入户家访").check()
    page.get_by_label("走访地点").fill("儿童家中")
    for part, rating in [
        ("情绪状况", "一般"),
        ("学习状况", "良好"),
        ("生活状况", "良好"),
        ("安全状况", "良好"),
    ]:
        page.get_by_role("group", name=part).get_by_label(rating).check()
    page.get_by_label("情绪说明").fill("想念外出务工的父母，偶尔哭泣")
    page.get_by_role("group", name="发现的问题").get_by_label("情绪异常").check()
    page.get_by_label("已告知监护人").check()
    page.get_by_label("采取的措施").fill("谈心谈话，约定每周电话联系")
    check_page(page)
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("alert").filter(has_text="家访记录已保存")).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("家访记录"))).to_contain_text("待审核")
    check_page(page)
    assert Visit.objects.filter(child=child).count() == visits_before + 1
    visit = Visit.objects.filter(child=child).latest("created_at")
    assert visit.review_status == "pending"
    assert visit.kind == "home"

    page.get_by_role("link", name=child.name).first.click()
    timeline = page.locator("#timeline")
    entry = (
        timeline.locator("li")
        .filter(has_text="入户家访 · 山东村儿童主任")
        .filter(has_text=timezone.localdate().isoformat())
    )
    expect(entry).to_have_count(1)
    expect(entry).to_contain_text("家访")
    # The history's newest change is this visit; on a phone each change is a block that fits
    # the screen, with nothing to scroll sideways inside the table either.
    expect(page.locator("#history tbody tr").first).to_contain_text("记录家访")
    history_width = page.locator("#history").evaluate(
        "t => [t.scrollWidth, t.parentElement.clientWidth]"
    )
    assert history_width[0] <= history_width[1], history_width
    check_page(page)
    save_artifact(page, "journey1-director-child-timeline")

    # --- the township supervisor approves it ---------------------------------------------
    supervisor = make_page("phone")
    login(supervisor, "longsheng")
    open_menu_item(supervisor, "家访记录")
    supervisor.get_by_role("link", name="待审核").click()
    check_page(supervisor)
    row = list_rows(supervisor).filter(has_text=child.name)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=timezone.localdate().isoformat()).click()
    check_page(supervisor)
    supervisor.get_by_role("link", name="审核", exact=True).click()

    expect(supervisor.get_by_role("heading", name="审核家访记录")).to_be_visible()
    supervisor.get_by_role("group", name="审核结果").get_by_label("通过").check()
    supervisor.get_by_label("审核意见").fill("记录完整，请继续关注情绪变化")
    check_page(supervisor)
    supervisor.get_by_role("button", name="提交审核").click()

    expect(supervisor.get_by_role("alert").filter(has_text="已审核通过")).to_be_visible()
    check_page(supervisor)
    visit.refresh_from_db()
    assert visit.review_status == "approved"
    assert visit.reviewer.username == "longsheng"

    supervisor.goto(visit.get_absolute_url())
    expect(supervisor.get_by_role("heading", name=re.compile("家访记录"))).to_contain_text("已通过")
    check_page(supervisor)
    save_artifact(supervisor, "journey1-supervisor-approved")
    assert_journey_clean(page, supervisor)
