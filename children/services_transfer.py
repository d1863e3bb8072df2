"""Transfers with acceptance (转移): the only way a child changes village or township, apart
from the county's 撤并/拆分 of a whole village (children/services_villages.py).

The sending side asks (``transfer_request``); the receiving side accepts or rejects with a
reason (``transfer_accept`` / ``transfer_reject``); the sending side may withdraw a request
that still waits (``transfer_cancel``). Until acceptance the child stays where it is, visible
to its own area only; acceptance moves it in one transaction, so that at every moment the
child belongs to exactly one area. A request waiting longer than
``settings.TRANSFER_COUNTY_AFTER_DAYS`` reaches the county (``transfers_escalate``, run daily
by ``manage.py escalate_transfers``).
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import User, Village
from accounts.scoping import can_see_area
from children import caseload
from children.choices import CaseStatus, ChangeAction, TransferState
from children.models import Child, ChildTransfer
from children.services import MERGED_VILLAGE, record_change
from core.permissions import require_perm
from core.versioning import claim_version
from notifications import services as notifications
from notifications.choices import NotificationKind

DEFAULT_COUNTY_AFTER_DAYS = 7
TRANSFER_STALE = gettext_lazy("该转移申请已被他人处理或修改，请查看最新状态。")


def county_after_days() -> int:
    """Days a request may wait before it reaches the county (a setting, 7 by default)."""
    return int(getattr(settings, "TRANSFER_COUNTY_AFTER_DAYS", DEFAULT_COUNTY_AFTER_DAYS))


# --- who may do what -------------------------------------------------------------------------


def can_request(user, child: Child) -> bool:
    """The sending side: a holder of transfer_child who sees the (active) child."""
    return user.has_perm("children.transfer_child") and child.is_active


def can_decide(user, transfer: ChildTransfer) -> bool:
    """The receiving side: a holder of decide_childtransfer whose area holds the receiving
    village (a township supervisor for their township, a director for their village, the
    county for any), never the person who asked."""
    return (
        transfer.is_pending
        and user.has_perm("children.decide_childtransfer")
        and transfer.created_by_id != user.pk
        and can_see_area(
            user, township_id=transfer.to_township_id, village_id=transfer.to_village_id
        )
    )


def can_cancel(user, transfer: ChildTransfer) -> bool:
    """The sending side withdraws a request that still waits."""
    return (
        transfer.is_pending
        and user.has_perm("children.transfer_child")
        and can_see_area(
            user, township_id=transfer.from_township_id, village_id=transfer.from_village_id
        )
    )


def receiving_directors(village: Village):
    """The active child directors of a village, the choices for the new responsible one."""
    return User.objects.filter(
        is_active=True, role=Role.VILLAGE_DIRECTOR, village_id=village.pk
    ).order_by("pk")


def _receivers(transfer: ChildTransfer) -> list[User]:
    """Who is told that a child waits: the receiving village's directors and township's
    supervisors."""
    return [
        *receiving_directors(transfer.to_village),
        *notifications.township_supervisors(transfer.to_township_id),
    ]


def _locked(actor, transfer: ChildTransfer) -> ChildTransfer:
    """The transfer, locked, from the actor's scope; refused once decided."""
    try:
        transfer = ChildTransfer.objects.visible_to(actor).select_for_update().get(pk=transfer.pk)
    except ChildTransfer.DoesNotExist as exc:
        raise PermissionDenied from exc
    if not transfer.is_pending:
        raise ValidationError(
            _("该转移申请已处理（%(state)s），不能再次处理。")
            % {"state": transfer.get_state_display()}
        )
    return transfer


def _close(transfer: ChildTransfer, *, actor, state: str, note: str, expected_version) -> None:
    """Claim the next version (StaleEdit if the form is older than the record) and record
    the decision. Called before anything else is written."""
    claim_version(transfer, expected_version, message=TRANSFER_STALE)
    transfer.state = state
    transfer.decided_by = actor
    transfer.decided_at = timezone.now()
    transfer.decision_note = note[:200]
    transfer.save(
        update_fields=["state", "decided_by", "decided_at", "decision_note", "new_director"]
    )


def _person(user) -> str:
    return user.display_name if user is not None else ""


# --- the services ----------------------------------------------------------------------------


