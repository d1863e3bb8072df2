"""Reads of transfers (转移) and hand-overs, each from the user's scope."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.scoping import is_county_wide
from children.choices import TransferState
from children.models import CaseloadHandover, ChildTransfer
from children.selectors import home_panels as ledger_panels
from children.services_transfer import county_after_days
from core.extensions import Panel

RELATED = (
    "child",
    "from_village__township",
    "to_village__township",
    "created_by",
    "decided_by",
    "new_director",
)


def transfer_list(user):
    """Transfers of the user's area, sending or receiving."""
    return ChildTransfer.objects.visible_to(user).select_related(*RELATED)


def transfer_detail(user, pk):
    return transfer_list(user).get(pk=pk)


def pending_transfer(child):
    """The child's waiting request, for its page (转移中), or None."""
    return (
        ChildTransfer.objects.filter(child=child, state=TransferState.REQUESTED)
        .select_related("to_village__township", "created_by")
        .first()
    )


def transfer_history(child):
    return list(
        ChildTransfer.objects.filter(child=child).select_related(*RELATED).order_by("-requested_at")
    )


def handover_list(user):
    return (
        CaseloadHandover.objects.visible_to(user)
        .select_related("from_user", "to_user", "actor", "village", "township")
        .order_by("-at", "-pk")
    )


def home_panels(user) -> list[Panel]:
    """Waiting transfers: to receive (the receiving side), sent and waiting (the sending
    side) and, for the county, those waiting past the deadline. One query."""
    if not user.has_perm("children.view_childtransfer"):
        return []
    url = reverse("children:transfer_list")
    pending = ChildTransfer.objects.pending()
    if is_county_wide(user):
        counts = pending.aggregate(
            waiting=Count("pk"),
            overdue=Count("pk", filter=Q(escalated_at__isnull=False)),
        )
        panels = [Panel(_("待接收的转移"), counts["waiting"], f"{url}?state=requested", order=14)]
        panels.append(
            Panel(
                _("超过 %(days)d 天未接收的转移") % {"days": county_after_days()},
                counts["overdue"],
                f"{url}?state=requested&overdue=1",
                tone="danger" if counts["overdue"] else "secondary",
                order=15,
            )
        )
        return panels
    incoming = pending.on_side(user, 1).values("pk")
    outgoing = pending.on_side(user, 0).values("pk")
    counts = pending.visible_to(user).aggregate(
        incoming=Count("pk", filter=Q(pk__in=incoming)),
        outgoing=Count("pk", filter=Q(pk__in=outgoing)),
    )
    return [
        Panel(
            _("待我方接收的转入儿童"),
            counts["incoming"],
            f"{url}?state=requested&direction=in",
            tone="warning" if counts["incoming"] else "secondary",
            order=14,
        ),
        Panel(
            _("转出待对方接收"),
            counts["outgoing"],
            f"{url}?state=requested&direction=out",
            tone="secondary",
            order=15,
        ),
    ]


def ledger_home_panels(user) -> list[Panel]:
    """This app's home-page figures: the ledger's counts and the waiting transfers."""
    return [*ledger_panels(user), *home_panels(user)]
