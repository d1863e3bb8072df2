from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

WORK_OFFLINE = "fieldwork.work_offline"


class FieldworkConfig(AppConfig):
    name = "fieldwork"
    verbose_name = _("离线外勤")

    navigation = [NavItem(_("离线外勤"), "fieldwork:app", WORK_OFFLINE, order=25)]

    # The roles that work in the villages: the village child director and the township
    # supervisor. The county admin sets how long a device may keep the caseload.
    role_permissions = {
        "county_admin": [
            "fieldwork.view_offlinesettings",
            "fieldwork.change_offlinesettings",
        ],
        "township_supervisor": [WORK_OFFLINE],
        "village_director": [WORK_OFFLINE],
    }
