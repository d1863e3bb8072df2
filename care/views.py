"""Care-record pages. Thin: look the object up in the user's scope (404 outside it), check the
permission (403), parse the form, call one service, render.

The object is looked up *before* the permission is checked, so a record outside the user's
area is a 404 whatever their permissions, exactly like a record that does not exist.
"""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from accounts.audit import AccessAction, log_access
from accounts.scoping import get_visible_or_404
from care import choices, due, filters, forms, selectors, services, tables
from care.models import (
    CarePlan,
    Institution,
    Mentor,
    Pairing,
    Referral,
    SafetyAlert,
    Screening,
)
from care.screening import get_instrument
from children.models import Child

PAGE_SIZE = 30


def _apply_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field when the form has one."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(field if field in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


class ScopedObjectMixin:
    """Fetch ``self.object`` from the user's scope first (404), then check the permission."""

    scoped_model = None
    permission_required: str | tuple = ()
    pk_url_kwarg = "pk"

    def get_scoped_queryset(self):
        return self.scoped_model.objects.all()

    def lookup(self, request, **kwargs):
        return get_visible_or_404(
            self.get_scoped_queryset(), request.user, pk=kwargs[self.pk_url_kwarg]
        )

    def dispatch(self, request, *args, **kwargs):
        self.object = self.lookup(request, **kwargs)
        perms = (
            (self.permission_required,)
            if isinstance(self.permission_required, str)
            else self.permission_required
        )
        if not request.user.has_perms(perms):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        return context


class ChildScopedMixin(ScopedObjectMixin):
    """For pages that create a record for a child: ``/children/<child_pk>/…``."""

    scoped_model = Child
    pk_url_kwarg = "child_pk"

    def get_scoped_queryset(self):
        return Child.objects.select_related("township", "village")

    @property
    def child(self):
        return self.object

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["child"] = self.object
        context["child_url"] = selectors.child_url(self.object)
        return context


class ChildRecordFormView(ChildScopedMixin, FormView):
    """The form of a care record created for a child (plan, referral, pairing): the form
    takes the user and the child; the page shows ``title`` and, if set, ``intro``."""

    template_name = "care/form.html"
    title = ""
    intro = ""

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "child": self.child}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        if self.intro:
            context["intro"] = self.intro
        return context


class ListPermissionMixin(PermissionRequiredMixin):
    raise_exception = True


class CareListView(ListPermissionMixin, SingleTableMixin, FilterView):
    paginate_by = PAGE_SIZE
    template_name = "care/list.html"
    title = ""
    create_hint = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        return context


# --- index ---------------------------------------------------------------------------------


class IndexView(ListPermissionMixin, TemplateView):
    """关爱服务: the entry page to screenings, alerts, plans, referrals and pairings."""

    permission_required = "care.view_screening"
    template_name = "care/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = selectors.home_panels(self.request.user)
        return context


# --- screenings ----------------------------------------------------------------------------


class ScreeningListView(CareListView):
    permission_required = "care.view_screening"
    table_class = tables.ScreeningTable
    filterset_class = filters.ScreeningFilter
    title = gettext_lazy("心理健康测评")

    def get_queryset(self):
        return selectors.screening_list(self.request.user)


class ScreeningCreateView(ChildScopedMixin, TemplateView):
    """录入测评: step 1 picks the instrument, respondent and date (GET); step 2 shows the
    items one by one as radio groups and saves (POST)."""

    permission_required = "care.add_screening"
    template_name = "care/screening_form.html"

    def get(self, request, *args, **kwargs):
        if "instrument" in request.GET:
            start = forms.ScreeningStartForm(request.GET)
            if start.is_valid():
                data = start.cleaned_data
                form = forms.ScreeningAnswersForm(
                    instrument=get_instrument(data["instrument"]),
                    initial={
                        "respondent": data["respondent"],
                        "screened_on": data["screened_on"],
                    },
                )
                return self.render_answers(form, data)
        else:
            start = forms.ScreeningStartForm()
        return self.render_to_response(self.get_context_data(start_form=start))

    def post(self, request, *args, **kwargs):
        code = request.POST.get("instrument", "")
        if not services.instrument_enabled(code):
            messages.error(request, _("该量表未启用，请重新选择。"))
            return redirect("care:screening_create", child_pk=self.child.pk)
        form = forms.ScreeningAnswersForm(request.POST, instrument=get_instrument(code))
        if form.is_valid():
            try:
                screening = services.screening_record(
                    actor=request.user,
                    child=self.child,
                    instrument=code,
                    respondent=form.cleaned_data["respondent"],
                    screened_on=form.cleaned_data["screened_on"],
                    answers=form.answers(),
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("测评已保存。"))
                if hasattr(screening, "safety_alert"):
                    messages.warning(
                        request,
                        _(
                            "该测评提示需要尽快关注，已生成待处置预警并通知乡镇督导员。"
                            "如儿童有即时危险，请立即联系监护人，必要时拨打 120 或 110。"
                        ),
                    )
                return redirect(screening.get_absolute_url())
        return self.render_answers(form, form.data)

    def render_answers(self, form, data):
        respondent = data.get("respondent")
        context = self.get_context_data(
            form=form,
            instrument=form.instrument,
            respondent_label=(
                choices.Respondent(respondent).label
                if respondent in choices.Respondent.values
                else ""
            ),
            # As typed when the form came back with errors; always shown as 2026-06-04.
            screened_on=str(data.get("screened_on") or ""),
        )
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["respondents_by_instrument"] = forms.respondents_by_instrument()
        return context


