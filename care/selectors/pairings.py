"""Pairings, their follow-ups and the mentors register."""

from django.db.models import Count, Q

from accounts.scoping import area_q
from care import choices
from care.models import (
    Mentor,
    Pairing,
)
from care.selectors.common import (
    CHILD_RELATED,
)


def pairing_list(user):
    return Pairing.objects.visible_to(user).select_related(*CHILD_RELATED, "mentor")


def follow_ups_of(pairing):
    return pairing.follow_ups.select_related("by_user").order_by("-followed_on", "-pk")


def mentor_list(user):
    """Mentors are county-wide; the figure counts only the pairings the user may see."""
    return Mentor.objects.annotate(
        active_pairings=Count(
            "pairings",
            filter=Q(pairings__status=choices.PairingStatus.ACTIVE)
            & area_q(
                user, township="pairings__child__township", village="pairings__child__village"
            ),
        )
    )


def mentor_children(user, mentor):
    """The mentor's pairings, only for children the user may see."""
    return pairing_list(user).filter(mentor=mentor).order_by("status", "-started_on")
