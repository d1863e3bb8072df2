from care.models.pairings import FollowUp, Mentor, Pairing
from care.models.plans import CarePlan, CarePlanService
from care.models.referrals import Institution, Referral, ReferralStatusChange
from care.models.screening import SafetyAlert, Screening

__all__ = [
    "CarePlan",
    "CarePlanService",
    "FollowUp",
    "Institution",
    "Mentor",
    "Pairing",
    "Referral",
    "ReferralStatusChange",
    "SafetyAlert",
    "Screening",
]
