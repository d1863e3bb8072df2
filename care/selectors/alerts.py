"""Safety alerts (预警) for their list and page."""

from care.models import (
    AlertEvent,
    SafetyAlert,
)
from care.selectors.common import (
    CHILD_RELATED,
)


def alert_list(user):
    return SafetyAlert.objects.visible_to(user).select_related(
        *CHILD_RELATED, "screening", "closed_by"
    )


def alert_for_page(user, pk):
    return (
        SafetyAlert.objects.visible_to(user)
        .select_related(*CHILD_RELATED, "screening", "closed_by", "care_plan", "referral")
        .get(pk=pk)
    )


def alert_events(alert):
    """The alert's timeline: raised, escalations, closed, with who and when."""
    return AlertEvent.objects.filter(alert=alert).select_related("actor").order_by("at", "pk")
