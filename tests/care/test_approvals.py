"""Care plan approval (审批): draft → submitted → approved (active) or returned → resubmitted;
who may move each step, the trail in the history, and the supervisor's to-do list."""

import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from care import choices, selectors, services
from care.models import CarePlan
from core.versioning import StaleEdit
from reports.figures import _care_plan_figures
from tests import factories
from tests.care.conftest import make_plan

pytestmark = pytest.mark.django_db


def panels(user) -> dict:
    return {p.label: p.value for p in selectors.home_panels(user)}


@pytest.fixture
def submitted(shandong_director, shandong_child):
    plan = make_plan(shandong_director, shandong_child, goals="按时上学，情绪稳定")
    assert plan.status == choices.PlanStatus.SUBMITTED
    return plan


def test_a_directors_draft_is_submitted_then_approved_by_the_supervisor(
    shandong_director, longsheng_supervisor, shandong_child
):
    plan = services.care_plan_create(
        actor=shandong_director,
        child=shandong_child,
        data={
            "goals": "稳定情绪",
            "measures": "每周谈心",
            "responsible_name": "潘主任",
            "started_on": shandong_child.registered_on,
            "review_on": shandong_child.registered_on.replace(year=2030),
        },
        services=["comfort"],
        submit=False,
    )
    assert plan.status == choices.PlanStatus.DRAFT and not plan.is_active
    plan = services.care_plan_submit(actor=shandong_director, plan=plan, expected_version=1)
    assert plan.status == choices.PlanStatus.SUBMITTED and plan.submitted_by == shandong_director
    plan = services.care_plan_approve(
        actor=longsheng_supervisor, plan=plan, expected_version=plan.version, comment="同意执行"
    )
    assert plan.status == choices.PlanStatus.ACTIVE and plan.is_active
    assert plan.decided_by == longsheng_supervisor and plan.decision_comment == "同意执行"
    notes = list(
        shandong_child.change_log.filter(record_type="care_plan", record_id=plan.pk)
        .order_by("pk")
        .values_list("note", "actor__username")
    )
    assert notes == [
        (notes[0][0], "t-shandong"),
        ("提交心理关爱方案审批", "t-shandong"),
        ("批准心理关爱方案：同意执行", "t-longsheng"),
    ]
    assert notes[0][0].startswith("起草心理关爱方案")


