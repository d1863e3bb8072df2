"""Journey: offline field work on a phone. The director loads the caseload, loses the signal,
records a visit with a photo and a screening, reloads the page with no network (the queue
survives), and on reconnecting each is written exactly once; a conflicting offline edit is
shown side by side and the person's choice kept; a refused entry stays on the phone with the
server's message; logging out leaves nothing in IndexedDB."""

import io
import re

from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from accounts.models import User
from care.models import SafetyAlert, Screening
from children.choices import ChangeAction
from children.models import ChangeLog, Child
from fieldwork.models import SyncReceipt
from tests.e2e.helpers import assert_journey_clean, check_page, login
from visits import services as visit_services
from visits.models import Visit, VisitAttachment

DB_NAME = "longsheng-fieldwork"


def _photo() -> dict:
    buffer = io.BytesIO()
    Image.new("RGB", (2400, 1800), (190, 140, 100)).save(buffer, "JPEG")
    return {"name": "form.jpg", "mimeType": "image/jpeg", "buffer": buffer.getvalue()}


def _teenager_of_shandong() -> Child:
    today = timezone.localdate()
    for child in Child.objects.active().filter(village__name="山东村").order_by("pk"):
        if 12 <= child.age_on(today) <= 17:
            return child
    raise AssertionError("no 山东村 child aged 12–17 in the demo data")


def _open_app(page):
    page.goto("/fieldwork/")
    expect(page.locator("#fieldwork[data-ready='1']")).to_be_attached()
    page.wait_for_function("() => navigator.serviceWorker && navigator.serviceWorker.controller")


def _card(page, child):
    return page.locator(f".fw-child[data-child='{child.pk}']")


def _pending(page, n: int):
    expect(page.locator("#fw-pending")).to_contain_text(f"待同步 {n} 条")


def _db_names(page) -> list[str]:
    return page.evaluate("async () => (await indexedDB.databases()).map((d) => d.name)")


def _visit_form(page, place: str):
    form = page.locator("#fw-visit-form")
    for part in ("emotion", "study", "life", "safety"):
        form.locator(f"input[name='{part}_state']").first.check()
    form.get_by_label("走访地点").fill(place)


def test_offline_visit_and_screening_sync_exactly_once(page):
    child = _teenager_of_shandong()
    visits_before = Visit.objects.filter(child=child).count()
    screenings_before = Screening.objects.filter(child=child).count()

    login(page, "director")
    _open_app(page)
    expect(_card(page, child)).to_be_visible()
    check_page(page)

    page.context.set_offline(True)
    expect(page.locator("#fw-online")).to_have_text("离线")

    # --- a home visit with a photo, resized on the phone
    _card(page, child).get_by_role("button", name="记录家访").click()
    _visit_form(page, "儿童家中（离线）")
    page.locator("#fw-v-photos").set_input_files(_photo())
    expect(page.locator("#fw-v-previews img")).to_have_count(1)
    check_page(page)
    page.get_by_role("button", name="保存到待同步").first.click()
    _pending(page, 1)

    # --- a screening: a suicidal-ideation answer shows the crisis message at once
    _card(page, child).get_by_role("button", name="录入测评").click()
    page.locator("#fw-s-instrument").select_option("PHQA")
    items = page.locator("#fw-s-items .fw-item")
    for index in range(items.count()):
        item = items.nth(index)
        number = item.get_attribute("data-item")
        radios = item.locator("input[type=radio]")
        if number == "9":
            radios.nth(1).check()
        elif int(number) <= 9:
            radios.first.check()
    expect(page.locator("#fw-crisis")).to_be_visible()
    expect(page.locator("#fw-crisis")).to_contain_text("拨打 120 或 110")
    check_page(page)
    page.locator("#fw-screening-form").get_by_role("button", name="保存到待同步").click()
    _pending(page, 2)

    # --- reloaded with no network: the service worker serves the app, the queue is there
    page.reload()
    expect(page.locator("#fieldwork[data-ready='1']")).to_be_attached()
    _pending(page, 2)
    expect(_card(page, child)).to_be_visible()
    assert Visit.objects.filter(child=child).count() == visits_before

    # --- the signal returns: sent in order, each written once
    page.context.set_offline(False)
    _pending(page, 0)
    expect(page.locator("#fw-last-sync")).to_contain_text("上次同步")
    assert Visit.objects.filter(child=child).count() == visits_before + 1
    visit = Visit.objects.filter(child=child).latest("pk")
    assert visit.place == "儿童家中（离线）"
    attachment = VisitAttachment.objects.get(visit=visit)
    assert attachment.size < 1_000_000  # resized on the device (2400 px → 1600 px)
    assert Screening.objects.filter(child=child).count() == screenings_before + 1
    screening = Screening.objects.filter(child=child).latest("pk")
    assert SafetyAlert.objects.filter(screening=screening).exists()
    assert SyncReceipt.objects.count() == 2

    # --- the same entry sent twice (a retry after a lost answer): one record
    statuses = page.evaluate(
        """async (childId) => {
          const token = document.cookie.match(/csrftoken=([^;]+)/)[1];
          const body = JSON.stringify({key: crypto.randomUUID(), kind: "visit", child: childId,
            data: {date: new Date().toISOString().slice(0, 10), kind: "home",
                   emotion_state: "good", study_state: "good", life_state: "good",
                   safety_state: "good", place: "重发测试"}});
          const send = () => fetch("/fieldwork/sync/", {method: "POST", body,
            headers: {"Content-Type": "application/json", "X-CSRFToken": token}})
            .then((r) => r.json()).then((d) => d.status);
          return [await send(), await send()];
        }""",
        child.pk,
    )
    assert statuses == ["created", "duplicate"]
    assert Visit.objects.filter(child=child, place="重发测试").count() == 1
    assert_journey_clean(page)


