"""Forms of the activities app. Each takes ``user`` and offers only what that user may pick:
townships of their area, children of their area (``Child.objects.visible_to(user)``),
accounts of their township. The services check the same things again before writing."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role
from accounts.scoping import is_county_wide, visible_townships, visible_villages
from activities import choices, selectors
from activities.credit_code import normalize_credit_code, validate_credit_code
from activities.models import (
    Activity,
    Campaign,
    PartnerOrganisation,
    PurchasedService,
    Training,
    default_report_deadline,
)
from activities.photos import check_size
from activities.services import (
    ACTIVITY_FIELDS,
    CAMPAIGN_FIELDS,
    CHILD_OUTSIDE_AREA,
    PARTNER_FIELDS,
    SERVICE_FIELDS,
    TRAINING_FIELDS,
)
from children.models import Child
from core.forms import BootstrapFormMixin, DateInput

MAX_PHOTOS_PER_UPLOAD = 9

COUNT_FIELDS = (
    "guardians_count",
    "other_children_count",
    "teachers_count",
    "public_count",
    "volunteers_count",
)


class VersionMixin(forms.Form):
    """The record's version when the form was opened, for optimistic locking."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


def _area_township_field(form, user, instance_township=None, *, county_label):
    """Township choice: the user's area only. A supervisor's own township is fixed (a
    disabled field: a posted value is ignored); the county may leave it empty for a
    county-level record."""
    field = form.fields["township"]
    field.queryset = visible_townships(user)
    if is_county_wide(user):
        field.required = False
        field.empty_label = county_label
        return
    field.required = True
    field.empty_label = None
    if instance_township is None and user.township_id:
        # ModelForm takes initial values from the instance; a new record has none yet.
        form.initial["township"] = user.township_id
    field.disabled = True


class CampaignForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = CAMPAIGN_FIELDS
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "report_deadline": DateInput(),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report_deadline"].required = False

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("结束日期不能早于开始日期。"))
        if not cleaned.get("report_deadline") and cleaned.get("year"):
            cleaned["report_deadline"] = default_report_deadline(cleaned["year"])
            self.instance.report_deadline = cleaned["report_deadline"]
        return cleaned


class PartnerForm(BootstrapFormMixin, VersionMixin, forms.ModelForm):
    # Longer than 18 so a code typed with spaces or in full-width can be normalised first.
    credit_code = forms.CharField(
        label=_("统一社会信用代码"),
        max_length=60,
        required=False,
        help_text=_("18位，选填；填写时校验校验位。"),
    )

    class Meta:
        model = PartnerOrganisation
        fields = PARTNER_FIELDS
        widgets = {"note": forms.Textarea(attrs={"rows": 2}), "kind": forms.Select}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version

    def clean_credit_code(self):
        code = normalize_credit_code(self.cleaned_data.get("credit_code"))
        if not code:
            return ""
        validate_credit_code(code)
        taken = PartnerOrganisation.objects.filter(credit_code=code)
        if self.instance.pk:
            taken = taken.exclude(pk=self.instance.pk)
        if taken.exists():
            raise ValidationError(_("该统一社会信用代码已登记。"))
        return code


