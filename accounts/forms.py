from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.forms import BootstrapFormMixin

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
VILLAGE_LIST_MAX_BYTES = 1024 * 1024


class LoginForm(BootstrapFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码不正确。请注意区分大小写。"),
        "inactive": _("该账号已停用，请联系县未保中心。"),
    }


class SpreadsheetUploadForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        help_text=_("请使用模板填写；第一张工作表为名单。"),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大（上限 5 MB）。"))
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("请上传 .xlsx 或 .csv 文件。"))
        return upload


class VillageLoadForm(SpreadsheetUploadForm):
    retire_absent = forms.BooleanField(
        label=_("把文件所含乡镇中不在新清单里的村/社区标记为“已撤并”"),
        required=False,
        help_text=_("这些村/社区仍保留，其中的儿童和账号不会被移动；需要时请另行办理撤并。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "列：村代码（12位统计用区划代码）、乡镇代码、名称；“山东村委会”与“山东村”视为同一村。"
        )

    def clean_file(self):
        upload = super().clean_file()
        # The file waits in the session between preview and confirmation.
        if upload.size > VILLAGE_LIST_MAX_BYTES:
            raise forms.ValidationError(_("区划清单文件过大（上限 1 MB）。"))
        return upload
