"""Admin for the county admin: the institution register and mentors are edited here (through
the services); care records are read-only and scoped like every other page. Screening
answers and scores are not shown here: they are read on the app's page, where each view is
logged."""

from django import forms
from django.contrib import admin

from care import services
from care.models import (
    CarePlan,
    FollowUp,
    Institution,
    Mentor,
    Pairing,
    Referral,
    SafetyAlert,
    Screening,
)
from core.validators import validate_phone


class PhoneCheckedForm(forms.ModelForm):
    """Check the phone here so the service called by save_model never refuses it."""

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        if phone:
            validate_phone(phone)
        return phone


@admin.register(Institution)
class InstitutionAdmin(admin.ModelAdmin):
    form = PhoneCheckedForm
    list_display = ("name", "kind", "contact_person", "phone", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "contact_person")
    fields = services.INSTITUTION_FIELDS

    def save_model(self, request, obj, form, change):
        data = {name: getattr(obj, name) for name in services.INSTITUTION_FIELDS}
        existing = Institution.objects.get(pk=obj.pk) if change else None
        saved = services.institution_save(actor=request.user, data=data, institution=existing)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False  # referrals keep pointing at it; mark it 不可选用 instead


@admin.register(Mentor)
class MentorAdmin(admin.ModelAdmin):
    form = PhoneCheckedForm
    list_display = ("name", "kind", "organisation", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "organisation")
    fields = services.MENTOR_FIELDS

    def save_model(self, request, obj, form, change):
        data = {name: getattr(obj, name) for name in services.MENTOR_FIELDS}
        existing = Mentor.objects.get(pk=obj.pk) if change else None
        saved = services.mentor_save(actor=request.user, data=data, mentor=existing)
        obj.pk = saved.pk

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyScopedAdmin(admin.ModelAdmin):
    """Care records are written through the app's pages (services, history); here they are
    only listed, within the admin user's area."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Screening)
class ScreeningAdmin(ReadOnlyScopedAdmin):
    list_display = ("child", "screened_on", "instrument", "respondent", "entered_by")
    list_filter = ("instrument", "child__township")
    list_select_related = ("child", "entered_by")
    date_hierarchy = "screened_on"
    # Never the answers, scores or band (those views must be logged: use the app's page).
    fields = ("child", "screened_on", "instrument", "respondent", "entered_by", "created_at")


@admin.register(SafetyAlert)
class SafetyAlertAdmin(ReadOnlyScopedAdmin):
    list_display = ("child", "kind", "status", "raised_at", "closed_by", "closed_at")
    list_filter = ("status", "kind", "child__township")
    list_select_related = ("child", "closed_by")
    fields = (
        "child", "kind", "status", "raised_at", "closed_by", "closed_at", "resolution",
        "care_plan", "referral", "note",
    )  # fmt: skip


@admin.register(CarePlan)
class CarePlanAdmin(ReadOnlyScopedAdmin):
    list_display = ("child", "started_on", "review_on", "status", "responsible_name")
    list_filter = ("status", "child__township")
    list_select_related = ("child",)


@admin.register(Referral)
class ReferralAdmin(ReadOnlyScopedAdmin):
    list_display = ("child", "institution", "referred_on", "status", "status_on")
    list_filter = ("status", "institution", "child__township")
    list_select_related = ("child", "institution")


@admin.register(Pairing)
class PairingAdmin(ReadOnlyScopedAdmin):
    list_display = ("child", "mentor", "started_on", "next_follow_up_on", "status")
    list_filter = ("status", "child__township")
    list_select_related = ("child", "mentor")


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyScopedAdmin):
    list_display = ("pairing", "followed_on", "by_name")
    list_select_related = ("pairing__child", "pairing__mentor")