class ActivityEditForm(BootstrapFormMixin, VersionMixin, forms.ModelForm):
    formats = forms.MultipleChoiceField(
        label=_("活动形式"),
        choices=choices.ActivityForm.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一种活动形式。")},
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("合作组织"),
        queryset=PartnerOrganisation.objects.none(),
        required=False,
        # Check boxes: a multi-select list box needs Ctrl on a computer and fails on a phone.
        widget=forms.CheckboxSelectMultiple,
        help_text=_("可多选。名录中没有的请先登记合作组织。"),
    )

    class Meta:
        model = Activity
        fields = [name for name in ACTIVITY_FIELDS if name not in COUNT_FIELDS]
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "featured_practice": forms.Textarea(attrs={"rows": 3}),
            "innovative_practice": forms.Textarea(attrs={"rows": 3}),
            "effect": forms.Textarea(attrs={"rows": 3}),
        }

    field_order = [
        "campaign", "township", "title", "formats", "start_date", "end_date", "place",
        "organiser", "brand", "partners", "featured_practice", "innovative_practice", "effect",
    ]  # fmt: skip

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        _area_township_field(self, user, self.instance.township, county_label=_("县级活动"))
        self.fields["campaign"].queryset = Campaign.objects.all()
        self.fields["campaign"].empty_label = _("日常活动（不属于年度主题活动）")
        self.fields["partners"].queryset = selectors.partner_choices()
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["formats"].initial = [f.code for f in self.instance.formats.all()]
            self.fields["partners"].initial = list(self.instance.partners.all())
        else:
            campaign = selectors.current_campaign()
            self.initial["campaign"] = campaign.pk if campaign else None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("结束日期不能早于开始日期。"))
        return cleaned

    def _post_clean(self):
        # The service validates the model (with the actor's area); the form only checks input.
        pass


