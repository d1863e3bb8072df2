"""The inbox (every signed-in user, their own notifications only) and the delivery log
(county admin)."""

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import ListView

from notifications import selectors, services


class InboxView(ListView):
    template_name = "notifications/inbox.html"
    context_object_name = "notifications"
    paginate_by = 30

    def get_queryset(self):
        return selectors.inbox(self.request.user)


class NotificationOpenView(View):
    """Open a notification: marked read, then on to its page (which checks access again).
    Another user's notification is 404, as one that does not exist."""

    def get(self, request, pk):
        notification = selectors.inbox(request.user).filter(pk=pk).first()
        if notification is None:
            raise Http404
        services.notification_mark_read(actor=request.user, notification=notification)
        target = notification.url
        if not target or not url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect("notifications:inbox")
        return redirect(target)


class MarkAllReadView(View):
    def post(self, request):
        services.notifications_mark_all_read(actor=request.user)
        return redirect("notifications:inbox")


class DeliveryListView(PermissionRequiredMixin, ListView):
    permission_required = "notifications.view_delivery"
    raise_exception = True
    template_name = "notifications/delivery_list.html"
    context_object_name = "deliveries"
    paginate_by = 50

    def get_queryset(self):
        queryset = selectors.delivery_list()
        if self.request.GET.get("failed"):
            queryset = queryset.filter(status__in=selectors.FAILED_STATUSES)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["failed_only"] = bool(self.request.GET.get("failed"))
        return context
