"""Mentor register, pairing and follow-up pages."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from django_tables2 import SingleTableMixin

from care import due, filters, forms, selectors, services, tables
from care.models import (
    Mentor,
    Pairing,
)
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

# --- mentors, pairings, follow-ups ---------------------------------------------------------


class MentorListView(ListPermissionMixin, SingleTableMixin, TemplateView):
    permission_required = "care.view_mentor"
    table_class = tables.MentorTable
    template_name = "care/mentor_list.html"
    paginate_by = PAGE_SIZE

    def get_table_data(self):
        return selectors.mentor_list(self.request.user)


class MentorDetailView(ListPermissionMixin, SingleTableMixin, TemplateView):
    """A mentor's page: who they are and the children paired with them that the user may
    see (the mentor is county-wide; the children stay scoped)."""

    permission_required = ("care.view_mentor", "care.view_pairing")
    table_class = tables.MentorChildrenTable
    template_name = "care/mentor_detail.html"
    paginate_by = PAGE_SIZE

    def dispatch(self, request, *args, **kwargs):
        self.mentor = get_object_or_404(Mentor, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_table_data(self):
        return selectors.mentor_children(self.request.user, self.mentor)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["mentor"] = self.mentor
        context["phone"] = (
            self.mentor.phone
            if self.request.user.has_perm("children.reveal_id")
            else self.mentor.masked_phone
        )
        return context


class MentorFormView(ReferenceFormView):
    form_class = forms.MentorForm
    model = Mentor
    save = services.mentor_save
    titles = (gettext_lazy("新增结对帮扶人"), gettext_lazy("编辑结对帮扶人"))
    saved_message = gettext_lazy("结对帮扶人已保存。")

    def saved_redirect(self, saved):
        # Back to the pairing form that sent the user here to add a mentor, if any.
        next_url = self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={self.request.get_host()}, require_https=False
        ):
            return redirect(next_url)
        return super().saved_redirect(saved)


class MentorCreateView(MentorFormView):
    permission_required = "care.add_mentor"


class MentorEditView(MentorFormView):
    permission_required = "care.change_mentor"
    editing = True


class PairingListView(CareListView):
    permission_required = "care.view_pairing"
    table_class = tables.PairingTable
    filterset_class = filters.PairingFilter
    title = gettext_lazy("结对帮扶")

    def get_queryset(self):
        return selectors.pairing_list(self.request.user)


class PairingCreateView(ChildRecordFormView):
    permission_required = "care.add_pairing"
    template_name = "care/pairing_form.html"
    form_class = forms.PairingForm
    title = gettext_lazy("结对帮扶")

    def get_initial(self):
        initial = super().get_initial()
        referral = self.request.GET.get("referral")
        if referral and referral.isdigit():
            initial["referral"] = referral
        return initial

    def form_valid(self, form):
        try:
            pairing = services.pairing_create(
                actor=self.request.user, child=self.child, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("结对帮扶已登记。"))
        return redirect(pairing.get_absolute_url())


class PairingDetailView(ScopedObjectMixin, TemplateView):
    scoped_model = Pairing
    permission_required = "care.view_pairing"
    template_name = "care/pairing_detail.html"

    def get_scoped_queryset(self):
        return Pairing.objects.select_related(
            "child", "child__township", "child__village", "mentor", "referral__institution"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        pairing = self.object
        context["pairing"] = pairing
        context["child"] = pairing.child
        context["child_url"] = selectors.child_url(pairing.child)
        context["follow_ups"] = (
            selectors.follow_ups_of(pairing)
            if self.request.user.has_perm("care.view_followup")
            else []
        )
        context["follow_up_overdue"] = pairing.is_active and due.is_overdue(
            pairing.next_follow_up_on
        )
        context["mentor_phone"] = (
            pairing.mentor.phone
            if self.request.user.has_perm("children.reveal_id")
            else pairing.mentor.masked_phone
        )
        return context


class PairingEditView(ChildRecordEditView):
    scoped_model = Pairing
    permission_required = "care.change_pairing"
    form_class = forms.PairingEditForm
    title = gettext_lazy("修改结对帮扶")

    def get_scoped_queryset(self):
        return Pairing.objects.select_related("child", "mentor")

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        version = data.pop("version")
        try:
            pairing = services.pairing_update(
                actor=self.request.user, pairing=self.object, expected_version=version, data=data
            )
        except services.StaleEdit as exc:
            return self.stale(form, exc)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("结对帮扶已更新。"))
        return redirect(pairing.get_absolute_url())


class FollowUpCreateView(ScopedObjectMixin, FormView):
    scoped_model = Pairing
    permission_required = "care.add_followup"
    template_name = "care/form.html"
    form_class = forms.FollowUpForm

    def get_scoped_queryset(self):
        return Pairing.objects.select_related("child", "mentor")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "pairing": self.object}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("录入定期随访")
        context["child"] = self.object.child
        context["child_url"] = selectors.child_url(self.object.child)
        return context

    def form_valid(self, form):
        try:
            services.follow_up_record(
                actor=self.request.user, pairing=self.object, **form.cleaned_data
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("随访已记录。"))
        return redirect(self.object.get_absolute_url())
