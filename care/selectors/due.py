"""Care plans due for review and pairings due for follow-up (this week, or overdue), and
referrals ended in discharge that still wait for a pairing."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q

from care import choices, due
from care.models import (
    Pairing,
    Referral,
)
from care.selectors.pairings import pairing_list
from care.selectors.plans import plan_list
from children.choices import CaseStatus

# --- due and overdue -----------------------------------------------------------------------

WHEN_OVERDUE, WHEN_WEEK, WHEN_ALL = "overdue", "week", "all"


def _when_q(field: str, when: str, on: dt.date) -> Q:
    if when == WHEN_OVERDUE:
        return due.overdue_q(field, on=on)
    if when == WHEN_WEEK:
        return due.due_this_week_q(field, on=on)
    # "all": overdue, or due this week
    return due.overdue_q(field, on=on) | due.due_this_week_q(field, on=on)


def due_reviews(user, *, when: str = WHEN_ALL, on: dt.date | None = None):
    """Care plans whose review (方案复核) is overdue or due this week, active cases only."""
    on = on or due.today()
    return (
        plan_list(user)
        .filter(status=choices.PlanStatus.ACTIVE, child__status=CaseStatus.ACTIVE)
        .filter(_when_q("review_on", when, on))
        .order_by("review_on", "pk")
    )


def due_follow_ups(user, *, when: str = WHEN_ALL, on: dt.date | None = None):
    """Pairings whose next follow-up (定期随访) is overdue or due this week, active cases only."""
    on = on or due.today()
    return (
        pairing_list(user)
        .filter(status=choices.PairingStatus.ACTIVE, child__status=CaseStatus.ACTIVE)
        .filter(_when_q("next_follow_up_on", when, on))
        .order_by("next_follow_up_on", "pk")
    )


def awaiting_pairing(queryset=None):
    """Referrals ended in discharge (已出院) for which no pairing has been made yet: the
    referral is not linked to a pairing and the child has no pairing under way."""
    queryset = Referral.objects.all() if queryset is None else queryset
    return (
        queryset.filter(status=choices.ReferralStatus.DISCHARGED, child__status=CaseStatus.ACTIVE)
        .exclude(Exists(Pairing.objects.filter(referral=OuterRef("pk"))))
        .exclude(
            Exists(
                Pairing.objects.filter(child=OuterRef("child"), status=choices.PairingStatus.ACTIVE)
            )
        )
    )
