"""Care plans (心理关爱方案) and the services they plan."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
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
from core.versioning import AuditedUpdate, StaleEdit

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
    child = check_child(actor, child, perm="care.add_careplan")
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
    plan = check_visible(actor, CarePlan, plan, perm="care.change_careplan")
    if plan.version != expected_version:
        raise StaleEdit(plan)
    names = [n for n in PLAN_FIELDS if n in data]
    update = AuditedUpdate(plan, names)
    old_services = set(plan.services.values_list("code", flat=True))
    for name in names:
        setattr(plan, name, data[name])
    new_services = list(old_services if services is None else services)
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
