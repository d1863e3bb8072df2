"""The care figures on the home page."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from care import choices, due
from care.models import (
    Referral,
)
from care.selectors.alerts import alert_list
from care.selectors.due import WHEN_OVERDUE, awaiting_pairing, due_follow_ups, due_reviews
from core.extensions import Panel

# --- home page -----------------------------------------------------------------------------


def home_panels(user):
    panels = []
    today = due.today()
    if user.has_perm("care.view_safetyalert"):
        count = alert_list(user).filter(status=choices.AlertStatus.OPEN).count()
        panels.append(
            Panel(
                _("待处置预警"),
                count,
                reverse("care:alert_list") + "?status=open",
                tone="danger",
                order=30,
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
