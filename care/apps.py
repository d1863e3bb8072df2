from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

# Directors find children, enter screenings and follow paired children up; they see that a
# screening happened, never its answers or result.
DIRECTOR = [
    "care.view_screening",
    "care.add_screening",
    "care.view_careplan",
    # Directors draft plans and submit them; the township supervisor approves them.
    "care.add_careplan",
    "care.change_careplan",
    "care.view_referral",
    "care.view_pairing",
    "care.view_followup",
    "care.add_followup",
    "care.view_mentor",
    "care.view_institution",
    # Sessions they deliver (心理慰藉, 谈心) under a plan the supervisor made.
    "care.view_servicesession",
    "care.add_servicesession",
    "care.change_servicesession",
    # A director is a mandated reporter (未成年人保护法 第十一条): they record the report they
    # made and may re-read it (IncidentQuerySet.readable_by), never another's. The child
    # page tells them only that an incident exists.
    "care.add_incident",
]
# Supervisors run the township's care work: results, alerts, plans, referrals, pairings.
SUPERVISOR = [
    *DIRECTOR,
    "care.view_screening_details",
    "care.view_safetyalert",
    "care.close_safetyalert",
    "care.approve_careplan",
    "care.add_referral",
    "care.change_referral",
    "care.add_pairing",
    "care.change_pairing",
    "care.add_mentor",
    # The roles that must act on a mandatory report: the township supervisor (民政所) and the
    # county center read every incident of their area, follow it up and export the list.
    "care.view_incident",
    "care.change_incident",
    "care.export_incident",
]
# County staff read everything in the county except screening answers and scores.
COUNTY_STAFF = [
    "care.view_screening",
    "care.view_safetyalert",
    "care.view_careplan",
    "care.view_referral",
    "care.view_pairing",
    "care.view_followup",
    "care.view_mentor",
    "care.view_institution",
    "care.view_servicesession",
    "care.view_incident",
    "care.export_incident",
]
COUNTY_ADMIN = [
    *SUPERVISOR,
    "care.change_caresettings",
    "care.change_mentor",
    "care.add_institution",
    "care.change_institution",
]


class CareConfig(AppConfig):
    name = "care"
    verbose_name = _("关爱服务记录")

    navigation = [
        NavItem(_("关爱服务"), "care:index", "care.view_screening", order=30),
        NavItem(_("待处置预警"), "care:alert_list", "care.view_safetyalert", order=31),
        NavItem(_("强制报告"), "care:incident_list", "care.view_incident", order=32),
        NavItem(_("待审批"), "care:approvals", "care.approve_careplan", order=33),
    ]
    child_timeline = "care.selectors.timeline_entries"
    child_actions = "care.selectors.child_actions"
    # Prominent prompts for the child page (discharged without a pairing, open alert).
    child_notices = "care.selectors.child_notices"
    home_panels = "care.selectors.home_panels"
    handover_providers = "care.caseload.handover_parts"
    ledger_filters = "care.ledger.ledger_filters"
    notification_digest = "care.selectors.digest_items"

    role_permissions = {
        "county_admin": COUNTY_ADMIN,
        "county_staff": COUNTY_STAFF,
        "township_supervisor": SUPERVISOR,
        "village_director": DIRECTOR,
    }
