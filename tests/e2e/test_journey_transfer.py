"""Journey: a transfer accepted by the receiving supervisor. The 山东村 child director asks,
on a phone, to move a child to 平等镇 罗汉村; the child stays in 山东村 and shows 转移中;
平等镇's supervisor finds the request on the transfer list, sees the child's basic facts (not
its file), accepts it; the child is then in 罗汉村, on the supervisor's ledger, and gone from
the director's."""

import re

from playwright.sync_api import expect

from children.models import Child, ChildTransfer
from tests.e2e.helpers import assert_journey_clean, check_page, list_rows, login, open_menu_item

TARGET = "平等镇 罗汉村"


def _child_to_move():
    """An active 山东村 child with a unique name and no transfer yet."""
    names = list(Child.objects.values_list("name", flat=True))
    for child in (
        Child.objects.active()
        .filter(township__name="龙胜镇", village__name="山东村")
        .exclude(pk__in=ChildTransfer.objects.values("child_id"))
        .order_by("pk")
    ):
        if names.count(child.name) == 1:
            return child
    raise AssertionError("no suitable 山东村 child in the demo data")


def _search_ledger(page, name):
    open_menu_item(page, "儿童台账")
    toggle = page.get_by_role("button", name="筛选与搜索")
    if toggle.is_visible():
        toggle.click()
        expect(page.locator("#ledger-filters")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_label("搜索").fill(name)
    page.get_by_role("button", name="查询").click()


def test_director_requests_and_the_receiving_supervisor_accepts(make_page):
    child = _child_to_move()

    # The director asks, on a phone.
    director = make_page("phone")
    login(director, "director")
    _search_ledger(director, child.name)
    list_rows(director).get_by_role("link", name=child.name).click()
    expect(director.get_by_role("heading", name=re.compile(child.name))).to_be_visible()
    director.get_by_role("link", name="申请转移").click()
    expect(director.get_by_role("heading", name=re.compile("申请转移"))).to_be_visible()
    director.get_by_label("转入村/社区").select_option(label=TARGET)
    director.get_by_label("转移原因").fill("随母亲迁居罗汉村，已与对方村委会联系。")
    check_page(director)
    director.get_by_role("button", name="提交转移申请").click()
    expect(director.get_by_role("alert").filter(has_text="已提交转移申请")).to_be_visible()
    expect(director.locator("#transfer-state")).to_contain_text("转移中")
    check_page(director)
    transfer = ChildTransfer.objects.get(child=child)
    assert transfer.is_pending
    child.refresh_from_db()
    assert child.village.name == "山东村"  # stays until accepted

    # The child's page says 转移中 on the sending side.
    director.goto(child.get_absolute_url())
    expect(director.locator("#transfer-badge")).to_have_text("转移中")

    # 平等镇's supervisor, on a desktop, finds the request and accepts it.
    supervisor = make_page("desktop")
    login(supervisor, "pingdeng")
    open_menu_item(supervisor, "转移")
    expect(supervisor.get_by_role("heading", name=re.compile("转移申请"))).to_be_visible()
    row = list_rows(supervisor).filter(has_text=child.name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("待接收")
    check_page(supervisor)
    row.get_by_role("link", name="处理").click()
    expect(supervisor.get_by_role("heading", name=re.compile(child.name))).to_be_visible()
    expect(supervisor.locator("main")).to_contain_text("随母亲迁居罗汉村")
    check_page(supervisor)
    supervisor.get_by_label("接收意见").fill("已核实，同意接收。")
    supervisor.get_by_role("button", name="接收该儿童").click()

    # The child is now in 罗汉村: its page opens for the supervisor.
    expect(supervisor.get_by_role("alert").filter(has_text="已接收")).to_be_visible()
    expect(supervisor.get_by_role("heading", name=re.compile(child.name))).to_be_visible()
    expect(supervisor.locator("main")).to_contain_text("罗汉村")
    expect(supervisor.locator("#history")).to_contain_text("山东村儿童主任")  # who asked
    expect(supervisor.locator("#history")).to_contain_text("平等镇督导员")  # who accepted
    check_page(supervisor)
    child.refresh_from_db()
    assert str(child.village) == TARGET
    _search_ledger(supervisor, child.name)
    expect(list_rows(supervisor).get_by_role("link", name=child.name)).to_be_visible()

    # And no longer on the director's ledger.
    _search_ledger(director, child.name)
    expect(list_rows(director).get_by_role("link", name=child.name)).to_have_count(0)
    assert_journey_clean(director, supervisor)
