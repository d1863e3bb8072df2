"""重复登记核实: the county center's list of numbers entered outside their child's area."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from children import selectors, services_duplicates
from children.forms import DuplicateResolveForm


class DuplicateCheckListView(PermissionRequiredMixin, TemplateView):
    """County-wide (no area): the requests are the county center's to answer. Answering one
    is a POST of this page naming the request in its body."""

    permission_required = "children.view_duplicatecheck"
    raise_exception = True
    template_name = "children/duplicate_checks.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        show = self.request.GET.get("show", "open")
        checks = selectors.duplicate_checks(open_only=show != "all")
        can_resolve = user.has_perm("children.resolve_duplicatecheck")
        forms = kwargs.pop("forms", {})
        rows = [
            (check, forms.get(check.pk) or DuplicateResolveForm(initial={"check": check.pk}))
            for check in checks
        ]
        return super().get_context_data(**kwargs) | {
            "rows": rows,
            "show": show,
            "can_resolve": can_resolve,
        }

    def post(self, request):
        if not request.user.has_perm("children.resolve_duplicatecheck"):
            raise PermissionDenied
        form = DuplicateResolveForm(request.POST)
        if form.is_valid():
            check = selectors.duplicate_check(form.cleaned_data["check"])
            if check is not None:
                try:
                    services_duplicates.duplicate_check_resolve(
                        actor=request.user,
                        check=check,
                        decision=form.cleaned_data["decision"],
                        note=form.cleaned_data["note"],
                    )
                except ValidationError as exc:
                    form.add_error(None, exc)
                else:
                    messages.success(request, _("已处理该核实申请。"))
                    return redirect("children:duplicate_checks")
        pk = form.cleaned_data.get("check") if hasattr(form, "cleaned_data") else None
        context = self.get_context_data(forms={pk: form} if pk else {})
        context["error_form"] = form
        return self.render_to_response(context, status=200)
