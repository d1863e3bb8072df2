"""List filters of the activities app (django-filter). Choices are narrowed to the user's area."""

import django_filters
from django import forms
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accounts.filter_mixins import PortalFilterSetMixin
from accounts.scoping import is_county_wide, visible_townships
from activities import choices
from activities.models import (
    Activity,
    ActivityLeader,
    Campaign,
    PartnerOrganisation,
    PurchasedService,
    Training,
)
from core.forms import DateInput

YES_NO = [("yes", _("有")), ("no", _("无"))]


class _SmallWidgets(PortalFilterSetMixin):
    """Compact Bootstrap widgets for a filter bar that wraps on a phone."""

    def _style(self):
        for name, flt in self.filters.items():
            widget = flt.field.widget
            if isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"
            widget.attrs.setdefault("id", f"filter-{name}")

    def _area_filters(self, user):
        self.filters["campaign"].queryset = Campaign.objects.all()
        townships = visible_townships(user)
        self.filters["township"].queryset = townships
        if not is_county_wide(user):
            # One township only: the filter would have nothing to choose.
            del self.filters["township"]


class ActivityFilter(_SmallWidgets, django_filters.FilterSet):
    campaign = django_filters.ModelChoiceFilter(label=_("年度主题活动"), queryset=None)
    township = django_filters.ModelChoiceFilter(label=_("乡镇"), queryset=None)
    form = django_filters.ChoiceFilter(
        label=_("活动形式"),
        field_name="formats__code",
        choices=choices.ActivityForm.choices,
        distinct=True,
    )
    date_from = django_filters.DateFilter(
        label=_("起始日期"), field_name="end_date", lookup_expr="gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("截止日期"), field_name="start_date", lookup_expr="lte", widget=DateInput
    )
    has_leaders = django_filters.ChoiceFilter(
        label=_("领导参与"), choices=YES_NO, method="filter_has_leaders"
    )
    brand = django_filters.CharFilter(label=_("活动品牌"), lookup_expr="contains")
    title = django_filters.CharFilter(label=_("活动名称"), lookup_expr="contains")

    class Meta:
        model = Activity
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self._area_filters(request.user)
        self._style()

    def filter_has_leaders(self, queryset, name, value):
        leaders = Exists(ActivityLeader.objects.filter(activity=OuterRef("pk")))
        return queryset.filter(leaders) if value == "yes" else queryset.filter(~leaders)


class PurchasedServiceFilter(_SmallWidgets, django_filters.FilterSet):
    campaign = django_filters.ModelChoiceFilter(label=_("年度主题活动"), queryset=None)
    township = django_filters.ModelChoiceFilter(label=_("乡镇"), queryset=None)
    organisation = django_filters.ModelChoiceFilter(
        label=_("服务机构"), queryset=PartnerOrganisation.objects.order_by("name")
    )

    class Meta:
        model = PurchasedService
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self._area_filters(request.user)
        self._style()


class TrainingFilter(_SmallWidgets, django_filters.FilterSet):
    campaign = django_filters.ModelChoiceFilter(label=_("年度主题活动"), queryset=None)
    township = django_filters.ModelChoiceFilter(label=_("乡镇"), queryset=None)
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=choices.TrainingKind.choices)
    date_from = django_filters.DateFilter(
        label=_("起始日期"), field_name="date", lookup_expr="gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("截止日期"), field_name="date", lookup_expr="lte", widget=DateInput
    )

    class Meta:
        model = Training
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self._area_filters(request.user)
        self._style()


class PartnerFilter(_SmallWidgets, django_filters.FilterSet):
    name = django_filters.CharFilter(label=_("组织名称"), lookup_expr="contains")
    kind = django_filters.ChoiceFilter(label=_("组织类型"), choices=choices.PartnerKind.choices)

    class Meta:
        model = PartnerOrganisation
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self._style()
