from care.models.incidents import Incident
from care.models.pairings import FollowUp, Mentor, Pairing
from care.models.plans import CarePlan, CarePlanService
from care.models.referrals import Institution, Referral, ReferralStatusChange
from care.models.screening import AlertEvent, CareSettings, SafetyAlert, Screening
from care.models.sessions import ServiceSession

__all__ = [
    "AlertEvent",
    "CarePlan",
    "CarePlanService",
    "CareSettings",
    "FollowUp",
    "Incident",
    "Institution",
    "Mentor",
    "Pairing",
    "Referral",
    "ReferralStatusChange",
    "SafetyAlert",
    "Screening",
    "ServiceSession",
]
