from care.models.pairings import FollowUp, Mentor, Pairing
from care.models.plans import CarePlan, CarePlanService
from care.models.referrals import Institution, Referral, ReferralStatusChange
from care.models.screening import AlertEvent, CareSettings, SafetyAlert, Screening

__all__ = [
    "AlertEvent",
    "CarePlan",
    "CarePlanService",
    "CareSettings",
    "FollowUp",
    "Institution",
    "Mentor",
    "Pairing",
    "Referral",
    "ReferralStatusChange",
    "SafetyAlert",
    "Screening",
]
