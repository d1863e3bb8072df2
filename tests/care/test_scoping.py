"""Every care URL that takes an id, as a user of another township and as the director of
another village: 404 (exactly as for an absent record), nothing written, nothing leaked."""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from care import services
from care.models import (
    CarePlan,
    FollowUp,
    Incident,
    Institution,
    Mentor,
    Pairing,
    Referral,
    ReferralStatusChange,
    SafetyAlert,
    Screening,
    ServiceSession,
)
from children.models import ChangeLog
from tests.care.test_incidents import incident_data
from tests.care.test_sessions import session_data

pytestmark = pytest.mark.django_db

# url name → which record of ``shandong_records`` (or the child) its id points to.
SCOPED = {
    "screening_detail": "screening",
    "screening_create": "child",
    "alert_detail": "alert",
    "plan_detail": "plan",
    "plan_edit": "plan",
    "plan_submit": "plan",
    "plan_decide": "plan",
    "plan_create": "child",
    "referral_detail": "referral",
    "referral_edit": "referral",
    "referral_status": "referral",
    "referral_create": "child",
    "pairing_detail": "pairing",
    "pairing_edit": "pairing",
    "pairing_create": "child",
    "followup_create": "pairing",
    "session_create": "plan",
    "session_edit": "session",
    "incident_create": "child",
    "incident_detail": "incident",
    "incident_edit": "incident",
}
# County-wide reference data: not area-scoped, editing needs a county permission.
REFERENCE = {"institution_edit": "institution", "mentor_detail": "mentor", "mentor_edit": "mentor"}

POST_DATA = {
    "instrument": "PHQA",
    "respondent": "self",
    "screened_on": "2026-01-05",
    **{f"item_{n}": "0" for n in range(1, 10)},
    "actions": ["guardian_informed"],
    "note": "这是一条足够长的处置说明文字",
    "services": ["counselling"],
    "goals": "目标",
    "measures": "措施",
    "responsible_name": "某人",
    "started_on": "2026-01-05",
    "review_on": "2026-02-05",
    "status": "active",
    "version": "1",
    "institution": "",
    "reason": "原因",
    "referred_on": "2026-01-05",
    "to_status": "admitted",
    "changed_on": "2026-01-06",
    "mentor": "",
    "interval_days": "30",
    "followed_on": "2026-01-06",
    "by_name": "某人",
    "condition": "近况",
    "name": "改名",
    "kind": "other",
}


def care_patterns():
    resolver = get_resolver()
    (care,) = [p for p in resolver.url_patterns if getattr(p, "namespace", None) == "care"]
    return [p for p in care.url_patterns if isinstance(p, URLPattern)]


def test_every_care_url_with_an_id_is_classified():
    with_id = {p.name for p in care_patterns() if "<int:" in str(p.pattern)}
    assert with_id == set(SCOPED) | set(REFERENCE)


def _state():
    return {
        "counts": [
            m.objects.count()
            for m in (
                *(Screening, SafetyAlert, CarePlan, Referral, ReferralStatusChange),
                *(Pairing, FollowUp, Institution, Mentor, ChangeLog),
                *(ServiceSession, Incident),
            )
        ],
        "alerts": list(SafetyAlert.objects.values_list("pk", "status", "closed_at")),
        "plans": list(CarePlan.objects.values_list("pk", "version", "goals", "status")),
        "referrals": list(Referral.objects.values_list("pk", "version", "status", "feedback")),
        "pairings": list(Pairing.objects.values_list("pk", "version", "interval_days")),
        "mentors": list(Mentor.objects.values_list("pk", "name", "phone")),
        "institutions": list(Institution.objects.values_list("pk", "name")),
        "sessions": list(ServiceSession.objects.values_list("pk", "version", "notes")),
        "incidents": list(Incident.objects.values_list("pk", "version", "outcome")),
    }


def _post_data(records):
    data = dict(POST_DATA)
    data["institution"] = str(records["institution"].pk)
    data["mentor"] = str(records["mentor"].pk)
    data["care_plan"] = str(records["plan"].pk)
    return data


