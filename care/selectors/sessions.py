"""Services delivered (服务记录) and incidents (强制报告): reads for their pages."""

from django.db.models import Count, Q

from care import choices
from care.models import Incident, ServiceSession
from care.selectors.common import CHILD_RELATED


def session_list(user):
    return ServiceSession.objects.visible_to(user).select_related(*CHILD_RELATED, "plan")


def sessions_of(plan):
    """A plan's sessions for its page (the plan was read from the user's scope)."""
    return plan.sessions.select_related("provider_user").order_by("-delivered_on", "-pk")


def incident_list(user):
    """The incidents whose details the user may read (IncidentQuerySet.readable_by)."""
    return Incident.objects.readable_by(user).select_related(*CHILD_RELATED)


def incident_detail(user, pk):
    return (
        Incident.objects.readable_by(user).select_related(*CHILD_RELATED, "created_by").get(pk=pk)
    )


def incident_flag(child, user) -> dict:
    """What the child page may say about incidents: counts only, and only for children the
    user sees (the page was read from their scope). One query."""
    return Incident.objects.filter(child=child).aggregate(
        total=Count("pk"),
        open=Count("pk", filter=Q(status__in=choices.INCIDENT_OPEN_STATUSES)),
        readable=Count("pk", filter=Q(pk__in=Incident.objects.readable_by(user).values("pk"))),
    )
