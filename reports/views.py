from django.views.generic import TemplateView

from reports import selectors


class HomeView(TemplateView):
    """工作台: each role's home page, with the figures of its own area."""

    template_name = "reports/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["panels"] = selectors.home_panels(self.request.user)
        return context
