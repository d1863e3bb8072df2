"""The care figures on the home page."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from care import choices, due
from care.models import (
    Referral,
    SafetyAlert,
)
from care.selectors.approvals import closures_awaiting, plans_awaiting, plans_returned
from care.selectors.due import WHEN_OVERDUE, awaiting_pairing, due_follow_ups, due_reviews
from core.extensions import Panel
from notifications.choices import NotificationKind
from notifications.services import DigestItem

# --- home page -----------------------------------------------------------------------------


def home_panels(user):
    panels = []
    today = due.today()
    if user.has_perm("care.view_safetyalert"):
        counts = SafetyAlert.objects.visible_to(user).aggregate(
            open=Count("pk", filter=Q(status=choices.AlertStatus.OPEN)),
            overdue=Count(
                "pk", filter=Q(status=choices.AlertStatus.OPEN, due_at__lte=timezone.now())
            ),
        )
        panels.append(
            Panel(
                _("待处置预警"),
                counts["open"],
                reverse("care:alert_list") + "?status=open",
                tone="danger",
                order=30,
            )
        )
        # Every alert past its deadline in the user's area (the whole county for the county
        # center): the escalations, visible without opening the list.
        panels.append(
            Panel(
                _("逾期未处置预警"),
                counts["overdue"],
                reverse("care:alert_list") + "?" + urlencode({"status": "open", "overdue": "1"}),
                tone="danger" if counts["overdue"] else "secondary",
                order=29,
            )
        )
    approvals_url = reverse("care:approvals")
    if user.has_perm("care.approve_careplan"):
        # The supervisor's to-do list: what waits for their approval.
        count = plans_awaiting(user).count()
        panels.append(
            Panel(
                _("待审批关爱方案"),
                count,
                approvals_url,
                tone="warning" if count else "secondary",
                order=27,
            )
        )
    if user.has_perm("children.approve_closurerequest"):
        count = closures_awaiting(user).count()
        panels.append(
            Panel(
                _("待审批结案申请"),
                count,
                approvals_url,
                tone="warning" if count else "secondary",
                order=28,
            )
        )
    elif user.has_perm("care.add_careplan"):
        count = plans_returned(user).count()
        if count:
            panels.append(
                Panel(
                    _("被退回的关爱方案"),
                    count,
                    reverse("care:plan_list") + "?status=returned",
                    tone="warning",
                    order=27,
                )
            )
    due_url = reverse("care:due_list")
    if user.has_perm("care.view_careplan"):
        count = due_reviews(user, when=WHEN_OVERDUE, on=today).count()
        panels.append(
            Panel(
                _("方案复核逾期"),
                count,
                due_url + "?" + urlencode({"kind": "review", "when": WHEN_OVERDUE}),
                tone="warning",
                order=32,
            )
        )
    if user.has_perm("care.view_pairing"):
        count = due_follow_ups(user, when=WHEN_OVERDUE, on=today).count()
        panels.append(
            Panel(
                _("随访逾期"),
                count,
                due_url + "?" + urlencode({"kind": "follow_up", "when": WHEN_OVERDUE}),
                tone="warning",
                order=33,
            )
        )
    if user.has_perm("care.add_pairing") and user.has_perm("care.view_referral"):
        count = awaiting_pairing(Referral.objects.visible_to(user)).count()
        panels.append(
            Panel(
                _("已出院待结对"),
                count,
                reverse("care:referral_list") + "?awaiting_pairing=1",
                tone="danger" if count else "secondary",
                order=34,
            )
        )
    return panels


def digest_items(user, today):
    """The care lines of a user's daily digest: overdue follow-ups and plan reviews in their
    area, as counts with a link (no names: the digest leaves the portal)."""
    items = []
    due_url = reverse("care:due_list")
    if user.has_perm("care.view_pairing"):
        count = due_follow_ups(user, when=WHEN_OVERDUE, on=today).count()
        if count:
            items.append(
                DigestItem(
                    NotificationKind.FOLLOW_UP_OVERDUE,
                    _("本辖区有 %(n)d 项结对随访已逾期。") % {"n": count},
                    due_url + "?" + urlencode({"kind": "follow_up", "when": WHEN_OVERDUE}),
                )
            )
    return items
