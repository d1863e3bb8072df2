"""The ledger in Django admin, for the county admin: scoped like every other page and
read-only, because every change must go through the services (history, locking, ID rules)."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from children.models import BenefitCategoryPeriod, ChangeLog, Child, ChildCircumstance
from children.privacy import may_reveal
from children.selectors import looks_like_id_query, search_q


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CircumstanceInline(admin.TabularInline):
    model = ChildCircumstance
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Child)
class ChildAdmin(ReadOnlyAdmin):
    list_display = (
        "name",
        "sex",
        "birth_date",
        "masked_id_number",
        "township",
        "village",
        "benefit_category",
        "risk_level",
        "status",
        "portal_link",
    )
    list_filter = ("status", "risk_level", "benefit_category", "township")
    # The ID number is encrypted and cannot go through the admin's own search (it would ask
    # for ``iexact``): get_search_results adds it by the portal's rule.
    search_fields = ("name", "name_pinyin", "name_initials")
    list_select_related = ("township", "village__township")
    exclude = ("id_number", "document_number")  # shown masked (masked_id_number)
    readonly_fields = ("masked_id_number",)
    inlines = [CircumstanceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        """Names as the admin searches them, and an ID number (or its tail) by the ledger
        list's rule: through the keyed hashes, the tail only without the reveal right."""
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if looks_like_id_query(search_term):
            by_id = search_q(search_term, reveal=may_reveal(request.user))
            results = results | queryset.filter(by_id)
        return results, may_have_duplicates

    @admin.display(description=_("公民身份号码"))
    def masked_id_number(self, obj):
        return obj.masked_id_number

    @admin.display(description=_("门户页面"))
    def portal_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("打开"))


@admin.register(ChangeLog)
class ChangeLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "child", "action", "record_type", "actor")
    list_filter = ("action", "record_type")
    list_select_related = ("child", "actor")
    date_hierarchy = "at"

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)


@admin.register(BenefitCategoryPeriod)
class BenefitCategoryPeriodAdmin(ReadOnlyAdmin):
    list_display = ("child", "category", "started_on", "ended_on", "exit_reason")
    list_filter = ("category",)
    list_select_related = ("child",)

    def get_queryset(self, request):
        return (
            super().get_queryset(request).filter(child__in=Child.objects.visible_to(request.user))
        )