@transaction.atomic
def transfer_request(*, actor, child: Child, to_village: Village, reason: str) -> ChildTransfer:
    """Ask to move a child to another village (of any township). The child stays where it
    is until the receiving side accepts."""
    require_perm(actor, "children.transfer_child")
    try:
        child = Child.objects.visible_to(actor).select_for_update().get(pk=child.pk)
    except Child.DoesNotExist as exc:
        raise PermissionDenied from exc
    if child.status != CaseStatus.ACTIVE:
        raise ValidationError(_("已结案的儿童不能转移。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写转移原因。")})
    if to_village is None:
        raise ValidationError({"to_village": _("请选择转入村/社区。")})
    if not to_village.is_active:
        raise ValidationError({"to_village": MERGED_VILLAGE})
    if to_village.pk == child.village_id:
        raise ValidationError({"to_village": _("儿童已在该村/社区。")})
    if ChildTransfer.objects.filter(child=child, state=TransferState.REQUESTED).exists():
        raise ValidationError(_("该儿童已有一条待接收的转移申请。"))
    transfer = ChildTransfer(
        child=child,
        from_township_id=child.township_id,
        from_village_id=child.village_id,
        to_township_id=to_village.township_id,
        to_village=to_village,
        reason=reason,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError as exc:  # a second request at the same moment
        raise ValidationError(_("该儿童已有一条待接收的转移申请。")) from exc
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.TRANSFER_REQUEST,
        record_type="transfer",
        record_id=transfer.pk,
        note=_("申请转移至%(place)s，等待对方接收。原因：%(reason)s")
        % {"place": str(to_village), "reason": reason},
    )
    notifications.notify_transfer_waiting(
        recipients=_receivers(transfer),
        child_name=child.name,
        url=transfer.get_absolute_url(),
        key=f"transfer:{transfer.pk}:requested",
    )
    return transfer


def _follow_child(*, actor, child: Child, new_director) -> dict:
    """After the move: every open record of the child assigned to someone who no longer
    covers it goes to the new responsible director (or nobody, where allowed). Returns
    {label: count}."""
    moved: dict[str, int] = {}
    for part in caseload.assignments():
        if not part.child_path:  # the child itself: moved by the caller
            continue
        records = (
            part.queryset()
            .filter(**{part.child_path: child})
            .exclude(**{f"{part.field}__isnull": True})
        )
        stale_ids = []
        for record_id, user_id in records.values_list("pk", f"{part.field}_id"):
            user = User.objects.filter(pk=user_id).first()
            if user is None or not Child.objects.visible_to(user).filter(pk=child.pk).exists():
                stale_ids.append((record_id, user))
        if new_director is None and not part.nullable:
            continue
        for record_id, user in stale_ids:
            part.queryset().filter(pk=record_id).update(**{part.field: new_director})
            record_change(
                child=child,
                actor=actor,
                action=ChangeAction.TRANSFER,
                record_type=part.record_type or "record",
                record_id=record_id,
                changes={str(part.label): [_person(user), _person(new_director)]},
                note=_("随儿童转移改由接收地负责。"),
            )
        if stale_ids:
            moved[str(part.label)] = len(stale_ids)
    return moved


@transaction.atomic
def transfer_accept(
    *,
    actor,
    transfer: ChildTransfer,
    expected_version: int | None = None,
    note: str = "",
    new_director=None,
) -> ChildTransfer:
    """The receiving side accepts: the child moves to the receiving village, its responsible
    director becomes one of that village's (``new_director``, or the first one), and its
    open plans and unfinished visits assigned to someone of the old area follow it."""
    require_perm(actor, "children.decide_childtransfer")
    transfer = _locked(actor, transfer)
    if not can_decide(actor, transfer):
        raise PermissionDenied
    child = Child.objects.select_for_update().get(pk=transfer.child_id)
    if child.village_id != transfer.from_village_id:
        raise ValidationError(
            _("儿童已不在申请时的村/社区（可能已撤并或转移），请退回此申请后重新申请。")
        )
    if child.status != CaseStatus.ACTIVE:
        raise ValidationError(_("该儿童已结案，不能接收。请退回此申请。"))
    to_village = Village.objects.select_related("township").get(pk=transfer.to_village_id)
    if not to_village.is_active:
        raise ValidationError(MERGED_VILLAGE)
    directors = receiving_directors(to_village)
    if new_director is not None:
        if not directors.filter(pk=new_director.pk).exists():
            raise ValidationError({"new_director": _("责任儿童主任须为转入村/社区的在用账号。")})
    else:
        new_director = directors.first()

    transfer.new_director = new_director
    _close(
        transfer,
        actor=actor,
        state=TransferState.ACCEPTED,
        note=note,
        expected_version=expected_version,
    )
    before_place, before_director = str(child.village), child.responsible_director
    requested_by = transfer.created_by
    child.township_id, child.village = to_village.township_id, to_village
    child.responsible_director = new_director
    child.version += 1
    child.save(
        update_fields=["township", "village", "responsible_director", "version", "updated_at"]
    )
    changes = {str(_("村/社区")): [before_place, str(to_village)]}
    if getattr(before_director, "pk", None) != getattr(new_director, "pk", None):
        changes[str(_("责任儿童主任"))] = [_person(before_director), _person(new_director)]
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.TRANSFER,
        record_type="transfer",
        record_id=transfer.pk,
        changes=changes,
        note=_("转移至%(place)s：%(asker)s 于 %(asked)s 申请，%(accepter)s 接收。原因：%(reason)s")
        % {
            "place": str(to_village),
            "asker": _person(requested_by),
            "asked": timezone.localtime(transfer.requested_at).strftime("%Y-%m-%d"),
            "accepter": _person(actor),
            "reason": transfer.reason,
        },
    )
    _follow_child(actor=actor, child=child, new_director=new_director)
    return transfer


