"""What every care page shares: the scoped object lookup (404 outside the area before the
permission's 403), the child-record form page, lists, and service errors shown on forms."""

from django.contrib import messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import FormView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from care import selectors
from children.models import Child
from core import views as core_views
from core.forms import apply_errors

PAGE_SIZE = 30


class ScopedObjectMixin(core_views.ScopedObjectMixin):
    """``self.object`` from the user's scope first (404, core.views), then the permission
    (403); ``scoped_model`` names the model, ``get_scoped_queryset`` what it is read with."""

    scoped_model = None
    permission_required: str | tuple = ()

    def get_scoped_queryset(self):
        return self.scoped_model.objects.all()

    def scoped_queryset(self):
        return self.get_scoped_queryset()

    def dispatch(self, request, *args, **kwargs):
        self.object = self.get_scoped_object()
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


class StaleEditMixin:
    """Show a stale edit as a Chinese form error and keep the newer data untouched."""

    def stale(self, form, exc):
        form.add_error(None, str(exc))
        return self.form_invalid(form)


class ChildRecordEditView(ScopedObjectMixin, StaleEditMixin, FormView):
    """Edit one record of a child (plan, referral, pairing, service session, incident): the
    form gets the user and the record (and the child, where ``form_takes_child``); the page
    names the child and links back to it."""

    template_name = "care/form.html"
    title = ""
    form_takes_child = True

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "user": self.request.user, "instance": self.object}
        if self.form_takes_child:
            kwargs["child"] = self.object.child
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        context["child"] = self.object.child
        context["child_url"] = selectors.child_url(self.object.child)
        return context


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
            apply_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.saved_message)
        return self.saved_redirect(saved)

    def saved_redirect(self, saved):
        return redirect(saved.get_absolute_url())
