"""The ledger upload form (导入台账)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.scoping import visible_townships
from core.forms import BootstrapFormMixin


class LedgerImportForm(BootstrapFormMixin, forms.Form):
    township = forms.ModelChoiceField(
        label=_("乡镇"),
        queryset=None,
        empty_label=_("请选择乡镇"),
        help_text=_("表中的儿童都登记到这个乡镇；表里的「乡镇」列须与之一致。"),
    )
    file = forms.FileField(
        label=_("台账文件（.xlsx）"),
        help_text=_("请使用导入模板，或含有「姓名」「公民身份号码」「村（社区）」列的花名册。"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        townships = visible_townships(user)
        self.fields["township"].queryset = townships
        if user.township_id and townships.count() == 1:
            # A township's own staff import only into their township: the choice is fixed
            # (a disabled field ignores whatever is posted for it).
            self.fields["township"].initial = user.township_id
            self.fields["township"].disabled = True