def _decide(
    *,
    actor,
    transfer: ChildTransfer,
    permission: str,
    may,
    state: str,
    action: str,
    history: str,
    note: str,
    note_missing=None,
    expected_version: int | None,
) -> ChildTransfer:
    """What a refusal and a withdrawal share: the transfer locked from the actor's scope,
    ``may(actor, transfer)`` checked, ``note`` required where ``note_missing`` says what to
    answer without one, the decision recorded and written to the child's history as
    ``history`` (formatted with the receiving place and the note). The child stays."""
    require_perm(actor, permission)
    transfer = _locked(actor, transfer)
    if not may(actor, transfer):
        raise PermissionDenied
    if note_missing is not None and not note:
        raise ValidationError({"note": note_missing})
    _close(transfer, actor=actor, state=state, note=note, expected_version=expected_version)
    record_change(
        child=transfer.child,
        actor=actor,
        action=action,
        record_type="transfer",
        record_id=transfer.pk,
        note=history % {"place": str(transfer.to_village), "note": note},
    )
    return transfer


@transaction.atomic
def transfer_reject(
    *, actor, transfer: ChildTransfer, note: str, expected_version: int | None = None
) -> ChildTransfer:
    """The receiving side refuses, with the reason; the child stays where it is."""
    return _decide(
        actor=actor,
        transfer=transfer,
        permission="children.decide_childtransfer",
        may=can_decide,
        state=TransferState.REJECTED,
        action=ChangeAction.TRANSFER_REJECT,
        history=_("%(place)s退回转移申请：%(note)s"),
        note=(note or "").strip(),
        note_missing=_("退回时请写明原因。"),
        expected_version=expected_version,
    )


@transaction.atomic
def transfer_cancel(
    *, actor, transfer: ChildTransfer, note: str = "", expected_version: int | None = None
) -> ChildTransfer:
    """The sending side withdraws its request."""
    return _decide(
        actor=actor,
        transfer=transfer,
        permission="children.transfer_child",
        may=can_cancel,
        state=TransferState.CANCELLED,
        action=ChangeAction.TRANSFER_CANCEL,
        history=_("撤回转移至%(place)s的申请。%(note)s"),
        note=note,
        expected_version=expected_version,
    )


def transfers_escalate(*, now: dt.datetime | None = None) -> int:
    """Every request waiting longer than the setting reaches the county center, once: the
    conditional UPDATE of ``escalated_at`` is the claim, so a second run does nothing."""
    now = now or timezone.now()
    days = county_after_days()
    done = 0
    waiting = ChildTransfer.objects.overdue(days, now).filter(escalated_at__isnull=True)
    for transfer_id in waiting.values_list("pk", flat=True).order_by("pk"):
        with transaction.atomic():
            claimed = ChildTransfer.objects.filter(
                pk=transfer_id, state=TransferState.REQUESTED, escalated_at__isnull=True
            ).update(escalated_at=now)
            if not claimed:
                continue
            transfer = ChildTransfer.objects.select_related(
                "child", "from_village__township", "to_village__township"
            ).get(pk=transfer_id)
            notifications.notify(
                recipients=notifications.county_center(),
                kind=NotificationKind.TRANSFER_WAITING,
                text=_(
                    "转移申请已等待超过 %(days)d 天未处理，已上报县未保中心："
                    "%(name)s（%(source)s → %(target)s）。"
                )
                % {
                    "days": days,
                    "name": notifications.mask_name(transfer.child.name),
                    "source": str(transfer.from_village),
                    "target": str(transfer.to_village),
                },
                url=transfer.get_absolute_url(),
                key=f"transfer:{transfer.pk}:county",
            )
            done += 1
    return done
