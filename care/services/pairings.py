"""Mentors, pairings (结对帮扶) and their follow-ups (定期随访)."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from care import choices
from care.due import next_follow_up
from care.models import (
    FollowUp,
    Mentor,
    Pairing,
    Referral,
)
from care.services.common import (
    check_child,
    check_contact_phone,
    check_visible,
    not_before_birth,
    not_future,
    require_perm,
    user_covers_child,
)
from children.choices import ChangeAction
from children.models import Child
from children.services import record_change
from core.versioning import AuditedUpdate, StaleEdit

# --- mentors, pairings and follow-ups ------------------------------------------------------

MENTOR_FIELDS = ["name", "kind", "organisation", "phone", "note", "is_active"]


@transaction.atomic
def mentor_save(*, actor, data: dict, mentor: Mentor | None = None) -> Mentor:
    """Add or edit a mentor (结对帮扶人): county-wide reference data."""
    require_perm(actor, "care.change_mentor" if mentor else "care.add_mentor")
    if mentor is None:
        mentor = Mentor(created_by=actor)
    for name in MENTOR_FIELDS:
        if name in data:
            setattr(mentor, name, data[name])
    mentor.name = mentor.name.strip()
    check_contact_phone(mentor.phone)
    mentor.full_clean()
    mentor.save()
    return mentor


def _refresh_next_follow_up(pairing: Pairing) -> None:
    if pairing.status != choices.PairingStatus.ACTIVE:
        pairing.next_follow_up_on = None
        return
    last = None
    if pairing.pk is not None:
        last = (
            pairing.follow_ups.order_by("-followed_on")
            .values_list("followed_on", flat=True)
            .first()
        )
    pairing.next_follow_up_on = next_follow_up(
        started_on=pairing.started_on,
        last_follow_up_on=last,
        interval_days=pairing.interval_days,
    )


@transaction.atomic
def pairing_create(
    *,
    actor,
    child: Child,
    mentor: Mentor,
    started_on: dt.date,
    interval_days: int = choices.DEFAULT_FOLLOW_UP_INTERVAL_DAYS,
    ended_on: dt.date | None = None,
    referral: Referral | None = None,
    note: str = "",
) -> Pairing:
    """Pair a mentor with a child (结对帮扶); the first follow-up falls due one interval on."""
    child = check_child(actor, child, perm="care.add_pairing")
    if mentor is None or not mentor.is_active:
        raise ValidationError({"mentor": _("请选择可用的结对帮扶人。")})
    if referral is not None and referral.child_id != child.pk:
        raise ValidationError({"referral": _("所选转介不属于该儿童。")})
    pairing = Pairing(
        child=child,
        mentor=mentor,
        referral=referral,
        started_on=started_on,
        ended_on=ended_on,
        interval_days=interval_days,
        note=note or "",
        created_by=actor,
    )
    not_before_birth(started_on, "started_on", _("开始日期"), child)
    if ended_on and started_on and ended_on < started_on:
        raise ValidationError({"ended_on": _("结束日期不能早于开始日期。")})
    pairing.full_clean(exclude=["version", "created_by"])
    _refresh_next_follow_up(pairing)
    pairing.save()
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type="pairing",
        record_id=pairing.pk,
        note=_("结对帮扶：%(mentor)s（%(kind)s），%(date)s起，每 %(n)d 天随访")
        % {
            "mentor": mentor.name,
            "kind": mentor.get_kind_display(),
            "date": started_on.isoformat(),
            "n": interval_days,
        },
    )
    return pairing


PAIRING_EDIT_FIELDS = ["mentor", "started_on", "ended_on", "interval_days", "status", "note"]


@transaction.atomic
def pairing_update(*, actor, pairing: Pairing, expected_version: int, data: dict) -> Pairing:
    """Change a pairing's interval, mentor or dates, or end it (an end date is then required)."""
    pairing = check_visible(actor, Pairing, pairing, perm="care.change_pairing")
    if pairing.version != expected_version:
        raise StaleEdit(pairing)
    names = [n for n in PAIRING_EDIT_FIELDS if n in data]
    update = AuditedUpdate(pairing, names)
    for name in names:
        setattr(pairing, name, data[name])
    if pairing.status == choices.PairingStatus.ENDED and not pairing.ended_on:
        raise ValidationError({"ended_on": _("结束结对须填写结束日期。")})
    not_before_birth(pairing.started_on, "started_on", _("开始日期"), pairing.child)
    if pairing.ended_on and pairing.ended_on < pairing.started_on:
        raise ValidationError({"ended_on": _("结束日期不能早于开始日期。")})
    if "mentor" in data and data["mentor"] != pairing.mentor and not data["mentor"].is_active:
        raise ValidationError({"mentor": _("请选择可用的结对帮扶人。")})
    pairing.full_clean(exclude=["version", "created_by"])

    def save():
        _refresh_next_follow_up(pairing)
        pairing.save()

    update.commit(
        update.changes(),
        expected_version=expected_version,
        save=save,
        record=lambda changes: record_change(
            child=pairing.child,
            actor=actor,
            action=ChangeAction.UPDATE,
            record_type="pairing",
            record_id=pairing.pk,
            changes=changes,
            note=_("修改结对帮扶"),
        ),
    )
    return pairing


@transaction.atomic
def follow_up_record(
    *,
    actor,
    pairing: Pairing,
    followed_on: dt.date,
    by_name: str,
    condition: str,
    next_step: str = "",
    by_user=None,
) -> FollowUp:
    """Record a follow-up (定期随访) and move the pairing's next due date on."""
    pairing = check_visible(actor, Pairing, pairing, perm="care.add_followup")
    if not pairing.is_active:
        raise ValidationError(_("该结对帮扶已结束，不能再录入随访。"))
    if followed_on is None:
        raise ValidationError({"followed_on": _("请填写随访日期。")})
    not_future(followed_on, "followed_on", _("随访日期"), birth_date=pairing.child.birth_date)
    if followed_on < pairing.started_on:
        raise ValidationError({"followed_on": _("随访日期不能早于结对开始日期。")})
    if by_user is not None and not user_covers_child(by_user, pairing.child):
        raise ValidationError({"by_user": _("随访人账号不负责该儿童所在区域。")})
    follow_up = FollowUp(
        pairing=pairing,
        followed_on=followed_on,
        by_name=(by_name or "").strip(),
        by_user=by_user,
        condition=(condition or "").strip(),
        next_step=(next_step or "").strip(),
        created_by=actor,
    )
    follow_up.full_clean(exclude=["created_by"])
    follow_up.save()
    _refresh_next_follow_up(pairing)
    pairing.save(update_fields=["next_follow_up_on", "updated_at"])
    record_change(
        child=pairing.child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type="follow_up",
        record_id=follow_up.pk,
        note=_("定期随访（%(date)s，%(who)s）")
        % {"date": followed_on.isoformat(), "who": follow_up.by_name},
    )
    return follow_up
