"""The ledger list's filters. The Excel export uses this same FilterSet, so it can never
export more than the list shows."""

import datetime as dt

import django_filters
from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.scoping import is_county_wide, visible_townships, visible_villages
from care import selectors as care_selectors
from children import choices
from children.models import Child
from children.selectors import search_q
from longsheng_care.filters import PortalFilterSetMixin
from longsheng_care.forms import DateInput
from visits import schedule

YES_NO = forms.Select(choices=[("", _("全部")), ("true", _("是")), ("false", _("否"))])

AGE_BANDS = [
    ("0-5", _("0–5 岁")),
    ("6-11", _("6–11 岁")),
    ("12-14", _("12–14 岁")),
    ("15-17", _("15–17 岁")),
    ("18+", _("18 岁及以上")),
]


def _birth_range(band: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """Birth dates of children whose age on ``today`` lies in the band (inclusive)."""
    low, _sep, high = band.partition("-")
    low = int(low.rstrip("+"))

    def years_ago(years):
        try:
            return today.replace(year=today.year - years)
        except ValueError:  # 29 February
            return today.replace(year=today.year - years, day=28)

    latest_birth = years_ago(low)  # at least `low` years old
    earliest_birth = years_ago(int(high) + 1) + dt.timedelta(days=1) if high else None
    return earliest_birth, latest_birth


class ChildFilter(PortalFilterSetMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"),
        method="filter_search",
        widget=forms.TextInput(attrs={"placeholder": _("姓名、拼音、拼音首字母或身份证号后几位")}),
    )
    township = django_filters.ModelChoiceFilter(label=_("乡镇"), queryset=None)
    village = django_filters.ModelChoiceFilter(label=_("村/社区"), queryset=None)
    circumstance = django_filters.MultipleChoiceFilter(
        label=_("困境情形"),
        field_name="circumstances__code",
        choices=choices.Circumstance.choices,
        distinct=True,
        # Check boxes, not a multi-select list box, which a thumb cannot work.
        widget=forms.CheckboxSelectMultiple,
    )
    benefit_category = django_filters.ChoiceFilter(
        label=_("保障类别"), choices=choices.BenefitCategory.choices
    )
    risk_level = django_filters.ChoiceFilter(label=_("风险等级"), choices=choices.RiskLevel.choices)
    status = django_filters.ChoiceFilter(label=_("状态"), choices=choices.CaseStatus.choices)
    age_band = django_filters.ChoiceFilter(
        label=_("年龄段"), choices=AGE_BANDS, method="filter_age"
    )
    school_stage = django_filters.ChoiceFilter(
        label=_("就学情况"), choices=choices.SchoolStage.choices
    )
    # Care-record filters (issue 4); each is an EXISTS subquery, so no row is duplicated.
    visit_overdue = django_filters.BooleanFilter(
        label=_("家访逾期"), method="filter_visit_overdue", widget=YES_NO
    )
    open_alert = django_filters.BooleanFilter(
        label=_("有待处置预警"), method="filter_open_alert", widget=YES_NO
    )
    screened_from = django_filters.DateFilter(
        label=_("测评日期起"), method="filter_screened", widget=DateInput()
    )
    screened_to = django_filters.DateFilter(
        label=_("测评日期止"), method="filter_screened", widget=DateInput()
    )
    referred = django_filters.BooleanFilter(
        label=_("已转介"), method="filter_referred", widget=YES_NO
    )
    paired = django_filters.BooleanFilter(
        label=_("结对帮扶中"), method="filter_paired", widget=YES_NO
    )

    class Meta:
        model = Child
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user
        if not user.has_perm("care.view_safetyalert"):
            # Whether a child has an alert tells a screening result: not for every role.
            del self.filters["open_alert"]
        self.filters["township"].queryset = visible_townships(user)
        self.filters["village"].queryset = self._village_choices(user)
        for name, flt in self.filters.items():
            widget = flt.field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["class"] = "form-check-input"
            elif isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"
            widget.attrs.setdefault("id", f"filter-{name}")

    def _village_choices(self, user):
        """Villages of the chosen township only: the county has over a thousand at province
        scale, and rendering them all made the page grow with the ledger (bench §1)."""
        villages = visible_villages(user)
        if not is_county_wide(user):
            return villages  # one township's, or one village: already short
        township = (self.data or {}).get("township")
        village = (self.data or {}).get("village")
        if township and str(township).isdigit():
            return villages.filter(township_id=township)
        if village and str(village).isdigit():
            # A link with a village alone (from a dashboard): offer that village's township.
            return villages.filter(township__villages__pk=village)
        return villages.none()

    def filter_search(self, queryset, name, value):
        return queryset.filter(search_q(value))

    def filter_visit_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        overdue = schedule.overdue_count_q(timezone.localdate())
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    @staticmethod
    def _either(queryset, condition, value):
        if value is None:
            return queryset
        return queryset.filter(condition if value else ~condition)

    def filter_open_alert(self, queryset, name, value):
        return self._either(queryset, care_selectors.child_has_open_alert(), value)

    def filter_referred(self, queryset, name, value):
        return self._either(queryset, care_selectors.child_referred(), value)

    def filter_paired(self, queryset, name, value):
        return self._either(queryset, care_selectors.child_paired(), value)

    def filter_screened(self, queryset, name, value):
        # Both ends are read here so that the pair forms one period.
        data = self.form.cleaned_data
        start, end = data.get("screened_from"), data.get("screened_to")
        if name == "screened_to" and start:
            return queryset  # already applied together with screened_from
        return queryset.filter(care_selectors.child_screened_between(start, end))

    def filter_age(self, queryset, name, value):
        earliest, latest = _birth_range(value, timezone.localdate())
        queryset = queryset.filter(birth_date__lte=latest)
        if earliest:
            queryset = queryset.filter(birth_date__gte=earliest)
        return queryset
