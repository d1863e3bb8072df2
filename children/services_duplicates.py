"""The county center's answer to a 重复登记核实 request (a number registered in another area).

Apart from children/services.py because the answer may start a transfer
(children/services_transfer.py), which itself builds on the ledger's services."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import DuplicateCheck, DuplicateCheckKind, DuplicateCheckStatus
from children.services_transfer import transfer_request

RESOLVE_TRANSFER = "transfer"
RESOLVE_REJECT = "reject"


@transaction.atomic
def duplicate_check_resolve(*, actor, check: DuplicateCheck, decision: str, note: str = ""):
    """The county center's answer: ask to move the registered child to the village that
    asked for it, or reject. The move is a transfer request like any other (转移中 until the
    receiving village or its township accepts it, with the child's history), so a child is
    never moved past the receiving side. Every open request for the same child from the
    same village is answered with it."""
    if not actor.has_perm("children.resolve_duplicatecheck"):
        raise PermissionDenied
    check = DuplicateCheck.objects.select_for_update().get(pk=check.pk)
    if check.status != DuplicateCheckStatus.OPEN:
        raise ValidationError(_("该核实申请已处理。"))
    if decision == RESOLVE_TRANSFER and check.kind == DuplicateCheckKind.PERSON:
        # Both records exist: which one stays is decided on the children's pages (close
        # the other with a reason); here the request is answered with a note.
        raise ValidationError(
            {
                "decision": _(
                    "无身份证号的疑似重复：请在儿童页面核对并结案其中一条，此处填写说明后驳回。"
                )
            }
        )
    if decision == RESOLVE_TRANSFER:
        child = check.existing
        if child.village_id != check.village_id:
            transfer_request(
                actor=actor,
                child=child,
                to_village=check.village,
                reason=note or _("县未保中心核实重复登记后转入"),
            )
        status = DuplicateCheckStatus.TRANSFERRED
    elif decision == RESOLVE_REJECT:
        if not note.strip():
            raise ValidationError({"note": _("驳回时请填写说明。")})
        status = DuplicateCheckStatus.REJECTED
    else:
        raise ValidationError({"decision": _("请选择处理方式。")})
    same = DuplicateCheck.objects.select_for_update().filter(
        existing_id=check.existing_id, village_id=check.village_id, status=DuplicateCheckStatus.OPEN
    )
    now = timezone.now()
    for item in same:
        item.status, item.resolved_by, item.resolved_at = status, actor, now
        item.resolution_note = note[:300]
        item.save(update_fields=["status", "resolved_by", "resolved_at", "resolution_note"])
    check.refresh_from_db()
    return check
