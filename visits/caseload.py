"""What visits assign to a person (children/caseload.py): a visit not yet approved waits on
the person who filled it in (a returned one is on their to-do list, and only they may correct
it), so it moves with a hand-over or a transfer. Who visited (``visitor``) is history and
stays."""

from django.utils.translation import gettext_lazy as _

from children.caseload import Assignment
from visits.choices import ReviewStatus
from visits.models import Visit


def unfinished_visits():
    return Visit.objects.exclude(review_status=ReviewStatus.APPROVED)


def handover_parts() -> list:
    return [
        Assignment(
            label=_("待审核/退回的家访记录（填报人）"),
            queryset=unfinished_visits,
            field="created_by",
            record_type="visit",
            nullable=False,
        )
    ]
