"""Filters of the access-log page."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import AccessAction, AccessLog, User
from core.forms import BootstrapFormMixin, DateInput


class AccessLogFilterForm(BootstrapFormMixin, forms.Form):
    pass


class AccessLogFilter(django_filters.FilterSet):
    user = django_filters.ModelChoiceFilter(
        label=_("用户"), queryset=User.objects.order_by("username"), empty_label=_("全部用户")
    )
    username = django_filters.CharFilter(
        label=_("用户名（含登录失败）"), field_name="username", lookup_expr="icontains"
    )
    action = django_filters.ChoiceFilter(
        label=_("操作"), choices=AccessAction.choices, empty_label=_("全部操作")
    )
    date_from = django_filters.DateFilter(
        label=_("起始日期"), field_name="at", lookup_expr="date__gte", widget=DateInput
    )
    date_to = django_filters.DateFilter(
        label=_("截止日期"), field_name="at", lookup_expr="date__lte", widget=DateInput
    )
    target = django_filters.CharFilter(label=_("对象（名称或编号）"), method="filter_target")

    class Meta:
        model = AccessLog
        fields = ["user", "username", "action", "date_from", "date_to", "target"]
        form = AccessLogFilterForm

    def filter_target(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(target_label__icontains=value) | Q(target_id=value))
