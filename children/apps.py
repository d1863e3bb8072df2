from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

VIEW = "children.view_child"
# 家庭户: whoever keeps the ledger of an area keeps its households.
HOUSEHOLD = ["children.view_household", "children.add_household", "children.change_household"]


class ChildrenConfig(AppConfig):
    name = "children"
    verbose_name = _("困境儿童台账")

    navigation = [
        NavItem(_("儿童台账"), "children:list", VIEW, order=10),
        NavItem(_("家庭户"), "children:household_list", "children.view_household", order=11),
    ]
    # Timeline entries and home-page figures this app contributes (see children/timeline.py
    # and reports/selectors.py); other apps declare theirs the same way.
    child_timeline = "children.selectors.timeline_entries"
    home_panels = "children.selectors.home_panels"

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
            *HOUSEHOLD,
        ],
        "county_staff": [VIEW, "children.export_ledger", "children.view_household"],
        "township_supervisor": [
            VIEW,
            "children.add_child",
            "children.change_child",
            "children.reveal_id",
            "children.export_ledger",
            "children.import_ledger",
            "children.transfer_child",
            "children.close_child",
            *HOUSEHOLD,
        ],
        "village_director": [VIEW, "children.add_child", "children.change_child", *HOUSEHOLD],
    }

    def ready(self):
        from children import jobs

        jobs.register_kinds()