class ScreeningDetailView(ScopedObjectMixin, TemplateView):
    """Details (answers, item scores, subscales, total, band) only with the permission, and
    every such view is logged; everyone else sees that the screening happened."""

    scoped_model = Screening
    permission_required = "care.view_screening"
    template_name = "care/screening_detail.html"

    def get_scoped_queryset(self):
        return Screening.objects.select_related(
            "child", "child__township", "child__village", "entered_by"
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        screening = self.object
        user = self.request.user
        context["child"] = screening.child
        context["child_url"] = selectors.child_url(screening.child)
        context["details"] = user.has_perm(selectors.DETAILS_PERM)
        if context["details"]:
            log_access(
                action=AccessAction.VIEW_SCREENING,
                request=self.request,
                target=screening,
                target_label=f"{screening.child.name} {screening}",
                detail={"child": screening.child_id, "instrument": screening.instrument},
            )
            context["rows"] = selectors.screening_rows(screening)
            context["subscales"] = [
                (choices.subscale_label(name), value) for name, value in screening.subscales.items()
            ]
            context["alert_labels"] = [choices.alert_label(a) for a in screening.alerts]
            context["instrument"] = screening.instrument_def
            context["safety_alert"] = SafetyAlert.objects.filter(screening=screening).first()
        return context


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
                initial = {"resolution": key, key: self.request.GET[key]}
        return forms.AlertCloseForm(
            data, user=self.request.user, alert=self.object, initial=initial
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        alert = self.object
        context["alert"] = alert
        context["child"] = alert.child
        context["child_url"] = selectors.child_url(alert.child)
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
                    resolution=data["resolution"],
                    care_plan=data.get("care_plan"),
                    referral=data.get("referral"),
                    note=data.get("note", ""),
                )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                messages.success(request, _("预警已处置。"))
                return redirect(self.object.get_absolute_url())
        return self.render_to_response(self.get_context_data(form=form))


def _after_create_for_alert(request, child, record_key, record):
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

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        services_chosen = data.pop("services")
        try:
            plan = services.care_plan_create(
                actor=self.request.user, child=self.child, data=data, services=services_chosen
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("关爱方案已保存。"))
        return _after_create_for_alert(self.request, self.child, "care_plan", plan) or redirect(
            plan.get_absolute_url()
        )


class CarePlanDetailView(ScopedObjectMixin, TemplateView):
    scoped_model = CarePlan
    permission_required = "care.view_careplan"
    template_name = "care/plan_detail.html"

    def get_scoped_queryset(self):
        return CarePlan.objects.select_related(
            "child", "child__township", "child__village", "responsible_user", "created_by"
        ).prefetch_related("services")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = self.object
        context["plan"] = plan
        context["child"] = plan.child
        context["child_url"] = selectors.child_url(plan.child)
        context["review_overdue"] = plan.is_active and due.is_overdue(plan.review_on)
        return context


class StaleEditMixin:
    """Show a stale edit as a Chinese form error and keep the newer data untouched."""

    def stale(self, form, exc):
        form.add_error(None, str(exc))
        return self.form_invalid(form)


class CarePlanEditView(ScopedObjectMixin, StaleEditMixin, FormView):
    scoped_model = CarePlan
    permission_required = "care.change_careplan"
    template_name = "care/form.html"
    form_class = forms.CarePlanEditForm

    def get_scoped_queryset(self):
        return CarePlan.objects.select_related("child").prefetch_related("services")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "child": self.object.child,
            "instance": self.object,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("修改/复核关爱方案")
        context["child"] = self.object.child
        context["child_url"] = selectors.child_url(self.object.child)
        return context

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
            _apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("关爱方案已更新。"))
        return redirect(plan.get_absolute_url())


