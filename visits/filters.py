"""Filters of the visit list and of the due/overdue lists. Choice lists are narrowed to the
user's area, so a dropdown never names a village or person the user may not see."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.filter_mixins import PortalFilterSetMixin
from accounts.models import User
from accounts.scoping import visible_townships, visible_villages
from children.choices import RiskLevel
from children.models import Child
from core.forms import DateInput
from visits.choices import ReviewStatus, VisitKind
from visits.models import Visit


def _style(filterset) -> None:
    for name, flt in filterset.filters.items():
        widget = flt.field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        else:
            widget.attrs["class"] = "form-control form-control-sm"
        widget.attrs.setdefault("id", f"filter-{name}")


class VisitFilter(PortalFilterSetMixin, django_filters.FilterSet):
    township = django_filters.ModelChoiceFilter(
        label=_("乡镇"), field_name="child__township", queryset=None
    )
    village = django_filters.ModelChoiceFilter(
        label=_("村/社区"), field_name="child__village", queryset=None
    )
    kind = django_filters.ChoiceFilter(label=_("走访方式"), choices=VisitKind.choices)
    review_status = django_filters.ChoiceFilter(label=_("审核状态"), choices=ReviewStatus.choices)
    date_from = django_filters.DateFilter(
        label=_("走访日期起"), field_name="date", lookup_expr="gte", widget=DateInput()
    )
    date_to = django_filters.DateFilter(
        label=_("走访日期止"), field_name="date", lookup_expr="lte", widget=DateInput()
    )
    visitor = django_filters.ModelChoiceFilter(label=_("走访人"), queryset=None)
    mine = django_filters.BooleanFilter(
        label=_("只看我填报或走访的"), method="filter_mine", widget=forms.CheckboxInput
    )

    class Meta:
        model = Visit
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user
        self.filters["township"].queryset = visible_townships(user)
        self.filters["village"].queryset = visible_villages(user)
        # Only people who made a visit the user can see: never a list of all staff.
        self.filters["visitor"].queryset = User.objects.filter(
            pk__in=Visit.objects.visible_to(user).values("visitor")
        ).order_by("username")
        self.filters["visitor"].field.label_from_instance = lambda u: u.display_name
        _style(self)

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        user = self.request.user
        return queryset.filter(Q(created_by=user) | Q(visitor=user))


class ScheduleFilter(PortalFilterSetMixin, django_filters.FilterSet):
    """Filters of the 本周到期 / 逾期未访 lists (a child list with the schedule annotated)."""

    township = django_filters.ModelChoiceFilter(label=_("乡镇"), queryset=None)
    village = django_filters.ModelChoiceFilter(label=_("村/社区"), queryset=None)
    risk_level = django_filters.ChoiceFilter(label=_("风险等级"), choices=RiskLevel.choices)
    mine = django_filters.BooleanFilter(
        label=_("只看我负责的儿童"), method="filter_mine", widget=forms.CheckboxInput
    )

    class Meta:
        model = Child
        fields: list[str] = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        user = request.user
        self.filters["township"].queryset = visible_townships(user)
        self.filters["village"].queryset = visible_villages(user)
        _style(self)

    def filter_mine(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(responsible_director=self.request.user)
