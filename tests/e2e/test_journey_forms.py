"""Forms on a phone: a failed save puts an error summary at the top, moves focus to it, and
each of its links takes the person to the field to correct; dates use the native picker."""

import re

from playwright.sync_api import expect

from children.models import Child
from tests.e2e.helpers import assert_journey_clean, check_page, login

FOCUSED_ID = "() => document.activeElement && document.activeElement.id"


def test_visit_form_error_summary_takes_focus_and_links_to_each_field(page):
    child = Child.objects.active().filter(village__name="山东村").order_by("pk").first()
    login(page, "director")
    page.goto(f"/visits/new/{child.pk}/")
    expect(page.get_by_role("heading", name=re.compile("记录家访"))).to_be_visible()
    assert page.get_by_label("走访日期").get_attribute("type") == "date"  # the native picker
    check_page(page)

    page.get_by_role("button", name="保存").click()

    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_contain_text("保存未成功")
    # Focus is on the summary, which is at the top of the form, in view.
    assert page.evaluate("() => document.activeElement.classList.contains('error-summary')")
    assert summary.bounding_box()["y"] < page.locator("form .mb-3").first.bounding_box()["y"]
    links = summary.get_by_role("link")
    assert links.count() >= 2
    # One link per field in error, in the form's order; the first leads to the first field.
    first_invalid = page.locator(".invalid-feedback[data-error-for]").first
    first_id = first_invalid.get_attribute("data-error-for")
    assert links.first.get_attribute("href") == f"#{first_id}"
    check_page(page)

    links.first.click()
    focused = page.evaluate(FOCUSED_ID)
    # A text field is focused itself; a group of radios through its first option.
    assert focused == first_id or focused.startswith(f"{first_id}_"), (focused, first_id)
    # The message is tied to its field for screen readers.
    field = page.locator(f"#{focused}")
    if field.get_attribute("type") not in ("radio", "checkbox"):
        expect(field).to_have_attribute("aria-invalid", "true")
        assert f"{first_id}-error" in (field.get_attribute("aria-describedby") or "")

    # Every other link focuses its own field too.
    for index in range(1, links.count()):
        target = links.nth(index).get_attribute("href")[1:]
        links.nth(index).click()
        focused = page.evaluate(FOCUSED_ID)
        assert focused == target or focused.startswith(f"{target}_"), (focused, target)
    assert_journey_clean(page)
