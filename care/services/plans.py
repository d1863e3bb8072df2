"""Care plans (心理关爱方案) and the services they plan."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from care import choices
from care.models import (
    CarePlan,
    CarePlanService,
)
from care.services.common import (
    check_child,
    check_visible,
    not_before_birth,
    user_covers_child,
)
from children.choices import ChangeAction
from children.models import Child
from children.services import record_change
from core.versioning import AuditedUpdate, StaleEdit, claim_version

APPROVE_PERM = "care.approve_careplan"

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
    not_before_birth(plan.started_on, "started_on", _("开始日期"), plan.child)
    if plan.started_on and plan.review_on and plan.review_on < plan.started_on:
        raise ValidationError({"review_on": _("复核日期不能早于开始日期。")})
    if plan.status == choices.PlanStatus.TERMINATED and not plan.status_note.strip():
        raise ValidationError({"status_note": _("终止方案须说明原因。")})
    if plan.responsible_user is not None and not user_covers_child(
        plan.responsible_user, plan.child
    ):
        raise ValidationError({"responsible_user": _("责任人账号不负责该儿童所在区域。")})
    plan.full_clean(exclude=["version", "created_by"])


def can_approve(user, plan: CarePlan) -> bool:
    """The township supervisor of the child's township, or the county admin (the holders of
    approve_careplan), within their area. A village director never approves."""
    return user.has_perm(APPROVE_PERM) and user_covers_child(user, plan.child)


def can_edit(user, plan: CarePlan) -> bool:
    """A draft or returned plan: whoever may edit plans in the area (its author fixes it
    before resubmitting). An approved plan (reviewed, completed, ended): an approver only.
    A plan waiting for approval is approved or returned first, never changed under the
    approver's eyes."""
    if not user.has_perm("care.change_careplan"):
        return False
    if plan.is_editable_draft:
        return True
    return plan.is_approved and user.has_perm(APPROVE_PERM)


def _check_status_change(plan: CarePlan, old_status: str) -> None:
    """The form may move an approved plan between its approved states (complete it, end
    it); the approval states move only through submit, approve and return."""
    if plan.status == old_status:
        return
    approved = choices.APPROVED_PLAN_STATUSES
    if old_status not in approved or plan.status not in approved:
        raise ValidationError({"status": _("方案须经乡镇督导员审批后才能执行、完成或终止。")})


def _set_services(plan: CarePlan, codes: Iterable[str]) -> None:
    codes = set(codes)
    existing = set(plan.services.values_list("code", flat=True))
    plan.services.filter(code__in=existing - codes).delete()
    CarePlanService.objects.bulk_create(
        [CarePlanService(plan=plan, code=code) for code in sorted(codes - existing)]
    )


@transaction.atomic
def care_plan_create(
    *, actor, child: Child, data: dict, services: Iterable[str], submit: bool = True
) -> CarePlan:
    """Draft a care plan for a child (制定心理关爱方案) and, unless ``submit`` is False,
    submit it for approval in the same step (see ``care_plan_submit``)."""
    child = check_child(actor, child, perm="care.add_careplan")
    services = list(services)
    plan = CarePlan(child=child, created_by=actor)
    for name in PLAN_FIELDS:
        if name in data:
            setattr(plan, name, data[name])
    plan.status = choices.PlanStatus.DRAFT
    _validate_plan(actor, plan, services)
    step_note = _submit(plan, actor) if submit else ""
    plan.save()
    _set_services(plan, services)
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type="care_plan",
        record_id=plan.pk,
        note=_("起草心理关爱方案：%(services)s，复核日期 %(review)s")
        % {"services": _services_display(services), "review": plan.review_on.isoformat()},
    )
    if step_note:
        _record_step(plan, actor, choices.PlanStatus.DRAFT, step_note)
    return plan


def _record_step(plan: CarePlan, actor, before: str, note: str) -> None:
    record_change(
        child=plan.child,
        actor=actor,
        action=ChangeAction.UPDATE,
        record_type="care_plan",
        record_id=plan.pk,
        changes={
            str(_("状态")): [str(choices.PlanStatus(before).label), plan.get_status_display()]
        },
        note=note,
    )


def _lock_for_step(actor, plan: CarePlan, expected_version: int, *, perm: str) -> CarePlan:
    plan = check_visible(actor, CarePlan, plan, perm=perm)
    if plan.version != expected_version:
        raise StaleEdit(plan)
    return plan


