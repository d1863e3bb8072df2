"""Referrals: the lifecycle is enforced, every change is dated and kept; 已出院 prompts a
pairing on the referral page and the child page."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from care import choices, selectors, services
from care.models import Referral, ReferralStatusChange
from tests.care.conftest import make_pairing, make_referral

pytestmark = pytest.mark.django_db
S = choices.ReferralStatus


@pytest.fixture
def referral(longsheng_supervisor, shandong_child, institution):
    return make_referral(
        longsheng_supervisor,
        shandong_child,
        institution,
        on=timezone.localdate() - dt.timedelta(days=30),
    )


def move(actor, referral, status, days_ago, reason=""):
    return services.referral_change_status(
        actor=actor,
        referral=Referral.objects.get(pk=referral.pk),
        to_status=status,
        changed_on=timezone.localdate() - dt.timedelta(days=days_ago),
        reason=reason,
    )


def discharge(actor, referral):
    move(actor, referral, S.ADMITTED, 28)
    move(actor, referral, S.INPATIENT, 27)
    return move(actor, referral, S.DISCHARGED, 5, "病情稳定出院")


def test_new_referral_starts_as_referred_with_a_dated_first_row(referral):
    assert referral.status == S.REFERRED
    (row,) = referral.status_changes.all()
    assert (row.from_status, row.to_status, row.changed_on) == (
        "",
        S.REFERRED,
        referral.referred_on,
    )


def test_full_lifecycle_keeps_every_change_dated(longsheng_supervisor, referral):
    discharge(longsheng_supervisor, referral)
    move(longsheng_supervisor, referral, S.ENDED, 1)
    rows = list(referral.status_changes.order_by("changed_on", "pk"))
    assert [r.to_status for r in rows] == [
        S.REFERRED,
        S.ADMITTED,
        S.INPATIENT,
        S.DISCHARGED,
        S.ENDED,
    ]
    assert [r.from_status for r in rows][1:] == [S.REFERRED, S.ADMITTED, S.INPATIENT, S.DISCHARGED]
    today = timezone.localdate()
    assert [r.changed_on for r in rows][1:] == [
        today - dt.timedelta(days=d) for d in (28, 27, 5, 1)
    ]
    assert all(r.recorded_by == longsheng_supervisor for r in rows)
    referral.refresh_from_db()
    assert referral.status == S.ENDED and referral.status_on == today - dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], S.DISCHARGED),
        ([], S.OUTPATIENT),
        ([S.ADMITTED], S.REFERRED),
        ([S.ADMITTED], S.NOT_ADMITTED),
        ([S.ADMITTED, S.OUTPATIENT], S.DISCHARGED),
        ([S.ADMITTED, S.ENDED], S.ADMITTED),
    ],
)
def test_illegal_transition_is_refused_and_nothing_written(
    longsheng_supervisor, referral, path, illegal
):
    for index, status in enumerate(path):
        move(longsheng_supervisor, referral, status, 20 - index)
    before = ReferralStatusChange.objects.count()
    with pytest.raises(ValidationError) as exc:
        move(longsheng_supervisor, referral, illegal, 1, "原因说明")
    assert "转介状态不能从" in exc.value.message_dict["to_status"][0]
    assert ReferralStatusChange.objects.count() == before


def test_not_admitted_needs_a_reason(longsheng_supervisor, referral):
    with pytest.raises(ValidationError) as exc:
        move(longsheng_supervisor, referral, S.NOT_ADMITTED, 1, "   ")
    assert exc.value.message_dict["reason"] == ["未接诊须填写原因。"]
    move(longsheng_supervisor, referral, S.NOT_ADMITTED, 1, "监护人不同意就诊")
    referral.refresh_from_db()
    assert referral.status == S.NOT_ADMITTED
    assert referral.status_changes.last().reason == "监护人不同意就诊"


def test_change_date_cannot_go_back_or_into_the_future(longsheng_supervisor, referral):
    with pytest.raises(ValidationError):
        move(longsheng_supervisor, referral, S.ADMITTED, 31)  # before the referral
    with pytest.raises(ValidationError):
        move(longsheng_supervisor, referral, S.ADMITTED, -1)


def test_directors_may_not_change_status(shandong_director, referral):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        move(shandong_director, referral, S.ADMITTED, 1)


def test_stale_status_form_is_refused(longsheng_supervisor, referral):
    move(longsheng_supervisor, referral, S.ADMITTED, 2)
    with pytest.raises(services.StaleEdit):
        services.referral_change_status(
            actor=longsheng_supervisor,
            referral=referral,
            to_status=S.OUTPATIENT,
            changed_on=timezone.localdate(),
            expected_version=1,
        )


def test_institution_cannot_change_once_taken_up(longsheng_supervisor, referral):
    from care.models import Institution

    other = Institution.objects.create(name="另一机构", kind="other")
    referral = move(longsheng_supervisor, referral, S.ADMITTED, 2)
    with pytest.raises(ValidationError):
        services.referral_update(
            actor=longsheng_supervisor,
            referral=referral,
            expected_version=referral.version,
            data={"institution": other},
        )


def test_feedback_is_kept_with_history(longsheng_supervisor, referral):
    services.referral_update(
        actor=longsheng_supervisor,
        referral=referral,
        expected_version=referral.version,
        data={"feedback": "建议门诊随访"},
    )
    referral.refresh_from_db()
    assert referral.feedback == "建议门诊随访" and referral.version == 2
    log = referral.child.change_log.filter(record_type="referral").first()
    assert log.changes == {"机构反馈": ["", "建议门诊随访"]}


# --- the pairing prompt after discharge ------------------------------------------------------


def test_discharged_referral_page_prompts_a_pairing(client_for, longsheng_supervisor, referral):
    discharge(longsheng_supervisor, referral)
    response = client_for(longsheng_supervisor).get(referral.get_absolute_url())
    html = response.content.decode()
    link = reverse("care:pairing_create", args=[referral.child_id]) + f"?referral={referral.pk}"
    assert "pairing-prompt" in html and "请安排结对帮扶" in html
    assert link in html


def test_no_prompt_before_discharge(client_for, longsheng_supervisor, referral):
    move(longsheng_supervisor, referral, S.ADMITTED, 2)
    html = client_for(longsheng_supervisor).get(referral.get_absolute_url()).content.decode()
    assert "pairing-prompt" not in html


def test_child_page_providers_prompt_a_pairing_after_discharge(
    longsheng_supervisor, shandong_child, referral
):
    discharge(longsheng_supervisor, referral)
    notices = selectors.child_notices(shandong_child, longsheng_supervisor)
    assert any("请安排结对帮扶" in n.message for n in notices)
    actions = dict(selectors.child_actions(shandong_child, longsheng_supervisor))
    assert actions["结对帮扶（已出院，请安排）"].endswith(f"?referral={referral.pk}")
    entries = selectors.timeline_entries(shandong_child, longsheng_supervisor)
    assert any(e.kind == "转介" and e.tone == "danger" for e in entries)


def test_child_page_shows_the_pairing_prompt_after_discharge(
    client_for, longsheng_supervisor, shandong_child, referral
):
    discharge(longsheng_supervisor, referral)
    html = client_for(longsheng_supervisor).get(shandong_child.get_absolute_url()).content.decode()
    link = reverse("care:pairing_create", args=[shandong_child.pk]) + f"?referral={referral.pk}"
    assert "结对帮扶（已出院，请安排）" in html
    assert link in html


def test_prompt_goes_once_the_pairing_is_made(
    client_for, longsheng_supervisor, shandong_child, referral, mentor
):
    discharge(longsheng_supervisor, referral)
    client = client_for(longsheng_supervisor)
    url = reverse("care:pairing_create", args=[shandong_child.pk]) + f"?referral={referral.pk}"
    form = client.get(url).content.decode()
    assert f'name="referral" value="{referral.pk}"' in form
    response = client.post(
        url,
        {
            "mentor": mentor.pk,
            "started_on": timezone.localdate().isoformat(),
            "interval_days": 30,
            "referral": referral.pk,
        },
    )
    assert response.status_code == 302
    pairing = shandong_child.pairings.get()
    assert pairing.referral == referral
    html = client.get(referral.get_absolute_url()).content.decode()
    assert "pairing-prompt" not in html
    assert selectors.child_notices(shandong_child, longsheng_supervisor) == []
    assert "结对帮扶" in dict(selectors.child_actions(shandong_child, longsheng_supervisor))


def test_discharged_awaiting_pairing_panel(longsheng_supervisor, shandong_child, referral, mentor):
    def count():
        panels = {p.label: p.value for p in selectors.home_panels(longsheng_supervisor)}
        return panels["已出院待结对"]

    assert count() == 0
    discharge(longsheng_supervisor, referral)
    assert count() == 1
    make_pairing(longsheng_supervisor, shandong_child, mentor)
    assert count() == 0


def test_status_form_on_the_page_refuses_illegal_and_needs_reason(
    client_for, longsheng_supervisor, referral
):
    client = client_for(longsheng_supervisor)
    url = reverse("care:referral_status", args=[referral.pk])
    today = timezone.localdate().isoformat()
    response = client.post(url, {"to_status": "discharged", "changed_on": today, "version": 1})
    assert response.status_code == 200  # not an offered choice
    response = client.post(url, {"to_status": "not_admitted", "changed_on": today, "version": 1})
    assert "未接诊须填写原因。" in response.content.decode()
    referral.refresh_from_db()
    assert referral.status == S.REFERRED
    response = client.post(
        url, {"to_status": "admitted", "changed_on": today, "version": 1, "feedback": "已接诊"}
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == S.ADMITTED and referral.feedback == "已接诊"
