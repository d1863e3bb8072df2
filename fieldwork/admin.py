from django.contrib import admin

from fieldwork.models import OfflineSettings, SyncReceipt


@admin.register(OfflineSettings)
class OfflineSettingsAdmin(admin.ModelAdmin):
    list_display = ["__str__", "max_days_unrefreshed", "updated_at"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not OfflineSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SyncReceipt)
class SyncReceiptAdmin(admin.ModelAdmin):
    """Read-only: the receipts are the server's memory of what it has written."""

    list_display = ["key", "kind", "user", "record_type", "record_id", "synced_at"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
