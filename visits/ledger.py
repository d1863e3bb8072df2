"""What visits adds to the ledger list, through the extension points the ledger declares
(core/extensions.py): the overdue filter and the next-visit column, both by the one schedule
rule (visits/schedule.py)."""

import django_filters
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from children.filters import YES_NO
from core.extensions import ListColumn, ListFilter
from visits import schedule


def _overdue(queryset, name, value):
    # The rule of the schedule's lists, as a condition: no annotation, no row duplicated.
    overdue = schedule.overdue_count_q(timezone.localdate())
    return queryset.filter(overdue) if value else queryset.exclude(overdue)


def ledger_filters(user) -> list[ListFilter]:
    return [
        ListFilter(
            "visit_overdue",
            django_filters.BooleanFilter(label=_("家访逾期"), method=_overdue, widget=YES_NO),
        )
    ]


def next_visit_cells(records) -> dict[int, str]:
    """``{child pk: HTML}`` of the next visit date of the page's children (one query): the
    date, in red with 逾期 when it has passed; none for a child not being visited."""
    schedules = schedule.schedules_for(
        (r["pk"], r["status"], r["risk_level"], r["registered_on"]) for r in records
    )
    overdue = gettext("逾期")
    cells = {}
    for pk, status in schedules.items():
        if status.next_visit_due is None:
            continue
        if status.overdue:
            cells[pk] = format_html(
                '<span class="text-danger fw-semibold">{} {}</span>',
                status.next_visit_due,
                overdue,
            )
        else:
            cells[pk] = str(status.next_visit_due)
    return cells


def ledger_columns() -> list[ListColumn]:
    return [
        ListColumn("next_visit_due", _("下次家访"), next_visit_cells, after="risk_level"),
    ]
