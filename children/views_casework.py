"""Consent records (知情同意) and closure requests (结案申请) of a child. Thin: the record of
the URL from the user's scope (404 outside it, first), the permission, one service."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from accounts.audit import AccessAction, log_access
from children import choices, services_closure, services_consent
from children.forms import CloseForm
from children.forms_casework import ConsentForm, ConsentWithdrawForm, DecisionForm
from children.models import ClosureRequest, Consent
from children.views import ChildActionView, ChildMixin
from core.forms import apply_errors
from core.versioning import StaleEdit
from core.views import ScopedObjectMixin

# --- consent -------------------------------------------------------------------------------


class ConsentCreateView(ChildMixin, PermissionRequiredMixin, FormView):
    permission_required = "children.add_consent"
    raise_exception = True
    form_class = ConsentForm
    template_name = "children/consent_form.html"

    def get_initial(self):
        # A referral refused for want of consent links here with the institution named.
        initial = {}
        kind = self.request.GET.get("kind")
        if kind in choices.ConsentKind.values:
            initial["kind"] = kind
        recipient = self.request.GET.get("recipient", "")[:100]
        if recipient:
            initial["recipient"] = recipient
        return initial

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "child": self.get_child(),
            "title": _("登记知情同意书"),
        }

    def form_valid(self, form):
        data = {name: form.cleaned_data.get(name) for name in services_consent.CONSENT_FIELDS}
        try:
            services_consent.consent_record(
                actor=self.request.user,
                child=self.get_child(),
                data=data,
                scan=form.cleaned_data.get("scan"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("知情同意书已登记。"))
        return redirect(self.get_child())


class ScopedConsentMixin(ScopedObjectMixin):
    def scoped_queryset(self):
        return Consent.objects.select_related("child", "child__township", "child__village")

    def get_consent(self) -> Consent:
        return self.get_scoped_object()


class ConsentEditView(ScopedConsentMixin, PermissionRequiredMixin, FormView):
    permission_required = "children.change_consent"
    raise_exception = True
    form_class = ConsentForm
    template_name = "children/consent_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": self.get_consent(), "editing": True}

    def get_context_data(self, **kwargs):
        consent = self.get_consent()
        withdraw_form = None
        if consent.status == choices.ConsentStatus.GIVEN:
            withdraw_form = ConsentWithdrawForm(initial={"version": consent.version})
        return super().get_context_data(**kwargs) | {
            "child": consent.child,
            "consent": consent,
            "title": _("修改知情同意：%(s)s") % {"s": consent.get_kind_display()},
            "withdraw_form": withdraw_form,
        }

    def form_valid(self, form):
        consent = self.get_consent()
        data = {n: form.cleaned_data.get(n) for n in services_consent.EDIT_FIELDS}
        try:
            services_consent.consent_update(
                actor=self.request.user,
                consent=consent,
                expected_version=form.cleaned_data["version"],
                data=data,
                scan=form.cleaned_data.get("scan"),
            )
        except StaleEdit as exc:
            form.data = form.data.copy()
            form.data["version"] = exc.current.version
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("知情同意已更新。"))
        return redirect(consent.child)


class ConsentWithdrawView(ScopedConsentMixin, PermissionRequiredMixin, FormView):
    """撤回同意: new screenings (or referrals to the named institution) stop at once."""

    permission_required = "children.change_consent"
    raise_exception = True
    form_class = ConsentWithdrawForm
    template_name = "children/consent_form.html"

    def get_initial(self):
        return {"version": self.get_consent().version}

    def get_context_data(self, **kwargs):
        consent = self.get_consent()
        return super().get_context_data(**kwargs) | {
            "child": consent.child,
            "consent": consent,
            "title": _("撤回同意：%(s)s") % {"s": str(consent)},
        }

    def form_valid(self, form):
        consent = self.get_consent()
        try:
            services_consent.consent_withdraw(
                actor=self.request.user,
                consent=consent,
                expected_version=form.cleaned_data["version"],
                withdrawn_on=form.cleaned_data["withdrawn_on"],
                note=form.cleaned_data["note"],
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已撤回同意：此后不能再为该儿童新增相应记录。"))
        return redirect(consent.child)


class ConsentScanView(ScopedConsentMixin, PermissionRequiredMixin, View):
    """The photo of a signed consent form: only here, only in scope, every read logged."""

    permission_required = "children.view_consent"
    raise_exception = True

    def get(self, request, pk):
        consent = self.get_consent()
        if not consent.scan:
            raise Http404
        try:
            handle = consent.scan.open("rb")
        except FileNotFoundError as exc:
            raise Http404 from exc
        log_access(
            action=AccessAction.VIEW_CHILD,
            request=request,
            target=consent,
            detail={"child": consent.child_id, "consent": consent.pk, "scan": True},
        )
        response = FileResponse(handle, content_type=consent.scan_content_type or "image/jpeg")
        response["Content-Disposition"] = f'inline; filename="consent-{consent.pk}"'
        response["X-Content-Type-Options"] = "nosniff"
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response


# --- closure requests ----------------------------------------------------------------------


class ClosureRequestView(ChildActionView):
    """结案: a request with its reason; closed once the township supervisor approves it (at
    once when the one asking may approve it)."""

    permission_required = "children.add_closurerequest"
    form_class = CloseForm
    title = gettext_lazy("申请结案")
    done_message = gettext_lazy("结案申请已提交，待乡镇督导员审批；审批前该儿童仍在册。")

    def get_initial(self):
        reason = self.request.GET.get("reason", "")
        return {"reason": reason} if reason in choices.CloseReason.values else {}

    def run(self, data):
        request = services_closure.closure_request_create(
            actor=self.request.user,
            child=self.get_child(),
            reason=data["reason"],
            closed_on=data["closed_on"],
            note=data["note"],
        )
        if request.status == choices.ClosureRequestStatus.APPROVED:
            self.done_message = _("已结案。")


class ClosureDetailView(ScopedObjectMixin, PermissionRequiredMixin, FormView):
    """A closure request; its approver decides here (批准 / 退回)."""

    permission_required = "children.view_closurerequest"
    raise_exception = True
    form_class = DecisionForm
    template_name = "children/closure_detail.html"

    def scoped_queryset(self):
        return ClosureRequest.objects.select_related(
            "child", "child__township", "child__village", "created_by", "decided_by"
        )

    def can_decide(self) -> bool:
        request = self.get_scoped_object()
        return request.is_pending and services_closure.can_approve(self.request.user, request.child)

    def get_initial(self):
        return {"version": self.get_scoped_object().version}

    def get(self, request, *args, **kwargs):
        # A page of a child's case (its closure and why): logged like the child's page.
        closure = self.get_scoped_object()
        log_access(
            action=AccessAction.VIEW_CHILD,
            request=request,
            target=closure,
            detail={"child": closure.child_id, "closure_request": closure.pk},
        )
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        request = self.get_scoped_object()
        context = super().get_context_data(**kwargs)
        if not self.can_decide():
            context.pop("form", None)
        return context | {"closure": request, "child": request.child}

    def post(self, request, *args, **kwargs):
        if not self.can_decide():
            raise PermissionDenied
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        closure = self.get_scoped_object()
        data = form.cleaned_data
        service = (
            services_closure.closure_request_approve
            if data["decision"] == DecisionForm.APPROVE
            else services_closure.closure_request_return
        )
        try:
            service(
                actor=self.request.user,
                request=closure,
                expected_version=data["version"],
                comment=data["comment"],
            )
        except StaleEdit as exc:
            form.add_error(None, str(exc))
            return self.form_invalid(form)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        if data["decision"] == DecisionForm.APPROVE:
            messages.success(self.request, _("已批准，该儿童已结案。"))
        else:
            messages.success(self.request, _("已退回结案申请，该儿童仍在册。"))
        return redirect(closure.child)
