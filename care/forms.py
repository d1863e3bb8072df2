"""Forms of the care records. Each takes ``user`` (and the child or record it is about) and
narrows its choices to what that user may see; the services check again."""

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import COUNTY_ROLES, Role
from accounts.models import User
from care import choices
from care.models import (
    CarePlan,
    CareSettings,
    Incident,
    Institution,
    Mentor,
    Pairing,
    Referral,
    ServiceSession,
)
from care.screening import INSTRUMENTS, get_instrument
from care.services import INCIDENT_FIELDS, SESSION_FIELDS, age_error, instrument_enabled
from core.forms import BootstrapFormMixin, DateInput


def users_covering(child):
    """Active users whose area includes the child (a responsible person, a follow-up by)."""
    return (
        User.objects.filter(is_active=True)
        .filter(
            Q(role__in=COUNTY_ROLES)
            | Q(role=Role.TOWNSHIP_SUPERVISOR, township_id=child.township_id)
            | Q(role=Role.VILLAGE_DIRECTOR, village_id=child.village_id)
        )
        .order_by("role", "name", "username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name}（{obj.get_role_display()}）"


def enabled_instrument_choices():
    return [(code, i.title) for code, i in INSTRUMENTS.items() if instrument_enabled(code)]


# --- screenings ----------------------------------------------------------------------------


class ScreeningStartForm(BootstrapFormMixin, forms.Form):
    """Step 1: which questionnaire, who answers it, and when (sent by GET to step 2)."""

    instrument = forms.ChoiceField(label=_("量表"))
    respondent = forms.ChoiceField(
        label=_("填答人"), choices=choices.Respondent.choices, initial=choices.Respondent.SELF
    )
    screened_on = forms.DateField(label=_("测评日期"), widget=DateInput())

    def __init__(self, *args, child=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.child = child
        self.fields["instrument"].choices = enabled_instrument_choices()
        self.fields["screened_on"].initial = timezone.localdate()

    def clean_screened_on(self):
        value = self.cleaned_data["screened_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("测评日期不能晚于今天。"))
        return value

    def clean(self):
        data = super().clean()
        code, respondent = data.get("instrument"), data.get("respondent")
        if code and respondent:
            allowed = get_instrument(code).respondents
            if respondent not in allowed:
                who = "、".join(str(choices.Respondent(r).label) for r in allowed)
                self.add_error("respondent", _("该量表只能由%(who)s填答。") % {"who": who})
            elif self.child is not None and data.get("screened_on"):
                # Refused here, before the questions, not after they were all answered.
                message = age_error(code, respondent, self.child.birth_date, data["screened_on"])
                if message:
                    self.add_error("instrument", message)
        return data


def respondents_by_instrument() -> dict[str, list[str]]:
    """For care.js: narrow the respondent list to what the chosen instrument allows."""
    return {
        code: list(i.respondents) for code, i in INSTRUMENTS.items() if instrument_enabled(code)
    }


class ScreeningAnswersForm(BootstrapFormMixin, forms.Form):
    """Step 2: one radio group per item, with the instrument's Chinese options and item text
    (item numbers only for the licensed SDQ). Missing answers are named by item number."""

    instrument = forms.CharField(widget=forms.HiddenInput)
    respondent = forms.ChoiceField(label=_("填答人"), widget=forms.HiddenInput)
    screened_on = forms.DateField(label=_("测评日期"), widget=forms.HiddenInput)

    def __init__(self, *args, instrument, **kwargs):
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.fields["instrument"].initial = instrument.code
        self.fields["respondent"].choices = [
            (r, choices.Respondent(r).label) for r in instrument.respondents
        ]
        options = [(o.value, o.label) for o in instrument.options]
        # The SDQ's published rules score a subscale from 3 of its 5 items: the scoring
        # decides what is missing, not the form.
        required = not instrument.licensed_only
        self.item_fields = []
        for number in instrument.item_numbers:
            text = instrument.item_text(number)
            self._add_item(number, text, options, required)
        for item in instrument.supplementary:
            self._add_item(
                item.number, item.text, [(o.value, o.label) for o in item.options], False
            )

    def _add_item(self, number, text, options, required):
        name = f"item_{number}"
        label = _("第 %(n)d 题") % {"n": number}
        self.fields[name] = forms.TypedChoiceField(
            label=label,
            choices=options,
            coerce=int,
            required=required,
            empty_value=None,
            widget=forms.RadioSelect(attrs={"class": "form-check-input mt-0 flex-shrink-0"}),
            error_messages={
                "required": _("请回答第 %(n)d 题。") % {"n": number},
                "invalid_choice": _("第 %(n)d 题的答案无效，请重新选择。") % {"n": number},
            },
        )
        self.fields[name].item_number = number
        self.fields[name].item_text = text or ""
        self.fields[name].supplementary = number > self.instrument.item_count
        self.item_fields.append(name)

    def clean_instrument(self):
        if self.cleaned_data["instrument"] != self.instrument.code:
            raise forms.ValidationError(_("量表不一致，请重新开始。"))
        return self.cleaned_data["instrument"]

    def clean_screened_on(self):
        value = self.cleaned_data["screened_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("测评日期不能晚于今天。"))
        return value

    def items(self):
        return [self[name] for name in self.item_fields]

    def answers(self) -> dict[int, int]:
        return {
            self.fields[name].item_number: self.cleaned_data[name]
            for name in self.item_fields
            if self.cleaned_data.get(name) is not None
        }


# --- safety alerts -------------------------------------------------------------------------


class PlanChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(start)s起：%(services)s（%(status)s）") % {
            "start": obj.started_on.isoformat(),
            "services": obj.services_display(),
            "status": obj.get_status_display(),
        }


class ReferralChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(date)s 转介至%(inst)s（%(status)s）") % {
            "date": obj.referred_on.isoformat(),
            "inst": obj.institution.name,
            "status": obj.get_status_display(),
        }


class AlertCloseForm(BootstrapFormMixin, forms.Form):
    actions = forms.MultipleChoiceField(
        label=_("处置措施（可多选）"),
        choices=choices.AlertAction.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少勾选一项处置措施。")},
    )
    care_plan = PlanChoiceField(
        label=_("关联关爱方案（勾选「已制定关爱方案」时必选）"),
        queryset=CarePlan.objects.none(),
        required=False,
    )
    referral = ReferralChoiceField(
        label=_("关联转介（勾选「已转介」时必选）"),
        queryset=Referral.objects.none(),
        required=False,
    )
    note = forms.CharField(
        label=_("处置说明"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("必填，至少 10 个字：写明做了什么、谁做的、儿童目前是否安全。"),
        error_messages={"required": _("请填写处置说明。")},
    )

    def __init__(self, *args, user, alert, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["care_plan"].queryset = (
            CarePlan.objects.visible_to(user)
            .filter(child_id=alert.child_id)
            .prefetch_related("services")
        )
        self.fields["referral"].queryset = (
            Referral.objects.visible_to(user)
            .filter(child_id=alert.child_id)
            .select_related("institution")
        )


class CareSettingsForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = CareSettings
        fields = [
            "scared_norm",
            "suicidal_ideation_hours",
            "suicide_attempt_hours",
            "positive_screening_hours",
            "county_escalation_hours",
        ]
        widgets = {"scared_norm": forms.RadioSelect}

    def clean(self):
        data = super().clean()
        for name in self.Meta.fields[1:]:
            value = data.get(name)
            if value is not None and not 1 <= value <= 24 * 30:
                self.add_error(name, _("请填写 1 到 720 之间的小时数。"))
        return data


# --- care plans ----------------------------------------------------------------------------


class CarePlanForm(BootstrapFormMixin, forms.ModelForm):
    services = forms.MultipleChoiceField(
        label=_("关爱服务"),
        choices=choices.CareService.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("请至少选择一项关爱服务。")},
    )
    responsible_user = UserChoiceField(
        label=_("责任人账号（可选）"), queryset=User.objects.none(), required=False
    )

    class Meta:
        model = CarePlan
        fields = [
            "goals",
            "measures",
            "responsible_name",
            "responsible_user",
            "started_on",
            "review_on",
        ]
        widgets = {
            "goals": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 4}),
            "started_on": DateInput(),
            "review_on": DateInput(),
        }
        error_messages = {
            "goals": {"required": _("请填写方案目标。")},
            "measures": {"required": _("请填写具体措施。")},
            "responsible_name": {"required": _("请填写责任人。")},
            "started_on": {"required": _("请填写开始日期。")},
            "review_on": {"required": _("请填写复核日期。")},
        }

    def __init__(self, *args, user, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible_user"].queryset = users_covering(child)
        if not self.instance.pk:
            self.fields["started_on"].initial = timezone.localdate()
            self.fields["responsible_name"].initial = user.display_name
        else:
            self.fields["services"].initial = self.instance.service_codes()

    def clean(self):
        data = super().clean()
        start, review = data.get("started_on"), data.get("review_on")
        if start and review and review < start:
            self.add_error("review_on", _("复核日期不能早于开始日期。"))
        return data


class CarePlanEditForm(CarePlanForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(CarePlanForm.Meta):
        fields = [*CarePlanForm.Meta.fields, "status", "status_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
        self.fields["status_note"].help_text = _("终止方案时必填。")
        if self.instance.is_approved:
            # Approved plans move between their approved states here; approval has its page.
            self.fields["status"].choices = [
                (value, label)
                for value, label in choices.PlanStatus.choices
                if value in choices.APPROVED_PLAN_STATUSES
            ]
        else:
            del self.fields["status"]
            del self.fields["status_note"]


# --- institutions and referrals ------------------------------------------------------------


class InstitutionForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Institution
        fields = ["name", "kind", "contact_person", "phone", "address", "note", "is_active"]
        error_messages = {"name": {"unique": _("已有同名机构。")}}


class ReferralForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Referral
        # The guardian's consent is the child's recorded consent to share information with
        # the institution (children.Consent), checked by the service; not a box to tick here.
        fields = ["institution", "reason", "referred_on"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3}), "referred_on": DateInput()}
        error_messages = {
            "institution": {"required": _("请选择转介机构。")},
            "reason": {"required": _("请填写转介原因。")},
        }

    def __init__(self, *args, user, child=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(is_active=True)
        if not self.instance.pk:
            self.fields["referred_on"].initial = timezone.localdate()


class ReferralEditForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Referral
        fields = ["institution", "reason", "feedback"]
        widgets = {
            "reason": forms.Textarea(attrs={"rows": 3}),
            "feedback": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = Institution.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.institution_id)
        )
        self.fields["version"].initial = self.instance.version


class ReferralStatusForm(BootstrapFormMixin, forms.Form):
    to_status = forms.ChoiceField(
        label=_("新状态"), error_messages={"required": _("请选择新状态。")}
    )
    changed_on = forms.DateField(label=_("变更日期"), widget=DateInput())
    reason = forms.CharField(
        label=_("说明"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("「未接诊」须填写原因。"),
    )
    feedback = forms.CharField(
        label=_("机构反馈（可选）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [
            (s, choices.ReferralStatus(s).label) for s in referral.allowed_next
        ]
        self.fields["changed_on"].initial = timezone.localdate()
        self.fields["version"].initial = referral.version


# --- mentors, pairings, follow-ups ---------------------------------------------------------


class MentorForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Mentor
        fields = ["name", "kind", "organisation", "phone", "note", "is_active"]


class MentorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj}（{obj.get_kind_display()}）"


class PairingForm(BootstrapFormMixin, forms.ModelForm):
    mentor = MentorChoiceField(
        label=_("结对帮扶人"),
        queryset=Mentor.objects.none(),
        error_messages={"required": _("请选择结对帮扶人。")},
    )
    referral = forms.ModelChoiceField(
        queryset=Referral.objects.none(), required=False, widget=forms.HiddenInput
    )

    class Meta:
        model = Pairing
        fields = ["mentor", "started_on", "interval_days", "ended_on", "note", "referral"]
        widgets = {"started_on": DateInput(), "ended_on": DateInput()}

    def __init__(self, *args, user, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mentor"].queryset = Mentor.objects.filter(is_active=True)
        self.fields["referral"].queryset = Referral.objects.visible_to(user).filter(
            child_id=child.pk
        )
        self.fields["started_on"].initial = timezone.localdate()
        self.fields["ended_on"].help_text = _("可不填；结对结束时再填写。")


class PairingEditForm(PairingForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta(PairingForm.Meta):
        fields = ["mentor", "started_on", "interval_days", "ended_on", "status", "note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.pop("referral", None)
        self.fields["mentor"].queryset = Mentor.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.mentor_id)
        )
        self.fields["version"].initial = self.instance.version


class FollowUpForm(BootstrapFormMixin, forms.Form):
    followed_on = forms.DateField(label=_("随访日期"), widget=DateInput())
    by_name = forms.CharField(
        label=_("随访人"), max_length=50, error_messages={"required": _("请填写随访人。")}
    )
    by_user = UserChoiceField(
        label=_("随访人账号（可选）"), queryset=User.objects.none(), required=False
    )
    condition = forms.CharField(
        label=_("儿童近况"),
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写儿童近况。")},
    )
    next_step = forms.CharField(
        label=_("下一步安排"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, pairing, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["by_user"].queryset = users_covering(pairing.child)
        self.fields["followed_on"].initial = timezone.localdate()
        self.fields["by_name"].initial = user.display_name
        self.fields["by_user"].initial = user.pk

    def clean_followed_on(self):
        value = self.cleaned_data["followed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("随访日期不能晚于今天。"))
        return value


# --- services delivered --------------------------------------------------------------------


class ServiceSessionForm(BootstrapFormMixin, forms.ModelForm):
    provider_user = UserChoiceField(
        label=_("服务人员账号（工作人员服务时可选）"), queryset=User.objects.none(), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = ServiceSession
        fields = SESSION_FIELDS
        widgets = {
            "delivered_on": DateInput(),
            "kind": forms.RadioSelect,
            "delivered_by": forms.RadioSelect,
            "duration_minutes": forms.NumberInput(attrs={"inputmode": "numeric", "min": 1}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "delivered_on": {"required": _("请填写服务日期。")},
            "kind": {"required": _("请选择服务类型。")},
            "delivered_by": {"required": _("请选择服务提供方。")},
            "provider_name": {"required": _("请填写服务人员或机构。")},
            "duration_minutes": {"required": _("请填写服务时长。")},
        }

    def __init__(self, *args, user, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider_user"].queryset = users_covering(child)
        for name in ("kind", "delivered_by"):
            self.fields[name].choices = [c for c in self.fields[name].choices if c[0]]
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields.pop("version")
            self.fields["delivered_on"].initial = timezone.localdate()
            self.fields["delivered_by"].initial = choices.DeliveredBy.STAFF
            self.fields["provider_name"].initial = user.display_name
            self.fields["provider_user"].initial = user.pk

    def _post_clean(self):
        pass  # the services validate the session against its plan and child

    def session_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in SESSION_FIELDS}


# --- incidents -----------------------------------------------------------------------------


class IncidentForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Incident
        fields = INCIDENT_FIELDS
        widgets = {
            "occurred_on": DateInput(),
            "reported_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "outcome": forms.Textarea(attrs={"rows": 3}),
        }
        error_messages = {
            "kind": {"required": _("请选择侵害类型。")},
            "occurred_on": {"required": _("请填写发生（发现）日期。")},
            "description": {"required": _("请简要说明情况。")},
            "reported_to": {"required": _("请选择报告单位。")},
            "reported_on": {"required": _("请填写报告日期。")},
            "reported_by_name": {"required": _("请填写报告人。")},
        }

    def __init__(self, *args, user, child, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
        else:
            self.fields.pop("version")
            self.fields["reported_on"].initial = timezone.localdate()
            self.fields["reported_by_name"].initial = user.display_name
        self.fields["reported_to"].help_text = _(
            "发现未成年人遭受或疑似遭受不法侵害、面临不法侵害危险的，应当立即向公安、民政、"
            "教育等有关部门报告（《未成年人保护法》第十一条）。"
        )

    def _post_clean(self):
        pass  # the services validate

    def incident_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in INCIDENT_FIELDS}
