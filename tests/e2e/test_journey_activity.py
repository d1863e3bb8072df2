"""Journey 3: a township supervisor records a 「六一」 activity on a phone, with a leader, a
brand, two ledger children picked by pinyin initials and 10 other beneficiaries, and uploads
a photo."""

import re

from django.db.models import Count
from PIL import Image
from playwright.sync_api import expect

from activities.models import Activity
from children.models import Child
from tests.e2e.helpers import (
    assert_journey_clean,
    check_page,
    login,
    open_menu_item,
    save_artifact,
)

TITLE = "「点亮六一」困境儿童关爱游园会（e2e）"


def _two_children_with_unique_initials():
    """Two active 龙胜镇 children whose pinyin initials match no other 龙胜镇 child."""
    children = Child.objects.active().filter(township__name="龙胜镇")
    counts = dict(
        children.values_list("name_initials")
        .annotate(n=Count("pk"))
        .values_list("name_initials", "n")
    )
    chosen = []
    for child in children.order_by("pk"):
        clashes = [
            i for i in counts if i != child.name_initials and i.startswith(child.name_initials)
        ]
        if counts[child.name_initials] == 1 and not clashes:
            chosen.append(child)
        if len(chosen) == 2:
            return chosen
    raise AssertionError("the demo data lacks two 龙胜镇 children with unique initials")


def test_supervisor_records_june_first_activity_with_photo(page, tmp_path):
    children = _two_children_with_unique_initials()
    photo = tmp_path / "youyuanhui.png"
    Image.new("RGB", (64, 48), (31, 95, 139)).save(photo, "PNG")

    login(page, "longsheng")
    open_menu_item(page, "主题活动")
    check_page(page)
    page.get_by_role("link", name="记录活动").click()
    expect(page.get_by_role("heading", name="记录活动")).to_be_visible()

    # 基本情况: the township is fixed to the supervisor's own; the campaign is this year's.
    form = page.locator("main form")
    form.get_by_label("活动名称").fill(TITLE)
    form.get_by_role("group", name="活动形式").get_by_label("「点亮六一」").check()
    form.get_by_role("group", name="活动形式").get_by_label("主题日").check()
    form.get_by_label("开始日期").fill("2026-06-01")
    form.get_by_label("结束日期").fill("2026-06-01")
    form.get_by_label("活动地点").fill("龙胜镇中心小学操场")
    form.get_by_label("组织单位").fill("龙胜镇民政事务管理所")
    form.get_by_label("活动品牌").fill("润心伴成长·龙胜六一")
    form.get_by_label("特色做法").fill("村儿童主任逐户邀请困境儿童，志愿者一对一陪伴参加游园。")

    # Two ledger children, found by pinyin initials in the scoped picker (htmx).
    picker = page.locator("[data-child-picker]")
    for child in children:
        picker.get_by_label("按姓名、拼音或拼音首字母搜索").fill(child.name_initials)
        result = picker.locator("#picker-search-results [data-add-child]").filter(
            has_text=child.name
        )
        expect(result).to_have_count(1)
        result.click()
        expect(
            picker.locator("[data-chips] [data-chip]").filter(has_text=child.name)
        ).to_be_visible()
    expect(picker.locator("[data-chip-count]")).to_have_text("2")

    # Ten other beneficiaries, counted not named.
    form.get_by_label("监护人/家长人数").fill("4")
    form.get_by_label("其他儿童人数").fill("6")
    form.get_by_label("志愿者人数").fill("3")

    # A leader who attended, and one publicity channel.
    leaders = page.locator('fieldset[data-formset="leaders"]')
    leaders.get_by_label("姓名").fill("蒙建华")
    leaders.get_by_label("职务").fill("镇党委副书记")
    leaders.get_by_label("层级").select_option(label="乡镇级")
    channels = page.locator('fieldset[data-formset="channels"]')
    channels.get_by_label("宣传渠道").select_option(label="微信")
    check_page(page)
    form.get_by_role("button", name="保存").click()

    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="已保存")).to_be_visible()
    activity = Activity.objects.get(title=TITLE)
    assert activity.township.name == "龙胜镇"
    assert activity.brand == "润心伴成长·龙胜六一"
    assert set(activity.participants.values_list("child_id", flat=True)) == {c.pk for c in children}
    assert activity.guardians_count + activity.other_children_count == 10
    assert list(activity.leaders.values_list("name", flat=True)) == ["蒙建华"]
    stat = page.locator(".card-stat")
    expect(stat.filter(has_text="台账儿童").locator(".stat-value")).to_have_text("2")
    expect(stat.filter(has_text="其他受益人").locator(".stat-value")).to_have_text("10")
    expect(stat.filter(has_text="受益人数").locator(".stat-value")).to_have_text("12")
    expect(page.locator("main")).to_contain_text("镇党委副书记 · 蒙建华")
    check_page(page)

    # A photo, then it shows on the activity page (served through the scoped view).
    page.get_by_role("link", name="上传照片").click()
    expect(page.get_by_role("heading", name=re.compile("上传照片"))).to_be_visible()
    page.get_by_label("照片").set_input_files(photo)
    page.get_by_label("说明").fill("游园会现场")
    check_page(page)
    page.get_by_role("button", name="上传").click()

    expect(page.get_by_role("alert").filter(has_text="已上传 1 张照片")).to_be_visible()
    image = page.get_by_role("img", name="游园会现场")
    expect(image).to_be_visible()
    image.scroll_into_view_if_needed()
    expect(image).to_have_js_property("complete", True)
    assert image.evaluate("img => img.naturalWidth") > 0
    assert activity.photos.count() == 1
    check_page(page)
    save_artifact(page, "journey3-activity-with-photo")
    assert_journey_clean(page)
