"""Read-only admin views: every write goes through the portal's pages and services, which
check the area, record the children's history and keep the version."""

from django.contrib import admin

from activities.models import (
    Activity,
    ActivityPhoto,
    ActivityPlan,
    Campaign,
    NeedFound,
    PartnerOrganisation,
    PurchasedService,
    RoleModelStory,
    Training,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ("year", "theme", "start_date", "end_date", "report_deadline")


@admin.register(PartnerOrganisation)
class PartnerOrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "credit_code", "township")
    list_filter = ("kind",)
    search_fields = ("name", "credit_code")


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("title", "township", "campaign", "start_date", "brand")
    list_filter = ("campaign", "township")
    search_fields = ("title", "brand")
    list_select_related = ("township", "campaign")


@admin.register(ActivityPhoto)
class ActivityPhotoAdmin(ReadOnlyAdmin):
    list_display = ("activity", "caption", "content_type", "width", "height", "uploaded_at")
    exclude = ("image", "thumbnail")  # files are served only by the scoped view


@admin.register(PurchasedService)
class PurchasedServiceAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "township", "start_date", "end_date", "amount")
    list_select_related = ("organisation", "township")
    exclude = ("children",)


@admin.register(Training)
class TrainingAdmin(ReadOnlyAdmin):
    list_display = ("date", "topic", "township", "trainer", "hours")
    list_select_related = ("township",)
    exclude = ("attendees",)


@admin.register(ActivityPlan)
class ActivityPlanAdmin(ReadOnlyAdmin):
    list_display = ("title", "township", "campaign", "reported_to_party_on")
    list_filter = ("campaign", "township")
    list_select_related = ("township", "campaign")


@admin.register(RoleModelStory)
class RoleModelStoryAdmin(ReadOnlyAdmin):
    list_display = ("title", "role_model", "township", "campaign", "activity")
    list_filter = ("campaign", "township")
    list_select_related = ("township", "campaign", "activity")


@admin.register(NeedFound)
class NeedFoundAdmin(ReadOnlyAdmin):
    list_display = ("kind", "township", "campaign", "found_on", "due_on", "resolved_on")
    list_filter = ("campaign", "township", "kind")
    list_select_related = ("township", "campaign")
    exclude = ("child",)  # a child's name is shown only on the scoped portal pages
