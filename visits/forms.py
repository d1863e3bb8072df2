"""Visit forms. Each takes ``user`` and narrows its choices to what that user may see."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin, DateInput
from visits import selectors
from visits.attachments import FORMATS, MAX_ATTACHMENTS_PER_VISIT
from visits.choices import Problem
from visits.models import Visit
from visits.services import EDITABLE_FIELDS

IMAGE_ACCEPT = ",".join(content_type for content_type, _ext in FORMATS.values())


class MultipleImageInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one file input; the services check each one (type, size)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleImageInput(attrs={"accept": IMAGE_ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class _OnceChoiceIterator(ModelChoiceIterator):
    """A select's few choices, fetched once per form by a plain query.

    ModelChoiceIterator queries at every walk over the choices, and rendering a select walks
    them twice (first to decide its ``required`` attribute); it also reads them through
    QuerySet.iterator(), a server-side cursor on PostgreSQL: three round trips for a handful
    of rows. Validation still looks the submitted value up in the queryset, and a form that
    is not rendered never fetches its choices."""

    def _choices(self) -> list:
        cached = getattr(self.field, "_choices_once", None)
        if cached is None or cached[0] is not self.queryset:
            choices = [] if self.field.empty_label is None else [("", self.field.empty_label)]
            choices += [self.choice(obj) for obj in self.queryset.all()]
            cached = self.field._choices_once = (self.queryset, choices)
        return cached[1]

    def __iter__(self):
        return iter(self._choices())

    def __len__(self):
        return len(self._choices())

    def __bool__(self):
        return bool(self._choices())


class VisitForm(BootstrapFormMixin, forms.ModelForm):
    problems = forms.MultipleChoiceField(
        label=_("发现的问题"),
        choices=Problem.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    attachments = MultipleImageField(
        label=_("签字表格照片"),
        required=False,
        help_text=_("JPEG、PNG 或 WebP 图片，每张不超过 5 MB，最多 %(n)d 张。")
        % {"n": MAX_ATTACHMENTS_PER_VISIT},
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    # What was seen, then what was found, then what was done: the order of the paper form.
    field_order = [
        *EDITABLE_FIELDS[: EDITABLE_FIELDS.index("safety_note") + 1],
        "problems",
        *EDITABLE_FIELDS[EDITABLE_FIELDS.index("safety_note") + 1 :],
        "attachments",
    ]

    class Meta:
        model = Visit
        fields = EDITABLE_FIELDS
        widgets = {
            "date": DateInput(),
            "kind": forms.RadioSelect,
            "emotion_state": forms.RadioSelect,
            "study_state": forms.RadioSelect,
            "life_state": forms.RadioSelect,
            "safety_state": forms.RadioSelect,
            "actions_taken": forms.Textarea(attrs={"rows": 3}),
            "co_visitors": forms.TextInput(attrs={"placeholder": _("如：村委会主任 王某")}),
        }

    def __init__(self, *args, user, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["visitor"].iterator = _OnceChoiceIterator
        self.fields["visitor"].queryset = selectors.visitor_choices(user, child)
        self.fields["visitor"].label_from_instance = lambda u: (
            f"{u.display_name}（{u.get_role_display()}）" if u.role else u.display_name
        )
        self.fields["visitor"].empty_label = None
        if not self.instance.pk:
            self.fields["visitor"].initial = user.pk
            self.fields.pop("version")
        for name in ("kind", "emotion_state", "study_state", "life_state", "safety_state"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date and date > timezone.localdate():
            raise forms.ValidationError(_("走访日期不能晚于今天。"))
        return date

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("follow_up_needed") and not (cleaned.get("follow_up_note") or "").strip():
            self.add_error("follow_up_note", _("需要跟进时，请填写跟进事项。"))
        return cleaned

    def _post_clean(self):
        # The services validate the visit against its child and area; the form must not
        # write into the instance it was given (that is the service's job).
        pass

    def visit_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class ReviewForm(BootstrapFormMixin, forms.Form):
    APPROVE, RETURN = "approve", "return"

    decision = forms.ChoiceField(
        label=_("审核结果"),
        choices=[(APPROVE, _("通过")), (RETURN, _("退回修改"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("审核意见"),
        required=False,
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填：请写明需要补充或更正的内容。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.RETURN and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", _("退回时必须填写退回意见。"))
        return cleaned


class AttachmentForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("上传签字表格照片"),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
        help_text=_("JPEG、PNG 或 WebP 图片，不超过 5 MB。"),
    )


class VisitRulesForm(BootstrapFormMixin, forms.Form):
    """The visit schedule the county admin sets (docs/domain.md §6 gives the defaults)."""

    first_visit_working_days = forms.IntegerField(
        label=_("登记后首次家访时限（工作日）"),
        min_value=1,
        max_value=60,
        help_text=_("工作日按周一至周五计算，不含法定节假日调整。"),
    )

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.levels = levels
        for value, label in levels:
            self.fields[f"interval_{value}"] = forms.IntegerField(
                label=_("%(level)s：每隔多少天家访一次") % {"level": label},
                min_value=1,
                max_value=366,
                # Added after the mixin styled the declared fields: style it the same way.
                widget=forms.NumberInput(attrs={"class": "form-control"}),
            )

    def intervals(self) -> dict[str, int]:
        return {value: self.cleaned_data[f"interval_{value}"] for value, _label in self.levels}


class HouseholdMemberField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj):
        return obj.name


class HouseholdVisitForm(VisitForm):
    """One visit to a home for the children of a household: what was seen and done is
    recorded once and saved as one visit per chosen child (visits.services
    .visit_record_household); each can be corrected on its own afterwards."""

    members = HouseholdMemberField(label=_("本次走访的儿童"), queryset=None)

    field_order = ["members", *VisitForm.field_order]

    def __init__(self, *args, user, household, members, **kwargs):
        super().__init__(*args, user=user, child=members.first(), **kwargs)
        self.fields.pop("attachments")
        self.fields["members"].queryset = members
        self.fields["members"].initial = list(members.values_list("pk", flat=True))
        self.fields["members"].error_messages["required"] = _("请至少选择一名儿童。")
