"""Screening pages: list, entry form, details."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView

from accounts.audit import AccessAction, log_access
from care import choices, filters, forms, selectors, services, tables
from care.models import (
    CareSettings,
    SafetyAlert,
    Screening,
)
from care.screening import get_instrument
from care.views.common import (
    CareListView,
    ChildScopedMixin,
    ListPermissionMixin,
    ScopedObjectMixin,
)
from children.choices import ConsentKind
from children.services_consent import consent_refusal
from core.forms import apply_errors

# --- screenings ----------------------------------------------------------------------------


def _local_time(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d %H:%M}"


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
            start = forms.ScreeningStartForm(request.GET, child=self.child)
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
            start = forms.ScreeningStartForm(child=self.child)
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
                if hasattr(exc, "error_dict") and "instrument" in exc.error_dict:
                    # The instrument is a hidden field here: show why at the top.
                    exc = ValidationError(exc.error_dict["instrument"])
                apply_errors(form, exc)
            else:
                messages.success(request, _("测评已保存。"))
                if hasattr(screening, "safety_alert"):
                    messages.warning(
                        request,
                        _(
                            "该测评提示需要尽快关注，已生成待处置预警并通知乡镇督导员"
                            "（处置期限：%(due)s）。"
                            "如儿童有即时危险，请立即联系监护人，必要时拨打 120 或 110。"
                        )
                        % {"due": _local_time(screening.safety_alert.due_at)},
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
        # Said before anything is typed: a screening without consent would be refused.
        context["consent_problem"] = consent_refusal(
            self.child, ConsentKind.SCREENING, on=timezone.localdate()
        )
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


class CutoffReviewView(ListPermissionMixin, TemplateView):
    """界值版本复核: every stored result that the current cut-off tables would band or flag
    differently, for a person to review. Nothing is re-scored here: a stored result keeps
    the version it was scored with; a reviewer who finds a child now positive acts on it
    (a new screening, a plan, a referral)."""

    permission_required = ("care.view_screening_details", "care.change_caresettings")
    template_name = "care/cutoff_review.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        county = CareSettings.current()
        rows = selectors.cutoff_changes(self.request.user, norm=county.scared_norm)
        paginator = Paginator(rows, 50)
        page = paginator.get_page(self.request.GET.get("page"))
        context.update(page_obj=page, rows=page.object_list, total=paginator.count)
        context["versions"] = selectors.current_versions(county.scared_norm)
        if page.object_list:
            # Results of named children: one access-log entry for the page shown.
            log_access(
                action=AccessAction.VIEW_SCREENING,
                request=self.request,
                target_type="screening",
                target_label=str(_("界值版本复核")),
                detail={"screenings": [row.screening.pk for row in page.object_list]},
            )
        return context
