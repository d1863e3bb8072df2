"""Plans due for review and follow-ups due (到期提醒)."""

from django.views.generic import TemplateView
from django_tables2 import RequestConfig

from care import due, filters, selectors, tables
from care.views.common import (
    PAGE_SIZE,
    ListPermissionMixin,
)

# --- due and overdue -----------------------------------------------------------------------


class DueListView(ListPermissionMixin, TemplateView):
    """到期/逾期（方案复核、随访）: scoped to the user's area, active cases only."""

    permission_required = ()
    template_name = "care/due_list.html"

    def has_permission(self):
        user = self.request.user
        return user.has_perm("care.view_careplan") or user.has_perm("care.view_pairing")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        form = filters.DueFilterForm(self.request.GET or None, user=user)
        kind, when, township = "", selectors.WHEN_ALL, None
        if form.is_valid():
            kind = form.cleaned_data["kind"]
            when = form.cleaned_data["when"] or selectors.WHEN_ALL
            township = form.cleaned_data["township"]
        context["form"] = form
        today = due.today()
        context["today"] = today
        if kind in ("", filters.KIND_REVIEW) and user.has_perm("care.view_careplan"):
            reviews = selectors.due_reviews(user, when=when, on=today)
            if township:
                reviews = reviews.filter(child__township=township)
            table = tables.DueReviewTable(reviews, prefix="r-")
            RequestConfig(self.request, paginate={"per_page": PAGE_SIZE}).configure(table)
            context["review_table"] = table
        if kind in ("", filters.KIND_FOLLOW_UP) and user.has_perm("care.view_pairing"):
            follow_ups = selectors.due_follow_ups(user, when=when, on=today)
            if township:
                follow_ups = follow_ups.filter(child__township=township)
            table = tables.DueFollowUpTable(follow_ups, prefix="f-")
            RequestConfig(self.request, paginate={"per_page": PAGE_SIZE}).configure(table)
            context["follow_up_table"] = table
        return context
