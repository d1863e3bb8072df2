"""Read-only admin views of the reports: every write goes through the workflow services,
which check the area, keep the versions and record who did what."""

from django.contrib import admin

from reports.models import ReportVersion, TownshipReport


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(TownshipReport)
class TownshipReportAdmin(ReadOnlyAdmin):
    list_display = ("campaign", "township", "status", "submitted_at", "on_time", "accepted_at")
    list_filter = ("campaign", "status", "on_time")
    list_select_related = ("campaign", "township")

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(ReportVersion)
class ReportVersionAdmin(ReadOnlyAdmin):
    list_display = ("report", "number", "submitted_at", "on_time", "outcome", "reviewed_at")
    list_filter = ("outcome", "on_time")
    list_select_related = ("report__campaign", "report__township")

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)
