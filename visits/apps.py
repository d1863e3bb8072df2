from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

VIEW = "visits.view_visit"
ADD = "visits.add_visit"
CHANGE = "visits.change_visit"
REVIEW = "visits.review_visit"


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("家访与谈心谈话")

    navigation = [
        NavItem(_("家访记录"), "visits:list", VIEW, order=20),
        NavItem(_("到期/逾期"), "visits:overdue", VIEW, order=21),
    ]
    child_timeline = "visits.selectors.timeline_entries"
    child_actions = "visits.selectors.child_actions"
    home_panels = "visits.selectors.home_panels"
    handover_providers = "visits.caseload.handover_parts"
    ledger_filters = "visits.ledger.ledger_filters"
    ledger_columns = "visits.ledger.ledger_columns"
    notification_digest = "visits.selectors.digest_items"

    # Directors record and correct visits in their village; supervisors also review them in
    # their township; the county admin does all and sets the schedule; county staff read.
    role_permissions = {
        "county_admin": [
            VIEW,
            ADD,
            CHANGE,
            REVIEW,
            "visits.view_visitrule",
            "visits.change_visitrule",
            "visits.view_visitschedulesetting",
            "visits.change_visitschedulesetting",
        ],
        "county_staff": [VIEW, "visits.view_visitrule", "visits.view_visitschedulesetting"],
        "township_supervisor": [VIEW, ADD, CHANGE, REVIEW, "visits.view_visitrule"],
        "village_director": [VIEW, ADD, CHANGE, "visits.view_visitrule"],
    }
