"""Closing a safety alert (预警处置): how it was handled, by whom and when."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from care import choices
from care.models import (
    CarePlan,
    Referral,
    SafetyAlert,
)
from care.services.common import (
    check_visible,
)
from children.choices import ChangeAction
from children.services import record_change

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
    alert = check_visible(actor, SafetyAlert, alert, perm="care.close_safetyalert")
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
