from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

VIEW = "reports.view_townshipreport"
DASHBOARD = "reports.view_dashboard"
SUBMIT = "reports.submit_report"
REVIEW = "reports.review_report"
REOPEN = "reports.reopen_report"


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("报表与统计")

    navigation = [
        NavItem(_("统计报表"), "reports:index", VIEW, order=60),
        NavItem(_("数据看板"), "reports:dashboard", DASHBOARD, order=61),
    ]
    home_panels = "reports.selectors.report_panels"

    # The township supervisor writes and submits the township's report; county staff review
    # (return, accept) and the county admin also reopens a submitted report. Village
    # directors hold no report permission at all.
    role_permissions = {
        "county_admin": [VIEW, DASHBOARD, REVIEW, REOPEN, "reports.view_reportversion"],
        "county_staff": [VIEW, DASHBOARD, REVIEW, "reports.view_reportversion"],
        "township_supervisor": [VIEW, DASHBOARD, SUBMIT, "reports.view_reportversion"],
    }

    def ready(self):
        from reports import jobs

        jobs.register_kinds()
