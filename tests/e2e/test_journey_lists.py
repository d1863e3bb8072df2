"""Every list page at phone (390×844) and desktop (1366) size: the primary action of the list
is inside the window without scrolling sideways; on a phone the rows are cards and every
link and button is at least 44×44 px; axe-core finds no serious or critical WCAG 2.1 AA
violation (check_page runs all of these on each page)."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import (
    assert_in_viewport,
    assert_journey_clean,
    check_page,
    is_phone,
    list_rows,
    login,
)

# (user, list page, the name of its primary action on the first row: a regex for the action
# button's or link's name, or None where opening the record, the card's heading, is it).
LISTS = [
    ("director", "/children/", None),
    ("director", "/visits/overdue/", r"^为.+记录家访$"),
    ("director", "/visits/due/", r"^为.+记录家访$"),
    ("director", "/visits/?review_status=returned", r"^(修改|查看)$"),
    ("longsheng", "/care/alerts/", r"^去处置$"),
    ("longsheng", "/visits/pending/", r"^审核$"),
    ("longsheng", "/care/due/", r"^(录入随访|复核)$"),
    ("longsheng", "/care/pairings/", r"^查看$"),
    ("longsheng", "/activities/", None),
    ("county", "/reports/", None),
    ("county", "/accounts/users/", r"^编辑$"),
]


def _primary_action(page, pattern):
    row = list_rows(page).first
    expect(row).to_be_visible()
    if pattern is None:
        # The record's own link: the card's heading on a phone, the first cell's link on a desktop.
        if is_phone(page):
            return row.locator(".list-card-title a").first
        return row.locator("th a, td a").first
    return row.get_by_role("link", name=re.compile(pattern)).first


@pytest.mark.parametrize("size", ["phone", "desktop"])
def test_every_list_shows_its_primary_action_in_view(make_page, size):
    pages = {}
    for username, url, action in LISTS:
        if username not in pages:
            pages[username] = make_page(size)
            login(pages[username], username)
        page = pages[username]
        page.goto(url)
        check_page(page)
        if is_phone(page):
            # Cards, not a table to scroll sideways.
            expect(page.locator(".table-container:visible")).to_have_count(0)
        link = _primary_action(page, action)
        expect(link).to_be_visible()
        assert_in_viewport(page, link)
    assert_journey_clean(*pages.values())


def test_home_tiles_are_whole_links_and_the_ledger_card_opens_the_child(page):
    login(page, "director")
    check_page(page)
    tile = page.get_by_role("link", name=re.compile("^在册困境儿童"))
    box = tile.bounding_box()
    assert box["width"] >= 150 and box["height"] >= 60, box  # the tile, not just its number
    tile.click()
    expect(page).to_have_url(re.compile(r"/children/"))
    card = list_rows(page).first
    name = card.locator(".list-card-title a").inner_text()
    # A tap on the card away from its name opens the child too.
    box = card.bounding_box()
    card.click(position={"x": box["width"] - 20, "y": box["height"] - 12})
    expect(page.get_by_role("heading", name=re.compile(name))).to_be_visible()
    check_page(page)
    assert_journey_clean(page)


def test_phone_menu_and_login_page_pass_the_checks(make_page):
    page = make_page("phone")
    page.goto("/accounts/login/")
    check_page(page)
    login(page, "longsheng")
    page.get_by_role("button", name="展开菜单").click()
    expect(page.locator("#portal-nav")).to_have_class(re.compile(r"\bshow\b"))
    check_page(page)  # the open menu: its links are thumb-sized and legible
    page.locator("#portal-nav").get_by_role("button", name="退出").click()
    expect(page.get_by_role("alert").filter(has_text="已安全退出")).to_be_visible()
    check_page(page)
    assert_journey_clean(page)
