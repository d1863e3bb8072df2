"""Services delivered (服务记录): the sessions of a care plan."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from care import choices
from care.models import CarePlan, ServiceSession
from care.services.common import check_visible, not_future, user_covers_child
from children.choices import ChangeAction
from children.services import record_change
from core.versioning import AuditedUpdate

RECORD_TYPE = "service_session"

SESSION_FIELDS = [
    "delivered_on",
    "kind",
    "delivered_by",
    "provider_name",
    "provider_user",
    "duration_minutes",
    "notes",
]


def _validate(session: ServiceSession, plan: CarePlan) -> None:
    session.provider_name = (session.provider_name or "").strip()
    session.notes = (session.notes or "").strip()
    if session.delivered_by == choices.DeliveredBy.STAFF and session.provider_user is not None:
        if not session.provider_name:
            session.provider_name = session.provider_user.display_name
        if not user_covers_child(session.provider_user, plan.child):
            raise ValidationError({"provider_user": _("服务人员账号不负责该儿童所在区域。")})
    elif session.delivered_by != choices.DeliveredBy.STAFF:
        session.provider_user = None
    not_future(
        session.delivered_on, "delivered_on", _("服务日期"), birth_date=plan.child.birth_date
    )
    if session.delivered_on and session.delivered_on < plan.started_on:
        raise ValidationError({"delivered_on": _("服务日期不能早于关爱方案开始日期。")})
    session.full_clean(exclude=["version", "created_by", "child", "plan"])


@transaction.atomic
def session_record(*, actor, plan: CarePlan, data: dict) -> ServiceSession:
    """Record one session (心理辅导、情绪疏导、心理慰藉、家庭教育指导) under an active plan."""
    plan = check_visible(actor, CarePlan, plan, perm="care.add_servicesession")
    if plan.status != choices.PlanStatus.ACTIVE:
        raise ValidationError(_("只有执行中的关爱方案可以录入服务记录。"))
    if not plan.child.is_active:
        raise ValidationError(_("该儿童已结案，不能新增关爱记录。"))
    session = ServiceSession(plan=plan, child=plan.child, created_by=actor)
    for name in SESSION_FIELDS:
        if name in data:
            setattr(session, name, data[name])
    _validate(session, plan)
    session.save()
    record_change(
        child=plan.child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type=RECORD_TYPE,
        record_id=session.pk,
        note=_("服务记录：%(kind)s（%(date)s，%(who)s，%(n)d 分钟）")
        % {
            "kind": session.get_kind_display(),
            "date": session.delivered_on.isoformat(),
            "who": session.provider_name,
            "n": session.duration_minutes,
        },
    )
    return session


@transaction.atomic
def session_update(
    *, actor, session: ServiceSession, expected_version: int, data: dict
) -> ServiceSession:
    """Correct a session; StaleEdit if someone saved it since the form opened."""
    session = check_visible(actor, ServiceSession, session, perm="care.change_servicesession")
    plan = session.plan
    names = [n for n in SESSION_FIELDS if n in data]
    update = AuditedUpdate(session, names)
    for name in names:
        setattr(session, name, data[name])
    _validate(session, plan)
    update.commit(
        update.changes(),
        expected_version=expected_version,
        record=lambda changes: record_change(
            child=plan.child,
            actor=actor,
            action=ChangeAction.UPDATE,
            record_type=RECORD_TYPE,
            record_id=session.pk,
            changes=changes,
            note=_("修改服务记录"),
        ),
    )
    return session
