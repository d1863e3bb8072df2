"""Conditions the ledger's filters use (open alert, screened, referred, paired) as ``Exists``
expressions on the child."""

import datetime as dt

from django.db.models import Exists, OuterRef

from care import choices
from care.models import (
    Pairing,
    Referral,
    SafetyAlert,
    Screening,
)

# --- what the ledger's filters use (offered to the ledger by care/ledger.py) ---------------


def child_has_open_alert() -> Exists:
    """``Child.objects.filter(child_has_open_alert())``: an open 待处置预警."""
    return Exists(SafetyAlert.objects.filter(child=OuterRef("pk"), status=choices.AlertStatus.OPEN))


def child_screened_between(start: dt.date | None, end: dt.date | None) -> Exists:
    """Screened (any instrument) between two dates, inclusive; either end may be open."""
    screenings = Screening.objects.filter(child=OuterRef("pk"))
    if start:
        screenings = screenings.filter(screened_on__gte=start)
    if end:
        screenings = screenings.filter(screened_on__lte=end)
    return Exists(screenings)


def child_referred(*, open_only: bool = False) -> Exists:
    """Has a referral (any, or only one still with the institution)."""
    referrals = Referral.objects.filter(child=OuterRef("pk"))
    if open_only:
        referrals = referrals.filter(status__in=choices.REFERRAL_OPEN_STATUSES)
    return Exists(referrals)


def child_paired() -> Exists:
    """Has a pairing under way (结对帮扶中)."""
    return Exists(Pairing.objects.filter(child=OuterRef("pk"), status=choices.PairingStatus.ACTIVE))
