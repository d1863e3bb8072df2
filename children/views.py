"""Ledger pages. Thin: parse, call one service or selector, render."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView, TemplateView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from accounts.audit import AccessAction, log_access
from accounts.scoping import cache_scope
from children import privacy, selectors, selectors_transfer, services
from children.filters import ChildFilter
from children.forms import ChildCreateForm, ChildEditForm, ReopenForm
from children.models import Child, DuplicateCheckSource
from children.pagination import BoundedCountPaginator, approximate
from children.tables import DEFAULT_COLUMNS, OPTIONAL_COLUMNS, ChildTable
from children.timeline import LIMIT as TIMELINE_LIMIT
from children.timeline import timeline_for
from core.extensions import collect
from core.forms import apply_errors
from core.views import ScopedObjectMixin

COLUMNS_SESSION_KEY = "ledger_columns"
# Query parameters that do not change the filter selects: the search box, the page, the
# order and the chosen columns.
UNFILTERED_PARAMETERS = {"q", "page", "sort", "cols", "exact"}


class ChildMixin(ScopedObjectMixin):
    """The child of the URL, from the user's scope (404 outside it, before any other check)."""

    def scoped_lookup(self, user, pk):
        return selectors.child_detail(user, pk)

    def get_child(self) -> Child:
        return self.get_scoped_object()


class ChildListView(PermissionRequiredMixin, SingleTableMixin, FilterView):
    permission_required = "children.view_child"
    raise_exception = True
    table_class = ChildTable
    filterset_class = ChildFilter
    template_name = "children/child_list.html"

    # Only the table paginates: a ListView paginate_by as well would COUNT the rows twice.
    # The count is exact up to COUNT_BOUND rows ("1 万+" beyond, exact on request).
    def get_table_pagination(self, table):
        return {
            "per_page": 50,
            "paginator_class": BoundedCountPaginator,
            "exact": self.request.GET.get("exact") == "1",
        }

    def get_queryset(self):
        return selectors.ledger_table(self.request.user)

    def chosen_columns(self) -> list[str]:
        if "cols" in self.request.GET:
            chosen = [c for c in self.request.GET.getlist("cols") if c in OPTIONAL_COLUMNS]
            self.request.session[COLUMNS_SESSION_KEY] = chosen
        return self.request.session.get(COLUMNS_SESSION_KEY, [])

    def get_table_kwargs(self):
        chosen = self.chosen_columns()
        return {"exclude": [c for c in OPTIONAL_COLUMNS if c not in chosen]}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        chosen = self.chosen_columns()
        table = context["table"]
        context["column_choices"] = [
            (name, table.columns[name].header if name in table.columns else name, name in chosen)
            for name in OPTIONAL_COLUMNS
            if name in ChildTable.base_columns
        ]
        context["column_labels"] = {
            name: ChildTable.base_columns[name].verbose_name for name in OPTIONAL_COLUMNS
        }
        context["default_columns"] = DEFAULT_COLUMNS
        # What the cached filter selects depend on besides the language: the user, their
        # role and area, and the chosen filters.
        context["filters_key"] = (
            cache_scope(self.request.user)
            + "?"
            + urlencode(
                sorted(
                    (name, value)
                    for name, values in self.request.GET.lists()
                    if name not in UNFILTERED_PARAMETERS
                    for value in values
                )
            )
        )
        page = getattr(table, "page", None)
        # The page's rows first: a first page that is not full tells the count (pagination).
        table.body_rows()
        context["total"] = page.paginator.count if page is not None else None
        if page is not None and page.paginator.is_bounded:
            context["total"] = approximate(page.paginator.bound)
            exact_query = self.request.GET.copy()
            exact_query["exact"] = "1"
            context["exact_count_url"] = "?" + exact_query.urlencode()
        return context


class ChildDetailView(ChildMixin, PermissionRequiredMixin, TemplateView):
    permission_required = "children.view_child"
    raise_exception = True
    template_name = "children/child_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        child = self.get_child()
        user = self.request.user
        log_access(action=AccessAction.VIEW_CHILD, request=self.request, target=child)
        # The newest entries and changes only, unless asked for all: a child visited for
        # years has hundreds, too many to build on every view and to read on a phone.
        shown_all = {
            part for part in ("timeline", "history") if self.request.GET.get(part) == "all"
        }
        reveal = privacy.may_reveal(user)
        context.update(
            child=child,
            # Never the full date beside the ID's last characters: it is half the number.
            birth_shown=privacy.age_label(child.birth_date),
            timeline=timeline_for(
                child, user, limit=None if "timeline" in shown_all else TIMELINE_LIMIT
            ),
            history=selectors.child_history(
                child,
                limit=None if "history" in shown_all else selectors.HISTORY_LIMIT,
                reveal=reveal,
            ),
            # "Show all" of one part keeps the other part as the reader left it.
            timeline_all_url=_show_all_url(shown_all | {"timeline"}, "timeline"),
            history_all_url=_show_all_url(shown_all | {"history"}, "history"),
            actions=collect("child_actions", child, user),
            notices=collect("child_notices", child, user),
            can_edit=user.has_perm("children.change_child"),
            can_close=user.has_perm("children.close_child"),
            can_request_close=user.has_perm("children.add_closurerequest"),
            **selectors.child_casework(child, user),
            can_transfer=user.has_perm("children.transfer_child"),
            # As read with the child by child_detail: none waiting, no query for it.
            pending_transfer=(
                selectors_transfer.pending_transfer(child) if child.has_pending_transfer else None
            ),
            can_reveal=user.has_perm("children.reveal_id"),
        )
        return context