class BeneficiaryCountsForm(BootstrapFormMixin, forms.Form):
    """Beneficiaries outside the ledger, counted not named; and the volunteers who served."""

    guardians_count = forms.IntegerField(label=_("监护人/家长人数"), min_value=0, initial=0)
    other_children_count = forms.IntegerField(
        label=_("其他儿童人数"), min_value=0, initial=0, help_text=_("未列入台账的儿童。")
    )
    teachers_count = forms.IntegerField(label=_("教师人数"), min_value=0, initial=0)
    public_count = forms.IntegerField(label=_("群众人数"), min_value=0, initial=0)
    volunteers_count = forms.IntegerField(label=_("志愿者人数"), min_value=0, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["inputmode"] = "numeric"


def counts_initial(activity) -> dict:
    return {name: getattr(activity, name) for name in COUNT_FIELDS}


class ChildPickForm(forms.Form):
    """The children chosen with the picker: only children the user may see are valid, so a
    crafted id of another area's child is a form error, never a participant."""

    children = forms.ModelMultipleChoiceField(
        label=_("参与儿童（台账儿童）"),
        queryset=Child.objects.none(),
        required=False,
        widget=forms.MultipleHiddenInput,
        error_messages={
            "invalid_choice": CHILD_OUTSIDE_AREA,
            "invalid_pk_value": CHILD_OUTSIDE_AREA,
        },
    )

    def __init__(self, *args, user, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["children"].queryset = Child.objects.visible_to(user)
        if label:
            self.fields["children"].label = label
        self.villages = visible_villages(user)

    def chosen(self):
        """The chips to show: what was posted (when bound) or the initial list."""
        if self.is_bound:
            ids = self.data.getlist(self.add_prefix("children"))
        else:
            ids = [getattr(c, "pk", c) for c in self.initial.get("children", [])]
        return selectors.chosen_children(self.user, ids)


# A blank first choice, so an untouched extra row is "unchanged" and skipped by the formset
# (a select defaulting to its first option would make every empty row look filled in).
BLANK = [("", _("请选择"))]


class LeaderForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    post = forms.CharField(label=_("职务"), max_length=100)
    level = forms.ChoiceField(label=_("层级"), choices=BLANK + choices.LeaderLevel.choices)


class ChannelForm(BootstrapFormMixin, forms.Form):
    channel = forms.ChoiceField(label=_("宣传渠道"), choices=BLANK + choices.Channel.choices)
    link = forms.URLField(
        label=_("链接"),
        max_length=500,
        required=False,
        assume_scheme="https",
        error_messages={"invalid": _("请输入有效的网址，例如 https://mp.weixin.qq.com/…")},
    )


LeaderFormSet = forms.formset_factory(
    LeaderForm, extra=1, can_delete=True, max_num=30, validate_max=True
)
ChannelFormSet = forms.formset_factory(
    ChannelForm, extra=1, can_delete=True, max_num=30, validate_max=True
)


def formset_rows(formset, row_class) -> list:
    return [
        row_class(**{k: v for k, v in form.cleaned_data.items() if k != "DELETE"})
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


def leader_initial(activity) -> list[dict]:
    return [
        {"name": leader.name, "post": leader.post, "level": leader.level}
        for leader in activity.leaders.all()
    ]


def channel_initial(activity) -> list[dict]:
    return [{"channel": c.channel, "link": c.link} for c in activity.channels.all()]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class PhotoUploadForm(BootstrapFormMixin, forms.Form):
    photos = MultipleImageField(
        label=_("照片"),
        help_text=_("JPEG、PNG 或 WebP 格式，每张不超过 5 MB，一次最多 9 张。"),
        error_messages={"required": _("请选择要上传的照片。")},
    )
    caption = forms.CharField(label=_("说明"), max_length=200, required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)

    def clean_photos(self):
        photos = self.cleaned_data["photos"]
        if not photos:
            raise ValidationError(_("请选择要上传的照片。"))
        if len(photos) > MAX_PHOTOS_PER_UPLOAD:
            raise ValidationError(_("一次最多上传 %(n)d 张照片。") % {"n": MAX_PHOTOS_PER_UPLOAD})
        errors = []
        for upload in photos:
            try:
                check_size(upload.name, upload.size)
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return photos


class PurchasedServiceForm(BootstrapFormMixin, VersionMixin, forms.ModelForm):
    class Meta:
        model = PurchasedService
        fields = SERVICE_FIELDS
        widgets = {
            "start_date": DateInput(),
            "end_date": DateInput(),
            "content": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _area_township_field(self, user, self.instance.township, county_label=_("县级购买"))
        self.fields["organisation"].queryset = selectors.partner_choices()
        self.fields["campaign"].queryset = Campaign.objects.all()
        self.fields["campaign"].empty_label = _("不属于年度主题活动")
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            campaign = selectors.current_campaign()
            self.initial["campaign"] = campaign.pk if campaign else None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("结束日期不能早于开始日期。"))
        return cleaned

    def _post_clean(self):
        pass  # the service validates the model with the actor's area


class AttendeeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        area = (
            obj.village.name if obj.village_id else (obj.township.name if obj.township_id else "")
        )
        role = Role(obj.role).label if obj.role else ""
        return f"{obj.display_name}（{role}{' · ' + area if area else ''}）"


class TrainingForm(BootstrapFormMixin, VersionMixin, forms.ModelForm):
    attendees = AttendeeChoiceField(
        label=_("参训人员（平台用户）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("所选参训人员不存在或不在您的管辖范围内。")},
    )
    supervisors_count = forms.IntegerField(
        label=_("儿童督导员人数"), min_value=0, required=False,
        help_text=_("留空则按所选人员统计；可填入未开通账号的人员。"),
    )  # fmt: skip
    directors_count = forms.IntegerField(label=_("儿童主任人数"), min_value=0, required=False)
    others_count = forms.IntegerField(label=_("其他人员人数"), min_value=0, required=False)

    class Meta:
        model = Training
        fields = TRAINING_FIELDS
        widgets = {"date": DateInput()}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        _area_township_field(self, user, self.instance.township, county_label=_("县级培训"))
        self.fields["attendees"].queryset = selectors.training_attendee_choices(user)
        self.fields["campaign"].queryset = Campaign.objects.all()
        self.fields["campaign"].empty_label = _("不属于年度主题活动")
        self.fields["hours"].widget.attrs["inputmode"] = "decimal"
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["attendees"].initial = list(self.instance.attendees.all())
            for name in ("supervisors_count", "directors_count", "others_count"):
                self.fields[name].initial = getattr(self.instance, name)
        else:
            campaign = selectors.current_campaign()
            self.initial["campaign"] = campaign.pk if campaign else None

    def _post_clean(self):
        pass  # the service validates the model with the actor's area

    def counts(self) -> dict:
        return {
            name: self.cleaned_data.get(name)
            for name in ("supervisors_count", "directors_count", "others_count")
        }
