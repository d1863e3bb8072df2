"""Care plans: services, review dates, optimistic locking and the overdue review list."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse

from care import choices, selectors, services
from care.models import CarePlan
from tests.care.conftest import at, make_plan

pytestmark = pytest.mark.django_db


def review_overdue(user):
    return {p.label: p.value for p in selectors.home_panels(user)}["方案复核逾期"]


def test_plan_keeps_its_services_and_history(longsheng_supervisor, shandong_child):
    plan = make_plan(longsheng_supervisor, shandong_child)
    assert plan.service_codes() == ["counselling"]
    plan = services.care_plan_update(
        actor=longsheng_supervisor,
        plan=plan,
        expected_version=1,
        data={"goals": "稳定情绪，恢复学习"},
        services=["comfort", "counselling"],
    )
    assert plan.version == 2
    assert plan.services_display() == "心理辅导、心理慰藉"
    log = shandong_child.change_log.filter(record_type="care_plan").first()
    assert log.changes["关爱服务"] == ["心理辅导", "心理辅导、心理慰藉"]
    assert log.changes["目标"] == ["稳定情绪", "稳定情绪，恢复学习"]


def test_stale_plan_edit_keeps_the_first_edit(longsheng_supervisor, shandong_child):
    plan = make_plan(longsheng_supervisor, shandong_child)
    services.care_plan_update(
        actor=longsheng_supervisor, plan=plan, expected_version=1, data={"goals": "第一次修改"}
    )
    with pytest.raises(services.StaleEdit):
        services.care_plan_update(
            actor=longsheng_supervisor, plan=plan, expected_version=1, data={"goals": "第二次修改"}
        )
    assert CarePlan.objects.get(pk=plan.pk).goals == "第一次修改"


def test_review_before_start_and_missing_services_are_refused(longsheng_supervisor, shandong_child):
    with pytest.raises(ValidationError) as exc:
        make_plan(
            longsheng_supervisor,
            shandong_child,
            started_on=dt.date(2026, 5, 1),
            review_on=dt.date(2026, 4, 1),
        )
    assert exc.value.message_dict["review_on"] == ["复核日期不能早于开始日期。"]
    with pytest.raises(ValidationError) as exc:
        services.care_plan_create(
            actor=longsheng_supervisor,
            child=shandong_child,
            data={
                "goals": "x",
                "measures": "y",
                "responsible_name": "z",
                "started_on": dt.date(2026, 5, 1),
                "review_on": dt.date(2026, 6, 1),
            },
            services=[],
        )
    assert "请至少选择一项关爱服务" in exc.value.message_dict["services"][0]


def test_terminating_needs_a_reason(longsheng_supervisor, shandong_child):
    plan = make_plan(longsheng_supervisor, shandong_child)
    with pytest.raises(ValidationError) as exc:
        services.care_plan_update(
            actor=longsheng_supervisor,
            plan=plan,
            expected_version=1,
            data={"status": choices.PlanStatus.TERMINATED},
        )
    assert "status_note" in exc.value.message_dict


def test_a_directors_plan_waits_for_approval(shandong_director, shandong_child):
    # Directors draft and submit plans (issue 18); the township supervisor approves them.
    plan = make_plan(shandong_director, shandong_child)
    assert plan.status == choices.PlanStatus.SUBMITTED and not plan.is_active


def test_responsible_user_must_cover_the_child(
    longsheng_supervisor, pingdeng_supervisor, shandong_child
):
    with pytest.raises(ValidationError) as exc:
        services.care_plan_create(
            actor=longsheng_supervisor,
            child=shandong_child,
            data={
                "goals": "x",
                "measures": "y",
                "responsible_name": "z",
                "responsible_user": pingdeng_supervisor,
                "started_on": dt.date(2026, 5, 1),
                "review_on": dt.date(2026, 6, 1),
            },
            services=["comfort"],
        )
    assert "responsible_user" in exc.value.message_dict


def test_review_overdue_across_time(longsheng_supervisor, shandong_director, shandong_child):
    with time_machine.travel(at(2026, 5, 1), tick=False):
        plan = make_plan(
            longsheng_supervisor,
            shandong_child,
            started_on=dt.date(2026, 5, 1),
            review_on=dt.date(2026, 6, 1),
        )
    with time_machine.travel(at(2026, 6, 1), tick=False):
        assert review_overdue(shandong_director) == 0
        assert list(selectors.due_reviews(shandong_director, when="week")) == [plan]
    with time_machine.travel(at(2026, 6, 2), tick=False):
        assert review_overdue(shandong_director) == 1
        assert review_overdue(longsheng_supervisor) == 1
        services.care_plan_update(
            actor=longsheng_supervisor,
            plan=plan,
            expected_version=plan.version,
            data={"review_on": dt.date(2026, 7, 1)},
        )
        assert review_overdue(shandong_director) == 0


def test_completed_plan_is_never_overdue(longsheng_supervisor, shandong_child):
    with time_machine.travel(at(2026, 6, 20), tick=False):
        plan = make_plan(
            longsheng_supervisor,
            shandong_child,
            started_on=dt.date(2026, 5, 1),
            review_on=dt.date(2026, 6, 1),
        )
        assert review_overdue(longsheng_supervisor) == 1
        services.care_plan_update(
            actor=longsheng_supervisor,
            plan=plan,
            expected_version=plan.version,
            data={"status": choices.PlanStatus.COMPLETED},
        )
        assert review_overdue(longsheng_supervisor) == 0


def test_plan_form_errors_are_chinese(client_for, longsheng_supervisor, shandong_child):
    url = reverse("care:plan_create", args=[shandong_child.pk])
    response = client_for(longsheng_supervisor).post(
        url, {"started_on": "2026-05-01", "review_on": "2026-04-01"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    for message in ("请至少选择一项关爱服务。", "请填写方案目标。", "复核日期不能早于开始日期。"):
        assert message in html
    assert not CarePlan.objects.exists()


def test_plan_edit_form_with_old_version_shows_stale_message(
    client_for, longsheng_supervisor, shandong_child
):
    plan = make_plan(longsheng_supervisor, shandong_child)
    services.care_plan_update(
        actor=longsheng_supervisor, plan=plan, expected_version=1, data={"goals": "别人的修改"}
    )
    response = client_for(longsheng_supervisor).post(
        reverse("care:plan_edit", args=[plan.pk]),
        {
            "services": ["counselling"],
            "goals": "我的修改",
            "measures": "措施",
            "responsible_name": "王督导",
            "started_on": plan.started_on.isoformat(),
            "review_on": plan.review_on.isoformat(),
            "status": "active",
            "version": 1,
        },
    )
    assert "已被他人修改" in response.content.decode()
    assert CarePlan.objects.get(pk=plan.pk).goals == "别人的修改"
