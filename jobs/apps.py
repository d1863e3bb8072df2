from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem


class JobsConfig(AppConfig):
    """后台任务: exports, workbooks and imports run by a worker, off the request path."""

    name = "jobs"
    verbose_name = _("后台任务")

    # Every signed-in user may have jobs (their own exports and imports).
    navigation = [NavItem(_("后台任务"), "jobs:list", None, order=960)]
