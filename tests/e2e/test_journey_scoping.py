"""Journey 7: a supervisor of another township gets the Chinese 404 page for a child's URL."""

from playwright.sync_api import expect

from children.models import Child
from tests.e2e.helpers import assert_journey_clean, check_page, login, save_artifact


def test_pingdeng_gets_chinese_404_for_a_longsheng_child(page):
    child = Child.objects.filter(township__name="龙胜镇").order_by("pk").first()
    assert child is not None, "seed_demo should create 龙胜镇 children"

    login(page, "pingdeng")
    response = page.goto(f"/children/{child.pk}/")

    assert response.status == 404
    expect(page.get_by_role("heading", name="页面不存在")).to_be_visible()
    expect(page.get_by_role("link", name="返回工作台")).to_be_visible()
    # Nothing of the child leaks into the page.
    expect(page.locator("body")).not_to_contain_text(child.name)
    save_artifact(page, "journey7-pingdeng-404")
    check_page(page)
    assert_journey_clean(page)
