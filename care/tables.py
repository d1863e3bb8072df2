"""List tables. Rows come from the selectors with everything they show already joined or
prefetched: no render_* method runs a query."""

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from care import due
from care.models import (
    CarePlan,
    Incident,
    Institution,
    Mentor,
    Pairing,
    Referral,
    SafetyAlert,
    Screening,
    ServiceSession,
)
from care.selectors import child_url
from core.paging import PagedTable
from core.tables import Card

DATE = "Y-m-d"


def _child_link(child):
    url = child_url(child)
    if url:
        return format_html('<a href="{}">{}</a>', url, child.name)
    return child.name


def _area(child):
    return f"{child.township.name} {child.village.name}"


def _due_badge(value):
    if value is None:
        return "—"
    if due.is_overdue(value):
        return format_html(
            '{} <span class="badge text-bg-danger">{}</span>', value.isoformat(), _("逾期")
        )
    if due.is_due_this_week(value):
        return format_html(
            '{} <span class="badge text-bg-warning">{}</span>', value.isoformat(), _("本周到期")
        )
    return value.isoformat()


class ChildColumnsMixin(PagedTable):
    child = tables.Column(verbose_name=_("儿童"), order_by=("child__name_pinyin",))
    area = tables.Column(
        verbose_name=_("乡镇/村"),
        accessor="child__village__name",
        order_by=("child__township__code", "child__village__code"),
    )

    def render_child(self, record):
        return _child_link(record.child)

    def value_child(self, record):
        return record.child.name

    def render_area(self, record):
        return _area(record.child)


class ScreeningTable(ChildColumnsMixin):
    card = Card(title="child", fields=("screened_on", "instrument", "area"), action="link")
    screened_on = tables.DateColumn(verbose_name=_("测评日期"), format=DATE)
    instrument = tables.Column(verbose_name=_("量表"))
    respondent = tables.Column(verbose_name=_("填答人"))
    entered_by = tables.Column(verbose_name=_("录入人"), order_by=("entered_by__name",))
    link = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = Screening
        fields = ("screened_on", "child", "area", "instrument", "respondent", "entered_by")
        order_by = ("-screened_on",)

    def render_instrument(self, record):
        return record.instrument_short

    def render_entered_by(self, record):
        return record.entered_by.display_name

    def render_link(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), _("查看"))


class AlertTable(ChildColumnsMixin):
    card = Card(title="child", fields=("raised_at", "kind", "area"), badge="status", action="link")
    raised_at = tables.DateTimeColumn(verbose_name=_("预警时间"), format="Y-m-d H:i")
    kind = tables.Column(verbose_name=_("预警类型"))
    instrument = tables.Column(
        verbose_name=_("量表"), accessor="screening__instrument", orderable=False
    )
    status = tables.Column(verbose_name=_("状态"))
    due_at = tables.Column(verbose_name=_("处置期限"))
    closed = tables.Column(verbose_name=_("处置"), empty_values=(), orderable=False)
    link = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = SafetyAlert
        fields = ("raised_at", "child", "area", "kind", "instrument", "status", "due_at")
        order_by = ("-raised_at",)
        row_attrs = {"class": lambda record: "table-danger" if record.is_open else ""}

    def render_due_at(self, record, value):
        shown = f"{timezone.localtime(value):%Y-%m-%d %H:%M}"
        if not record.is_open:
            return shown
        if record.is_overdue:
            level = {1: _("已上报乡镇"), 2: _("已上报县未保中心")}.get(record.escalation_level, "")
            return format_html(
                '{} <span class="badge text-bg-danger">{}</span> <small>{}</small>',
                shown,
                _("已逾期"),
                level,
            )
        return shown

    def value_due_at(self, record, value):
        return f"{timezone.localtime(value):%Y-%m-%d %H:%M}" if value else ""

    def render_kind(self, record):
        tone = "danger" if record.is_suicide_risk else "warning"
        return format_html(
            '<span class="badge text-bg-{}">{}</span>', tone, record.get_kind_display()
        )

    def render_instrument(self, record):
        return record.screening.instrument_short

    def render_status(self, record):
        tone = "danger" if record.is_open else "success"
        return format_html(
            '<span class="badge text-bg-{}">{}</span>', tone, record.get_status_display()
        )

    def value_status(self, record):
        return record.get_status_display()

    def render_closed(self, record):
        if record.is_open:
            return "—"
        return format_html(
            "{}<br><small>{} {}</small>",
            "、".join(record.action_labels()) or record.get_resolution_display(),
            record.closed_by.display_name,
            f"{record.closed_at:%Y-%m-%d}",
        )

    def render_link(self, record):
        label = _("去处置") if record.is_open else _("查看")
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), label)


