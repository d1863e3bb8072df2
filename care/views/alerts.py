"""Safety alert pages: list and the handling page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView

from care import choices, filters, forms, selectors, services, tables
from care.models import (
    CareSettings,
    SafetyAlert,
)
from care.views.common import (
    CareListView,
    ListPermissionMixin,
    ScopedObjectMixin,
)
from core.forms import apply_errors

# --- safety alerts -------------------------------------------------------------------------


class AlertListView(CareListView):
    permission_required = "care.view_safetyalert"
    table_class = tables.AlertTable
    filterset_class = filters.AlertFilter
    title = gettext_lazy("待处置预警")
    template_name = "care/alert_list.html"

    def get_queryset(self):
        return selectors.alert_list(self.request.user)

    def get_filterset_kwargs(self, filterset_class):
        kwargs = super().get_filterset_kwargs(filterset_class)
        # Open alerts unless a status was chosen (「全部」 sends an empty one): that is what
        # the page is for, and paging must not drop it.
        data = kwargs["data"]
        if data is None or "status" not in data:
            data = data.copy() if data is not None else {}
            data["status"] = choices.AlertStatus.OPEN
            kwargs["data"] = data
        return kwargs


class AlertDetailView(ScopedObjectMixin, TemplateView):
    scoped_model = SafetyAlert
    permission_required = "care.view_safetyalert"
    template_name = "care/alert_detail.html"

    def get_scoped_queryset(self):
        return SafetyAlert.objects.select_related(
            "child",
            "child__township",
            "child__village",
            "screening",
            "closed_by",
            "care_plan",
            "referral__institution",
        )

    def can_close(self):
        return self.object.is_open and self.request.user.has_perm("care.close_safetyalert")

    def get_form(self, data=None):
        initial = {}
        for key in ("care_plan", "referral"):
            if key in self.request.GET:
                # Back from making the plan or referral: that action ticked, the record chosen.
                initial = {"actions": [key], key: self.request.GET[key]}
        return forms.AlertCloseForm(
            data, user=self.request.user, alert=self.object, initial=initial
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        alert = self.object
        context["alert"] = alert
        context["child"] = alert.child
        context["child_url"] = selectors.child_url(alert.child)
        context["events"] = selectors.alert_events(alert)
        if self.can_close():
            context.setdefault("form", kwargs.get("form") or self.get_form())
            query = urlencode({"alert": alert.pk})
            context["plan_create_url"] = (
                reverse("care:plan_create", args=[alert.child_id]) + "?" + query
            )
            context["referral_create_url"] = (
                reverse("care:referral_create", args=[alert.child_id]) + "?" + query
            )
        return context

    def post(self, request, *args, **kwargs):
        if not request.user.has_perm("care.close_safetyalert"):
            raise PermissionDenied
        form = self.get_form(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.alert_close(
                    actor=request.user,
                    alert=self.object,
                    actions=data["actions"],
                    care_plan=data.get("care_plan"),
                    referral=data.get("referral"),
                    note=data.get("note", ""),
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("预警已处置。"))
                return redirect(self.object.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))


def after_create_for_alert(request, child, record_key, record):
    """Coming from an alert (``?alert=<id>``): go back to it with the new record chosen."""
    alert_id = request.GET.get("alert") or request.POST.get("alert")
    if not alert_id or not str(alert_id).isdigit():
        return None
    alert = (
        SafetyAlert.objects.visible_to(request.user)
        .filter(pk=alert_id, child=child, status=choices.AlertStatus.OPEN)
        .first()
    )
    if alert is None:
        return None
    return HttpResponseRedirect(alert.get_absolute_url() + "?" + urlencode({record_key: record.pk}))


class CareSettingsView(ListPermissionMixin, FormView):
    """测评与预警设置: the county admin sets the SCARED norm and the handling deadlines."""

    permission_required = "care.change_caresettings"
    template_name = "care/settings.html"
    form_class = forms.CareSettingsForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = CareSettings.current()
        return kwargs

    def form_valid(self, form):
        try:
            services.care_settings_update(actor=self.request.user, data=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("设置已保存，对之后录入的测评和生成的预警生效。"))
        return redirect("care:settings")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["current"] = CareSettings.current()
        return context
