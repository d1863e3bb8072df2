"""Admin for the county admin: the schedule rules (editable) and visits (read-only, scoped).
Writes go through the services, like everywhere else."""

from django.contrib import admin

from children.choices import RiskLevel
from visits import services
from visits.models import Visit, VisitProblem, VisitRule, VisitScheduleSetting


class VisitProblemInline(admin.TabularInline):
    model = VisitProblem
    extra = 0
    can_delete = False
    readonly_fields = ("code",)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    """Read-only: visits are recorded, corrected and reviewed on the portal's own pages,
    which keep the history and the review rules."""

    list_display = ("date", "child", "kind", "visitor", "review_status", "created_at")
    list_filter = ("review_status", "kind", "child__township")
    search_fields = ("child__name", "child__name_pinyin")
    date_hierarchy = "date"
    list_select_related = ("child", "visitor")
    inlines = [VisitProblemInline]
    readonly_fields = [f.name for f in Visit._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VisitRule)
class VisitRuleAdmin(admin.ModelAdmin):
    list_display = ("risk_level", "interval_days")
    list_editable = ("interval_days",)
    ordering = ("interval_days",)

    def get_readonly_fields(self, request, obj=None):
        return ("risk_level",) if obj else ()

    def has_add_permission(self, request):
        # One row per risk level; only a missing level may be added back.
        existing = set(VisitRule.objects.values_list("risk_level", flat=True))
        return super().has_add_permission(request) and bool(set(RiskLevel.values) - existing)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.visit_rule_set(
            actor=request.user, risk_level=obj.risk_level, interval_days=obj.interval_days
        )
        obj.pk = saved.pk


@admin.register(VisitScheduleSetting)
class VisitScheduleSettingAdmin(admin.ModelAdmin):
    list_display = ("__str__", "first_visit_working_days")
    fields = ("first_visit_working_days",)

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not VisitScheduleSetting.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        saved = services.visit_first_visit_days_set(
            actor=request.user, working_days=obj.first_visit_working_days
        )
        obj.pk = saved.pk