def test_a_conflicting_offline_edit_is_shown_side_by_side_and_the_choice_kept(page):
    child = _teenager_of_shandong()
    director = User.objects.get(username="director")
    supervisor = User.objects.get(username="longsheng")
    visit = visit_services.visit_record(
        actor=director,
        child=child,
        data={
            "date": timezone.localdate(),
            "kind": "home",
            "place": "儿童家中",
            "emotion_state": "good",
            "study_state": "good",
            "life_state": "good",
            "safety_state": "good",
        },
    )

    login(page, "director")
    _open_app(page)
    page.context.set_offline(True)
    _card(page, child).get_by_role("button", name=re.compile("修改家访")).click()
    page.locator("#fw-visit-form").get_by_label("走访地点").fill("村委会")
    page.locator("#fw-visit-form").get_by_label("采取的措施").fill("离线补充的措施")
    page.get_by_role("button", name="保存到待同步").first.click()
    _pending(page, 1)

    # Meanwhile the supervisor corrects the same visit's place on the server.
    data = {name: getattr(visit, name) for name in visit_services.EDITABLE_FIELDS}
    visit_services.visit_update(
        actor=supervisor,
        visit=visit,
        expected_version=visit.version,
        data=data | {"place": "学校", "emotion_note": "督导员补充"},
    )

    page.context.set_offline(False)
    expect(page.locator("#fw-pending")).to_contain_text("1 条未通过")
    page.get_by_role("button", name="查看待同步").click()
    entry = page.locator(".fw-entry[data-status='conflict']")
    expect(entry).to_contain_text("需要选择")
    entry.get_by_role("button", name="选择保留的内容").click()
    field = page.locator(".fw-conflict[data-field='place']")
    expect(field).to_contain_text("本机填写：村委会")
    expect(field).to_contain_text("服务器上：学校")
    assert page.locator(".fw-conflict").count() == 1  # the one-sided changes merge
    check_page(page)
    field.get_by_label(re.compile("本机填写")).check()
    page.get_by_role("button", name="按我的选择同步").click()
    _pending(page, 0)

    visit.refresh_from_db()
    assert visit.place == "村委会"
    assert visit.actions_taken == "离线补充的措施"
    assert visit.emotion_note == "督导员补充"
    changes = ChangeLog.objects.filter(
        record_type="visit", record_id=visit.pk, action=ChangeAction.UPDATE
    )
    note = changes.latest("pk").note
    assert "采用本机填写：走访地点" in note
    assert_journey_clean(page)


def test_a_refused_entry_stays_with_its_message_and_logout_wipes_the_device(page):
    child = _teenager_of_shandong()
    login(page, "director")
    _open_app(page)
    assert DB_NAME in _db_names(page)

    page.context.set_offline(True)
    _card(page, child).get_by_role("button", name="记录家访").click()
    _visit_form(page, "结案前的走访")
    page.get_by_role("button", name="保存到待同步").first.click()
    _pending(page, 1)

    # The child's case is closed on the server while the phone is offline.
    Child.objects.filter(pk=child.pk).update(
        status="closed", closed_on=timezone.localdate(), close_reason="moved_out"
    )
    page.context.set_offline(False)
    expect(page.locator("#fw-pending")).to_contain_text("1 条未通过")
    page.get_by_role("button", name="查看待同步").click()
    message = page.locator(".fw-entry[data-status='refused'] .fw-entry-message")
    expect(message).to_contain_text("已结案")
    check_page(page)
    page.reload()
    expect(page.locator("#fieldwork[data-ready='1']")).to_be_attached()
    _pending(page, 1)
    assert not Visit.objects.filter(child=child, place="结案前的走访").exists()

    # --- logout: nothing of the portal is left in IndexedDB
    page.get_by_role("button", name="展开菜单").click()
    expect(page.locator("#portal-nav")).to_have_class(re.compile(r"\bshow\b"))
    page.locator("#portal-nav").get_by_role("button", name="退出").click()
    expect(page.get_by_role("alert").filter(has_text="已安全退出")).to_be_visible()
    assert DB_NAME not in _db_names(page)
    assert_journey_clean(page)


def test_another_user_or_an_old_caseload_leaves_nothing_behind(page):
    login(page, "director")
    _open_app(page)
    expect(page.locator(".fw-child").first).to_be_visible()

    # Not refreshed for longer than the county allows (7 days by default): wiped, even offline.
    page.context.set_offline(True)
    page.evaluate(
        """() => window.FieldStore.setMeta("refreshed_at", Date.now() - 8 * 24 * 3600 * 1000)"""
    )
    page.reload()
    expect(page.locator("#fieldwork[data-ready='1']")).to_be_attached()
    expect(page.locator("#fw-message")).to_contain_text("已超过保留期限")
    expect(page.locator(".fw-child")).to_have_count(0)
    page.context.set_offline(False)
    page.reload()
    expect(page.locator(".fw-child").first).to_be_visible()

    # The session ends without a logout and another user signs in on this phone.
    page.context.clear_cookies()
    login(page, "longsheng")
    page.evaluate("() => window.FieldGuard.ready")
    assert DB_NAME not in _db_names(page)
