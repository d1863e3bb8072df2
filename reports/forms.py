"""Forms of the reports app. The services decide what may be written; forms only parse."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin
from reports.choices import NARRATIVE_FIELDS

NARRATIVE_HELP = {
    "featured_practices": _("本乡镇主题活动的特色做法。"),
    "timeliness": _("活动开展的时间节点、时效和成效。"),
    "leader_participation": _("出席活动的领导（职务、姓名）及参与情况。"),
    "brand": _("本乡镇的活动品牌名称。"),
    "innovative_practices": _("创新的工作手段、活动载体或服务方式。"),
}
NARRATIVE_MAX_LENGTH = 5000


class NarrativesForm(BootstrapFormMixin, forms.Form):
    """特色做法、活动时效情况、领导参与、活动品牌、创新做法 of the township report."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in NARRATIVE_FIELDS:
            self.fields[name] = forms.CharField(
                label=label,
                required=False,
                max_length=NARRATIVE_MAX_LENGTH,
                help_text=NARRATIVE_HELP[name],
                widget=forms.Textarea(attrs={"rows": 2 if name == "brand" else 5}),
            )
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["confirm_numbers"] = forms.BooleanField(
            label=_("我已核对文中与统计数据不符的数字，仍按原文报送"),
            required=False,
            help_text=_(
                "文中的数字可写为 {受益人次}、{活动场次} 等占位符，报送时按当时的统计数据填入。"
            ),
        )
        # Keep the hidden version first and the narratives in the notice's order.
        self.order_fields(
            ["version", *[name for name, _label in NARRATIVE_FIELDS], "confirm_numbers"]
        )


class ReviewForm(BootstrapFormMixin, forms.Form):
    """A county decision on a submitted report; the comment is required to return it."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    comment = forms.CharField(
        label=_("意见"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
