"""The ledger list's filters. The Excel export uses this same FilterSet, so it can never
export more than the list shows.

The filters on care records (visit overdue, open alert, screened, referred, paired) come from
the apps that keep those records, through the ``ledger_filters`` extension point
(core/extensions.py): the ledger does not know visits or care."""

import datetime as dt

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.filter_mixins import PortalFilterSetMixin
from accounts.scoping import is_county_wide, visible_townships, visible_villages
from children import choices
from children.models import Child, ChildTransfer
from children.privacy import may_reveal
from children.selectors import search_q
from core.extensions import collect

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
    # 转移中: a transfer request waits for the receiving side.
    transferring = django_filters.BooleanFilter(
        label=_("转移中"), method="filter_transferring", widget=YES_NO
    )

    class Meta:
        model = Child
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user
        # Filters on care records, from the apps that keep them (each offers only what the
        # user may filter by); after the ledger's own, in INSTALLED_APPS order.
        for contributed in collect("ledger_filters", user):
            flt = contributed.filter
            flt.field_name = flt.field_name or contributed.name
            flt.model, flt.parent = Child, self
            self.filters[contributed.name] = flt
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
        return queryset.filter(search_q(value, reveal=may_reveal(self.request.user)))

    def filter_transferring(self, queryset, name, value):
        waiting = Exists(
            ChildTransfer.objects.filter(
                child=OuterRef("pk"), state=choices.TransferState.REQUESTED
            )
        )
        return queryset.filter(waiting) if value else queryset.exclude(waiting)

    def filter_age(self, queryset, name, value):
        earliest, latest = _birth_range(value, timezone.localdate())
        queryset = queryset.filter(birth_date__lte=latest)
        if earliest:
            queryset = queryset.filter(birth_date__gte=earliest)
        return queryset


class TransferFilter(PortalFilterSetMixin, django_filters.FilterSet):
    """The transfer list's filters; its Excel export uses the same ones."""

    q = django_filters.CharFilter(label=_("儿童姓名"), method="filter_name")
    state = django_filters.ChoiceFilter(label=_("状态"), choices=choices.TransferState.choices)
    direction = django_filters.ChoiceFilter(
        label=_("方向"),
        choices=[("in", _("转入本辖区")), ("out", _("转出本辖区"))],
        method="filter_direction",
    )
    overdue = django_filters.BooleanFilter(
        label=_("已上报县级"),
        field_name="escalated_at",
        lookup_expr="isnull",
        exclude=True,
        widget=YES_NO,
    )

    class Meta:
        model = ChildTransfer
        fields = ["q", "state", "direction", "overdue"]

    def filter_name(self, queryset, name, value):
        return queryset.filter(child__name__contains=value.strip()) if value.strip() else queryset

    def filter_direction(self, queryset, name, value):
        user = self.request.user if self.request is not None else None
        if user is None or value not in ("in", "out"):
            return queryset
        return queryset.on_side(user, 1 if value == "in" else 0)
