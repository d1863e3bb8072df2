"""Safety alerts (预警): raised with a handling deadline, escalated when the deadline passes
unhandled, closed only with what was done; each step in the alert's timeline (AlertEvent)
and in the inbox of whoever must act (notifications).

Messages name the child by a masked name (张*) and the area only: they leave the portal.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from care import choices
from care.models import (
    AlertEvent,
    CarePlan,
    CareSettings,
    Referral,
    SafetyAlert,
    Screening,
)
from care.services.common import (
    check_visible,
    require_perm,
)
from children.choices import ChangeAction
from children.services import record_change
from notifications import services as notifications
from notifications.choices import NotificationKind

NO_ACTION = gettext_lazy(
    "预警只能在记录处置措施后关闭：请勾选采取了哪些措施（至少一项），并填写处置说明。"
)


def _local(moment: dt.datetime) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


def _where(child) -> str:
    village = child.village.name if child.village_id else ""
    return f"{child.township.name} {village}".strip()


def _alert_text(alert: SafetyAlert, template: str) -> str:
    return template % {
        "kind": alert.get_kind_display(),
        "name": notifications.mask_name(alert.child.name),
        "where": _where(alert.child),
        "due": _local(alert.due_at),
    }


def alert_raise(*, actor, screening: Screening, kind: str, county=None) -> SafetyAlert:
    """Open an alert for a screening (called by screening_record, in its transaction): the
    deadline from the county's setting for this kind, the timeline's first entry, and the
    township supervisors told (at once by SMS/e-mail for a suicide risk)."""
    county = county or CareSettings.current()
    child = screening.child
    alert = SafetyAlert.objects.create(child=child, screening=screening, kind=kind)
    alert.due_at = alert.raised_at + dt.timedelta(hours=county.deadline_hours(kind))
    alert.save(update_fields=["due_at"])
    AlertEvent.objects.create(
        alert=alert, kind=choices.AlertEventKind.RAISED, at=alert.raised_at, actor=actor
    )
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type="safety_alert",
        record_id=alert.pk,
        note=_("测评提示风险，已生成待处置预警。"),
    )
    # Nobody supervises the township: the county center acts instead.
    recipients = notifications.township_supervisors(child.township_id) or (
        notifications.county_center()
    )
    notifications.notify(
        recipients=recipients,
        kind=NotificationKind.NEW_ALERT,
        text=_alert_text(
            alert, _("新的%(kind)s预警：%(name)s（%(where)s），请于 %(due)s 前处置。")
        ),
        url=alert.get_absolute_url(),
        key=f"alert:{alert.pk}:raised",
        urgent=alert.is_suicide_risk,
    )
    return alert


def _check_linked(actor, alert, *, care_plan, referral, actions):
    """A care plan or referral named as the action must be this child's and current."""
    if choices.AlertAction.CARE_PLAN in actions:
        if care_plan is None:
            raise ValidationError({"care_plan": _("请选择为该儿童制定的关爱方案。")})
        care_plan = CarePlan.objects.visible_to(actor).filter(pk=care_plan.pk).first()
        if care_plan is None or care_plan.child_id != alert.child_id:
            raise ValidationError({"care_plan": _("所选关爱方案不属于该儿童。")})
        if care_plan.created_at < alert.raised_at and not care_plan.is_active:
            raise ValidationError(
                {"care_plan": _("所选关爱方案在预警前已结束，请制定新的方案或填写处置说明。")}
            )
    else:
        care_plan = None
    if choices.AlertAction.REFERRAL in actions:
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
    else:
        referral = None
    return care_plan, referral


def _actions_from(resolution: str, actions) -> list[str]:
    """The actions as given; a caller of the older interface (``resolution`` only) naming a
    plan or referral gets that as its action."""
    chosen = list(dict.fromkeys(actions or ()))
    if not chosen and resolution in (choices.Resolution.CARE_PLAN, choices.Resolution.REFERRAL):
        chosen = [resolution]
    unknown = [a for a in chosen if a not in choices.AlertAction.values]
    if unknown:
        raise ValidationError({"actions": _("处置措施无效，请重新选择。")})
    return chosen


