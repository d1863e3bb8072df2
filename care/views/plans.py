"""Care plan pages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from care import due, filters, forms, selectors, services, tables
from care.models import (
    CarePlan,
)
from care.views.alerts import after_create_for_alert
from care.views.common import (
    CareListView,
    ChildRecordEditView,
    ChildRecordFormView,
    ScopedObjectMixin,
)
from children.forms_casework import DecisionForm
from core.forms import apply_errors

# --- care plans ----------------------------------------------------------------------------


class CarePlanListView(CareListView):
    permission_required = "care.view_careplan"
    table_class = tables.CarePlanTable
    filterset_class = filters.CarePlanFilter
    title = gettext_lazy("心理关爱方案")

    def get_queryset(self):
        return selectors.plan_list(self.request.user)


class CarePlanCreateView(ChildRecordFormView):
    permission_required = "care.add_careplan"
    form_class = forms.CarePlanForm
    title = gettext_lazy("制定心理关爱方案")
    template_name = "care/plan_form.html"

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        services_chosen = data.pop("services")
        submit = "draft" not in self.request.POST
        try:
            plan = services.care_plan_create(
                actor=self.request.user,
                child=self.child,
                data=data,
                services=services_chosen,
                submit=submit,
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        if plan.is_approved:
            messages.success(self.request, _("关爱方案已保存并批准。"))
        elif plan.awaits_approval:
            messages.success(self.request, _("关爱方案已提交，待乡镇督导员审批。"))
        else:
            messages.success(self.request, _("关爱方案草稿已保存。"))
        return after_create_for_alert(self.request, self.child, "care_plan", plan) or redirect(
            plan.get_absolute_url()
        )


class CarePlanDetailView(ScopedObjectMixin, TemplateView):
    scoped_model = CarePlan
    permission_required = "care.view_careplan"
    template_name = "care/plan_detail.html"

    def get_scoped_queryset(self):
        return CarePlan.objects.select_related(
            "child",
            "child__township",
            "child__village",
            "responsible_user",
            "created_by",
            "submitted_by",
            "decided_by",
        ).prefetch_related("services")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        context["plan"] = plan
        context["child"] = plan.child
        context["child_url"] = selectors.child_url(plan.child)
        context["review_overdue"] = plan.is_active and due.is_overdue(plan.review_on)
        user = self.request.user
        context["sessions"] = (
            list(selectors.sessions_of(plan)) if user.has_perm("care.view_servicesession") else None
        )
        context["can_add_session"] = (
            user.has_perm("care.add_servicesession") and plan.is_active and plan.child.is_active
        )
        context["can_edit_session"] = user.has_perm("care.change_servicesession")
        context["can_edit"] = services.can_edit(user, plan)
        context["can_submit"] = plan.is_editable_draft and context["can_edit"]
        if plan.awaits_approval and services.can_approve(user, plan):
            context["decision_form"] = DecisionForm(initial={"version": plan.version})
        return context


class CarePlanEditView(ChildRecordEditView):
    scoped_model = CarePlan
    permission_required = "care.change_careplan"
    form_class = forms.CarePlanEditForm
    title = gettext_lazy("修改/复核关爱方案")

    def get_scoped_queryset(self):
        return CarePlan.objects.select_related("child").prefetch_related("services")

    def has_edit_right(self):
        return services.can_edit(self.request.user, self.object)

    def get(self, request, *args, **kwargs):
        if not self.has_edit_right():
            raise PermissionDenied
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if not self.has_edit_right():
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        services_chosen = data.pop("services")
        version = data.pop("version")
        try:
            plan = services.care_plan_update(
                actor=self.request.user,
                plan=self.object,
                expected_version=version,
                data=data,
                services=services_chosen,
            )
        except services.StaleEdit as exc:
            return self.stale(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("关爱方案已更新。"))
        return redirect(plan.get_absolute_url())
