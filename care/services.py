"""Writes to the care records. Each service checks the actor's permission and area, validates,
writes the record and the child's history entry in one transaction. Views, the admin and the
demo seeding call these only.

History notes never carry screening results (bands, alerts): the child's history is shown to
roles that may not see them. They name the record and its date only.
"""

import datetime as dt
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from care import choices
from care.due import next_follow_up
from care.models import (
    CarePlan,
    CarePlanService,
    FollowUp,
    Institution,
    Mentor,
    Pairing,
    Referral,
    ReferralStatusChange,
    SafetyAlert,
    Screening,
)
from care.screening import InvalidAnswersError, get_instrument, score
from children.choices import ChangeAction
from children.identity import validate_phone
from children.models import Child
from children.services import child_raise_risk, diff, field_labels, record_change, snapshot
from longsheng_care.versioning import claim_next_version


class StaleEdit(Exception):
    """Someone saved the record after this form was opened; nothing was written."""

    def __init__(self, current):
        super().__init__(_("该记录已被他人修改，您的修改未保存。请查看最新内容后重新填写。"))
        self.current = current


# --- shared checks -------------------------------------------------------------------------


def _require_perm(actor, perm: str) -> None:
    if not actor.has_perm(perm):
        raise PermissionDenied


def _check_child(actor, child: Child, *, perm: str, new_record: bool = True) -> Child:
    """The actor holds ``perm`` and sees the child; new records only for an active case."""
    _require_perm(actor, perm)
    child = Child.objects.visible_to(actor).filter(pk=child.pk).first()
    if child is None:
        raise PermissionDenied
    if new_record and not child.is_active:
        raise ValidationError(_("该儿童已结案，不能新增关爱记录。"))
    return child


def _check_visible(actor, model, obj, *, perm: str):
    """Re-read ``obj`` from the actor's scope, locked for the update that follows."""
    _require_perm(actor, perm)
    current = (
        model.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=obj.pk).first()
    )
    if current is None:
        raise PermissionDenied
    return current


def _not_future(value: dt.date | None, field: str, label: str) -> None:
    if value and value > timezone.localdate():
        raise ValidationError({field: _("%(label)s不能晚于今天。") % {"label": label}})


def _user_covers_child(user, child: Child) -> bool:
    return user is None or Child.objects.visible_to(user).filter(pk=child.pk).exists()


def _claim_version(model, obj, expected_version: int | None) -> None:
    """Take the next version or fail (the conditional UPDATE is atomic in every database)."""
    if expected_version is None:
        expected_version = obj.version
    if not claim_next_version(obj, expected_version):
        raise StaleEdit(model.objects.get(pk=obj.pk))


def _diff(obj, before: dict, names: Iterable[str]) -> dict:
    return diff(before, snapshot(obj, names), field_labels(type(obj), names))


# --- screenings and safety alerts ----------------------------------------------------------


def instrument_enabled(code: str) -> bool:
    """Licensed instruments (the SDQ) only where the organisation holds the licence."""
    try:
        instrument = get_instrument(code)
    except ValueError:
        return False
    return not instrument.licensed_only or getattr(settings, "SDQ_LICENSED", False)


def answers_error(exc: InvalidAnswersError, answers: Mapping[int, int]) -> str:
    """A Chinese message naming the item (or subscale) the scoring package refused."""
    if exc.subscale:
        return _("「%(sub)s」分量表至少需回答 3 题，请补答第 %(n)s 题。") % {
            "sub": choices.subscale_label(exc.subscale),
            "n": exc.item,
        }
    if exc.item is None:
        return _("答案无法计分，请检查后重新提交。")
    if exc.item not in answers:
        return _("请回答第 %(n)s 题。") % {"n": exc.item}
    return _("第 %(n)s 题的答案无效，请重新选择。") % {"n": exc.item}


