"""List filters. Area choices come from the user's own scope (``visible_townships``), so a
filter can only narrow what the selector already allows."""

import django_filters as df
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.filter_mixins import PortalFilterSetMixin
from accounts.models import Township, Village
from accounts.scoping import visible_townships, visible_villages
from care import choices
from care.models import (
    CarePlan,
    Incident,
    Pairing,
    Referral,
    SafetyAlert,
    Screening,
    ServiceSession,
)
from care.models.screening import INSTRUMENT_CHOICES
from care.selectors import awaiting_pairing
from children.models import Child
from children.privacy import may_reveal
from children.selectors import search_q
from core.forms import DateInput


class AreaFilterSet(PortalFilterSetMixin, df.FilterSet):
    """Child name/pinyin search and township/village filters shared by every care list."""

    q = df.CharFilter(label=_("儿童"), method="filter_child")
    township = df.ModelChoiceFilter(
        label=_("乡镇"), field_name="child__township", queryset=Township.objects.none()
    )
    village = df.ModelChoiceFilter(
        label=_("村/社区"), field_name="child__village", queryset=Village.objects.none()
    )

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user
        self.filters["township"].queryset = visible_townships(user)
        self.filters["village"].queryset = visible_villages(user)
        for field in self.form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.MultiWidget):
                # A date range: say which end each box is (a legend names the pair).
                for end, sub in zip((_("起"), _("止")), widget.widgets, strict=True):
                    sub.attrs["class"] = "form-control form-control-sm"
                    sub.attrs["aria-label"] = f"{field.label}（{end}）"
                continue
            css = (
                "form-select form-select-sm"
                if isinstance(widget, forms.Select)
                else ("form-control form-control-sm")
            )
            widget.attrs.setdefault("class", css)

    def filter_child(self, queryset, name, value):
        # The list is already scoped; the subquery only narrows it to matching children.
        reveal = may_reveal(self.request.user)
        return queryset.filter(child__in=Child.objects.filter(search_q(value, reveal=reveal)))


class DateRangeWidget(df.widgets.DateRangeWidget):
    def __init__(self, attrs=None):
        super().__init__(attrs=attrs)
        self.widgets = (DateInput(), DateInput())


class ScreeningFilter(AreaFilterSet):
    instrument = df.ChoiceFilter(label=_("量表"), choices=INSTRUMENT_CHOICES)
    screened_on = df.DateFromToRangeFilter(label=_("测评日期"), widget=DateRangeWidget())

    class Meta:
        model = Screening
        fields = ["q", "township", "village", "instrument", "screened_on"]


class AlertFilter(AreaFilterSet):
    status = df.ChoiceFilter(
        label=_("状态"), choices=choices.AlertStatus.choices, empty_label=_("全部")
    )
    kind = df.ChoiceFilter(label=_("预警类型"), choices=choices.AlertKind.choices)
    raised_on = df.DateFromToRangeFilter(
        label=_("预警日期"), field_name="raised_at__date", widget=DateRangeWidget()
    )
    overdue = df.BooleanFilter(
        label=_("逾期未处置"),
        method="filter_overdue",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = SafetyAlert
        fields = ["status", "kind", "overdue", "q", "township", "village", "raised_on"]

    def filter_overdue(self, queryset, name, value):
        return queryset.overdue() if value else queryset


class CarePlanFilter(AreaFilterSet):
    status = df.ChoiceFilter(label=_("状态"), choices=choices.PlanStatus.choices)
    service = df.ChoiceFilter(
        label=_("关爱服务"),
        field_name="services__code",
        choices=choices.CareService.choices,
        distinct=True,
    )

    class Meta:
        model = CarePlan
        fields = ["status", "service", "q", "township", "village"]


class ReferralFilter(AreaFilterSet):
    status = df.ChoiceFilter(label=_("状态"), choices=choices.ReferralStatus.choices)
    institution__kind = df.ChoiceFilter(
        label=_("机构类型"), choices=choices.InstitutionType.choices
    )
    awaiting_pairing = df.BooleanFilter(
        label=_("已出院待结对"),
        method="filter_awaiting",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Referral
        fields = ["status", "institution__kind", "q", "township", "village", "awaiting_pairing"]

    def filter_awaiting(self, queryset, name, value):
        return awaiting_pairing(queryset) if value else queryset


class PairingFilter(AreaFilterSet):
    status = df.ChoiceFilter(label=_("状态"), choices=choices.PairingStatus.choices)
    mentor__kind = df.ChoiceFilter(label=_("帮扶人类型"), choices=choices.MentorType.choices)

    class Meta:
        model = Pairing
        fields = ["status", "mentor__kind", "q", "township", "village"]


KIND_REVIEW, KIND_FOLLOW_UP = "review", "follow_up"


class DueFilterForm(forms.Form):
    """The 到期/逾期 page: what (plan reviews, follow-ups or both), when, and where."""

    kind = forms.ChoiceField(
        label=_("事项"),
        required=False,
        choices=[("", _("全部")), (KIND_REVIEW, _("方案复核")), (KIND_FOLLOW_UP, _("定期随访"))],
    )
    when = forms.ChoiceField(
        label=_("时间"),
        required=False,
        choices=[("all", _("已逾期及本周到期")), ("overdue", _("已逾期")), ("week", _("本周到期"))],
    )
    township = forms.ModelChoiceField(
        label=_("乡镇"), queryset=Township.objects.none(), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = visible_townships(user)
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


class ServiceSessionFilter(AreaFilterSet):
    delivered_on = df.DateFromToRangeFilter(label=_("服务日期"), widget=DateRangeWidget())
    kind = df.ChoiceFilter(label=_("服务类型"), choices=choices.SessionKind.choices)
    delivered_by = df.ChoiceFilter(label=_("服务提供方"), choices=choices.DeliveredBy.choices)

    class Meta:
        model = ServiceSession
        fields = ["delivered_on", "kind", "delivered_by", "q", "township", "village"]


class IncidentFilter(AreaFilterSet):
    reported_on = df.DateFromToRangeFilter(label=_("报告日期"), widget=DateRangeWidget())
    kind = df.ChoiceFilter(label=_("侵害类型"), choices=choices.IncidentKind.choices)
    status = df.ChoiceFilter(label=_("处理状态"), choices=choices.IncidentStatus.choices)

    class Meta:
        model = Incident
        fields = ["reported_on", "kind", "status", "q", "township", "village"]
