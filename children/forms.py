from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role, VillageStatus
from accounts.models import User, Village
from accounts.scoping import visible_townships, visible_villages
from children import choices
from children.models import Child
from children.privacy import age_label, may_reveal
from children.services import EDITABLE_FIELDS
from core.forms import BootstrapFormMixin, DateInput
from core.validators import mask_id_number, mask_phone

DATE_FIELDS = ["birth_date", "filled_on", "registered_on", "id_due_on"]


class ChildForm(BootstrapFormMixin, forms.ModelForm):
    """Register or edit a child. Area, status and version are not model fields of this form:
    they are set by their own services, so extra POSTed values never reach them."""

    circumstances = forms.MultipleChoiceField(
        label=_("困境情形"),
        choices=choices.Circumstance.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    assistance = forms.MultipleChoiceField(
        label=_("救助帮扶"),
        choices=choices.FamilyAssistance.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Child
        fields = EDITABLE_FIELDS
        widgets = {name: DateInput() for name in DATE_FIELDS} | {
            "support_measures": forms.Textarea(attrs={"rows": 3}),
            "id_number": forms.TextInput(
                attrs={"autocomplete": "off", "inputmode": "text", "maxlength": 22}
            ),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["responsible_director"].queryset = User.objects.filter(
            role=Role.VILLAGE_DIRECTOR,
            is_active=True,
            village__in=visible_villages(user),
        ).select_related("village")
        self.fields["responsible_director"].label_from_instance = lambda u: (
            f"{u.display_name}（{u.village.name}）"
        )
        self.fields["id_number"].help_text = _(
            "18位。没有号码的请留空，并勾选「未登记户口」或「身份证号待补录」，"
            "或选择所持的其他证件。"
        )
        self.fields["id_due_on"].help_text = _("身份证号待补录时填写：儿童主任应在此日期前补录。")
        self.fields["birth_date"].required = False
        self.fields["sex"].required = False
        self.fields["birth_date"].help_text = _("可留空，将按身份证号自动填写。")
        if self.instance.pk:
            self.initial.setdefault(
                "circumstances", [c.code for c in self.instance.circumstances.all()]
            )
            self.initial.setdefault("assistance", [a.code for a in self.instance.assistance.all()])

    def validate_unique(self):
        # Uniqueness is worded by the service (children.services.check_duplicates), which
        # never names a child outside the user's area; Django's default message would.
        pass

    def ledger_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in EDITABLE_FIELDS}


class ChildCreateForm(ChildForm):
    township = forms.ModelChoiceField(label=_("乡镇"), queryset=None)
    village = forms.ModelChoiceField(label=_("村/社区"), queryset=None)
    confirm_duplicate = forms.BooleanField(
        label=_("我已核对：这不是重复登记"), required=False, widget=forms.HiddenInput
    )

    field_order = [
        "township",
        "village",
        "name",
        "id_number",
        "no_hukou",
        "id_pending",
        "id_due_on",
        "document_type",
        "document_number",
        "sex",
        "birth_date",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["township"].queryset = visible_townships(user)
        self.fields["village"].queryset = visible_villages(user).filter(status=VillageStatus.ACTIVE)
        self.fields["village"].label_from_instance = str
        if user.village_id:
            self.initial.setdefault("township", user.township_id)
            self.initial.setdefault("village", user.village_id)
        elif user.township_id:
            self.initial.setdefault("township", user.township_id)
        self.initial.setdefault("registered_on", timezone.localdate())

    def clean(self):
        cleaned = super().clean()
        township, village = cleaned.get("township"), cleaned.get("village")
        if township and village and village.township_id != township.pk:
            self.add_error("village", _("所选村/社区不属于所选乡镇。"))
        return cleaned

    def ask_duplicate_confirmation(self):
        self.fields["confirm_duplicate"].widget = forms.CheckboxInput(
            attrs={"class": "form-check-input"}
        )


# Fields a person without the reveal right may replace but never read in the edit form: the
# form shows the masked value and an empty input; left empty, the value stays as it is.
REPLACE_ONLY = {
    "id_number": (_("更正身份证号"), mask_id_number),
    "document_number": (_("更正证件号码"), mask_id_number),
    "birth_date": (_("更正出生日期"), age_label),
    "guardian_phone": (_("更正监护人电话"), mask_phone),
    "father_phone": (_("更正父亲电话"), mask_phone),
    "mother_phone": (_("更正母亲电话"), mask_phone),
}


class ChildEditForm(ChildForm):
    """Edit a child. For someone with the reveal right the form holds the full values (the
    view logs the read); for anyone else the ID number, the other document's number, the
    birth date and the phones are replace-only (``REPLACE_ONLY``)."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    benefit_changed_on = forms.DateField(
        label=_("保障类别变更日期"),
        required=False,
        widget=DateInput(),
        help_text=_("仅在变更保障类别时填写；默认今天。"),
    )
    benefit_exit_reason = forms.ChoiceField(
        label=_("原保障类别退出原因"),
        choices=[("", "---------"), *choices.BenefitExitReason.choices],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.reveal = may_reveal(user)
        self.replace_only = () if self.reveal else tuple(REPLACE_ONLY)
        self.kept = {name: getattr(self.instance, name) for name in self.replace_only}
        for name in self.replace_only:
            label, mask = REPLACE_ONLY[name]
            current = getattr(self.instance, name)
            field = self.fields[name]
            self.initial[name] = None  # never sent to the browser
            field.required = False
            field.label = label
            field.widget.attrs["autocomplete"] = "off"
            if current:
                field.help_text = _(
                    "当前：%(value)s。留空则保持不变；填写新的完整值将替换原值。"
                ) % {"value": mask(current)}
            else:
                field.help_text = _("当前未填写。需要时填写完整值。")

    def clean(self):
        cleaned = super().clean()
        # Before the model's own checks run on the instance: an empty replace-only field
        # means "keep", so the kept value is what they see.
        replaced = set()
        for name in self.replace_only:
            if cleaned.get(name) in (None, ""):
                cleaned[name] = self.kept[name]
            else:
                replaced.add(name)
        if "id_number" in replaced and "birth_date" not in replaced:
            # A corrected ID number brings its own birth date (children.services).
            cleaned["birth_date"] = None
        if "birth_date" in replaced and "id_number" not in replaced and self.kept["id_number"]:
            # Compared with the kept number, the answer would tell the birth date in it.
            self.add_error(
                "birth_date",
                _(
                    "有公民身份号码的儿童，出生日期以身份证号为准；"
                    "如需更正，请同时填写更正后的身份证号。"
                ),
            )
        return cleaned


class CloseForm(BootstrapFormMixin, forms.Form):
    reason = forms.ChoiceField(label=_("结案原因"), choices=choices.CloseReason.choices)
    closed_on = forms.DateField(label=_("结案日期"), widget=DateInput(), initial=timezone.localdate)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class ReopenForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label=_("恢复原因"), max_length=200)


def _active_villages():
    return Village.objects.filter(status=VillageStatus.ACTIVE).select_related("township")


class VillageMergeForm(BootstrapFormMixin, forms.Form):
    """撤并: the village everything moves to, and the decision it rests on."""

    target = forms.ModelChoiceField(label=_("并入村/社区"), queryset=Village.objects.none())
    note = forms.CharField(
        label=_("撤并依据"), max_length=300, help_text=_("如县政府文件的文号与日期。")
    )
    confirm = forms.BooleanField(
        label=_("我已核对：该村/社区的全部儿童和账号将移至所选村/社区"), required=True
    )

    def __init__(self, *args, source: Village, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].queryset = _active_villages().exclude(pk=source.pk)
        self.fields["target"].label_from_instance = str


class VillageSplitForm(BootstrapFormMixin, forms.Form):
    """拆分: a destination for each child and account of the village (blank: stays)."""

    note = forms.CharField(
        label=_("拆分依据"), max_length=300, help_text=_("如县政府文件的文号与日期。")
    )
    retire_source = forms.BooleanField(
        label=_("拆分后把原村/社区标记为“已撤并”（须为每名儿童和每个账号选定去向）"),
        required=False,
    )

    def __init__(self, *args, source: Village, children, accounts, **kwargs):
        super().__init__(*args, **kwargs)
        targets = _active_villages().exclude(pk=source.pk)
        self.child_fields, self.account_fields = [], []
        for child in children:
            name = f"child_{child.pk}"
            self.fields[name] = forms.ModelChoiceField(
                label=child.name, queryset=targets, required=False
            )
            self.fields[name].label_from_instance = str
            self.child_fields.append((child, name))
        for user in accounts:
            name = f"account_{user.pk}"
            self.fields[name] = forms.ModelChoiceField(
                label=user.display_name, queryset=targets, required=False
            )
            self.fields[name].label_from_instance = str
            self.account_fields.append((user, name))
        # The mixin styled the widgets before these fields existed.
        for name, field in self.fields.items():
            if name.startswith(("child_", "account_")):
                field.widget.attrs["class"] = "form-select"

    def destinations(self) -> tuple[dict, dict]:
        children = {
            child.pk: self.cleaned_data[name]
            for child, name in self.child_fields
            if self.cleaned_data.get(name)
        }
        accounts = {
            user.pk: self.cleaned_data[name]
            for user, name in self.account_fields
            if self.cleaned_data.get(name)
        }
        return children, accounts


class DuplicateResolveForm(BootstrapFormMixin, forms.Form):
    """The county center's answer to a 重复登记核实 request."""

    check = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("处理方式"),
        choices=[
            ("transfer", _("核实为同一儿童：转入申请的村/社区")),
            ("reject", _("驳回（须填写说明）")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("处理说明"), max_length=300, required=False)


# --- transfers and hand-overs ----------------------------------------------------------------


class TransferRequestForm(BootstrapFormMixin, forms.Form):
    """Any active village of the county may be the destination: the receiving side decides."""

    to_village = forms.ModelChoiceField(label=_("转入村/社区"), queryset=Village.objects.none())
    reason = forms.CharField(
        label=_("转移原因"),
        max_length=200,
        help_text=_("如：随监护人迁居、入住福利机构。对方据此决定是否接收。"),
    )

    def __init__(self, *args, child, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_village"].queryset = _active_villages().exclude(pk=child.village_id)
        self.fields["to_village"].label_from_instance = str


class TransferAcceptForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    new_director = forms.ModelChoiceField(
        label=_("接收后责任儿童主任"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("转入村/社区的儿童主任；留空则由系统指定该村第一位儿童主任。"),
    )
    note = forms.CharField(label=_("接收意见"), max_length=200, required=False)

    def __init__(self, *args, directors, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_director"].queryset = directors
        self.fields["new_director"].label_from_instance = lambda u: u.display_name


class TransferRejectForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("退回原因"), max_length=200)


class TransferCancelForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("撤回说明"), max_length=200, required=False)


def _account_label(user) -> str:
    area = (
        user.village.name if user.village_id else (user.township.name if user.township_id else "")
    )
    state = "" if user.is_active else str(_("（已停用）"))
    return f"{user.display_name}（{user.get_role_display()} {area}）{state}"


class HandoverForm(BootstrapFormMixin, forms.Form):
    from_user = forms.ModelChoiceField(label=_("移交人（将被停用）"), queryset=User.objects.none())
    to_user = forms.ModelChoiceField(label=_("接收人"), queryset=User.objects.none())
    note = forms.CharField(
        label=_("移交原因"), max_length=200, help_text=_("如：调离、退休、换届。")
    )
    confirm = forms.BooleanField(
        label=_(
            "我已核对：移交人的全部责任儿童、进行中的关爱方案和未完成的家访记录将交给接收人，移交人的账号将被停用"
        ),
    )

    def __init__(self, *args, sources, targets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_user"].queryset = sources
        self.fields["to_user"].queryset = targets
        self.fields["from_user"].label_from_instance = _account_label
        self.fields["to_user"].label_from_instance = _account_label