class CarePlanTable(ChildColumnsMixin):
    card = Card(
        title="child", fields=("review_on", "responsible_name", "area"), badge="status",
        action="link",
    )  # fmt: skip
    services = tables.Column(verbose_name=_("关爱服务"), empty_values=(), orderable=False)
    responsible_name = tables.Column(verbose_name=_("责任人"))
    started_on = tables.DateColumn(verbose_name=_("开始日期"), format=DATE)
    review_on = tables.Column(verbose_name=_("复核日期"))
    status = tables.Column(verbose_name=_("状态"))
    link = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = CarePlan
        fields = ("child", "area", "services", "responsible_name", "started_on", "review_on")
        order_by = ("review_on",)

    def render_services(self, record):
        return record.services_display()

    def render_review_on(self, record, value):
        return _due_badge(value) if record.is_active else value.isoformat()

    def render_link(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), _("查看"))


class ReferralTable(ChildColumnsMixin):
    card = Card(
        title="child", fields=("institution", "referred_on", "area"), badge="status",
        action="link",
    )  # fmt: skip
    referred_on = tables.DateColumn(verbose_name=_("转介日期"), format=DATE)
    institution = tables.Column(verbose_name=_("转介机构"), order_by=("institution__name",))
    status = tables.Column(verbose_name=_("状态"))
    status_on = tables.DateColumn(verbose_name=_("状态日期"), format=DATE)
    link = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = Referral
        fields = ("referred_on", "child", "area", "institution", "status", "status_on")
        order_by = ("-referred_on",)

    def render_institution(self, record):
        return record.institution.name

    def render_status(self, record):
        if record.is_discharged:
            return format_html(
                '<span class="badge text-bg-danger">{}</span>', record.get_status_display()
            )
        return record.get_status_display()

    def render_link(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), _("查看"))


class PairingTable(ChildColumnsMixin):
    card = Card(
        title="child", fields=("next_follow_up_on", "mentor", "area"), badge="status",
        action="link",
    )  # fmt: skip
    mentor = tables.Column(verbose_name=_("结对帮扶人"), order_by=("mentor__name",))
    started_on = tables.DateColumn(verbose_name=_("开始日期"), format=DATE)
    interval_days = tables.Column(verbose_name=_("随访间隔（天）"))
    next_follow_up_on = tables.Column(verbose_name=_("下次随访"))
    status = tables.Column(verbose_name=_("状态"))
    link = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = Pairing
        fields = ("child", "area", "mentor", "started_on", "interval_days", "next_follow_up_on")
        order_by = ("next_follow_up_on",)

    def render_mentor(self, record):
        mentor = record.mentor
        return format_html(
            '<a href="{}">{}</a>（{}）',
            mentor.get_absolute_url(),
            mentor.name,
            mentor.get_kind_display(),
        )

    def render_next_follow_up_on(self, value):
        return _due_badge(value)

    def render_link(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), _("查看"))


class MentorChildrenTable(PairingTable):
    """A mentor's page: the children paired with them (the mentor column is implied)."""

    class Meta(PairingTable.Meta):
        exclude = ("mentor",)
        order_by = ("status", "-started_on")


class DueReviewTable(ChildColumnsMixin):
    card = Card(title="child", fields=("review_on", "responsible_name", "area"), action="link")
    review_on = tables.Column(verbose_name=_("复核日期"))
    services = tables.Column(verbose_name=_("关爱服务"), empty_values=(), orderable=False)
    responsible_name = tables.Column(verbose_name=_("责任人"))
    link = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = CarePlan
        fields = ("review_on", "child", "area", "services", "responsible_name")
        order_by = ("review_on",)

    def render_review_on(self, value):
        return _due_badge(value)

    def render_services(self, record):
        return record.services_display()

    def render_link(self, record):
        # Reviewing an approved plan is the approver's (care.services.can_edit).
        if self.request is not None and self.request.user.has_perm("care.approve_careplan"):
            return format_html(
                '<a href="{}">{}</a>', reverse("care:plan_edit", args=[record.pk]), _("复核")
            )
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), _("查看"))


class DueFollowUpTable(ChildColumnsMixin):
    card = Card(title="child", fields=("next_follow_up_on", "mentor", "area"), action="link")
    next_follow_up_on = tables.Column(verbose_name=_("应随访日期"))
    mentor = tables.Column(verbose_name=_("结对帮扶人"), order_by=("mentor__name",))
    link = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = Pairing
        fields = ("next_follow_up_on", "child", "area", "mentor")
        order_by = ("next_follow_up_on",)

    def render_next_follow_up_on(self, value):
        return _due_badge(value)

    def render_mentor(self, record):
        return f"{record.mentor.name}（{record.mentor.get_kind_display()}）"

    def render_link(self, record):
        if self.request is not None and self.request.user.has_perm("care.add_followup"):
            return format_html(
                '<a href="{}">{}</a>',
                reverse("care:followup_create", args=[record.pk]),
                _("录入随访"),
            )
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), _("查看"))


