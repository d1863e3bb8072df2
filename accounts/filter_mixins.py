"""What every list filter does the same way: empty options read 全部, and a filter that can
only have one value for this user (a director's own township and village) is left out."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scoping import single_area_fields

DASHES = "---------"  # Django's and django-filter's empty option


def tidy_filter_form(form, user) -> None:
    """Say what the empty option means and drop the choices that are no choice."""
    single = single_area_fields(user) if user is not None else set()
    for name in list(form.fields):
        field = form.fields[name]
        if name in single:
            # The scoped list already holds only that area; without the field nothing filters.
            del form.fields[name]
            continue
        if getattr(field, "empty_label", None) == DASHES:
            field.empty_label = _("全部")
        widget = field.widget
        if isinstance(widget, forms.Select) and not isinstance(field, forms.ModelChoiceField):
            choices = list(widget.choices)
            if any(value == "" and label == DASHES for value, label in choices):
                widget.choices = [
                    (value, _("全部") if value == "" and label == DASHES else label)
                    for value, label in choices
                ]


class PortalFilterSetMixin:
    """For a django-filter FilterSet: its form goes through ``tidy_filter_form``."""

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            request = getattr(self, "request", None)
            tidy_filter_form(form, getattr(request, "user", None))
        return self._form
