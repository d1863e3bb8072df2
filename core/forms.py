"""Form plumbing shared by every app: Bootstrap classes on widgets, the date picker, and a
service's errors shown on the form; nothing domain-specific."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DASHES = "---------"  # Django's empty option, which says nothing to the person choosing


class BootstrapFormMixin:
    """Give each widget the Bootstrap class its kind needs, and mark invalid fields."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                css = "form-check-input"
            elif isinstance(widget, forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()
            if isinstance(widget, forms.Select):
                self._name_empty_option(field)
            if isinstance(widget, forms.DateInput) and widget.input_type == "text":
                # A date typed as text on a phone is slow and error-prone: the native picker.
                widget.input_type = "date"
                widget.format = "%Y-%m-%d"

    @staticmethod
    def _name_empty_option(field):
        """The empty option says what it means: 请选择 where an answer is required, 未填写
        where leaving it empty is an answer."""
        label = _("请选择") if field.required else _("未填写")
        if getattr(field, "empty_label", None) == DASHES:
            field.empty_label = label
        elif not isinstance(field, forms.ModelChoiceField):
            choices = list(field.widget.choices)
            if any(value == "" and text == DASHES for value, text in choices):
                field.widget.choices = [
                    (value, label if value == "" and text == DASHES else text)
                    for value, text in choices
                ]

    def full_clean(self):
        super().full_clean()
        # Marked after validation (never in __init__, where subclasses have not yet narrowed
        # their choice querysets).
        for name in self._errors or ():
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


class DateInput(forms.DateInput):
    """A native date picker: the easiest date entry on a phone."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def apply_errors(form, exc: ValidationError, *, also=()) -> None:
    """Show a service's ValidationError on the form (docs/architecture.md, "Saving a record"):
    each field's errors on the field, in ``form`` or in one of the ``also`` forms of the same
    page that holds it; errors of no field shown at the top of ``form``. The services say
    what is wrong once; the forms only check the shape of the input."""
    forms_ = [form, *also]
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.error_dict.items():
        target = next((f for f in forms_ if field in f.fields), form)
        for error in errors:
            target.add_error(field if field in target.fields else None, error)
