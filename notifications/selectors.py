"""Reads of notifications: each user's own inbox; the delivery log for the county admin."""

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from notifications.choices import DeliveryStatus
from notifications.models import Delivery, Notification

FAILED_STATUSES = (DeliveryStatus.FAILED, DeliveryStatus.GAVE_UP)


def inbox(user):
    """The user's own notifications: nobody reads another's inbox, the county admin neither."""
    return Notification.objects.filter(recipient=user)


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def delivery_list():
    return Delivery.objects.select_related("recipient")


def unread(request):
    """Template context processor: ``unread_notifications`` for the header. Counted once a
    request: every template rendered with the request runs the context processors again
    (a list page renders its table as a second template)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    if not hasattr(request, "_unread_notifications"):
        request._unread_notifications = unread_count(user)
    return {"unread_notifications": request._unread_notifications}


def home_panels(user):
    from core.extensions import Panel

    if not user.has_perm("notifications.view_delivery"):
        return []
    failed = Delivery.objects.filter(status__in=FAILED_STATUSES).count()
    return [
        Panel(
            _("通知发送失败"),
            failed,
            reverse("notifications:delivery_list") + "?" + urlencode({"failed": "1"}),
            tone="danger" if failed else "secondary",
            order=90,
        )
    ]