@pytest.fixture
def records(shandong_records, shandong_child, institution, mentor, longsheng_supervisor):
    session = services.session_record(
        actor=longsheng_supervisor, plan=shandong_records["plan"], data=session_data()
    )
    incident = services.incident_record(
        actor=longsheng_supervisor, child=shandong_child, data=incident_data()
    )
    return {
        **shandong_records,
        "session": session,
        "incident": incident,
        "child": shandong_child,
        "institution": institution,
        "mentor": mentor,
    }


SENTINELS = (
    "张小花",
    "SENTINEL-CONDITION",
    "测评阳性，经监护人同意转介评估",
    "SENTINEL-INCIDENT-DETAIL",
    "谈学习压力",
)


@pytest.mark.parametrize("user_fixture", ["pingdeng_supervisor", "nanmen_director"])
@pytest.mark.parametrize("name", sorted(SCOPED))
def test_scoped_url_of_another_area_is_404_and_changes_nothing(
    request, client_for, records, user_fixture, name
):
    client = client_for(request.getfixturevalue(user_fixture))
    url = reverse(f"care:{name}", args=[records[SCOPED[name]].pk])
    before = _state()
    for response in (
        client.get(url),
        client.get(url, {"instrument": "PHQA", "respondent": "self", "screened_on": "2026-01-05"}),
        client.post(url, _post_data(records)),
    ):
        assert response.status_code == 404, (name, response.status_code)
        html = response.content.decode()
        assert not any(s in html for s in SENTINELS)
    assert _state() == before


@pytest.mark.parametrize("name", sorted(SCOPED))
def test_absent_id_is_404_too(client_for, county_admin, name):
    response = client_for(county_admin).get(reverse(f"care:{name}", args=[999999]))
    assert response.status_code == 404


@pytest.mark.parametrize("user_fixture", ["pingdeng_supervisor", "nanmen_director"])
def test_reference_data_pages_leak_no_child_and_edits_need_county_rights(
    request, client_for, records, user_fixture
):
    client = client_for(request.getfixturevalue(user_fixture))
    before = _state()
    mentor_page = client.get(reverse("care:mentor_detail", args=[records["mentor"].pk]))
    assert mentor_page.status_code in (200, 403)
    assert not any(s in mentor_page.content.decode() for s in SENTINELS)
    for name in ("institution_edit", "mentor_edit"):
        url = reverse(f"care:{name}", args=[records[REFERENCE[name]].pk])
        assert client.get(url).status_code == 403
        assert client.post(url, _post_data(records)).status_code == 403
    assert _state() == before


@pytest.mark.parametrize(
    "name",
    [
        "screening_list",
        "alert_list",
        "plan_list",
        "referral_list",
        "pairing_list",
        "due_list",
        "session_list",
        "incident_list",
    ],
)
def test_lists_of_another_area_show_nothing_of_it(client_for, records, pingdeng_supervisor, name):
    response = client_for(pingdeng_supervisor).get(
        reverse(f"care:{name}"), {"status": "", "when": "all"}
    )
    assert response.status_code == 200
    assert not any(s in response.content.decode() for s in SENTINELS)


def test_a_director_of_the_right_village_sees_the_records(client_for, records, shandong_director):
    client = client_for(shandong_director)
    for name in ("screening_detail", "plan_detail", "referral_detail", "pairing_detail"):
        url = reverse(f"care:{name}", args=[records[SCOPED[name]].pk])
        assert client.get(url).status_code == 200, name
    # …but actions beyond a director's rights are 403 (after the area check).
    # (A director drafts and submits plans, but may not edit an approved one.)
    for name in ("plan_edit", "referral_edit", "pairing_edit", "alert_detail"):
        url = reverse(f"care:{name}", args=[records[SCOPED[name]].pk])
        assert client.get(url).status_code == 403, name


def test_anonymous_is_sent_to_login(client, records):
    response = client.get(reverse("care:screening_detail", args=[records["screening"].pk]))
    assert response.status_code == 302 and "/login/" in response["Location"]