@transaction.atomic
def screening_record(
    *,
    actor,
    child: Child,
    instrument: str,
    respondent: str,
    screened_on: dt.date,
    answers: Mapping[int, int],
) -> Screening:
    """Score and save a screening (录入测评); raise the child's risk and open a safety alert
    when the result calls for it (see care.choices.risk_for_result / alert_kind_for_result)."""
    child = _check_child(actor, child, perm="care.add_screening")
    if not instrument_enabled(instrument):
        raise ValidationError({"instrument": _("该量表未启用。")})
    definition = get_instrument(instrument)
    if respondent not in definition.respondents:
        allowed = "、".join(str(choices.Respondent(r).label) for r in definition.respondents)
        raise ValidationError({"respondent": _("该量表只能由%(who)s填答。") % {"who": allowed}})
    _not_future(screened_on, "screened_on", _("测评日期"))
    if screened_on < child.birth_date:
        raise ValidationError({"screened_on": _("测评日期不能早于出生日期。")})
    answers = dict(answers)
    try:
        result = score(instrument, answers)
    except InvalidAnswersError as exc:
        message = answers_error(exc, answers)
        if exc.item is not None:
            raise ValidationError({f"item_{exc.item}": message}) from exc
        raise ValidationError(message) from exc

    screening = Screening(
        child=child,
        screened_on=screened_on,
        instrument=instrument,
        respondent=respondent,
        answers={str(number): value for number, value in sorted(answers.items())},
        total=result.total,
        band=result.band,
        subscales=dict(result.subscales),
        alerts=list(result.alerts),
        positive=result.positive,
        severity=result.severity,
        cutoff_version=result.version,
        entered_by=actor,
    )
    screening.full_clean()
    screening.save()
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type="screening",
        record_id=screening.pk,
        note=_("录入心理健康测评：%(inst)s（%(date)s）")
        % {"inst": screening.instrument_short, "date": screened_on.isoformat()},
    )
    level = choices.risk_for_result(result)
    if level:
        child_raise_risk(
            actor=actor,
            child=child,
            level=level,
            reason=_("心理健康测评（%(inst)s，%(date)s）提示风险，风险等级上调。")
            % {"inst": screening.instrument_short, "date": screened_on.isoformat()},
        )
    kind = choices.alert_kind_for_result(result)
    if kind:
        alert = SafetyAlert.objects.create(child=child, screening=screening, kind=kind)
        record_change(
            child=child,
            actor=actor,
            action=ChangeAction.RECORD,
            record_type="safety_alert",
            record_id=alert.pk,
            note=_("测评提示风险，已生成待处置预警。"),
        )
    return screening


NO_ACTION = gettext_lazy(
    "预警只能在记录处置措施后关闭：请关联为该儿童制定的关爱方案或转介，或填写处置说明。"
)


@transaction.atomic
def alert_close(
    *,
    actor,
    alert: SafetyAlert,
    resolution: str = "",
    care_plan: CarePlan | None = None,
    referral: Referral | None = None,
    note: str = "",
) -> SafetyAlert:
    """Close a safety alert by recording what was done (处置预警).

    The action is a care plan or referral for the same child, made since the alert was raised
    or still under way, or a written note of at least 10 characters. Nothing else closes it.
    """
    alert = _check_visible(actor, SafetyAlert, alert, perm="care.close_safetyalert")
    if not alert.is_open:
        raise ValidationError(_("该预警已处置。"))
    note = (note or "").strip()
    if resolution == choices.Resolution.CARE_PLAN:
        if care_plan is None:
            raise ValidationError({"care_plan": _("请选择为该儿童制定的关爱方案。")})
        care_plan = CarePlan.objects.visible_to(actor).filter(pk=care_plan.pk).first()
        if care_plan is None or care_plan.child_id != alert.child_id:
            raise ValidationError({"care_plan": _("所选关爱方案不属于该儿童。")})
        if care_plan.created_at < alert.raised_at and not care_plan.is_active:
            raise ValidationError(
                {"care_plan": _("所选关爱方案在预警前已结束，请制定新的方案或填写处置说明。")}
            )
        referral = None
    elif resolution == choices.Resolution.REFERRAL:
        if referral is None:
            raise ValidationError({"referral": _("请选择该儿童的转介记录。")})
        referral = Referral.objects.visible_to(actor).filter(pk=referral.pk).first()
        if referral is None or referral.child_id != alert.child_id:
            raise ValidationError({"referral": _("所选转介不属于该儿童。")})
        if (
            referral.created_at < alert.raised_at
            and referral.status not in choices.REFERRAL_OPEN_STATUSES
        ):
            raise ValidationError(
                {"referral": _("所选转介在预警前已结束，请新建转介或填写处置说明。")}
            )
        care_plan = None
    elif resolution == choices.Resolution.NOTE:
        if len(note) < choices.ALERT_NOTE_MIN_LENGTH:
            raise ValidationError(
                {
                    "note": _("请填写处置说明（至少 %(n)d 个字），写明采取了哪些措施。")
                    % {"n": choices.ALERT_NOTE_MIN_LENGTH}
                }
            )
        care_plan = referral = None
    else:
        raise ValidationError(NO_ACTION)

    alert.status = choices.AlertStatus.CLOSED
    alert.resolution = resolution
    alert.care_plan, alert.referral = care_plan, referral
    alert.note = note
    alert.closed_by = actor
    alert.closed_at = timezone.now()
    alert.full_clean()
    alert.save()
    record_change(
        child=alert.child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type="safety_alert",
        record_id=alert.pk,
        changes={str(_("预警状态")): [str(_("待处置")), str(_("已处置"))]},
        note=_("预警已处置：%(how)s") % {"how": alert.get_resolution_display()},
    )
    return alert