class InstitutionTable(PagedTable):
    name = tables.Column(verbose_name=_("机构名称"))
    kind = tables.Column(verbose_name=_("机构类型"))
    contact_person = tables.Column(verbose_name=_("联系人"))
    phone = tables.Column(verbose_name=_("联系电话"))
    address = tables.Column(verbose_name=_("地址"))
    referral_count = tables.Column(verbose_name=_("转介数"))
    is_active = tables.BooleanColumn(verbose_name=_("可选用"))
    link = tables.Column(verbose_name="", empty_values=(), orderable=False)

    class Meta:
        model = Institution
        fields = ("name", "kind", "contact_person", "phone", "address", "referral_count")
        order_by = ("kind", "name")

    def render_link(self, record):
        if self.request is not None and self.request.user.has_perm("care.change_institution"):
            return format_html(
                '<a href="{}">{}</a>', reverse("care:institution_edit", args=[record.pk]), _("编辑")
            )
        return ""


class MentorTable(PagedTable):
    card = Card(title="name", fields=("kind", "organisation", "active_pairings"))
    name = tables.Column(verbose_name=_("姓名"))
    kind = tables.Column(verbose_name=_("类型"))
    organisation = tables.Column(verbose_name=_("工作单位"))
    phone = tables.Column(verbose_name=_("联系电话"))
    active_pairings = tables.Column(verbose_name=_("帮扶中儿童"))

    class Meta:
        model = Mentor
        fields = ("name", "kind", "organisation", "phone", "active_pairings")
        order_by = ("name",)

    def render_name(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.name)

    def render_phone(self, record):
        if self.request is not None and self.request.user.has_perm("children.reveal_id"):
            return record.phone
        return record.masked_phone

    def value_phone(self, record):
        return self.render_phone(record)


class ServiceSessionTable(ChildColumnsMixin):
    card = Card(
        title="child", fields=("delivered_on", "provider_name", "duration_minutes"),
        badge="kind", action="link",
    )  # fmt: skip
    delivered_on = tables.DateColumn(verbose_name=_("服务日期"), format=DATE)
    kind = tables.Column(verbose_name=_("服务类型"))
    delivered_by = tables.Column(verbose_name=_("服务提供方"))
    provider_name = tables.Column(verbose_name=_("服务人员/机构"))
    duration_minutes = tables.Column(verbose_name=_("时长（分钟）"))
    notes = tables.Column(verbose_name=_("服务记录"), visible=False)
    link = tables.Column(
        verbose_name="", empty_values=(), orderable=False, exclude_from_export=True
    )

    class Meta:
        model = ServiceSession
        fields = (
            "delivered_on", "child", "area", "kind", "delivered_by", "provider_name",
            "duration_minutes", "notes",
        )  # fmt: skip
        order_by = ("-delivered_on",)

    def value_area(self, record):
        return _area(record.child)

    def value_delivered_on(self, value):
        return value.isoformat()

    def render_link(self, record):
        return format_html('<a href="{}">{}</a>', record.plan.get_absolute_url(), _("查看方案"))


class IncidentTable(ChildColumnsMixin):
    """The incidents list, for the roles that may read them (the view checks)."""

    card = Card(
        title="child", fields=("kind", "reported_on", "reported_to"), badge="status",
        action="link",
    )  # fmt: skip
    reported_on = tables.DateColumn(verbose_name=_("报告日期"), format=DATE)
    kind = tables.Column(verbose_name=_("侵害类型"))
    occurred_on = tables.DateColumn(verbose_name=_("发生（发现）日期"), format=DATE)
    reported_to = tables.Column(verbose_name=_("报告单位"))
    reported_by_name = tables.Column(verbose_name=_("报告人"))
    reference_number = tables.Column(verbose_name=_("受案/回执编号"))
    status = tables.Column(verbose_name=_("处理状态"))
    link = tables.Column(
        verbose_name="", empty_values=(), orderable=False, exclude_from_export=True
    )

    class Meta:
        model = Incident
        fields = (
            "reported_on", "child", "area", "kind", "occurred_on", "reported_to",
            "reported_by_name", "reference_number", "status",
        )  # fmt: skip
        order_by = ("-reported_on",)

    def value_area(self, record):
        return _area(record.child)

    def value_reported_on(self, value):
        return value.isoformat()

    def value_occurred_on(self, value):
        return value.isoformat()

    def render_link(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), _("查看"))
