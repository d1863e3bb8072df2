"""撤并 and 拆分 pages of the county admin: thin views over children.services_villages."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.generic import FormView

from accounts.models import User, Village
from children.forms import VillageMergeForm, VillageSplitForm
from children.models import Child
from children.services_villages import village_merge, village_split
from core.forms import apply_errors


class VillageActionView(PermissionRequiredMixin, FormView):
    permission_required = "accounts.merge_village"
    raise_exception = True

    def dispatch(self, request, *args, **kwargs):
        # Villages are county-wide reference data, not area-scoped: only the county admin
        # (who holds the permission) reaches these pages.
        self.source = get_object_or_404(Village.objects.select_related("township"), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def held(self):
        children = Child.objects.filter(village=self.source).order_by("name_pinyin", "pk")
        accounts = User.objects.filter(village=self.source).order_by("username")
        return children, accounts

    def get_context_data(self, **kwargs):
        children, accounts = self.held()
        return super().get_context_data(**kwargs) | {
            "source": self.source,
            "n_children": children.count(),
            "n_accounts": accounts.count(),
        }

    def form_valid(self, form):
        try:
            result = self.run(form)
        except ValidationError as exc:
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("已办理：移动儿童 %(children)d 名、账号 %(accounts)d 个。")
            % {"children": result.children, "accounts": result.accounts},
        )
        return redirect("accounts:village_list")


class VillageMergeView(VillageActionView):
    form_class = VillageMergeForm
    template_name = "children/village_merge.html"

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"source": self.source}

    def run(self, form):
        return village_merge(
            actor=self.request.user,
            source=self.source,
            target=form.cleaned_data["target"],
            note=form.cleaned_data["note"],
        )


class VillageSplitView(VillageActionView):
    form_class = VillageSplitForm
    template_name = "children/village_split.html"

    def get_form_kwargs(self):
        children, accounts = self.held()
        return super().get_form_kwargs() | {
            "source": self.source,
            "children": list(children),
            "accounts": list(accounts),
        }

    def run(self, form):
        children, accounts = form.destinations()
        return village_split(
            actor=self.request.user,
            source=self.source,
            children=children,
            accounts=accounts,
            retire_source=form.cleaned_data["retire_source"],
            note=form.cleaned_data["note"],
        )