# --- care plans ----------------------------------------------------------------------------

PLAN_FIELDS = [
    "goals",
    "measures",
    "responsible_name",
    "responsible_user",
    "started_on",
    "review_on",
    "status",
    "status_note",
]


def _services_display(codes: Iterable[str]) -> str:
    order = choices.CareService.values
    return "、".join(str(choices.CareService(c).label) for c in sorted(set(codes), key=order.index))


def _validate_plan(actor, plan: CarePlan, services: list[str]) -> None:
    if not services:
        raise ValidationError({"services": _("请至少选择一项关爱服务。")})
    unknown = set(services) - set(choices.CareService.values)
    if unknown:
        raise ValidationError({"services": _("未知的关爱服务。")})
    if plan.started_on and plan.review_on and plan.review_on < plan.started_on:
        raise ValidationError({"review_on": _("复核日期不能早于开始日期。")})
    if plan.status == choices.PlanStatus.TERMINATED and not plan.status_note.strip():
        raise ValidationError({"status_note": _("终止方案须说明原因。")})
    if plan.responsible_user is not None and not _user_covers_child(
        plan.responsible_user, plan.child
    ):
        raise ValidationError({"responsible_user": _("责任人账号不负责该儿童所在区域。")})
    plan.full_clean(exclude=["version", "created_by"])


def _set_services(plan: CarePlan, codes: Iterable[str]) -> None:
    codes = set(codes)
    existing = set(plan.services.values_list("code", flat=True))
    plan.services.filter(code__in=existing - codes).delete()
    CarePlanService.objects.bulk_create(
        [CarePlanService(plan=plan, code=code) for code in sorted(codes - existing)]
    )


@transaction.atomic
def care_plan_create(*, actor, child: Child, data: dict, services: Iterable[str]) -> CarePlan:
    """Make a care plan for a child (制定心理关爱方案)."""
    child = _check_child(actor, child, perm="care.add_careplan")
    services = list(services)
    plan = CarePlan(child=child, created_by=actor)
    for name in PLAN_FIELDS:
        if name in data:
            setattr(plan, name, data[name])
    plan.status = choices.PlanStatus.ACTIVE
    _validate_plan(actor, plan, services)
    plan.save()
    _set_services(plan, services)
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type="care_plan",
        record_id=plan.pk,
        note=_("制定心理关爱方案：%(services)s，复核日期 %(review)s")
        % {"services": _services_display(services), "review": plan.review_on.isoformat()},
    )
    return plan


@transaction.atomic
def care_plan_update(
    *,
    actor,
    plan: CarePlan,
    expected_version: int,
    data: dict,
    services: Iterable[str] | None = None,
) -> CarePlan:
    """Edit a plan (review it, change its services, complete or end it). Optimistic lock."""
    plan = _check_visible(actor, CarePlan, plan, perm="care.change_careplan")
    if plan.version != expected_version:
        raise StaleEdit(plan)
    names = [n for n in PLAN_FIELDS if n in data]
    before = snapshot(plan, names)
    old_services = set(plan.services.values_list("code", flat=True))
    for name in names:
        setattr(plan, name, data[name])
    new_services = list(old_services if services is None else services)
    _validate_plan(actor, plan, new_services)
    changes = _diff(plan, before, names)
    if set(new_services) != old_services:
        changes[str(_("关爱服务"))] = [
            _services_display(old_services),
            _services_display(new_services),
        ]
    if not changes:
        return plan
    _claim_version(CarePlan, plan, expected_version)
    plan.save()
    _set_services(plan, new_services)
    record_change(
        child=plan.child,
        actor=actor,
        action=ChangeAction.UPDATE,
        record_type="care_plan",
        record_id=plan.pk,
        changes=changes,
        note=_("修改心理关爱方案"),
    )
    return plan


# --- institutions and referrals ------------------------------------------------------------

INSTITUTION_FIELDS = ["name", "kind", "contact_person", "phone", "address", "note", "is_active"]


def _check_contact_phone(value: str, field: str = "phone") -> None:
    if value:
        try:
            validate_phone(value)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from exc


