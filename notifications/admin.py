from django.contrib import admin

from notifications.models import Delivery


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Read-only: the log of every send (the portal's page shows the same)."""

    list_display = ("created_at", "recipient", "channel", "status", "attempts", "last_error")
    list_filter = ("channel", "status")
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