def _show_all_url(parts: set[str], anchor: str) -> str:
    """The child page's own URL with the given parts (timeline, history) shown in full."""
    return "?" + urlencode({part: "all" for part in sorted(parts)}) + "#" + anchor


class RevealView(ChildMixin, PermissionRequiredMixin, View):
    """Show the full ID number and phones once, on purpose, and log that it happened."""

    permission_required = "children.reveal_id"
    raise_exception = True

    def post(self, request, pk):
        child = self.get_child()
        privacy.log_full_read(request=request, child=child, where="reveal")
        return TemplateResponse(request, "children/_revealed.html", {"child": child})


class ChildCreateView(PermissionRequiredMixin, FormView):
    permission_required = "children.add_child"
    raise_exception = True
    form_class = ChildCreateForm
    template_name = "children/child_form.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            child = services.child_register(
                actor=self.request.user,
                township=data["township"],
                village=data["village"],
                data=form.ledger_data(),
                circumstances=data["circumstances"],
                assistance=data["assistance"],
                confirm_duplicate=data.get("confirm_duplicate", False),
            )
        except services.PossibleDuplicate as exc:
            form.ask_duplicate_confirmation()
            return self.render_to_response(
                self.get_context_data(form=form, duplicates=exc.matches, duplicate_message=exc)
            )
        except services.RegisteredElsewhere as exc:
            services.duplicate_check_record(
                actor=self.request.user,
                exc=exc,
                village=data["village"],
                name=data.get("name") or "",
                source=DuplicateCheckSource.REGISTER,
            )
            apply_errors(form, exc)
            return self.form_invalid(form)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        except PermissionDenied:
            form.add_error("village", _("只能登记本辖区的儿童。"))
            return self.form_invalid(form)
        messages.success(self.request, _("已登记：%(name)s") % {"name": child.name})
        return redirect(child)


class ChildUpdateView(ChildMixin, PermissionRequiredMixin, FormView):
    permission_required = "children.change_child"
    raise_exception = True
    form_class = ChildEditForm
    template_name = "children/child_form.html"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        child = self.get_child()
        kwargs["instance"] = child
        kwargs["initial"] = {"version": child.version}
        return kwargs | {"user": self.request.user}

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if privacy.may_reveal(request.user):
            # The form holds the full ID number and phones of this child: a read of them.
            privacy.log_full_read(request=request, child=self.get_child(), where="edit")
        return response

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"child": self.get_child()}

    def form_valid(self, form):
        child = self.get_child()
        data = form.cleaned_data
        try:
            services.child_update(
                actor=self.request.user,
                child=child,
                expected_version=data["version"],
                data=form.ledger_data(),
                circumstances=data["circumstances"],
                assistance=data["assistance"],
                benefit_changed_on=data.get("benefit_changed_on"),
                benefit_exit_reason=data.get("benefit_exit_reason", ""),
            )
        except services.RegisteredElsewhere as exc:
            services.duplicate_check_record(
                actor=self.request.user,
                exc=exc,
                village=child.village,
                name=data.get("name") or child.name,
                source=DuplicateCheckSource.EDIT,
                edited=child,
            )
            apply_errors(form, exc)
            return self.form_invalid(form)
        except services.StaleEdit as exc:
            # Keep what this user typed, show what the other person saved, and let them
            # resubmit deliberately against the version they have now seen.
            form.data = form.data.copy()
            form.data["version"] = exc.current.version
            form.add_error(
                None,
                _(
                    "保存失败：在您打开此页面后，其他人已修改了该儿童的信息。您填写的内容仍保留在下方；请核对下方列出的对方修改后，再次保存。"
                ),
            )
            reveal = privacy.may_reveal(self.request.user)
            for entry in exc.theirs:
                entry["changes"] = privacy.masked_changes(entry["changes"], reveal=reveal)
            return self.render_to_response(
                self.get_context_data(form=form, stale=exc, current=exc.current)
            )
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("已保存。"))
        return redirect(child)


class ChildActionView(ChildMixin, PermissionRequiredMixin, FormView):
    """Close or reopen: a small form that calls one service (a transfer is a request:
    children/views_transfer.py)."""

    raise_exception = True
    template_name = "children/child_action.html"
    title = ""
    service = None

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"child": self.get_child(), "title": self.title}

    def form_valid(self, form):
        try:
            self.run(form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.done_message)
        return redirect(self.get_child())


class ChildReopenView(ChildActionView):
    permission_required = "children.close_child"
    form_class = ReopenForm
    title = gettext_lazy("恢复在册")
    done_message = gettext_lazy("已恢复在册。")

    def run(self, data):
        services.child_reopen(actor=self.request.user, child=self.get_child(), note=data["note"])
