"""Transfer pages (转移) and the caseload hand-over (工作移交). Thin: parse, call one service
or selector, render."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from accounts.audit import AccessAction, log_access
from children import privacy, selectors, selectors_transfer, services_handover, services_transfer
from children.filters import TransferFilter
from children.forms import (
    HandoverForm,
    TransferAcceptForm,
    TransferCancelForm,
    TransferRejectForm,
    TransferRequestForm,
)
from children.models import Child, ChildTransfer
from children.tables import HandoverTable, TransferExportTable, TransferTable
from core.forms import apply_errors
from core.table_export import table_workbook, xlsx_response
from core.versioning import StaleEdit
from core.views import ScopedObjectMixin


class TransferListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "children.view_childtransfer"
    raise_exception = True
    table_class = TransferTable
    filterset_class = TransferFilter
    template_name = "children/transfer_list.html"
    table_pagination = {"per_page": 50}

    def get_queryset(self):
        return selectors_transfer.transfer_list(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_export"] = self.request.user.has_perm("children.export_ledger")
        context["export_query"] = self.request.GET.urlencode()
        return context


class TransferExportView(PermissionRequiredMixin, View):
    """The filtered transfer list as a workbook (the list's own selector and filter, so never
    more than the list shows); logged like every export, with whether it revealed birth
    dates."""

    permission_required = ("children.view_childtransfer", "children.export_ledger")
    raise_exception = True

    def get(self, request):
        queryset = selectors_transfer.transfer_list(request.user)
        filterset = TransferFilter(request.GET, queryset=queryset, request=request)
        rows = filterset.qs if filterset.is_valid() else filterset.queryset.none()
        rows = rows.order_by("-requested_at", "-pk")
        reveal = privacy.may_reveal(request.user)
        title = _("转移申请")
        data = table_workbook(TransferExportTable(rows, reveal=reveal), title=title)
        log_access(
            action=AccessAction.EXPORT,
            request=request,
            target_type="childtransfer",
            target_label=_("转移申请列表"),
            detail={"rows": rows.count(), "filters": request.GET.dict(), "revealed": reveal},
        )
        return xlsx_response(data, f"transfers-{dt.date.today().isoformat()}.xlsx")


class TransferMixin(ScopedObjectMixin):
    """The transfer of the URL, from the user's scope: the sending or the receiving area's."""

    def scoped_lookup(self, user, pk):
        return selectors_transfer.transfer_detail(user, pk)

    def get_transfer(self) -> ChildTransfer:
        return self.get_scoped_object()


def _forms(user, transfer, data=None, failed=None):
    """The decision forms the user may use on this transfer (``failed``: the one posted)."""
    forms = {}
    initial = {"version": transfer.version}
    if services_transfer.can_decide(user, transfer):
        directors = services_transfer.receiving_directors(transfer.to_village)
        forms["accept"] = TransferAcceptForm(
            data if failed == "accept" else None,
            initial=initial | {"new_director": directors.first()},
            directors=directors,
            prefix="accept",
        )
        forms["reject"] = TransferRejectForm(
            data if failed == "reject" else None, initial=initial, prefix="reject"
        )
    if services_transfer.can_cancel(user, transfer):
        forms["cancel"] = TransferCancelForm(
            data if failed == "cancel" else None, initial=initial, prefix="cancel"
        )
    return forms


class TransferDetailView(TransferMixin, PermissionRequiredMixin, TemplateView):
    """What either side needs to decide: the child's basic facts (masked), where from and to,
    who asked and why; the decision forms for whoever may use them. A read of a child's
    record, logged as such."""

    permission_required = "children.view_childtransfer"
    raise_exception = True
    template_name = "children/transfer_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        transfer = self.get_transfer()
        user = self.request.user
        log_access(
            action=AccessAction.VIEW_CHILD,
            request=self.request,
            target=transfer.child,
            detail={"via": "transfer", "transfer": transfer.pk},
        )
        child_visible = Child.objects.visible_to(user).filter(pk=transfer.child_id).exists()
        context.update(
            transfer=transfer,
            child=transfer.child,
            circumstances=[c.get_code_display() for c in transfer.child.circumstances.all()],
            child_visible=child_visible,
            forms=kwargs.get("forms") or _forms(user, transfer),
            county_after_days=services_transfer.county_after_days(),
        )
        return context


class TransferDecisionView(TransferMixin, PermissionRequiredMixin, View):
    """POST only: accept, reject or withdraw, each through its service."""

    raise_exception = True
    decision = ""
    permission_required = "children.decide_childtransfer"
    form_class = None

    def post(self, request, pk):
        transfer = self.get_transfer()
        forms = _forms(request.user, transfer, request.POST, failed=self.decision)
        form = forms.get(self.decision)
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                self.run(transfer, form.cleaned_data)
            except StaleEdit:
                messages.error(request, _("该转移申请已被他人处理或修改，请查看最新状态。"))
                return redirect(transfer.get_absolute_url())
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, self.done_message())
                return redirect(self.after(transfer))
        view = TransferDetailView(request=request, kwargs={"pk": pk}, args=())
        view._scoped_object = transfer
        return view.render_to_response(view.get_context_data(forms=forms))

    def after(self, transfer):
        return transfer.get_absolute_url()


class TransferAcceptView(TransferDecisionView):
    decision = "accept"

    def run(self, transfer, data):
        services_transfer.transfer_accept(
            actor=self.request.user,
            transfer=transfer,
            expected_version=data["version"],
            note=data["note"],
            new_director=data["new_director"],
        )

    def done_message(self):
        return _("已接收：儿童已转入本辖区。")

    def after(self, transfer):
        # The child is now the receiving area's: its page opens for the person who accepted.
        if Child.objects.visible_to(self.request.user).filter(pk=transfer.child_id).exists():
            return transfer.child.get_absolute_url()
        return transfer.get_absolute_url()


class TransferRejectView(TransferDecisionView):
    decision = "reject"

    def run(self, transfer, data):
        services_transfer.transfer_reject(
            actor=self.request.user,
            transfer=transfer,
            expected_version=data["version"],
            note=data["note"],
        )

    def done_message(self):
        return _("已退回该转移申请。")


class TransferCancelView(TransferDecisionView):
    decision = "cancel"
    permission_required = "children.transfer_child"

    def run(self, transfer, data):
        services_transfer.transfer_cancel(
            actor=self.request.user,
            transfer=transfer,
            expected_version=data["version"],
            note=data["note"],
        )

    def done_message(self):
        return _("已撤回该转移申请。")


class TransferRequestView(ScopedObjectMixin, PermissionRequiredMixin, FormView):
    """Ask to move a child (from its page). A child with a request waiting shows it instead."""

    permission_required = "children.transfer_child"
    raise_exception = True
    form_class = TransferRequestForm
    template_name = "children/transfer_request.html"

    def scoped_lookup(self, user, pk):
        return selectors.child_detail(user, pk)

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"child": self.get_scoped_object()}

    def get_context_data(self, **kwargs):
        child = self.get_scoped_object()
        return super().get_context_data(**kwargs) | {
            "child": child,
            "pending": selectors_transfer.pending_transfer(child),
        }

    def form_valid(self, form):
        child = self.get_scoped_object()
        try:
            transfer = services_transfer.transfer_request(
                actor=self.request.user,
                child=child,
                to_village=form.cleaned_data["to_village"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已提交转移申请，等待%(place)s接收；接收前儿童仍在本辖区。")
            % {"place": transfer.to_village},
        )
        return redirect(transfer.get_absolute_url())


# --- hand-over -------------------------------------------------------------------------------


class HandoverView(PermissionRequiredMixin, FormView):
    """工作移交: one account's caseload to another, and the old account deactivated."""

    permission_required = "children.handover_caseload"
    raise_exception = True
    form_class = HandoverForm
    template_name = "children/handover.html"

    def get_form_kwargs(self):
        user = self.request.user
        return super().get_form_kwargs() | {
            "sources": services_handover.handover_sources(user),
            "targets": services_handover.handover_targets(user),
        }

    def get_initial(self):
        chosen = self.request.GET.get("from", "")
        if chosen.isdigit():
            source = services_handover.handover_sources(self.request.user).filter(pk=chosen).first()
            if source is not None:
                return {"from_user": source}
        return {}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        source = self.get_initial().get("from_user")
        context["source"] = source
        context["held"] = services_handover.held_by(source) if source is not None else None
        context["table"] = HandoverTable(
            selectors_transfer.handover_list(self.request.user)[:50], orderable=False
        )
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            handover = services_handover.caseload_handover(
                actor=self.request.user,
                from_user=data["from_user"],
                to_user=data["to_user"],
                note=data["note"],
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        except PermissionDenied:
            form.add_error("from_user", _("只能移交本辖区儿童主任的工作。"))
            return self.form_invalid(form)
        moved = "、".join(f"{label} {n}" for label, n in handover.counts.items() if n)
        messages.success(
            self.request,
            _("已完成移交：%(old)s → %(new)s（%(moved)s），原账号已停用。")
            % {
                "old": handover.from_user.display_name,
                "new": handover.to_user.display_name,
                "moved": moved or _("无待移交的记录"),
            },
        )
        return redirect("children:handover")


class OrphanListView(PermissionRequiredMixin, TemplateView):
    """What is still assigned to an inactive account, in the user's area, with a link to
    hand it over."""

    permission_required = "children.handover_caseload"
    raise_exception = True
    template_name = "children/orphans.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "rows": services_handover.orphans(self.request.user)
        }
