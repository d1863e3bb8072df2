from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from longsheng_care.navigation import NavItem

COUNTY_ADMIN = "county_admin"


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("用户与区域")

    navigation = [
        NavItem(_("用户管理"), "accounts:user_list", "accounts.manage_users", order=900),
    ]
    role_permissions = {
        COUNTY_ADMIN: [
            "accounts.manage_users",
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "accounts.view_township",
            "accounts.view_village",
            "accounts.add_village",
            "accounts.change_village",
        ],
    }

    def ready(self):
        from accounts.roles import sync_role_groups

        # After every migrate, so permissions added by any app reach the role groups.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")
