"""Tables of visits and of children due a visit. No queries in render_*: the selectors
select_related/prefetch what is shown, and the schedule columns are SQL annotations."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from children.models import Child
from core.paging import PagedTable
from core.tables import Card
from visits import services
from visits.choices import ReviewStatus
from visits.models import Visit

RISK_CSS = {
    "red": "risk-red",
    "orange": "risk-orange",
    "yellow": "risk-yellow",
    "green": "risk-green",
}
# Columns that a 390px phone cannot fit beside the essential ones: shown from md up.
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
NOWRAP = {"td": {"class": "text-nowrap"}}
STATUS_CSS = {
    "pending": "text-bg-secondary",
    "approved": "text-bg-success",
    "returned": "text-bg-warning",
}


class VisitTable(PagedTable):
    card = Card(
        title="child", fields=("date", "kind", "visitor"), badge="review_status", action="open"
    )
    date = tables.DateColumn(verbose_name=_("日期"), format="Y-m-d", linkify=True, attrs=NOWRAP)
    child = tables.Column(verbose_name=_("儿童"), order_by=("child__name_pinyin",))
    village = tables.Column(
        verbose_name=_("村/社区"),
        accessor="child__village__name",
        order_by=("child__village__code",),
        attrs=WIDE_ONLY,
    )
    kind = tables.Column(verbose_name=_("方式"))
    visitor = tables.Column(verbose_name=_("走访人"), order_by=("visitor__username",))
    problems = tables.Column(
        verbose_name=_("发现的问题"), accessor="pk", orderable=False, attrs=WIDE_ONLY
    )
    review_status = tables.Column(verbose_name=_("审核"))
    # The row's action: 审核 for its reviewer, 修改 for a returned visit its author may correct,
    # else 查看.
    open = tables.Column(
        verbose_name="", accessor="pk", orderable=False, exclude_from_export=True, attrs=NOWRAP
    )

    class Meta:
        model = Visit
        fields = ()
        sequence = (
            "date", "child", "village", "kind", "visitor", "problems", "review_status", "open",
        )  # fmt: skip
        order_by = ("-date",)
        empty_text = _("没有符合条件的家访记录。")

    def render_child(self, record):
        return format_html('<a href="{}">{}</a>', record.child.get_absolute_url(), record.child)

    def value_child(self, record):
        return record.child.name

    def render_visitor(self, record):
        return record.visitor.display_name

    def render_problems(self, record):
        codes = [p.get_code_display() for p in record.problems.all()]
        return "、".join(str(c) for c in codes) or "—"

    def render_open(self, record):
        user = self.request.user if self.request is not None else None
        if user is not None and services.can_review(user, record):
            url, label = reverse("visits:review", args=[record.pk]), _("审核")
        elif (
            user is not None
            and record.review_status == ReviewStatus.RETURNED
            and services.can_edit(user, record)
        ):
            url, label = reverse("visits:edit", args=[record.pk]), _("修改")
        else:
            url, label = record.get_absolute_url(), _("查看")
        return format_html('<a href="{}">{}</a>', url, label)

    def render_review_status(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            STATUS_CSS.get(record.review_status, ""),
            record.get_review_status_display(),
        )


class DueChildTable(PagedTable):
    """Children with their next visit: the 本周到期 and 逾期未访 lists."""

    card = Card(
        title="name",
        fields=("next_visit_due", "days_overdue", "village"),
        badge="risk_level",
        action="record",
    )

    name = tables.Column(
        verbose_name=_("姓名"), linkify=True, order_by=("name_pinyin",), attrs=NOWRAP
    )
    village = tables.Column(verbose_name=_("村/社区"), order_by=("village__code",), attrs=WIDE_ONLY)
    risk_level = tables.Column(verbose_name=_("风险"))
    last_visit_date = tables.DateColumn(verbose_name=_("上次走访"), format="Y-m-d", attrs=WIDE_ONLY)
    next_visit_due = tables.DateColumn(verbose_name=_("应访日期"), format="Y-m-d", attrs=NOWRAP)
    days_overdue = tables.Column(
        verbose_name=_("逾期天数"),
        accessor="next_visit_due",
        order_by=("next_visit_due",),
        attrs=NOWRAP,
    )
    responsible_director = tables.Column(verbose_name=_("责任儿童主任"), attrs=WIDE_ONLY)
    record = tables.Column(verbose_name="", accessor="pk", orderable=False, attrs=NOWRAP)

    class Meta:
        model = Child
        fields = ()
        sequence = (
            "name",
            "village",
            "risk_level",
            "last_visit_date",
            "next_visit_due",
            "days_overdue",
            "responsible_director",
            "record",
        )
        empty_text = _("没有需要家访的儿童。")

    def __init__(self, *args, can_record=False, show_overdue_days=True, **kwargs):
        self.can_record = can_record
        self.today = timezone.localdate()
        super().__init__(*args, **kwargs)
        if not can_record:
            self.columns.hide("record")
        if not show_overdue_days:
            self.columns.hide("days_overdue")

    def render_village(self, record):
        return record.village.name

    def render_risk_level(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            RISK_CSS.get(record.risk_level, ""),
            record.get_risk_level_display(),
        )

    def render_last_visit_date(self, value):
        return value.isoformat() if value else "—"

    def render_days_overdue(self, value):
        days = (self.today - value).days if value else 0
        if days <= 0:
            return "—"
        return format_html('<span class="text-danger fw-semibold">{}</span>', days)

    def value_days_overdue(self, value):
        return max((self.today - value).days, 0) if value else 0

    def render_responsible_director(self, value):
        return value.display_name

    def render_record(self, record):
        return format_html(
            '<a class="btn btn-sm btn-outline-primary" href="{}" aria-label="{}">{}</a>',
            reverse("visits:create", args=[record.pk]),
            _("为%(name)s记录家访") % {"name": record.name},
            _("记录"),
        )
