"""Referrals, their status history and the institutions register."""

from django.db.models import Count

from accounts.scoping import area_q
from care.models import (
    Institution,
    Referral,
)
from care.selectors.common import (
    CHILD_RELATED,
)


def referral_list(user):
    return Referral.objects.visible_to(user).select_related(*CHILD_RELATED, "institution")


def status_history(referral):
    return referral.status_changes.select_related("recorded_by").order_by("changed_on", "pk")


def institution_list(user):
    """The register is county-wide; the count is of the referrals the user may see."""
    return Institution.objects.annotate(
        referral_count=Count(
            "referrals",
            filter=area_q(
                user, township="referrals__child__township", village="referrals__child__village"
            ),
        )
    )
