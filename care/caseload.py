"""What care assigns to a person (children/caseload.py): an open plan's responsible account;
open alerts and active pairings have no person of their own and follow the child."""

from django.utils.translation import gettext_lazy as _

from care import choices
from care.models import CarePlan, Pairing, SafetyAlert
from children.caseload import Assignment, Carried

FINISHED_PLANS = (choices.PlanStatus.COMPLETED, choices.PlanStatus.TERMINATED)


def open_plans():
    # Every state but the finished ones, so that a plan waiting for approval counts too.
    return CarePlan.objects.exclude(status__in=FINISHED_PLANS)


def handover_parts() -> list:
    return [
        Assignment(
            label=_("关爱方案（责任人账号）"),
            queryset=open_plans,
            field="responsible_user",
            record_type="care_plan",
        ),
        Carried(label=_("未处置预警"), queryset=SafetyAlert.objects.open),
        Carried(label=_("结对帮扶（进行中）"), queryset=Pairing.objects.active),
    ]
