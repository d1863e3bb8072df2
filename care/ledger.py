"""What care adds to the ledger list's filters, through the ``ledger_filters`` extension point
(core/extensions.py): open alert, screened between two dates, referred, paired. Each is an
EXISTS subquery, so no child is listed twice."""

import django_filters
from django.core.validators import EMPTY_VALUES
from django.utils.translation import gettext_lazy as _

from care.selectors import ledger as selectors
from children.filters import YES_NO
from core.extensions import ListFilter
from core.forms import DateInput


def _either(condition):
    """A yes/no filter method: with the condition, or without it."""

    def method(queryset, name, value):
        return queryset.filter(condition() if value else ~condition())

    return method


class ScreenedFilter(django_filters.DateFilter):
    """One end of the screening period; both ends are read together so that they form one
    period (applied once, by the start when there is one)."""

    def filter(self, queryset, value):
        if value in EMPTY_VALUES:
            return queryset
        data = self.parent.form.cleaned_data
        start, end = data.get("screened_from"), data.get("screened_to")
        if self.field_name == "screened_to" and start:
            return queryset  # already applied together with screened_from
        return queryset.filter(selectors.child_screened_between(start, end))


def ledger_filters(user) -> list[ListFilter]:
    filters = []
    if user.has_perm("care.view_safetyalert"):
        # Whether a child has an alert tells a screening result: not for every role.
        filters.append(
            ListFilter(
                "open_alert",
                django_filters.BooleanFilter(
                    label=_("有待处置预警"),
                    method=_either(selectors.child_has_open_alert),
                    widget=YES_NO,
                ),
            )
        )
    return [
        *filters,
        ListFilter(
            "screened_from",
            ScreenedFilter(field_name="screened_from", label=_("测评日期起"), widget=DateInput()),
        ),
        ListFilter(
            "screened_to",
            ScreenedFilter(field_name="screened_to", label=_("测评日期止"), widget=DateInput()),
        ),
        ListFilter(
            "referred",
            django_filters.BooleanFilter(
                label=_("已转介"), method=_either(selectors.child_referred), widget=YES_NO
            ),
        ),
        ListFilter(
            "paired",
            django_filters.BooleanFilter(
                label=_("结对帮扶中"), method=_either(selectors.child_paired), widget=YES_NO
            ),
        ),
    ]
