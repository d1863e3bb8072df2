"""Care plans for their list."""

from django.db.models import Prefetch

from care.models import (
    CarePlan,
    CarePlanService,
)
from care.selectors.common import (
    CHILD_RELATED,
)


def plan_list(user):
    return (
        CarePlan.objects.visible_to(user)
        .select_related(*CHILD_RELATED, "responsible_user")
        .prefetch_related(Prefetch("services", queryset=CarePlanService.objects.order_by("pk")))
    )
