"""Screening pages: list, entry form, details."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.audit import AccessAction, log_access
from care import choices, filters, forms, selectors, services, tables
from care.models import (
    SafetyAlert,
    Screening,
)
from care.screening import get_instrument
from care.views.common import (
    CareListView,
    ChildScopedMixin,
    ScopedObjectMixin,
)
from core.forms import apply_errors

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
                apply_errors(form, exc)
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
