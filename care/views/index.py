"""关爱服务: the entry page."""

from django.views.generic import TemplateView

from care import selectors
from care.views.common import (
    ListPermissionMixin,
)

# --- index ---------------------------------------------------------------------------------


class IndexView(ListPermissionMixin, TemplateView):
    """关爱服务: the entry page to screenings, alerts, plans, referrals and pairings."""

    permission_required = "care.view_screening"
    template_name = "care/index.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = selectors.home_panels(self.request.user)
        return context
