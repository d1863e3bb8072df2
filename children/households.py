"""Household (家庭户) pages: forms, list filter and table, views. One idea, one module: the
household is a small record of the ledger; its writes are in services_households."""

import django_filters
import django_tables2 as tables
from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.shortcuts import redirect
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView

from accounts.audit import AccessAction, log_access
from accounts.filter_mixins import PortalFilterSetMixin
from accounts.scoping import visible_villages
from children import choices, selectors, services_households
from children.models import ChangeLog, Child, Household
from core.forms import BootstrapFormMixin, apply_errors
from core.paging import PagedTable
from core.table_export import table_workbook, wants_export, xlsx_response
from core.versioning import StaleEdit
from core.views import ScopedObjectMixin

# --- reads -----------------------------------------------------------------------------------


def household_list(user):
    # Explicit order: an aggregate query drops Meta.ordering, and the pages need one.
    return (
        Household.objects.visible_to(user)
        .select_related("township", "village")
        .annotate(n_members=Count("members"))
        .order_by("township__code", "village__code", "name", "pk")
    )


def household_members(household):
    return household.members.select_related("village").order_by("birth_date", "pk")


def member_choices(household_village_id, household_pk=None):
    """Children a household of this village may hold: active, in no other household."""
    from django.db.models import Q

    return (
        Child.objects.active()
        .filter(village_id=household_village_id)
        .filter(Q(household__isnull=True) | Q(household_id=household_pk))
        .order_by("name_pinyin", "pk")
    )


# --- forms -----------------------------------------------------------------------------------


class MemberField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.get_sex_display()}，{obj.age}岁）"


class HouseholdForm(BootstrapFormMixin, forms.ModelForm):
    members = MemberField(label=gettext_lazy("同户儿童"), queryset=Child.objects.none())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Household
        fields = ["name", "address", "guardian_name", "guardian_relation", "guardian_phone", "note"]
        error_messages = {
            "name": {"required": gettext_lazy("请填写户名。")},
            "guardian_name": {"required": gettext_lazy("请填写实际监护人。")},
        }

    def __init__(self, *args, village_id, household=None, editing=False, **kwargs):
        super().__init__(*args, instance=household, **kwargs)
        self.fields["members"].queryset = member_choices(
            village_id, household.pk if household else None
        )
        self.fields["members"].error_messages["required"] = _("请至少选择一名儿童。")
        if editing:
            # The guardian changes through its own form, for the whole household.
            for name in services_households.GUARDIAN_FIELDS:
                self.fields.pop(name)
            self.fields["version"].initial = household.version
            self.fields["members"].initial = list(household.members.values_list("pk", flat=True))
        else:
            self.fields.pop("version")

    def _post_clean(self):
        pass  # the services validate

    def household_data(self) -> dict:
        names = [*services_households.HOUSEHOLD_FIELDS, *services_households.GUARDIAN_FIELDS]
        return {n: self.cleaned_data[n] for n in names if n in self.cleaned_data}


