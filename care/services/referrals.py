"""The institutions register and referrals (转介) with their status history."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from care import choices
from care.models import (
    Institution,
    Referral,
    ReferralStatusChange,
)
from care.services.common import (
    check_child,
    check_contact_phone,
    check_visible,
    not_future,
    require_perm,
)
from children.choices import ChangeAction, ConsentKind
from children.models import Child
from children.services import record_change
from children.services_consent import consent_refusal
from core.versioning import AuditedUpdate, StaleEdit

# --- institutions and referrals ------------------------------------------------------------

INSTITUTION_FIELDS = ["name", "kind", "contact_person", "phone", "address", "note", "is_active"]


@transaction.atomic
def institution_save(*, actor, data: dict, institution: Institution | None = None) -> Institution:
    """Add or edit an institution of the referral register (county admin)."""
    require_perm(actor, "care.change_institution" if institution else "care.add_institution")
    institution = institution or Institution()
    for name in INSTITUTION_FIELDS:
        if name in data:
            setattr(institution, name, data[name])
    check_contact_phone(institution.phone)
    institution.full_clean()
    institution.save()
    return institution


REFERRAL_EDIT_FIELDS = ["institution", "reason", "guardian_consent", "feedback"]


@transaction.atomic
def referral_create(
    *,
    actor,
    child: Child,
    institution: Institution,
    reason: str,
    referred_on: dt.date,
    guardian_consent: bool = False,
) -> Referral:
    """Refer a child to an institution (转介); the first status (已转介) is dated and kept.
    A referral passes the child's information to the institution: it needs the guardian's
    recorded consent to share it with that institution (``guardian_consent`` is then set
    from that record, whatever the caller passed)."""
    child = check_child(actor, child, perm="care.add_referral")
    not_future(referred_on, "referred_on", _("转介日期"), birth_date=child.birth_date)
    if institution is None or not institution.is_active:
        raise ValidationError({"institution": _("请选择可用的转介机构。")})
    refusal = consent_refusal(
        child, ConsentKind.SHARING, on=referred_on, recipient=institution.name
    )
    if refusal:
        raise ValidationError({"institution": refusal})
    guardian_consent = True
    referral = Referral(
        child=child,
        institution=institution,
        reason=(reason or "").strip(),
        referred_on=referred_on,
        guardian_consent=guardian_consent,
        status=choices.ReferralStatus.REFERRED,
        status_on=referred_on,
        created_by=actor,
    )
    referral.full_clean(exclude=["version", "created_by"])
    referral.save()
    ReferralStatusChange.objects.create(
        referral=referral,
        from_status="",
        to_status=choices.ReferralStatus.REFERRED,
        changed_on=referred_on,
        recorded_by=actor,
    )
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type="referral",
        record_id=referral.pk,
        note=_("转介至%(inst)s（%(date)s）")
        % {"inst": institution.name, "date": referred_on.isoformat()},
    )
    return referral


@transaction.atomic
def referral_update(*, actor, referral: Referral, expected_version: int, data: dict) -> Referral:
    """Edit a referral's reason, consent and the institution's feedback (optimistic lock).
    The institution may change only while the referral has not been taken up."""
    referral = check_visible(actor, Referral, referral, perm="care.change_referral")
    if referral.version != expected_version:
        raise StaleEdit(referral)
    names = [n for n in REFERRAL_EDIT_FIELDS if n in data]
    if (
        "institution" in data
        and data["institution"] != referral.institution
        and referral.status != choices.ReferralStatus.REFERRED
    ):
        raise ValidationError({"institution": _("机构已接诊或已处理，不能更换转介机构。")})
    if "institution" in data and data["institution"] != referral.institution:
        refusal = consent_refusal(
            referral.child,
            ConsentKind.SHARING,
            on=referral.referred_on,
            recipient=data["institution"].name,
        )
        if refusal:
            raise ValidationError({"institution": refusal})
    update = AuditedUpdate(referral, names)
    for name in names:
        setattr(referral, name, data[name])
    referral.full_clean(exclude=["version", "created_by"])
    update.commit(
        update.changes(),
        expected_version=expected_version,
        record=lambda changes: record_change(
            child=referral.child,
            actor=actor,
            action=ChangeAction.UPDATE,
            record_type="referral",
            record_id=referral.pk,
            changes=changes,
            note=_("修改转介记录"),
        ),
    )
    return referral


@transaction.atomic
def referral_change_status(
    *,
    actor,
    referral: Referral,
    to_status: str,
    changed_on: dt.date,
    reason: str = "",
    feedback: str | None = None,
    expected_version: int | None = None,
) -> Referral:
    """Move a referral along its lifecycle (care.choices.REFERRAL_TRANSITIONS); every change
    is dated and kept. 未接诊 needs a reason."""
    referral = check_visible(actor, Referral, referral, perm="care.change_referral")
    if expected_version is not None and referral.version != expected_version:
        raise StaleEdit(referral)
    from_status = referral.status
    if to_status not in choices.ReferralStatus.values:
        raise ValidationError({"to_status": _("未知的转介状态。")})
    if to_status not in choices.REFERRAL_TRANSITIONS[from_status]:
        raise ValidationError(
            {
                "to_status": _("转介状态不能从「%(a)s」变更为「%(b)s」。")
                % {
                    "a": choices.ReferralStatus(from_status).label,
                    "b": choices.ReferralStatus(to_status).label,
                }
            }
        )
    reason = (reason or "").strip()
    if to_status in choices.REFERRAL_REASON_REQUIRED and not reason:
        raise ValidationError({"reason": _("未接诊须填写原因。")})
    if changed_on is None:
        raise ValidationError({"changed_on": _("请填写变更日期。")})
    not_future(changed_on, "changed_on", _("变更日期"))
    if changed_on < referral.status_on:
        raise ValidationError(
            {
                "changed_on": _("变更日期不能早于上一状态的日期（%(d)s）。")
                % {"d": referral.status_on.isoformat()}
            }
        )
    referral.status = to_status
    referral.status_on = changed_on
    if feedback is not None and feedback.strip():
        referral.feedback = feedback.strip()
    referral.version += 1
    referral.save()
    ReferralStatusChange.objects.create(
        referral=referral,
        from_status=from_status,
        to_status=to_status,
        changed_on=changed_on,
        reason=reason,
        recorded_by=actor,
    )
    record_change(
        child=referral.child,
        actor=actor,
        action=ChangeAction.UPDATE,
        record_type="referral",
        record_id=referral.pk,
        changes={
            str(_("转介状态")): [
                str(choices.ReferralStatus(from_status).label),
                str(choices.ReferralStatus(to_status).label),
            ]
        },
        note=_("转介状态变更（%(date)s）%(reason)s")
        % {"date": changed_on.isoformat(), "reason": reason},
    )
    return referral
