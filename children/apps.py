from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

VIEW = "children.view_child"
TRANSFERS = "children.view_childtransfer"
DECIDE = "children.decide_childtransfer"
HANDOVER = ["children.handover_caseload", "children.view_caseloadhandover"]
# 家庭户: whoever keeps the ledger of an area keeps its households.
HOUSEHOLD = ["children.view_household", "children.add_household", "children.change_household"]
# Guardians' consent: directors meet the guardians and record the signed forms.
CONSENT = ["children.view_consent", "children.add_consent", "children.change_consent"]
# Closing a case: anyone who keeps the ledger asks; the township supervisor (or the county
# admin) approves.
CLOSURE_REQUEST = ["children.view_closurerequest", "children.add_closurerequest"]
CLOSURE_APPROVE = [*CLOSURE_REQUEST, "children.approve_closurerequest"]


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = _("困境儿童台账")

    navigation = [
        NavItem(_("儿童台账"), "children:list", VIEW, order=10),
        NavItem(_("家庭户"), "children:household_list", "children.view_household", order=11),
        NavItem(_("转移"), "children:transfer_list", TRANSFERS, order=12),
        NavItem(
            _("重复登记核实"), "children:duplicate_checks", "children.view_duplicatecheck", order=13
        ),
    ]
    # Timeline entries and home-page figures this app contributes (see children/timeline.py
    # and reports/selectors.py); other apps declare theirs the same way.
    child_timeline = "children.selectors.timeline_entries"
    home_panels = "children.selectors_transfer.ledger_home_panels"
    handover_providers = "children.caseload.ledger_parts"

    role_permissions = {
        "county_admin": [
            VIEW,
            "children.add_child",
            "children.change_child",
            "children.reveal_id",
            "children.export_ledger",
            "children.import_ledger",
            "children.transfer_child",
            "children.close_child",
            "children.view_access_log",
            "children.view_changelog",
            "children.view_benefitcategoryperiod",
            "children.view_duplicatecheck",
            "children.resolve_duplicatecheck",
            TRANSFERS,
            DECIDE,
            *HANDOVER,
            *HOUSEHOLD,
            *CONSENT,
            *CLOSURE_APPROVE,
        ],
        "county_staff": [
            VIEW,
            "children.export_ledger",
            "children.view_duplicatecheck",
            TRANSFERS,
            "children.view_household",
            "children.view_consent",
            "children.view_closurerequest",
        ],
        "township_supervisor": [
            VIEW,
            "children.add_child",
            "children.change_child",
            "children.reveal_id",
            "children.export_ledger",
            "children.import_ledger",
            "children.transfer_child",
            "children.close_child",
            TRANSFERS,
            DECIDE,
            *HANDOVER,
            *HOUSEHOLD,
            *CONSENT,
            *CLOSURE_APPROVE,
        ],
        # A director asks to move a child of their village and receives children moved in.
        "village_director": [
            VIEW,
            "children.add_child",
            "children.change_child",
            "children.transfer_child",
            TRANSFERS,
            DECIDE,
            *HOUSEHOLD,
            *CONSENT,
            *CLOSURE_REQUEST,
        ],
    }

    def ready(self):
        from children import jobs

        jobs.register_kinds()