class GuardianChangeForm(BootstrapFormMixin, forms.Form):
    guardian_name = forms.CharField(label=gettext_lazy("新的实际监护人"), max_length=50)
    guardian_relation = forms.ChoiceField(
        label=gettext_lazy("与儿童关系"),
        choices=[("", "---------"), *choices.GuardianRelation.choices],
        required=False,
    )
    guardian_phone = forms.CharField(
        label=gettext_lazy("监护人电话"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("新监护人的电话；不填则本户儿童的监护人电话清空。"),
    )
    note = forms.CharField(
        label=gettext_lazy("变更原因"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={"placeholder": gettext_lazy("如：母亲返乡，监护人由祖母改为母亲")}
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class HouseholdFilter(PortalFilterSetMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(label=gettext_lazy("户名/监护人"), method="filter_q")
    village = django_filters.ModelChoiceFilter(label=gettext_lazy("村/社区"), queryset=None)

    class Meta:
        model = Household
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user if request else None
        self.filters["village"].queryset = visible_villages(user) if user else None

    def filter_q(self, queryset, name, value):
        from django.db.models import Q

        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(guardian_name__icontains=value))


class HouseholdTable(PagedTable):
    name = tables.Column(verbose_name=gettext_lazy("户名"))
    area = tables.Column(
        verbose_name=gettext_lazy("乡镇/村"),
        accessor="village__name",
        order_by=("village__code", "name", "pk"),  # stable pages within a village
    )
    n_members = tables.Column(verbose_name=gettext_lazy("同户儿童（人）"))
    guardian_name = tables.Column(verbose_name=gettext_lazy("实际监护人"))
    guardian_relation = tables.Column(verbose_name=gettext_lazy("与儿童关系"))
    guardian_phone = tables.Column(verbose_name=gettext_lazy("监护人电话"), empty_values=())

    class Meta:
        model = Household
        fields = ("name", "area", "n_members", "guardian_name", "guardian_relation")
        sequence = ("name", "area", "n_members", "guardian_name", "guardian_relation")
        order_by = ("area",)

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.name)

    def value_name(self, record):
        return record.name

    def render_area(self, record):
        return f"{record.township.name} {record.village.name}"

    value_area = render_area

    def render_guardian_phone(self, record):
        return record.masked_guardian_phone or "—"

    value_guardian_phone = render_guardian_phone


# --- views -----------------------------------------------------------------------------------


class HouseholdListView(PermissionRequiredMixin, tables.SingleTableMixin, FilterView):
    permission_required = "children.view_household"
    raise_exception = True
    table_class = HouseholdTable
    filterset_class = HouseholdFilter
    template_name = "children/household_list.html"
    paginate_by = 50

    def get_queryset(self):
        return household_list(self.request.user)

    def get(self, request, *args, **kwargs):
        if not wants_export(request):
            return super().get(request, *args, **kwargs)
        filterset = self.get_filterset(self.get_filterset_class())
        rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        log_access(
            action=AccessAction.EXPORT,
            request=request,
            target_type="household",
            target_label=_("家庭户"),
            detail={"rows": rows.count()},
        )
        title = _("家庭户")
        return xlsx_response(table_workbook(HouseholdTable(rows), title=title), f"{title}.xlsx")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("page", None)
        query["export"] = "xlsx"
        context["export_url"] = "?" + query.urlencode()
        return context


class ChildHouseholdCreateView(ScopedObjectMixin, PermissionRequiredMixin, FormView):
    """Make a household starting from one child's page: its village, its guardian."""

    permission_required = "children.add_household"
    raise_exception = True
    form_class = HouseholdForm
    template_name = "children/household_form.html"

    def scoped_lookup(self, user, pk):
        return selectors.child_detail(user, pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "village_id": self.get_scoped_object().village_id}

    def get_initial(self):
        child = self.get_scoped_object()
        return {
            "name": _("%(name)s家") % {"name": (child.guardian_name or child.name)[:1]},
            "address": child.address,
            "guardian_name": child.guardian_name,
            "guardian_relation": child.guardian_relation,
            "guardian_phone": child.guardian_phone
            if self.request.user.has_perm("children.reveal_id")
            else "",
            "members": [child.pk],
        }

    def get_context_data(self, **kwargs):
        child = self.get_scoped_object()
        return super().get_context_data(**kwargs) | {
            "title": _("建立家庭户"),
            "intro": _(
                "勾选与%(name)s同住、由同一监护人照料的兄弟姐妹。保存后，所选儿童的实际监护人"
                "统一为本户监护人，并各自记入变更记录。"
            )
            % {"name": child.name},
            "back_url": child.get_absolute_url(),
        }

    def form_valid(self, form):
        child = self.get_scoped_object()
        if child.household_id:
            form.add_error(None, _("该儿童已属于一个家庭户。"))
            return self.form_invalid(form)
        data = form.household_data()
        # A role that may not see full phones was not shown the child's: a blank phone for
        # the same guardian keeps the one on record rather than erasing it from every child.
        if not data.get("guardian_phone") and data.get("guardian_name") == child.guardian_name:
            data["guardian_phone"] = child.guardian_phone
        try:
            household = services_households.household_create(
                actor=self.request.user,
                village=child.village,
                data=data,
                members=form.cleaned_data["members"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("家庭户已建立。"))
        return redirect(household)


class HouseholdMixin(ScopedObjectMixin):
    def scoped_queryset(self):
        return Household.objects.select_related("township", "village")

    def get_household(self) -> Household:
        return self.get_scoped_object()


class HouseholdDetailView(HouseholdMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "children.view_household"
    raise_exception = True
    template_name = "children/household_detail.html"

    def get_context_data(self, **kwargs):
        household = self.get_household()
        members = list(household_members(household))
        log_access(
            action=AccessAction.VIEW_CHILD,
            request=self.request,
            target=household,
            detail={"children": [child.pk for child in members]},
        )
        user = self.request.user
        return super().get_context_data(**kwargs) | {
            "household": household,
            "members": members,
            "history": ChangeLog.objects.visible_to(user)
            .filter(record_type=services_households.RECORD_TYPE, record_id=household.pk)
            .select_related("child", "actor")[:40],
            "can_change": user.has_perm("children.change_household"),
            "can_record_visit": user.has_perm("visits.add_visit")
            and any(child.is_active for child in members),
        }


class HouseholdEditView(HouseholdMixin, PermissionRequiredMixin, FormView):
    permission_required = "children.change_household"
    raise_exception = True
    form_class = HouseholdForm
    template_name = "children/household_form.html"

    def get_form_kwargs(self):
        household = self.get_household()
        return {
            **super().get_form_kwargs(),
            "village_id": household.village_id,
            "household": household,
            "editing": True,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "title": _("修改家庭户"),
            "back_url": self.get_household().get_absolute_url(),
        }

    def form_valid(self, form):
        try:
            household = services_households.household_update(
                actor=self.request.user,
                household=self.get_household(),
                expected_version=form.cleaned_data.get("version") or 0,
                data=form.household_data(),
                members=form.cleaned_data["members"],
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("家庭户已保存。"))
        return redirect(household)


class HouseholdGuardianView(HouseholdMixin, PermissionRequiredMixin, FormView):
    """监护人变更 for the whole household at once."""

    permission_required = ("children.change_household", "children.change_child")
    raise_exception = True
    form_class = GuardianChangeForm
    template_name = "children/household_form.html"

    def get_initial(self):
        household = self.get_household()
        return {
            "guardian_name": household.guardian_name,
            "guardian_relation": household.guardian_relation,
            "version": household.version,
        }

    def get_context_data(self, **kwargs):
        household = self.get_household()
        return super().get_context_data(**kwargs) | {
            "title": _("监护人变更：%(name)s") % {"name": household.name},
            "intro": _("保存后，本户所有儿童的实际监护人一并变更，并各自记入变更记录。"),
            "back_url": household.get_absolute_url(),
        }

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            household = services_households.household_change_guardian(
                actor=self.request.user,
                household=self.get_household(),
                expected_version=data["version"],
                data={name: data[name] for name in services_households.GUARDIAN_FIELDS},
                note=data["note"],
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        except PermissionDenied:
            raise
        messages.success(self.request, _("监护人已变更，本户儿童已一并更新。"))
        return redirect(household)
