from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import AccessLog, SecurityPolicy, Township, User, Village, VillageChange


class PortalUserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "name", "phone", "role", "township", "village")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """用户管理 for the county admin: role and area are what decide what a user sees."""

    add_form = PortalUserCreationForm
    list_display = ("username", "name", "role", "township", "village", "is_active", "last_login")
    list_filter = ("role", "is_active", "township")
    search_fields = ("username", "name", "phone")
    list_select_related = ("township", "village")
    ordering = ("township__code", "username")
    actions = ["deactivate_users", "reset_passwords"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("基本信息"), {"fields": ("name", "phone", "email")}),
        (_("角色与区域"), {"fields": ("role", "township", "village", "is_active")}),
        (_("登录记录"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "name",
                    "phone",
                    "role",
                    "township",
                    "village",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    def save_model(self, request, obj, form, change):
        services.user_save(user=obj)

    def save_related(self, request, form, formsets, change):
        # Groups follow the role (set in user_save); the form has no group field to save.
        pass

    @admin.action(description=_("停用所选用户"))
    def deactivate_users(self, request, queryset):
        for user in queryset:
            services.user_deactivate(user=user)
        self.message_user(request, _("已停用 %(n)d 个用户。") % {"n": queryset.count()})

    @admin.action(description=_("重置所选用户的密码（生成临时密码）"))
    def reset_passwords(self, request, queryset):
        for user in queryset:
            password = services.user_reset_password(user=user)
            self.message_user(
                request,
                _("%(u)s 的临时密码：%(p)s（只显示这一次，请当面或电话告知本人）")
                % {"u": user.username, "p": password},
                level=messages.WARNING,
            )


class VillageInline(admin.TabularInline):
    model = Village
    extra = 0
    fields = ("code", "name", "status")
    readonly_fields = ("status",)


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "former_name")
    inlines = [VillageInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "township", "status", "merged_into")
    list_filter = ("township", "status")
    search_fields = ("name", "code")
    list_select_related = ("township", "merged_into")
    fields = ("township", "code", "name", "status", "merged_into", "retired_on")
    # Status and merges change only through the audited 撤并 page, which moves the
    # children and accounts with them.
    readonly_fields = ("status", "merged_into", "retired_on")

    def get_readonly_fields(self, request, obj=None):
        # Moving an existing village to another township would leave its children's
        # township behind; that is a 撤并, not an edit.
        if obj is not None:
            return (*self.readonly_fields, "township")
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(VillageChange)
class VillageChangeAdmin(admin.ModelAdmin):
    """区划变更记录, read-only: written by the load and the 撤并 services only."""

    list_display = ("at", "kind", "village", "target", "actor", "note")
    list_filter = ("kind",)
    list_select_related = ("village__township", "target__township", "actor")
    readonly_fields = [field.name for field in VillageChange._meta.fields]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """访问日志, read-only: nobody adds, changes or deletes an entry through the application
    (the model refuses it too); ``prune_access_log`` is the only way entries go."""

    list_display = ("at", "username", "action", "target_label", "target_type", "target_id", "ip")
    list_filter = ("action", ("user", admin.RelatedOnlyFieldListFilter), "at")
    date_hierarchy = "at"
    search_fields = ("username", "target_label", "target_id", "path", "ip")
    list_select_related = ("user",)
    readonly_fields = [field.name for field in AccessLog._meta.fields]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SecurityPolicy)
class SecurityPolicyAdmin(admin.ModelAdmin):
    """安全策略: one row, edited by the county admin; never added twice or deleted."""

    list_display = ("__str__", "require_otp_for_county_roles", "updated_at")
    fields = ("require_otp_for_county_roles", "updated_at")
    readonly_fields = ("updated_at",)
    actions = None

    def has_add_permission(self, request):
        return not SecurityPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False
