from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    """Notifications off the portal and in it: the in-app inbox, e-mail and SMS.

    Sits above accounts and children and below the apps that raise what must be acted on
    (care, visits, reports): they call ``notifications.services.notify``; the daily digest
    asks each app for its overdue summaries through ``notification_digest`` (a provider
    named on the AppConfig, as the home panels are).
    """

    name = "notifications"
    verbose_name = _("通知")

    home_panels = "notifications.selectors.home_panels"

    role_permissions = {"county_admin": ["notifications.view_delivery"]}
