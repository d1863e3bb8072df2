"""Forms of the consent records and of the closure approval."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from children import choices
from children.models import Consent
from core.forms import BootstrapFormMixin, DateInput
from core.images import FORMATS

IMAGE_ACCEPT = ",".join(content_type for content_type, _ext in FORMATS.values())


class ConsentForm(BootstrapFormMixin, forms.ModelForm):
    """登记/修改知情同意书. The photo is optional here (it may be added later) and checked
    and re-encoded by the service."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    scan = forms.FileField(
        label=_("同意书照片"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT, "capture": "environment"}),
        help_text=_("拍摄签字的纸质同意书，JPEG、PNG 或 WebP，不超过 5 MB。"),
    )

    class Meta:
        model = Consent
        fields = [
            "kind",
            "recipient",
            "status",
            "signed_on",
            "signer_name",
            "signer_relation",
            "child_assent",
            "note",
        ]
        widgets = {"signed_on": DateInput()}
        error_messages = {
            "kind": {"required": _("请选择同意事项。")},
            "status": {"required": _("请选择监护人意见。")},
            "signed_on": {"required": _("请填写签署日期。")},
            "signer_name": {"required": _("请填写签署人。")},
            "signer_relation": {"required": _("请选择签署人身份。")},
        }
        help_texts = {
            "recipient": _("仅“向学校/机构提供信息”填写，须与转介机构名册或学校名称一致。"),
            "child_assent": _("儿童年满八周岁的，须记录本人意见。"),
        }

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scan"].widget.attrs["class"] = "form-control"
        status_choices = [
            (v, label)
            for v, label in choices.ConsentStatus.choices
            if v != choices.ConsentStatus.WITHDRAWN
            or (editing and self.instance.status == choices.ConsentStatus.WITHDRAWN)
        ]
        self.fields["status"].choices = status_choices
        if editing:
            # What the form is about stays; a different matter is a new record.
            del self.fields["kind"]
            del self.fields["recipient"]
            self.fields["version"].initial = self.instance.version
        else:
            del self.fields["version"]
            self.fields["signed_on"].initial = timezone.localdate()
            self.fields["status"].initial = choices.ConsentStatus.GIVEN


class ConsentWithdrawForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    withdrawn_on = forms.DateField(
        label=_("撤回日期"), widget=DateInput(), initial=timezone.localdate
    )
    note = forms.CharField(label=_("撤回说明"), max_length=200, required=False)


class DecisionForm(BootstrapFormMixin, forms.Form):
    """审批: approve, or return with a comment; the version the approver saw."""

    APPROVE, RETURN = "approve", "return"

    version = forms.IntegerField(widget=forms.HiddenInput)
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[(APPROVE, _("批准")), (RETURN, _("退回"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("审批意见"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("退回时必填。"),
    )