@transaction.atomic
def alert_close(
    *,
    actor,
    alert: SafetyAlert,
    resolution: str = "",
    care_plan: CarePlan | None = None,
    referral: Referral | None = None,
    note: str = "",
    actions=(),
) -> SafetyAlert:
    """Close a safety alert by recording what was done (处置预警).

    ``actions``: one or more of choices.AlertAction (guardian informed, 120/110 or
    hospital, referral made, care plan made, safety plan agreed) and a note of at least
    10 characters saying what was done and by whom. Naming a referral or care plan as the
    action links the record (the child's, made since the alert or still under way).
    ``resolution`` is kept for callers of the first interface; the stored one is derived.
    """
    alert = check_visible(actor, SafetyAlert, alert, perm="care.close_safetyalert")
    if not alert.is_open:
        raise ValidationError(_("该预警已处置。"))
    note = (note or "").strip()
    chosen = _actions_from(resolution, actions)
    errors = {}
    if not chosen:
        errors["actions"] = [str(NO_ACTION)]
    if len(note) < choices.ALERT_NOTE_MIN_LENGTH:
        errors["note"] = [
            _("请填写处置说明（至少 %(n)d 个字），写明采取了哪些措施、由谁完成。")
            % {"n": choices.ALERT_NOTE_MIN_LENGTH}
        ]
    if errors:
        raise ValidationError(errors)
    care_plan, referral = _check_linked(
        actor, alert, care_plan=care_plan, referral=referral, actions=chosen
    )

    alert.status = choices.AlertStatus.CLOSED
    alert.resolution = (
        choices.Resolution.REFERRAL
        if referral
        else choices.Resolution.CARE_PLAN
        if care_plan
        else choices.Resolution.NOTE
    )
    alert.care_plan, alert.referral = care_plan, referral
    alert.actions = chosen
    alert.note = note
    alert.closed_by = actor
    alert.closed_at = timezone.now()
    alert.full_clean()
    alert.save()
    AlertEvent.objects.create(
        alert=alert,
        kind=choices.AlertEventKind.CLOSED,
        at=alert.closed_at,
        actor=actor,
        note="、".join(alert.action_labels()),
    )
    record_change(
        child=alert.child,
        actor=actor,
        action=ChangeAction.RECORD,
        record_type="safety_alert",
        record_id=alert.pk,
        changes={str(_("预警状态")): [str(_("待处置")), str(_("已处置"))]},
        note=_("预警已处置：%(how)s") % {"how": "、".join(alert.action_labels())},
    )
    return alert


# --- escalation ------------------------------------------------------------------------------


def _escalate_one(alert_id: int, level: int, event_kind: str, now: dt.datetime) -> bool:
    """Take the alert from ``level - 1`` to ``level`` and record it, once: the conditional
    UPDATE is the claim (a second run, or a concurrent one, updates nothing), and the
    unique event per step is the database's guarantee behind it."""
    with transaction.atomic():
        claimed = SafetyAlert.objects.filter(
            pk=alert_id, status=choices.AlertStatus.OPEN, escalation_level=level - 1
        ).update(escalation_level=level)
        if not claimed:
            return False
        alert = SafetyAlert.objects.select_related("child__township", "child__village").get(
            pk=alert_id
        )
        try:
            with transaction.atomic():
                AlertEvent.objects.create(alert=alert, kind=event_kind, at=now)
        except IntegrityError:
            return False
        if level == 1:
            recipients = notifications.township_supervisors(alert.child.township_id)
            text = _alert_text(
                alert,
                _(
                    "%(kind)s预警逾期未处置：%(name)s（%(where)s），"
                    "处置期限为 %(due)s，请立即处置。"
                ),
            )
        else:
            recipients = notifications.county_center()
            text = _alert_text(
                alert,
                _(
                    "%(kind)s预警逾期未处置，已上报县未保中心：%(name)s（%(where)s），"
                    "处置期限为 %(due)s。"
                ),
            )
        notifications.notify(
            recipients=recipients or notifications.county_center(),
            kind=NotificationKind.ALERT_ESCALATED,
            text=text,
            url=alert.get_absolute_url(),
            key=f"alert:{alert.pk}:{event_kind}",
            urgent=True,
        )
    return True


def alerts_escalate(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Escalate every open alert past its deadline (run by ``manage.py escalate_alerts``):
    to the township supervisor at the deadline, to the county center
    ``county_escalation_hours`` later. Each step happens exactly once per alert."""
    now = now or timezone.now()
    county = CareSettings.current()
    done = {"township": 0, "county": 0}
    to_township = SafetyAlert.objects.overdue(now).filter(escalation_level=0)
    for alert_id in to_township.values_list("pk", flat=True).order_by("pk"):
        if _escalate_one(alert_id, 1, choices.AlertEventKind.ESCALATED_TOWNSHIP, now):
            done["township"] += 1
    county_after = dt.timedelta(hours=county.county_escalation_hours)
    to_county = SafetyAlert.objects.open().filter(
        escalation_level=1, due_at__lte=now - county_after
    )
    for alert_id in to_county.values_list("pk", flat=True).order_by("pk"):
        if _escalate_one(alert_id, 2, choices.AlertEventKind.ESCALATED_COUNTY, now):
            done["county"] += 1
    return done


@transaction.atomic
def care_settings_update(*, actor, data: dict) -> CareSettings:
    """The county admin changes the clinical settings (SCARED norm, deadlines). Applies to
    screenings and alerts from now on; earlier ones keep what they were given."""
    require_perm(actor, "care.change_caresettings")
    current = CareSettings.current()
    fields = [
        "scared_norm",
        "suicidal_ideation_hours",
        "suicide_attempt_hours",
        "positive_screening_hours",
        "county_escalation_hours",
    ]
    for name in fields:
        if name in data:
            setattr(current, name, data[name])
    current.updated_by = actor
    current.full_clean()
    current.save()
    return current