@transaction.atomic
def institution_save(*, actor, data: dict, institution: Institution | None = None) -> Institution:
    """Add or edit an institution of the referral register (county admin)."""
    _require_perm(actor, "care.change_institution" if institution else "care.add_institution")
    institution = institution or Institution()
    for name in INSTITUTION_FIELDS:
        if name in data:
            setattr(institution, name, data[name])
    _check_contact_phone(institution.phone)
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
    """Refer a child to an institution (转介); the first status (已转介) is dated and kept."""
    child = _check_child(actor, child, perm="care.add_referral")
    _not_future(referred_on, "referred_on", _("转介日期"))
    if institution is None or not institution.is_active:
        raise ValidationError({"institution": _("请选择可用的转介机构。")})
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
    referral = _check_visible(actor, Referral, referral, perm="care.change_referral")
    if referral.version != expected_version:
        raise StaleEdit(referral)
    names = [n for n in REFERRAL_EDIT_FIELDS if n in data]
    if (
        "institution" in data
        and data["institution"] != referral.institution
        and referral.status != choices.ReferralStatus.REFERRED
    ):
        raise ValidationError({"institution": _("机构已接诊或已处理，不能更换转介机构。")})
    before = snapshot(referral, names)
    for name in names:
        setattr(referral, name, data[name])
    referral.full_clean(exclude=["version", "created_by"])
    changes = _diff(referral, before, names)
    if not changes:
        return referral
    _claim_version(Referral, referral, expected_version)
    referral.save()
    record_change(
        child=referral.child,
        actor=actor,
        action=ChangeAction.UPDATE,
        record_type="referral",
        record_id=referral.pk,
        changes=changes,
        note=_("修改转介记录"),
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
    referral = _check_visible(actor, Referral, referral, perm="care.change_referral")
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
    _not_future(changed_on, "changed_on", _("变更日期"))
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


# --- mentors, pairings and follow-ups ------------------------------------------------------

MENTOR_FIELDS = ["name", "kind", "organisation", "phone", "note", "is_active"]


@transaction.atomic
def mentor_save(*, actor, data: dict, mentor: Mentor | None = None) -> Mentor:
    """Add or edit a mentor (结对帮扶人): county-wide reference data."""
    _require_perm(actor, "care.change_mentor" if mentor else "care.add_mentor")
    if mentor is None:
        mentor = Mentor(created_by=actor)
    for name in MENTOR_FIELDS:
        if name in data:
            setattr(mentor, name, data[name])
    mentor.name = mentor.name.strip()
    _check_contact_phone(mentor.phone)
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
    child = _check_child(actor, child, perm="care.add_pairing")
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
    pairing = _check_visible(actor, Pairing, pairing, perm="care.change_pairing")
    if pairing.version != expected_version:
        raise StaleEdit(pairing)
    names = [n for n in PAIRING_EDIT_FIELDS if n in data]
    before = snapshot(pairing, names)
    for name in names:
        setattr(pairing, name, data[name])
    if pairing.status == choices.PairingStatus.ENDED and not pairing.ended_on:
        raise ValidationError({"ended_on": _("结束结对须填写结束日期。")})
    if pairing.ended_on and pairing.ended_on < pairing.started_on:
        raise ValidationError({"ended_on": _("结束日期不能早于开始日期。")})
    if "mentor" in data and data["mentor"] != pairing.mentor and not data["mentor"].is_active:
        raise ValidationError({"mentor": _("请选择可用的结对帮扶人。")})
    pairing.full_clean(exclude=["version", "created_by"])
    changes = _diff(pairing, before, names)
    if not changes:
        return pairing
    _claim_version(Pairing, pairing, expected_version)
    _refresh_next_follow_up(pairing)
    pairing.save()
    record_change(
        child=pairing.child,
        actor=actor,
        action=ChangeAction.UPDATE,
        record_type="pairing",
        record_id=pairing.pk,
        changes=changes,
        note=_("修改结对帮扶"),
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
    pairing = _check_visible(actor, Pairing, pairing, perm="care.add_followup")
    if not pairing.is_active:
        raise ValidationError(_("该结对帮扶已结束，不能再录入随访。"))
    if followed_on is None:
        raise ValidationError({"followed_on": _("请填写随访日期。")})
    _not_future(followed_on, "followed_on", _("随访日期"))
    if followed_on < pairing.started_on:
        raise ValidationError({"followed_on": _("随访日期不能早于结对开始日期。")})
    if by_user is not None and not _user_covers_child(by_user, pairing.child):
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