def _approve(plan: CarePlan, actor, comment: str) -> None:
    plan.status = choices.PlanStatus.ACTIVE
    plan.decided_by, plan.decided_at, plan.decision_comment = actor, timezone.now(), comment


@transaction.atomic
def care_plan_submit(*, actor, plan: CarePlan, expected_version: int) -> CarePlan:
    """Submit a draft or returned plan to the township supervisor (提交审批).

    A plan submitted by someone who may approve it in the child's area (the township
    supervisor, the county admin) is approved in the same step, as a reviewer's own visit is
    approved on saving: the person who would approve it is the one who made it. The history
    says so."""
    plan = _lock_for_step(actor, plan, expected_version, perm="care.add_careplan")
    if not plan.is_editable_draft:
        raise ValidationError(_("只有草稿或已退回的方案可以提交审批。"))
    if not plan.child.is_active:
        raise ValidationError(_("该儿童已结案，不能提交关爱方案。"))
    before = plan.status
    note = _submit(plan, actor)
    claim_version(plan, expected_version)
    plan.save()
    _record_step(plan, actor, before, note)
    return plan


def _submit(plan: CarePlan, actor) -> str:
    """Set the plan submitted (and approved, when the actor may approve it); the note."""
    plan.status = choices.PlanStatus.SUBMITTED
    plan.submitted_by, plan.submitted_at = actor, timezone.now()
    if can_approve(actor, plan):
        _approve(plan, actor, "")
        return _("制定并批准心理关爱方案（审批人本人制定）")
    return _("提交心理关爱方案审批")


@transaction.atomic
def care_plan_approve(
    *, actor, plan: CarePlan, expected_version: int, comment: str = ""
) -> CarePlan:
    """Approve a submitted plan (审批通过): it becomes active. Only the township supervisor
    of the child's township or the county admin (approve_careplan, within their area)."""
    plan = _lock_for_step(actor, plan, expected_version, perm=APPROVE_PERM)
    if not can_approve(actor, plan):
        raise PermissionDenied
    if not plan.awaits_approval:
        raise ValidationError(_("该方案不在待审批状态。"))
    comment = (comment or "").strip()
    before = plan.status
    _approve(plan, actor, comment)
    claim_version(plan, expected_version)
    plan.save()
    _record_step(
        plan,
        actor,
        before,
        _("批准心理关爱方案") + (_("：%(c)s") % {"c": comment} if comment else ""),
    )
    return plan


@transaction.atomic
def care_plan_return(*, actor, plan: CarePlan, expected_version: int, comment: str) -> CarePlan:
    """Return a submitted plan to its author with a comment (退回修改)."""
    plan = _lock_for_step(actor, plan, expected_version, perm=APPROVE_PERM)
    if not can_approve(actor, plan):
        raise PermissionDenied
    if not plan.awaits_approval:
        raise ValidationError(_("该方案不在待审批状态。"))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("退回时请填写修改意见。")})
    before = plan.status
    plan.status = choices.PlanStatus.RETURNED
    plan.decided_by, plan.decided_at, plan.decision_comment = actor, timezone.now(), comment
    claim_version(plan, expected_version)
    plan.save()
    _record_step(plan, actor, before, _("退回心理关爱方案：%(c)s") % {"c": comment})
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
    plan = check_visible(actor, CarePlan, plan, perm="care.change_careplan")
    if plan.version != expected_version:
        raise StaleEdit(plan)
    if not can_edit(actor, plan):
        raise PermissionDenied
    names = [n for n in PLAN_FIELDS if n in data]
    update = AuditedUpdate(plan, names)
    old_services = set(plan.services.values_list("code", flat=True))
    old_status = plan.status
    for name in names:
        setattr(plan, name, data[name])
    new_services = list(old_services if services is None else services)
    _check_status_change(plan, old_status)
    _validate_plan(actor, plan, new_services)
    changes = update.changes()
    if set(new_services) != old_services:
        changes[str(_("关爱服务"))] = [
            _services_display(old_services),
            _services_display(new_services),
        ]

    def save():
        plan.save()
        _set_services(plan, new_services)

    update.commit(
        changes,
        expected_version=expected_version,
        save=save,
        record=lambda changes: record_change(
            child=plan.child,
            actor=actor,
            action=ChangeAction.UPDATE,
            record_type="care_plan",
            record_id=plan.pk,
            changes=changes,
            note=_("修改心理关爱方案"),
        ),
    )
    return plan
