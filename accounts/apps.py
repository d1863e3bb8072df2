from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

COUNTY_ADMIN = "county_admin"


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("用户与区域")

    navigation = [
        NavItem(_("用户管理"), "accounts:user_list", "accounts.manage_users", order=900),
        NavItem(_("村/社区"), "accounts:village_list", "accounts.change_village", order=920),
        NavItem(_("访问日志"), "accounts:access_log", "children.view_access_log", order=950),
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
            # 撤并: moving a village's children, visits and accounts to another village.
            "accounts.merge_village",
            "accounts.view_villagechange",
            # The county admin reads the access log (portal page and read-only admin), sets
            # the security policy, resets a lost authenticator and unlocks a locked login.
            "accounts.view_accesslog",
            "accounts.view_securitypolicy",
            "accounts.change_securitypolicy",
            "otp_totp.view_totpdevice",
            "otp_totp.delete_totpdevice",
            "axes.view_accessattempt",
            "axes.delete_accessattempt",
        ],
    }

    def ready(self):
        from accounts.roles import sync_role_groups

        # After every migrate, so permissions added by any app reach the role groups.
        post_migrate.connect(sync_role_groups, dispatch_uid="accounts.sync_role_groups")

        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from accounts import checks, signals  # noqa: F401  (checks register on import)

        user_logged_in.connect(signals.on_user_logged_in, dispatch_uid="accounts.login")
        user_login_failed.connect(signals.on_user_login_failed, dispatch_uid="accounts.failed")
        user_locked_out.connect(signals.on_user_locked_out, dispatch_uid="accounts.locked")