# --- institutions and referrals ------------------------------------------------------------


class InstitutionListView(ListPermissionMixin, SingleTableMixin, TemplateView):
    permission_required = "care.view_institution"
    table_class = tables.InstitutionTable
    template_name = "care/institution_list.html"
    paginate_by = PAGE_SIZE

    def get_table_data(self):
        return selectors.institution_list(self.request.user)


class ReferenceFormView(ListPermissionMixin, FormView):
    """Create or edit a county-wide reference record (an institution, a mentor) through its
    save service. Subclasses name the model, the service and the words; edit views set
    ``editing = True`` and get the record from the URL."""

    template_name = "care/form.html"
    model = None
    save = None  # services.<x>_save(*, actor, data, <model_name>=None)
    titles = ("", "")  # (new, edit)
    saved_message = ""
    editing = False
    obj = None

    def dispatch(self, request, *args, **kwargs):
        if self.editing:
            self.obj = get_object_or_404(self.model, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.obj}

    def get_context_data(self, **kwargs):
        title = self.titles[1] if self.obj else self.titles[0]
        return {**super().get_context_data(**kwargs), "title": title}

    def form_valid(self, form):
        data = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            saved = type(self).save(
                actor=self.request.user, data=data, **{self.model._meta.model_name: self.obj}
            )
        except ValidationError as exc:
            _apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.saved_message)
        return self.saved_redirect(saved)

    def saved_redirect(self, saved):
        return redirect(saved.get_absolute_url())


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
            _apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("转介已登记。"))
        return _after_create_for_alert(self.request, self.child, "referral", referral) or redirect(
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
                _apply_errors(form, exc)
            else:
                messages.success(request, _("转介状态已更新。"))
                return redirect(self.object.get_absolute_url())
        return self.render_to_response(self.get_context_data(status_form=form))


class ReferralEditView(ScopedObjectMixin, StaleEditMixin, FormView):
    scoped_model = Referral
    permission_required = "care.change_referral"
    template_name = "care/form.html"
    form_class = forms.ReferralEditForm

    def get_scoped_queryset(self):
        return Referral.objects.select_related("child", "institution")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "instance": self.object}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("修改转介 / 录入机构反馈")
        context["child"] = self.object.child
        context["child_url"] = selectors.child_url(self.object.child)
        return context

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
            _apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("转介记录已更新。"))
        return redirect(referral.get_absolute_url())


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
            _apply_errors(form, exc)
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


class PairingEditView(ScopedObjectMixin, StaleEditMixin, FormView):
    scoped_model = Pairing
    permission_required = "care.change_pairing"
    template_name = "care/form.html"
    form_class = forms.PairingEditForm

    def get_scoped_queryset(self):
        return Pairing.objects.select_related("child", "mentor")

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "child": self.object.child,
            "instance": self.object,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("修改结对帮扶")
        context["child"] = self.object.child
        context["child_url"] = selectors.child_url(self.object.child)
        return context

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
            _apply_errors(form, exc)
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
            _apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("随访已记录。"))
        return redirect(self.object.get_absolute_url())


# --- due and overdue -----------------------------------------------------------------------


class DueListView(ListPermissionMixin, TemplateView):
    """到期/逾期（方案复核、随访）: scoped to the user's area, active cases only."""

    permission_required = ()
    template_name = "care/due_list.html"

    def has_permission(self):
        user = self.request.user
        return user.has_perm("care.view_careplan") or user.has_perm("care.view_pairing")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = filters.DueFilterForm(self.request.GET or None, user=user)
        kind, when, township = "", selectors.WHEN_ALL, None
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            when = form.cleaned_data["when"] or selectors.WHEN_ALL
            township = form.cleaned_data["township"]
        context["form"] = form
        today = due.today()
        context["today"] = today
        if kind in ("", filters.KIND_REVIEW) and user.has_perm("care.view_careplan"):
            reviews = selectors.due_reviews(user, when=when, on=today)
            if township:
                reviews = reviews.filter(child__township=township)
            table = tables.DueReviewTable(reviews, prefix="r-")
            RequestConfig(self.request, paginate={"per_page": PAGE_SIZE}).configure(table)
            context["review_table"] = table
        if kind in ("", filters.KIND_FOLLOW_UP) and user.has_perm("care.view_pairing"):
            follow_ups = selectors.due_follow_ups(user, when=when, on=today)
            if township:
                follow_ups = follow_ups.filter(child__township=township)
            table = tables.DueFollowUpTable(follow_ups, prefix="f-")
            RequestConfig(self.request, paginate={"per_page": PAGE_SIZE}).configure(table)
            context["follow_up_table"] = table
        return context
