"""Pages by role: who may open what (403 by permission), navigation, child-page actions, and
the create/edit flows through the forms."""

import pytest
from django.urls import reverse
from django.utils import timezone

from care import selectors
from care.models import FollowUp, Institution, Mentor, Referral
from core.navigation import items_for
from tests import factories

pytestmark = pytest.mark.django_db

ROLES = ["county_admin", "county_staff", "longsheng_supervisor", "shandong_director"]
# url name → roles that get 200 (the others 403)
LIST_ACCESS = {
    "index": set(ROLES),
    "approvals": {"county_admin", "longsheng_supervisor"},
    "approvals_export": {"county_admin", "longsheng_supervisor"},
    "due_list": set(ROLES),
    "screening_list": set(ROLES),
    "alert_list": {"county_admin", "county_staff", "longsheng_supervisor"},
    "plan_list": set(ROLES),
    "referral_list": set(ROLES),
    "pairing_list": set(ROLES),
    "mentor_list": set(ROLES),
    "institution_list": set(ROLES),
    "institution_create": {"county_admin"},
    "mentor_create": {"county_admin", "longsheng_supervisor"},
}
RECORD_ACCESS = {
    "screening_detail": ("screening", set(ROLES)),
    "alert_detail": ("alert", {"county_admin", "county_staff", "longsheng_supervisor"}),
    "plan_detail": ("plan", set(ROLES)),
    "plan_edit": ("plan", {"county_admin", "longsheng_supervisor"}),
    "referral_detail": ("referral", set(ROLES)),
    "referral_edit": ("referral", {"county_admin", "longsheng_supervisor"}),
    "pairing_detail": ("pairing", set(ROLES)),
    "pairing_edit": ("pairing", {"county_admin", "longsheng_supervisor"}),
    "followup_create": ("pairing", {"county_admin", "longsheng_supervisor", "shandong_director"}),
    "screening_create": ("child", {"county_admin", "longsheng_supervisor", "shandong_director"}),
    # Directors draft plans and submit them for approval (issue 18).
    "plan_create": ("child", {"county_admin", "longsheng_supervisor", "shandong_director"}),
    "referral_create": ("child", {"county_admin", "longsheng_supervisor"}),
    "pairing_create": ("child", {"county_admin", "longsheng_supervisor"}),
}


@pytest.mark.parametrize("role", ROLES)
def test_list_pages_by_role(request, client_for, shandong_records, role):
    client = client_for(request.getfixturevalue(role))
    for name, allowed in LIST_ACCESS.items():
        response = client.get(reverse(f"care:{name}"))
        assert response.status_code == (200 if role in allowed else 403), (name, role)


@pytest.mark.parametrize("role", ROLES)
def test_record_pages_by_role(request, client_for, shandong_records, shandong_child, role):
    client = client_for(request.getfixturevalue(role))
    records = {**shandong_records, "child": shandong_child}
    for name, (key, allowed) in RECORD_ACCESS.items():
        response = client.get(reverse(f"care:{name}", args=[records[key].pk]))
        assert response.status_code == (200 if role in allowed else 403), (name, role)


def test_navigation_is_short(longsheng_supervisor, shandong_director):
    labels = [item["label"] for item in items_for(longsheng_supervisor)]
    assert "关爱服务" in labels and "待处置预警" in labels
    labels = [item["label"] for item in items_for(shandong_director)]
    assert "关爱服务" in labels and "待处置预警" not in labels


def test_child_actions_by_role(
    shandong_child, longsheng_supervisor, shandong_director, county_staff
):
    def labels(user):
        return [label for label, _url in selectors.child_actions(shandong_child, user)]

    assert labels(longsheng_supervisor) == [
        "录入测评",
        "制定关爱方案",
        "转介",
        "强制报告",
        "结对帮扶",
    ]
    # A director drafts plans for approval, and is a mandated reporter: they may record a
    # report (强制报告).
    assert labels(shandong_director) == ["录入测评", "制定关爱方案", "强制报告"]
    assert labels(county_staff) == []


def test_timeline_is_complete_for_a_supervisor(
    shandong_child, longsheng_supervisor, shandong_records
):
    kinds = {e.kind for e in selectors.timeline_entries(shandong_child, longsheng_supervisor)}
    assert kinds == {"心理测评", "预警", "关爱方案", "转介", "结对帮扶", "随访"}


