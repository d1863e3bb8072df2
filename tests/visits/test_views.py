"""The visit pages: record, review, correct, lists, rules, and what the child and home pages
get from this app."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts.models import AccessLog
from children.timeline import timeline_for
from reports.selectors import home_panels
from tests.visits.conftest import image_upload, record, visit_data
from visits import selectors, services
from visits.models import Visit, VisitAttachment, VisitRule

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(dt.datetime(2026, 6, 3, 10, tzinfo=dt.UTC), tick=False):
        yield


def form_data(**overrides):
    data = visit_data(**({"date": "2026-06-02"} | overrides))
    data = {k: v for k, v in data.items() if v is not False}
    data["guardian_informed"] = "on"
    return data


def test_director_records_a_visit_with_photos(client_for, shandong_director, shandong_child):
    client = client_for(shandong_director)
    url = reverse("visits:create", args=[shandong_child.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "记录家访" in page.content.decode()
    response = client.post(
        url,
        form_data(visitor=shandong_director.pk)
        | {"problems": ["emotional", "other"], "attachments": [image_upload(), image_upload()]},
    )
    visit = Visit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == visit.get_absolute_url()
    assert visit.review_status == "pending"
    assert visit.attachments.count() == 2
    assert set(visit.problems.values_list("code", flat=True)) == {"emotional", "other"}


def test_a_new_visit_is_dated_today_and_an_edit_keeps_its_date(
    client_for, shandong_director, shandong_child
):
    client = client_for(shandong_director)
    new = client.get(reverse("visits:create", args=[shandong_child.pk]))
    assert new.context["form"]["date"].value() == dt.date(2026, 6, 3)
    assert 'value="2026-06-03"' in new.content.decode()
    visit = record(shandong_director, shandong_child, dt.date(2026, 5, 20))
    edit = client.get(reverse("visits:edit", args=[visit.pk]))
    assert edit.context["form"]["date"].value() == dt.date(2026, 5, 20)


def test_form_errors_are_in_chinese(client_for, shandong_director, shandong_child):
    client = client_for(shandong_director)
    response = client.post(
        reverse("visits:create", args=[shandong_child.pk]),
        form_data(visitor=shandong_director.pk, date="2026-07-01", follow_up_needed="on"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "走访日期不能晚于今天。" in body
    assert "需要跟进时，请填写跟进事项。" in body
    assert not Visit.objects.exists()


def test_a_missing_rating_is_reported_in_chinese(client_for, shandong_director, shandong_child):
    data = form_data(visitor=shandong_director.pk)
    del data["safety_state"]
    response = client_for(shandong_director).post(
        reverse("visits:create", args=[shandong_child.pk]), data
    )
    assert "这个字段是必填项。" in response.content.decode()


def test_extra_posted_fields_cannot_self_approve(client_for, shandong_director, shandong_child):
    client_for(shandong_director).post(
        reverse("visits:create", args=[shandong_child.pk]),
        form_data(visitor=shandong_director.pk)
        | {"review_status": "approved", "created_by": 1, "version": 99},
    )
    visit = Visit.objects.get()
    assert visit.review_status == "pending"
    assert visit.version == 1


def test_review_flow_through_the_pages(
    client_for, shandong_director, longsheng_supervisor, shandong_child
):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    supervisor = client_for(longsheng_supervisor)
    assert "张小花" in supervisor.get(reverse("visits:pending")).content.decode()
    review_url = reverse("visits:review", args=[visit.pk])
    assert supervisor.get(review_url).status_code == 200

    # A return without a comment is refused, in Chinese, and changes nothing.
    response = supervisor.post(review_url, {"decision": "return", "comment": "", "version": 1})
    assert "退回时必须填写退回意见。" in response.content.decode()
    visit.refresh_from_db()
    assert visit.review_status == "pending"

    supervisor.post(review_url, {"decision": "return", "comment": "请补充照片", "version": 1})
    visit.refresh_from_db()
    assert visit.review_status == "returned"

    # The director sees it on the home page and can correct it.
    director = client_for(shandong_director)
    panels = {p.label: p for p in home_panels(shandong_director)}
    assert panels["被退回的家访"].value == 1
    home = director.get("/").content.decode()
    assert "被退回的家访" in home
    returned_list = director.get(panels["被退回的家访"].url).content.decode()
    assert "张小花" in returned_list
    edit_url = reverse("visits:edit", args=[visit.pk])
    edit_page = director.get(edit_url).content.decode()
    assert "请补充照片" in edit_page
    director.post(
        edit_url,
        form_data(visitor=shandong_director.pk, date="2026-06-01", place="儿童家中（补）")
        | {"version": visit.version},
    )
    visit.refresh_from_db()
    assert visit.review_status == "pending"
    assert visit.place == "儿童家中（补）"
    assert {p.label: p.value for p in home_panels(shandong_director)}["被退回的家访"] == 0

    supervisor.post(review_url, {"decision": "approve", "comment": "", "version": visit.version})
    visit.refresh_from_db()
    assert visit.review_status == "approved"
    assert director.get(edit_url).status_code == 403


def test_supervisor_of_another_township_gets_404_on_review(
    client_for, shandong_director, pingdeng_supervisor, shandong_child
):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    client = client_for(pingdeng_supervisor)
    url = reverse("visits:review", args=[visit.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"decision": "approve", "version": 1}).status_code == 404
    visit.refresh_from_db()
    assert visit.review_status == "pending"


def test_stale_edit_keeps_the_first_and_tells_the_second(
    client_for, shandong_director, longsheng_supervisor, shandong_child
):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    url = reverse("visits:edit", args=[visit.pk])
    first = client_for(longsheng_supervisor)
    second = client_for(shandong_director)
    first.post(url, form_data(visitor=shandong_director.pk, place="村委会") | {"version": 1})
    response = second.post(
        url, form_data(visitor=shandong_director.pk, place="学校") | {"version": 1}
    )
    assert response.status_code == 200
    assert "保存失败" in response.content.decode()
    visit.refresh_from_db()
    assert visit.place == "村委会"


def test_role_permissions(client_for, county_staff, shandong_director, shandong_child):
    staff = client_for(county_staff)
    assert staff.get(reverse("visits:list")).status_code == 200
    assert staff.get(reverse("visits:create", args=[shandong_child.pk])).status_code == 403
    assert staff.get(reverse("visits:pending")).status_code == 403
    director = client_for(shandong_director)
    assert director.get(reverse("visits:pending")).status_code == 403
    assert director.get(reverse("visits:rules")).status_code == 200
    response = director.post(reverse("visits:rules"), {"first_visit_working_days": 1})
    assert response.status_code == 403


def test_county_admin_edits_the_rules_page(client_for, county_admin):
    client = client_for(county_admin)
    data = {
        "first_visit_working_days": 3,
        "interval_red": 7,
        "interval_orange": 21,
        "interval_yellow": 30,
        "interval_green": 60,
    }
    assert client.post(reverse("visits:rules"), data).status_code == 302
    assert VisitRule.objects.get(risk_level="red").interval_days == 7
    response = client.post(reverse("visits:rules"), data | {"interval_red": 0})
    assert "确保该值大于或等于1。" in response.content.decode()
    assert VisitRule.objects.get(risk_level="red").interval_days == 7


def test_visit_page_is_logged_and_not_cached(client_for, shandong_director, shandong_child):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    response = client_for(shandong_director).get(visit.get_absolute_url())
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert AccessLog.objects.filter(target_type="visit", target_id=str(visit.pk)).exists()


def test_list_filters(client_for, longsheng_supervisor, shandong_director, shandong_child):
    record(shandong_director, shandong_child, dt.date(2026, 5, 1), kind="phone")
    record(longsheng_supervisor, shandong_child, dt.date(2026, 6, 1), kind="home")
    client = client_for(longsheng_supervisor)
    url = reverse("visits:list")
    assert len(client.get(url).context["table"].rows) == 2
    assert len(client.get(url, {"kind": "phone"}).context["table"].rows) == 1
    assert len(client.get(url, {"review_status": "approved"}).context["table"].rows) == 1
    assert len(client.get(url, {"date_from": "2026-05-15"}).context["table"].rows) == 1
    assert len(client.get(url, {"visitor": shandong_director.pk}).context["table"].rows) == 1


def test_due_and_overdue_lists_use_the_schedule(
    client_for, longsheng_supervisor, shandong_director, make_child
):
    # 2026-06-03 is a Wednesday: this week runs to Sunday 2026-06-07.
    overdue = make_child(name="逾期儿童", registered_on=dt.date(2026, 5, 1))
    due_friday = make_child(name="本周儿童", registered_on=dt.date(2026, 5, 29))  # due 06-05
    make_child(name="已访儿童", risk_level="green")
    record(longsheng_supervisor, make_child(name="刚访儿童"), dt.date(2026, 6, 1))
    for user in (longsheng_supervisor, shandong_director):
        client = client_for(user)
        overdue_page = client.get(reverse("visits:overdue")).content.decode()
        week_page = client.get(reverse("visits:due_week")).content.decode()
        assert overdue.name in overdue_page and overdue.name not in week_page
        assert due_friday.name in week_page and due_friday.name not in overdue_page
        assert "刚访儿童" not in overdue_page and "刚访儿童" not in week_page


def test_child_page_gets_timeline_and_action(
    client_for, shandong_director, longsheng_supervisor, shandong_child, county_staff
):
    old = record(longsheng_supervisor, shandong_child, dt.date(2026, 5, 1), problems=["emotional"])
    new = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    entries = [e for e in timeline_for(shandong_child, shandong_director) if e.kind == "家访"]
    assert [e.url for e in entries] == [new.get_absolute_url(), old.get_absolute_url()]
    assert "情绪异常" in entries[1].summary
    assert "待审核" in entries[0].summary
    actions = selectors.child_actions(shandong_child, shandong_director)
    assert actions[0][1] == reverse("visits:create", args=[shandong_child.pk])
    assert actions[0][0].startswith("记录家访")
    assert selectors.child_actions(shandong_child, county_staff) == []


def test_supervisor_home_panels(
    client_for, shandong_director, longsheng_supervisor, shandong_child, make_child
):
    record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    make_child(registered_on=dt.date(2026, 5, 1))  # never visited: overdue
    panels = {p.label: p.value for p in home_panels(longsheng_supervisor)}
    assert panels["待审核家访"] == 1
    assert panels["家访逾期儿童"] == 1
    assert panels["本月家访"] == 1


def test_attachment_upload_from_the_detail_page(client_for, shandong_director, shandong_child):
    visit = record(shandong_director, shandong_child, dt.date(2026, 6, 1))
    response = client_for(shandong_director).post(
        reverse("visits:attachment_add", args=[visit.pk]), {"file": image_upload()}
    )
    assert response.status_code == 302
    assert VisitAttachment.objects.filter(visit=visit).count() == 1
    detail = client_for(shandong_director).get(visit.get_absolute_url()).content.decode()
    assert reverse("visits:attachment", args=[visit.attachments.get().pk]) in detail
    assert services.can_edit(shandong_director, visit)
