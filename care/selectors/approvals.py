"""The supervisor's to-do list (待审批): care plans and closure requests waiting for their
approval, in their area; and, for whoever drafted plans, the plans returned to them."""

from care.models import CarePlan
from care.selectors.common import CHILD_RELATED
from children.selectors import closures_awaiting

APPROVE_PERM = "care.approve_careplan"

__all__ = ["closures_awaiting", "plans_awaiting", "plans_returned"]


def plans_awaiting(user):
    """Submitted plans this user may approve, oldest submission first."""
    if not user.has_perm(APPROVE_PERM):
        return CarePlan.objects.none()
    return (
        CarePlan.objects.visible_to(user)
        .awaiting_approval()
        .select_related(*CHILD_RELATED, "submitted_by")
        .order_by("submitted_at", "pk")
    )


def plans_returned(user):
    """Plans returned with a comment to the user who submitted them."""
    return (
        CarePlan.objects.visible_to(user)
        .filter(status="returned", submitted_by=user)
        .select_related(*CHILD_RELATED, "decided_by")
        .order_by("-decided_at", "-pk")
    )
