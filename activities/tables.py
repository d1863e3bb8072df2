"""Tables of the activities app. No queries in render_*: counts are annotated by the selectors
and the forms prefetched."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from activities.models import Activity, PartnerOrganisation, PurchasedService, Training
from core.paging import PagedTable
from core.tables import Card

# On a phone (390px) only the columns needed to find a record are shown; the rest appear
# from the md breakpoint up, so the table never scrolls sideways.
WIDE_ONLY = {"th": {"class": "d-none d-md-table-cell"}, "td": {"class": "d-none d-md-table-cell"}}
NUMBER = {"td": {"class": "text-end"}}
WIDE_NUMBER = {
    "th": {"class": "d-none d-md-table-cell"},
    "td": {"class": "d-none d-md-table-cell text-end"},
}
DATE = {"td": {"class": "text-nowrap"}}


class ActivityTable(PagedTable):
    card = Card(title="title", fields=("start_date", "township", "participant_count"))
    title = tables.Column(verbose_name=_("活动名称"), linkify=True)
    township = tables.Column(
        verbose_name=_("乡镇"),
        accessor="township__name",
        default=_("县级"),
        order_by="township__code",
        attrs=WIDE_ONLY,
    )
    start_date = tables.DateColumn(verbose_name=_("日期"), format="Y-m-d", attrs=DATE)
    formats = tables.Column(verbose_name=_("活动形式"), empty_values=(), orderable=False)
    brand = tables.Column(verbose_name=_("活动品牌"), default="", attrs=WIDE_ONLY)
    participant_count = tables.Column(verbose_name=_("参与儿童"), attrs=NUMBER)
    leader_count = tables.Column(verbose_name=_("出席领导"), attrs=WIDE_NUMBER)
    photo_count = tables.Column(verbose_name=_("照片"), attrs=WIDE_NUMBER)

    class Meta:
        model = Activity
        fields = (
            "title", "township", "start_date", "formats", "brand",
            "participant_count", "leader_count", "photo_count",
        )  # fmt: skip
        order_by = ("-start_date",)
        empty_text = _("没有符合条件的活动。")

    def render_formats(self, record):
        return format_html_join(
            " ",
            '<span class="badge text-bg-light border">{}</span>',
            ((f.get_code_display(),) for f in record.formats.all()),
        )

    def value_formats(self, record):
        return "、".join(str(f.get_code_display()) for f in record.formats.all())


class PartnerTable(PagedTable):
    card = Card(title="name", fields=("kind", "activity_count", "service_count"), action="edit")
    name = tables.Column(verbose_name=_("组织名称"))
    kind = tables.Column(verbose_name=_("组织类型"))
    credit_code = tables.Column(verbose_name=_("统一社会信用代码"), default="—", attrs=WIDE_ONLY)
    contact_person = tables.Column(verbose_name=_("联系人"), default="", attrs=WIDE_ONLY)
    township = tables.Column(
        verbose_name=_("登记"), accessor="township__name", default=_("县级"), attrs=WIDE_ONLY
    )
    activity_count = tables.Column(verbose_name=_("参与活动"), attrs=NUMBER)
    service_count = tables.Column(verbose_name=_("购买服务"), attrs=WIDE_NUMBER)
    edit = tables.Column(
        verbose_name="", empty_values=(), orderable=False, exclude_from_export=True
    )

    class Meta:
        model = PartnerOrganisation
        fields = (
            "name", "kind", "credit_code", "contact_person", "township",
            "activity_count", "service_count",
        )  # fmt: skip
        order_by = ("kind", "name")
        empty_text = _("尚未登记合作组织。")

    def __init__(self, *args, editable_ids=frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.editable_ids = editable_ids

    def render_edit(self, record):
        if record.pk not in self.editable_ids:
            return ""
        return format_html(
            '<a href="{}">{}</a>', reverse("activities:partner_edit", args=[record.pk]), _("编辑")
        )


class PurchasedServiceTable(PagedTable):
    card = Card(title="organisation", fields=("start_date", "amount", "ledger_children"))
    organisation = tables.Column(
        accessor="organisation__name",
        verbose_name=_("服务机构"),
        linkify=lambda record: record.get_absolute_url(),
    )
    township = tables.Column(
        verbose_name=_("乡镇"), accessor="township__name", default=_("县级"), attrs=WIDE_ONLY
    )
    start_date = tables.DateColumn(verbose_name=_("开始"), format="Y-m-d", attrs=DATE)
    end_date = tables.DateColumn(
        verbose_name=_("结束"),
        format="Y-m-d",
        attrs={"th": WIDE_ONLY["th"], "td": {"class": "d-none d-md-table-cell text-nowrap"}},
    )
    amount = tables.Column(verbose_name=_("金额（元）"), attrs=NUMBER)
    ledger_children = tables.Column(verbose_name=_("台账儿童"), attrs=NUMBER)
    other_children_count = tables.Column(verbose_name=_("台账外儿童"), attrs=WIDE_NUMBER)

    class Meta:
        model = PurchasedService
        fields = (
            "organisation", "township", "start_date", "end_date", "amount",
            "ledger_children", "other_children_count",
        )  # fmt: skip
        order_by = ("-start_date",)
        empty_text = _("没有购买服务记录。")


class TrainingTable(PagedTable):
    card = Card(title="topic", fields=("date", "township", "hours"))
    topic = tables.Column(verbose_name=_("主题"), linkify=True)
    kind = tables.Column(verbose_name=_("类型"), attrs=WIDE_ONLY)
    date = tables.DateColumn(verbose_name=_("日期"), format="Y-m-d", attrs=DATE)
    township = tables.Column(
        verbose_name=_("乡镇"), accessor="township__name", default=_("县级"), attrs=WIDE_ONLY
    )
    trainer = tables.Column(verbose_name=_("授课人"), attrs=WIDE_ONLY)
    hours = tables.Column(verbose_name=_("学时"), attrs=NUMBER)
    supervisors_count = tables.Column(verbose_name=_("督导员"), attrs=WIDE_NUMBER)
    directors_count = tables.Column(verbose_name=_("儿童主任"), attrs=WIDE_NUMBER)
    others_count = tables.Column(verbose_name=_("其他"), attrs=WIDE_NUMBER)

    class Meta:
        model = Training
        fields = (
            "topic", "kind", "date", "township", "trainer", "hours",
            "supervisors_count", "directors_count", "others_count",
        )  # fmt: skip
        order_by = ("-date",)
        empty_text = _("没有培训记录。")
