"""Visit pages. Thin: fetch from the user's scope (outside it: 404), call one service or
selector, render. Every page shows a child's data, so none may be cached."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from accounts.audit import AccessAction, log_access
from accounts.scoping import get_visible_or_404
from children.choices import RiskLevel
from children.models import Child, Household
from core.forms import apply_errors
from core.versioning import StaleEdit
from core.views import ScopedObjectMixin
from visits import schedule, selectors, services
from visits.filters import ScheduleFilter, VisitFilter
from visits.forms import (
    AttachmentForm,
    HouseholdVisitForm,
    ReviewForm,
    VisitForm,
    VisitRulesForm,
)
from visits.models import Visit, VisitAttachment
from visits.tables import DueChildTable, VisitTable


class ScopedVisitMixin(ScopedObjectMixin):
    """The visit of the URL, from the user's scope (404 outside it, before any other check)."""

    def scoped_lookup(self, user, pk):
        return selectors.visit_detail(user, pk)

    def get_visit(self) -> Visit:
        return self.get_scoped_object()


# --- lists -------------------------------------------------------------------------------


class VisitListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "visits.view_visit"
    raise_exception = True
    table_class = VisitTable
    filterset_class = VisitFilter
    template_name = "visits/visit_list.html"
    paginate_by = 50
    title = gettext_lazy("家访记录")

    def get_queryset(self):
        return selectors.visit_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["active_tab"] = "list"
        context["can_review"] = self.request.user.has_perm("visits.review_visit")
        return context


class PendingReviewView(VisitListView):
    permission_required = "visits.review_visit"
    title = gettext_lazy("待审核家访")

    def get_queryset(self):
        return selectors.pending_review(self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"active_tab": "pending"}


class ScheduleListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    """Children due a visit (本周到期) or overdue (逾期未访), from visits.schedule."""

    permission_required = "visits.view_visit"
    raise_exception = True
    table_class = DueChildTable
    filterset_class = ScheduleFilter
    template_name = "visits/schedule_list.html"
    paginate_by = 50
    which = "overdue"

    def get_queryset(self):
        if self.which == "week":
            return selectors.due_week_list(self.request.user)
        return selectors.overdue_list(self.request.user)

    def get_table_kwargs(self):
        return {
            "can_record": self.request.user.has_perm("visits.add_visit"),
            "show_overdue_days": self.which == "overdue",
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        start, end = schedule.week_bounds()
        context.update(
            which=self.which,
            week_start=start,
            week_end=end,
            by_village=selectors.counts_by_village(self.object_list),
            title=_("本周到期家访") if self.which == "week" else _("家访逾期儿童"),
        )
        return context


# --- one visit ---------------------------------------------------------------------------


class VisitCreateView(PermissionRequiredMixin, FormView):
    permission_required = "visits.add_visit"
    raise_exception = True
    form_class = VisitForm
    template_name = "visits/visit_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            # The page names the child's township and village.
            self.child = get_visible_or_404(
                Child.objects.select_related("township", "village"), request.user, pk=kwargs["pk"]
            )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if not self.child.is_active:
            messages.error(request, _("该儿童已结案，不能新增家访记录。"))
            return redirect(self.child)
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        # Most visits are recorded the day they are made (the offline form does the same);
        # an earlier date is one tap on the picker, a later one is refused.
        return {"date": timezone.localdate()}

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user, "child": self.child}

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "child": self.child,
            "child_status": schedule.child_schedule(self.child),
            "title": _("记录家访"),
        }

    def form_valid(self, form):
        try:
            visit = services.visit_record(
                actor=self.request.user,
                child=self.child,
                data=form.visit_data(),
                problems=form.cleaned_data["problems"],
                attachments=form.cleaned_data["attachments"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        if visit.review_status == "approved":
            messages.success(self.request, _("家访记录已保存。"))
        else:
            messages.success(self.request, _("家访记录已保存，等待乡镇督导员审核。"))
        return redirect(visit)


class HouseholdVisitCreateView(ScopedObjectMixin, PermissionRequiredMixin, FormView):
    """记录家庭走访: one form for the children of a household (one visit each)."""

    permission_required = "visits.add_visit"
    raise_exception = True
    form_class = HouseholdVisitForm
    template_name = "visits/household_visit_form.html"

    def scoped_queryset(self):
        return Household.objects.select_related("township", "village")

    def members(self):
        return (
            Child.objects.visible_to(self.request.user)
            .filter(household=self.get_scoped_object(), status="active")
            .order_by("birth_date", "pk")
        )

    def get(self, request, *args, **kwargs):
        if not self.members().exists():
            messages.error(request, _("该家庭户没有在册儿童。"))
            return redirect(self.get_scoped_object())
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {
            "user": self.request.user,
            "household": self.get_scoped_object(),
            "members": self.members(),
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "household": self.get_scoped_object(),
            "title": _("记录家庭走访"),
        }

    def form_valid(self, form):
        try:
            visits = services.visit_record_household(
                actor=self.request.user,
                household=self.get_scoped_object(),
                children=form.cleaned_data["members"],
                data=form.visit_data(),
                problems=form.cleaned_data["problems"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("家庭走访已保存：为 %(n)d 名儿童各记一条家访记录。") % {"n": len(visits)},
        )
        return redirect(self.get_scoped_object())


class VisitDetailView(ScopedVisitMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "visits.view_visit"
    raise_exception = True
    template_name = "visits/visit_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        visit = self.get_visit()
        user = self.request.user
        log_access(
            action=AccessAction.VIEW_CHILD,
            request=self.request,
            target=visit,
            detail={"child": visit.child_id},
        )
        can_edit = services.can_edit(user, visit)
        context.update(
            visit=visit,
            child=visit.child,
            can_edit=can_edit,
            can_review=services.can_review(user, visit),
            attachment_form=AttachmentForm() if can_edit else None,
            history=selectors.visit_history(visit)[:20],
        )
        return context


class VisitUpdateView(ScopedVisitMixin, PermissionRequiredMixin, FormView):
    permission_required = "visits.change_visit"
    raise_exception = True
    form_class = VisitForm
    template_name = "visits/visit_form.html"

    def has_permission(self):
        return super().has_permission() and services.can_edit(self.request.user, self.get_visit())

    def get_form_kwargs(self):
        visit = self.get_visit()
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = visit
        kwargs["initial"] = {
            "version": visit.version,
            "problems": [p.code for p in visit.problems.all()],
        }
        return kwargs | {"user": self.request.user, "child": visit.child}

    def get_context_data(self, **kwargs):
        visit = self.get_visit()
        return super().get_context_data(**kwargs) | {
            "visit": visit,
            "child": visit.child,
            "title": _("修改家访记录"),
        }

    def form_valid(self, form):
        visit = self.get_visit()
        data = form.cleaned_data
        try:
            visit = services.visit_update(
                actor=self.request.user,
                visit=visit,
                expected_version=data.get("version") or 0,
                data=form.visit_data(),
                problems=data["problems"],
                attachments=data["attachments"],
            )
        except StaleEdit as exc:
            # Keep what was typed; let the user resubmit knowingly against the newer version.
            form.data = form.data.copy()
            form.data["version"] = exc.current.version
            form.add_error(None, str(exc))
            return self.render_to_response(self.get_context_data(form=form, stale=True))
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect(visit)


class VisitReviewView(ScopedVisitMixin, PermissionRequiredMixin, FormView):
    permission_required = "visits.review_visit"
    raise_exception = True
    form_class = ReviewForm
    template_name = "visits/visit_review.html"

    def has_permission(self):
        visit = self.get_visit()
        # Reviewing one's own record is refused; an already reviewed one is not an error.
        return super().has_permission() and visit.created_by_id != self.request.user.pk

    def get(self, request, *args, **kwargs):
        if not services.can_review(request.user, self.get_visit()):
            messages.info(request, _("该家访记录不在待审核状态。"))
            return redirect(self.get_visit())
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {"version": self.get_visit().version}

    def get_context_data(self, **kwargs):
        visit = self.get_visit()
        return super().get_context_data(**kwargs) | {"visit": visit, "child": visit.child}

    def form_valid(self, form):
        data = form.cleaned_data
        visit = self.get_visit()
        try:
            if data["decision"] == ReviewForm.APPROVE:
                services.visit_approve(
                    actor=self.request.user,
                    visit=visit,
                    expected_version=data["version"],
                    comment=data["comment"],
                )
                messages.success(self.request, _("已审核通过。"))
            else:
                services.visit_return(
                    actor=self.request.user,
                    visit=visit,
                    expected_version=data["version"],
                    comment=data["comment"],
                )
                messages.success(self.request, _("已退回填报人修改。"))
        except StaleEdit:
            messages.error(
                self.request, _("审核未保存：该记录在您打开后已被修改或审核，请重新查看。")
            )
            return redirect(visit)
        except PermissionDenied:
            messages.info(self.request, _("该家访记录不在待审核状态。"))
            return redirect(visit)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        return redirect(reverse("visits:pending"))


# --- attachments -------------------------------------------------------------------------


class AttachmentAddView(ScopedVisitMixin, PermissionRequiredMixin, View):
    permission_required = "visits.change_visit"
    raise_exception = True

    def has_permission(self):
        return super().has_permission() and services.can_edit(self.request.user, self.get_visit())

    def post(self, request, pk):
        visit = self.get_visit()
        form = AttachmentForm(request.POST, request.FILES)
        if not form.is_valid():
            messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
            return redirect(visit)
        try:
            services.attachment_add(
                actor=request.user, visit=visit, upload=form.cleaned_data["file"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(visit)
        messages.success(request, _("附件已上传。"))
        return redirect(visit)


class ScopedAttachmentMixin(ScopedObjectMixin):
    """The attachment of the URL, from the user's scope (404 outside it, first)."""

    def scoped_queryset(self):
        return VisitAttachment.objects.select_related("visit", "visit__child")

    def get_attachment(self) -> VisitAttachment:
        return self.get_scoped_object()


class AttachmentView(ScopedAttachmentMixin, PermissionRequiredMixin, View):
    """Serve a photo of a signed form: only here, only in scope, never cached."""

    permission_required = "visits.view_visit"
    raise_exception = True

    def get(self, request, pk):
        attachment = self.get_attachment()
        try:
            handle = attachment.file.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        log_access(
            action=AccessAction.VIEW_CHILD,
            request=request,
            target=attachment,
            detail={"child": attachment.visit.child_id, "visit": attachment.visit_id},
        )
        response = FileResponse(handle, content_type=attachment.content_type)
        response["Content-Disposition"] = f'inline; filename="visit-{attachment.pk}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


class AttachmentDeleteView(ScopedAttachmentMixin, PermissionRequiredMixin, View):
    permission_required = "visits.change_visit"
    raise_exception = True

    def has_permission(self):
        visit = self.get_attachment().visit
        return super().has_permission() and services.can_edit(self.request.user, visit)

    def post(self, request, pk):
        attachment = self.get_attachment()
        visit = services.attachment_remove(actor=request.user, attachment=attachment)
        messages.success(request, _("附件已删除。"))
        return redirect(visit)


# --- the schedule rules ------------------------------------------------------------------


class VisitRulesView(PermissionRequiredMixin, FormView):
    """家访频次规则: the county admin sets them; everyone with view_visitrule may read them."""

    permission_required = "visits.view_visitrule"
    raise_exception = True
    form_class = VisitRulesForm
    template_name = "visits/visit_rules.html"

    def can_change(self) -> bool:
        return self.request.user.has_perm("visits.change_visitrule")

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"levels": RiskLevel.choices}

    def get_initial(self):
        rules = schedule.load_rules()
        initial = {"first_visit_working_days": rules.first_visit_working_days}
        for value in RiskLevel.values:
            initial[f"interval_{value}"] = rules.interval(value)
        return initial

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not self.can_change():
            for field in form.fields.values():
                field.disabled = True
        return form

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"can_change": self.can_change()}

    def post(self, request, *args, **kwargs):
        if not self.can_change():
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        services.visit_rules_update(
            actor=self.request.user,
            intervals=form.intervals(),
            first_visit_working_days=form.cleaned_data["first_visit_working_days"],
        )
        messages.success(self.request, _("家访频次规则已保存，所有儿童的应访日期随之更新。"))
        return redirect("visits:rules")
