"""The notice's items that are not activities: 活动方案, 励志故事/榜样, 摸清需求 (急难愁盼).
Recorded through the services inside the actor's area, listed only within it, and counted
in the township report without naming a child."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from activities import notice_services
from activities.notice_records import NeedFound
from children.models import ChangeLog
from reports.figures import township_figures
from reports.sections import figure_sections
from tests import factories
from tests.activities.conftest import make_activity

pytestmark = pytest.mark.django_db
D = dt.date


def _need(actor, campaign, **fields):
    data = {
        "campaign": campaign,
        "township": actor.township,
        "kind": "counselling",
        "description": "需要心理咨询",
        "found_on": D(2026, 5, 20),
    } | fields
    return notice_services.need_save(actor=actor, data=data)


def test_a_plan_records_when_it_was_reported_to_the_party_committee(longsheng_supervisor, campaign):
    plan = notice_services.plan_save(
        actor=longsheng_supervisor,
        data={
            "campaign": campaign,
            "township": longsheng_supervisor.township,
            "title": "龙胜镇主题活动方案",
            "content": "一、活动时间……",
            "reported_to_party_on": D(2026, 5, 12),
        },
    )
    assert plan.township == longsheng_supervisor.township
    assert plan.reported_to_party_on == D(2026, 5, 12)


def test_a_supervisor_cannot_record_for_another_township(longsheng_supervisor, campaign):
    with pytest.raises(ValidationError) as refused:
        notice_services.plan_save(
            actor=longsheng_supervisor,
            data={
                "campaign": campaign,
                "township": factories.township("平等镇"),
                "title": "方案",
                "content": "内容",
            },
        )
    assert "只能为本乡镇登记" in str(refused.value)


def test_a_village_director_cannot_record_a_need(shandong_director, campaign, shandong_child):
    with pytest.raises(PermissionDenied):
        _need(shandong_director, campaign, child=shandong_child)


def test_a_need_is_for_a_child_or_a_group_and_resolved_after_it_was_found(
    longsheng_supervisor, campaign, pingdeng_child
):
    with pytest.raises(ValidationError) as refused:
        _need(longsheng_supervisor, campaign)
    assert "请选择台账儿童或填写群体" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        _need(longsheng_supervisor, campaign, child=pingdeng_child)
    assert "只能选择本乡镇台账中的儿童" in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        _need(longsheng_supervisor, campaign, group="山东村留守儿童", resolved_on=D(2026, 5, 1))
    assert "解决日期不能早于发现日期" in str(refused.value)
    assert not NeedFound.objects.exists()


def test_a_need_for_a_child_goes_into_the_childs_history(
    longsheng_supervisor, campaign, shandong_child
):
    need = _need(longsheng_supervisor, campaign, child=shandong_child, due_on=D(2026, 6, 1))
    entry = ChangeLog.objects.get(child=shandong_child, record_type="need")
    assert entry.record_id == need.pk


def test_a_story_is_linked_only_to_an_activity_of_its_township_and_year(
    longsheng_supervisor, pingdeng_supervisor, campaign
):
    other = make_activity(pingdeng_supervisor, campaign=campaign)
    data = {
        "campaign": campaign,
        "township": longsheng_supervisor.township,
        "title": "大山里的追梦少年",
        "role_model": "某村困境儿童小李",
        "story": "……",
        "activity": other,
    }
    with pytest.raises((ValidationError, PermissionDenied)):
        notice_services.story_save(actor=longsheng_supervisor, data=data)
    own = make_activity(longsheng_supervisor, campaign=campaign)
    story = notice_services.story_save(actor=longsheng_supervisor, data=data | {"activity": own})
    assert story.activity == own


def test_the_report_counts_needs_and_plans_without_naming_a_child(
    longsheng_supervisor, campaign, shandong_child
):
    township = longsheng_supervisor.township
    with time_machine.travel(dt.datetime(2026, 5, 20, 9, tzinfo=dt.UTC), tick=False):
        notice_services.plan_save(
            actor=longsheng_supervisor,
            data={
                "campaign": campaign,
                "township": township,
                "title": "方案",
                "content": "内容",
                "reported_to_party_on": D(2026, 5, 12),
            },
        )
        _need(longsheng_supervisor, campaign, child=shandong_child, due_on=D(2026, 5, 25))
        _need(
            longsheng_supervisor,
            campaign,
            child=shandong_child,
            kind="school",
            resolved_on=D(2026, 5, 28),
        )
        _need(longsheng_supervisor, campaign, group="南门村留守儿童", kind="medical")
    notice = township_figures(campaign, township, today=D(2026, 6, 3))["notice"]
    assert (notice["plans"], notice["plans_reported"]) == (1, 1)
    assert notice["first_reported_on"] == "2026-05-12"
    assert (notice["needs"], notice["needs_resolved"], notice["needs_open"]) == (3, 1, 2)
    assert notice["needs_overdue"] == 1  # due 05-25, still open on 06-03
    assert notice["needs_children"] == 1  # one child, two needs: 1 人
    assert notice["needs_by_kind"] == {
        "counselling": 1, "medical": 1, "school": 1, "living": 0, "guardianship": 0, "other": 0,
    }  # fmt: skip
    # As of 05-26 the school need was not yet resolved.
    earlier = township_figures(campaign, township, today=D(2026, 5, 26))["notice"]
    assert earlier["needs_resolved"] == 0
    text = str(
        [row.value for s in figure_sections({"notice": notice}, links=False) for row in s.rows]
    )
    assert shandong_child.name not in text


def test_lists_show_only_the_users_area(
    longsheng_supervisor, pingdeng_supervisor, campaign, client_for
):
    notice_services.plan_save(
        actor=longsheng_supervisor,
        data={
            "campaign": campaign,
            "township": longsheng_supervisor.township,
            "title": "龙胜镇方案-甲",
            "content": "内容",
        },
    )
    url = reverse("activities:plan_list")
    assert "龙胜镇方案-甲" in client_for(longsheng_supervisor).get(url).content.decode()
    assert "龙胜镇方案-甲" not in client_for(pingdeng_supervisor).get(url).content.decode()


def test_create_page_saves_through_the_service_with_a_chinese_error(
    longsheng_supervisor, campaign, client_for
):
    client = client_for(longsheng_supervisor)
    url = reverse("activities:need_create")
    response = client.post(
        url,
        {
            "campaign": campaign.pk,
            "kind": "medical",
            "description": "就医",
            "found_on": "2026-05-20",
        },
    )
    assert response.status_code == 200
    assert "请选择台账儿童或填写群体" in response.content.decode()
    response = client.post(
        url,
        {
            "campaign": campaign.pk,
            "kind": "medical",
            "description": "就医",
            "group": "山东村留守儿童",
            "found_on": "2026-05-20",
        },
    )
    assert response.status_code == 302
    need = NeedFound.objects.get()
    assert need.township == longsheng_supervisor.township
    edit = reverse("activities:need_edit", args=[need.pk])
    assert client.get(edit).status_code == 200
