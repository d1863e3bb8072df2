"""Journey 2: a township supervisor enters a PHQ-A with item 9 answered 1 on a phone; a safety
alert appears among 待处置预警 with its 24-hour deadline; it cannot be closed without the
actions taken and a note; after a referral is recorded it closes, and its timeline shows who
raised and who closed it."""

import re

from django.utils import timezone
from playwright.sync_api import expect

from care.models import Referral, SafetyAlert, Screening
from care.screening import age_in_years
from children.models import Child
from tests.e2e.helpers import (
    assert_journey_clean,
    check_page,
    list_rows,
    login,
    open_menu_item,
    save_artifact,
)
from tests.factories import give_consent

INSTITUTION = "龙胜各族自治县人民医院心理门诊"


def _child_without_alerts():
    """An active 龙胜镇 child aged 11–17 (the PHQ-A's range) with a unique name and no safety
    alert yet."""
    names = Child.objects.filter(township__name="龙胜镇").values_list("name", flat=True)
    for child in (
        Child.objects.active()
        .filter(township__name="龙胜镇", village__name="南门村")
        .exclude(pk__in=SafetyAlert.objects.values("child_id"))
        .order_by("pk")
    ):
        age = age_in_years(child.birth_date, timezone.localdate())
        if list(names).count(child.name) == 1 and 11 <= age <= 17:
            return child
    raise AssertionError("no suitable 南门村 child in the demo data")


def test_phqa_item9_raises_alert_closed_only_with_a_referral(page):
    child = _child_without_alerts()

    login(page, "longsheng")
    open_menu_item(page, "儿童台账")
    page.get_by_role("button", name="筛选与搜索").click()
    # Let the collapse finish opening, as a person would; a tap mid-animation is lost.
    expect(page.locator("#ledger-filters")).to_have_class(re.compile(r"\bshow\b"))
    page.get_by_label("搜索").fill(child.name)
    page.get_by_role("button", name="查询").click()
    list_rows(page).get_by_role("link", name=child.name).click()
    expect(page.get_by_role("heading", name=re.compile(child.name))).to_be_visible()
    check_page(page)

    # Step 1: instrument, respondent, date.
    page.get_by_role("link", name="录入测评").click()
    expect(page.get_by_role("heading", name="录入心理健康测评")).to_be_visible()
    page.get_by_label("量表").select_option(label="青少年版患者健康问卷抑郁量表（PHQ-A）")
    page.get_by_label("填答人").select_option(label="本人")
    check_page(page)
    page.get_by_role("button", name="下一步：逐题作答").click()

    # Step 2: nine items, item 9 answered 1 (好几天), the others 0.
    items = page.locator("fieldset.screening-item")
    expect(items.first).to_be_visible()
    for number in range(1, 10):
        answer = "好几天" if number == 9 else "完全不会"
        page.locator(f"#q-{number}").get_by_label(answer, exact=True).check()
    expect(page.locator(".screening-progress")).to_contain_text("已答 9")
    check_page(page)
    page.get_by_role("button", name="提交并查看结果").click()

    expect(page.get_by_role("alert").filter(has_text="测评已保存")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="已生成待处置预警")).to_be_visible()
    check_page(page)
    screening = Screening.objects.get(child=child)
    assert screening.instrument == "PHQA"
    alert = SafetyAlert.objects.get(screening=screening)
    assert alert.status == "open"

    # The alert is listed among the open ones.
    open_menu_item(page, "待处置预警")
    expect(page.get_by_role("heading", name="待处置预警")).to_be_visible()
    row = list_rows(page).filter(has_text=child.name)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("自杀意念")
    check_page(page)
    row.get_by_role("link", name="去处置").click()

    # The deadline is shown; closing without the actions taken and a note is refused.
    expect(page.get_by_role("heading", name="记录处置措施并关闭预警")).to_be_visible()
    expect(page.locator("main")).to_contain_text("处置期限")
    check_page(page)
    close = page.get_by_role("button", name="记录处置并关闭预警")
    close.click()
    expect(page.locator(".invalid-feedback")).to_contain_text(
        ["请至少勾选一项处置措施。", "请填写处置说明。"]
    )
    actions = page.get_by_role("group", name=re.compile("处置措施"))
    actions.get_by_label("已转介").check()
    page.get_by_label("处置说明").fill("已联系监护人，经同意转介县医院心理门诊评估。")
    close.click()
    expect(page.locator(".invalid-feedback")).to_contain_text(["请选择该儿童的转介记录。"])
    check_page(page)
    alert.refresh_from_db()
    assert alert.status == "open"

    # Record the referral (through the guardian, who signed the consent to share the child's
    # information with the clinic: recorded here as the director would have), then close the
    # alert with it.
    give_consent(child, kind="sharing", recipient=INSTITUTION, signed_on=timezone.localdate())
    page.get_by_role("link", name="登记转介").click()
    expect(page.get_by_role("heading", name="转介")).to_be_visible()
    institution = page.get_by_label("转介机构")
    option = institution.locator("option").filter(has_text=INSTITUTION)
    institution.select_option(value=option.get_attribute("value"))
    page.get_by_label("转介原因").fill("PHQ-A 第 9 题提示自伤念头，经监护人同意转介心理门诊评估。")
    check_page(page)
    page.get_by_role("button", name="保存").click()

    expect(page.get_by_role("alert").filter(has_text="转介已登记")).to_be_visible()
    referral = Referral.objects.get(child=child)
    actions = page.get_by_role("group", name=re.compile("处置措施"))
    expect(actions.get_by_label("已转介")).to_be_checked()
    expect(page.get_by_label(re.compile("关联转介"))).to_have_value(str(referral.pk))
    actions.get_by_label("已告知监护人").check()
    page.get_by_label("处置说明").fill("已联系监护人，经同意转介县医院心理门诊评估。")
    check_page(page)
    close.click()

    expect(page.get_by_role("alert").filter(has_text="预警已处置")).to_be_visible()
    expect(page.get_by_role("heading", name="处置情况")).to_be_visible()
    expect(page.locator("main")).to_contain_text("已转介")
    expect(page.get_by_role("heading", name="处置记录")).to_be_visible()
    check_page(page)
    alert.refresh_from_db()
    assert alert.status == "closed"
    assert set(alert.actions) == {"guardian_informed", "referral"}
    assert alert.referral_id == referral.pk

    open_menu_item(page, "待处置预警")
    expect(list_rows(page).filter(has_text=child.name)).to_have_count(0)
    check_page(page)
    save_artifact(page, "journey2-alert-closed-list")
    assert_journey_clean(page)
