"""Institution register and referral pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from django_tables2 import SingleTableMixin

from care import filters, forms, selectors, services, tables
from care.models import (
    Institution,
    Referral,
)
from care.views.alerts import after_create_for_alert
from care.views.common import (
    PAGE_SIZE,
    CareListView,
    ChildRecordEditView,
    ChildRecordFormView,
    ListPermissionMixin,
    ReferenceFormView,
    ScopedObjectMixin,
)
from core.forms import apply_errors

# --- institutions and referrals ------------------------------------------------------------


class InstitutionListView(ListPermissionMixin, SingleTableMixin, TemplateView):
    permission_required = "care.view_institution"
    table_class = tables.InstitutionTable
    template_name = "care/institution_list.html"
    paginate_by = PAGE_SIZE

    def get_table_data(self):
        return selectors.institution_list(self.request.user)


class InstitutionFormView(ReferenceFormView):
    form_class = forms.InstitutionForm
    model = Institution
    save = services.institution_save
    titles = (gettext_lazy("新增转介机构"), gettext_lazy("编辑转介机构"))
    saved_message = gettext_lazy("转介机构已保存。")

    def saved_redirect(self, saved):
        return redirect("care:institution_list")


class InstitutionCreateView(InstitutionFormView):
    permission_required = "care.add_institution"


class InstitutionEditView(InstitutionFormView):
    permission_required = "care.change_institution"
    editing = True


class ReferralListView(CareListView):
    permission_required = "care.view_referral"
    table_class = tables.ReferralTable
    filterset_class = filters.ReferralFilter
    title = gettext_lazy("转介")

    def get_queryset(self):
        return selectors.referral_list(self.request.user)


class ReferralCreateView(ChildRecordFormView):
    permission_required = "care.add_referral"
    form_class = forms.ReferralForm
    title = gettext_lazy("转介")
    intro = gettext_lazy("转介应通过监护人进行；请先征得监护人同意。")

    def form_valid(self, form):
        try:
            referral = services.referral_create(
                actor=self.request.user, child=self.child, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("转介已登记。"))
        return after_create_for_alert(self.request, self.child, "referral", referral) or redirect(
            referral.get_absolute_url()
        )


class ReferralDetailView(ScopedObjectMixin, TemplateView):
    scoped_model = Referral
    permission_required = "care.view_referral"
    template_name = "care/referral_detail.html"

    def get_scoped_queryset(self):
        return Referral.objects.select_related(
            "child", "child__township", "child__village", "institution", "created_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        referral = self.object
        user = self.request.user
        context["referral"] = referral
        context["child"] = referral.child
        context["child_url"] = selectors.child_url(referral.child)
        context["history"] = selectors.status_history(referral)
        context["pairings"] = referral.pairings.select_related("mentor")
        context["awaiting_pairing"] = selectors.awaiting_pairing(
            Referral.objects.filter(pk=referral.pk)
        ).exists()
        if context["awaiting_pairing"] and user.has_perm("care.add_pairing"):
            context["pairing_url"] = (
                reverse("care:pairing_create", args=[referral.child_id])
                + "?"
                + urlencode({"referral": referral.pk})
            )
        if user.has_perm("care.change_referral") and referral.allowed_next:
            context["status_form"] = kwargs.get("status_form") or forms.ReferralStatusForm(
                referral=referral
            )
        return context


class ReferralStatusView(ReferralDetailView):
    """POST only: move the referral on (the form lives on the referral's page)."""

    permission_required = ("care.view_referral", "care.change_referral")
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        form = forms.ReferralStatusForm(request.POST, referral=self.object)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.referral_change_status(
                    actor=request.user,
                    referral=self.object,
                    to_status=data["to_status"],
                    changed_on=data["changed_on"],
                    reason=data["reason"],
                    feedback=data["feedback"],
                    expected_version=data["version"],
                )
            except services.StaleEdit as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("转介状态已更新。"))
                return redirect(self.object.get_absolute_url())
        return self.render_to_response(self.get_context_data(status_form=form))


class ReferralEditView(ChildRecordEditView):
    scoped_model = Referral
    permission_required = "care.change_referral"
    form_class = forms.ReferralEditForm
    title = gettext_lazy("修改转介 / 录入机构反馈")
    form_takes_child = False

    def get_scoped_queryset(self):
        return Referral.objects.select_related("child", "institution")

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            referral = services.referral_update(
                actor=self.request.user, referral=self.object, expected_version=version, data=data
            )
        except services.StaleEdit as exc:
            return self.stale(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("转介记录已更新。"))
        return redirect(referral.get_absolute_url())
