"""Closing a case through a request the township supervisor approves (结案申请 → 审批).

The child stays on the ledger (在册) until the request is approved; approval closes the case
with the request's reason and date (``children.services.child_close``). A request by someone
who may approve it in the child's area (the township supervisor, the county admin) is approved
in the same step: the person who would approve it is the one who asked, as a reviewer's own
visit is approved on saving. Every step is in the child's history."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from children.choices import ChangeAction, CloseReason, ClosureRequestStatus
from children.models import Child, ClosureRequest
from children.services import child_close, record_change
from core.permissions import require_perm
from core.validators import check_record_date
from core.versioning import StaleEdit, claim_version

APPROVE_PERM = "children.approve_closurerequest"
RECORD_TYPE = "closure_request"


def can_approve(user, child: Child) -> bool:
    """The township supervisor of the child's township or the county admin, in their area;
    never a village director."""
    return (
        user.has_perm(APPROVE_PERM)
        and user.has_perm("children.close_child")
        and Child.objects.visible_to(user).filter(pk=child.pk).exists()
    )


def _record(request: ClosureRequest, actor, note: str) -> None:
    record_change(
        child=request.child,
        actor=actor,
        action=ChangeAction.UPDATE,
        record_type=RECORD_TYPE,
        record_id=request.pk,
        changes={str(_("结案申请")): ["", request.get_status_display()]},
        note=note,
    )


@transaction.atomic
def closure_request_create(
    *, actor, child: Child, reason: str, closed_on: dt.date | None = None, note: str = ""
) -> ClosureRequest:
    """Ask to close a case (申请结案) with its reason and date."""
    require_perm(actor, "children.add_closurerequest")
    child = Child.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=child.pk)
    child = child.first()
    if child is None:
        raise PermissionDenied
    if not child.is_active:
        raise ValidationError(_("该儿童已结案。"))
    if ClosureRequest.objects.filter(child=child).pending().exists():
        raise ValidationError(_("该儿童已有待审批的结案申请。"))
    if reason not in CloseReason.values:
        raise ValidationError({"reason": _("请选择结案原因。")})
    closed_on = closed_on or timezone.localdate()
    check_record_date(
        closed_on, field="closed_on", label=_("结案日期"), birth_date=child.birth_date
    )
    note = (note or "").strip()
    if reason == CloseReason.OTHER and not note:
        raise ValidationError({"note": _("结案原因为“其他”时，请填写结案说明。")})
    request = ClosureRequest(
        child=child, reason=reason, closed_on=closed_on, note=note, created_by=actor
    )
    request.full_clean(exclude=["version", "created_by"])
    request.save()
    _record(
        request,
        actor,
        _("申请结案：%(reason)s %(note)s") % {"reason": request.get_reason_display(), "note": note},
    )
    if can_approve(actor, child):
        request = closure_request_approve(
            actor=actor, request=request, expected_version=request.version, own=True
        )
    return request


def _lock(actor, request: ClosureRequest, expected_version: int) -> ClosureRequest:
    require_perm(actor, APPROVE_PERM)
    current = (
        ClosureRequest.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .select_related("child")
        .filter(pk=request.pk)
        .first()
    )
    if current is None or not can_approve(actor, current.child):
        raise PermissionDenied
    if current.version != expected_version:
        raise StaleEdit(current)
    if not current.is_pending:
        raise ValidationError(_("该结案申请已审批。"))
    return current


@transaction.atomic
def closure_request_approve(
    *, actor, request: ClosureRequest, expected_version: int, comment: str = "", own: bool = False
) -> ClosureRequest:
    """Approve a closure request (批准结案): the case closes with the request's reason."""
    request = _lock(actor, request, expected_version)
    comment = (comment or "").strip()
    request.status = ClosureRequestStatus.APPROVED
    request.decided_by, request.decided_at, request.decision_comment = (
        actor,
        timezone.now(),
        comment,
    )
    claim_version(request, expected_version)
    request.save()
    note = _("审批人本人申请，批准结案") if own else _("批准结案申请")
    _record(request, actor, note + (_("：%(c)s") % {"c": comment} if comment else ""))
    child_close(
        actor=actor,
        child=request.child,
        reason=request.reason,
        closed_on=request.closed_on,
        note=request.note,
    )
    return request


@transaction.atomic
def closure_request_return(
    *, actor, request: ClosureRequest, expected_version: int, comment: str
) -> ClosureRequest:
    """Return a closure request with the reason (退回): the child stays on the ledger."""
    request = _lock(actor, request, expected_version)
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("退回时请填写原因。")})
    request.status = ClosureRequestStatus.RETURNED
    request.decided_by, request.decided_at, request.decision_comment = (
        actor,
        timezone.now(),
        comment,
    )
    claim_version(request, expected_version)
    request.save()
    _record(request, actor, _("退回结案申请：%(c)s") % {"c": comment})
    return request