def test_a_director_cannot_approve_even_their_own_plan(shandong_director, submitted):
    with pytest.raises(PermissionDenied):
        services.care_plan_approve(actor=shandong_director, plan=submitted, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.care_plan_return(
            actor=shandong_director, plan=submitted, expected_version=1, comment="x"
        )
    assert CarePlan.objects.get(pk=submitted.pk).status == choices.PlanStatus.SUBMITTED


def test_a_supervisor_approves_only_in_their_township(
    pingdeng_supervisor, county_staff, county_admin, submitted
):
    for outsider in (pingdeng_supervisor, county_staff):
        with pytest.raises(PermissionDenied):
            services.care_plan_approve(actor=outsider, plan=submitted, expected_version=1)
    # The county admin may approve anywhere.
    plan = services.care_plan_approve(actor=county_admin, plan=submitted, expected_version=1)
    assert plan.is_active


def test_returned_with_a_comment_then_edited_and_resubmitted(
    shandong_director, longsheng_supervisor, submitted
):
    with pytest.raises(ValidationError) as exc:
        services.care_plan_return(
            actor=longsheng_supervisor, plan=submitted, expected_version=1, comment="  "
        )
    assert exc.value.message_dict["comment"] == ["退回时请填写修改意见。"]
    plan = services.care_plan_return(
        actor=longsheng_supervisor,
        plan=submitted,
        expected_version=1,
        comment="请写明辅导老师和频次",
    )
    assert plan.status == choices.PlanStatus.RETURNED
    assert [p.pk for p in selectors.plans_returned(shandong_director)] == [plan.pk]
    assert panels(shandong_director)["被退回的关爱方案"] == 1
    # The author edits the returned plan and resubmits it.
    plan = services.care_plan_update(
        actor=shandong_director,
        plan=plan,
        expected_version=plan.version,
        data={"measures": "吴老师每两周心理辅导一次"},
    )
    plan = services.care_plan_submit(
        actor=shandong_director, plan=plan, expected_version=plan.version
    )
    assert plan.status == choices.PlanStatus.SUBMITTED
    # Approving a plan already decided, or deciding twice, is refused.
    plan = services.care_plan_approve(
        actor=longsheng_supervisor, plan=plan, expected_version=plan.version
    )
    with pytest.raises(ValidationError):
        services.care_plan_approve(
            actor=longsheng_supervisor, plan=plan, expected_version=plan.version
        )


def test_a_waiting_or_approved_plan_is_not_the_directors_to_edit(
    shandong_director, longsheng_supervisor, submitted
):
    with pytest.raises(PermissionDenied):
        services.care_plan_update(
            actor=shandong_director, plan=submitted, expected_version=1, data={"goals": "改"}
        )
    # …nor can the form jump a plan to an approved state.
    plan = services.care_plan_return(
        actor=longsheng_supervisor, plan=submitted, expected_version=1, comment="补充措施"
    )
    with pytest.raises(ValidationError) as exc:
        services.care_plan_update(
            actor=shandong_director,
            plan=plan,
            expected_version=plan.version,
            data={"status": choices.PlanStatus.ACTIVE},
        )
    assert "审批" in exc.value.message_dict["status"][0]


def test_a_stale_approval_is_refused(longsheng_supervisor, county_admin, submitted):
    services.care_plan_return(
        actor=county_admin, plan=submitted, expected_version=1, comment="先退回"
    )
    with pytest.raises(StaleEdit):
        services.care_plan_approve(actor=longsheng_supervisor, plan=submitted, expected_version=1)
    assert CarePlan.objects.get(pk=submitted.pk).status == choices.PlanStatus.RETURNED


def test_a_supervisors_own_plan_is_approved_on_submission(longsheng_supervisor, shandong_child):
    plan = make_plan(longsheng_supervisor, shandong_child)
    assert plan.is_active and plan.decided_by == longsheng_supervisor
    log = shandong_child.change_log.filter(record_type="care_plan").first()
    assert log.note == "制定并批准心理关爱方案（审批人本人制定）"


def test_the_supervisors_to_do_list_and_home_panel(
    client_for, longsheng_supervisor, pingdeng_supervisor, shandong_director, submitted
):
    assert panels(longsheng_supervisor)["待审批关爱方案"] == 1
    assert panels(pingdeng_supervisor)["待审批关爱方案"] == 0
    assert "待审批关爱方案" not in panels(shandong_director)
    page = client_for(longsheng_supervisor).get(reverse("care:approvals")).content.decode()
    assert submitted.child.name in page and submitted.get_absolute_url() in page
    page = client_for(pingdeng_supervisor).get(reverse("care:approvals")).content.decode()
    assert submitted.child.name not in page
    assert client_for(shandong_director).get(reverse("care:approvals")).status_code == 403
    response = client_for(longsheng_supervisor).get(reverse("care:approvals_export"))
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == submitted.child.name and len(rows) == 2


def test_approving_through_the_plan_page(client_for, longsheng_supervisor, submitted):
    client = client_for(longsheng_supervisor)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert 'id="plan-decision"' in page
    url = reverse("care:plan_decide", args=[submitted.pk])
    response = client.post(url, {"version": 1, "decision": "return", "comment": ""})
    assert response.status_code == 200 and "退回时请填写修改意见" in response.content.decode()
    response = client.post(url, {"version": 1, "decision": "approve", "comment": ""})
    assert response.status_code == 302
    assert CarePlan.objects.get(pk=submitted.pk).is_active


def test_the_report_counts_approved_plans_only(
    longsheng_supervisor, shandong_director, shandong_child
):
    from reports.figures import Period, Scope

    other = factories.ChildFactory(village=factories.village("龙胜镇", "山东村"))
    approved = make_plan(longsheng_supervisor, shandong_child)
    make_plan(shandong_director, other)  # waiting for approval: not yet made
    period = Period(approved.started_on, approved.review_on, approved.review_on)
    figures = _care_plan_figures(Scope("county"), period)
    assert figures == {"started": 1, "active": 1}