def test_referral_created_through_the_form(
    client_for, longsheng_supervisor, shandong_child, institution
):
    url = reverse("care:referral_create", args=[shandong_child.pk])
    form = {
        "institution": institution.pk,
        "reason": "情绪持续低落",
        "referred_on": timezone.localdate().isoformat(),
    }
    # Without the guardian's consent to share with this institution: refused, with why.
    response = client_for(longsheng_supervisor).post(url, form)
    assert response.status_code == 200 and not Referral.objects.exists()
    assert "尚未登记监护人对向「测试县人民医院心理门诊」提供儿童信息的知情同意" in (
        response.content.decode()
    )
    factories.give_consent(shandong_child, kind="sharing", recipient=institution.name)
    response = client_for(longsheng_supervisor).post(url, form)
    referral = Referral.objects.get()
    assert response.status_code == 302 and response["Location"] == referral.get_absolute_url()
    assert referral.status == "referred" and referral.guardian_consent


def test_referral_form_requires_an_institution_in_chinese(
    client_for, longsheng_supervisor, shandong_child
):
    url = reverse("care:referral_create", args=[shandong_child.pk])
    response = client_for(longsheng_supervisor).post(url, {"reason": ""})
    html = response.content.decode()
    assert "请选择转介机构。" in html and "请填写转介原因。" in html


def test_follow_up_through_the_form(client_for, shandong_director, shandong_records):
    pairing = shandong_records["pairing"]
    url = reverse("care:followup_create", args=[pairing.pk])
    response = client_for(shandong_director).post(
        url,
        {
            "followed_on": timezone.localdate().isoformat(),
            "by_name": "山东村儿童主任",
            "condition": "精神状态好",
            "next_step": "下月再访",
        },
    )
    assert response.status_code == 302
    assert FollowUp.objects.filter(condition="精神状态好").exists()


def test_follow_up_form_errors_are_chinese(client_for, shandong_director, shandong_records):
    url = reverse("care:followup_create", args=[shandong_records["pairing"].pk])
    response = client_for(shandong_director).post(url, {"followed_on": "", "by_name": ""})
    html = response.content.decode()
    assert "请填写随访人。" in html and "请填写儿童近况。" in html


def test_mentor_created_by_a_supervisor_returns_to_the_pairing_form(
    client_for, longsheng_supervisor, shandong_child
):
    back = reverse("care:pairing_create", args=[shandong_child.pk])
    url = reverse("care:mentor_create") + f"?next={back}"
    response = client_for(longsheng_supervisor).post(
        url,
        {"name": "杨志愿", "kind": "volunteer", "organisation": "", "phone": "", "is_active": "on"},
    )
    assert response.status_code == 302 and response["Location"] == back
    assert Mentor.objects.get(name="杨志愿").created_by == longsheng_supervisor


def test_mentor_form_ignores_an_outside_next(client_for, longsheng_supervisor):
    url = reverse("care:mentor_create") + "?next=https://evil.example/"
    response = client_for(longsheng_supervisor).post(
        url, {"name": "杨志愿", "kind": "volunteer", "is_active": "on"}
    )
    assert response["Location"] == Mentor.objects.get().get_absolute_url()


def test_institution_register_is_managed_by_the_county_admin(client_for, county_admin):
    response = client_for(county_admin).post(
        reverse("care:institution_create"),
        {
            "name": "龙胜县心理咨询中心",
            "kind": "social_psychological",
            "phone": "0773-7654321",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    institution = Institution.objects.get(name="龙胜县心理咨询中心")
    response = client_for(county_admin).post(
        reverse("care:institution_edit", args=[institution.pk]),
        {"name": "龙胜县心理咨询中心", "kind": "social_psychological", "phone": "12"},
    )
    assert "联系电话格式不正确" in response.content.decode()


def test_admin_lists_are_scoped(client_for, county_admin, shandong_records):
    client = client_for(county_admin)
    for model in (
        "screening",
        "safetyalert",
        "careplan",
        "referral",
        "pairing",
        "followup",
        "institution",
        "mentor",
    ):
        assert client.get(reverse(f"admin:care_{model}_changelist")).status_code == 200, model
    assert client.get(reverse("admin:care_institution_add")).status_code == 200
    assert client.get(reverse("admin:care_screening_add")).status_code == 403
