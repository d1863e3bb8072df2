import django_tables2 as tables
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from children.models import Child

RISK_CSS = {
    "red": "risk-red",
    "orange": "risk-orange",
    "yellow": "risk-yellow",
    "green": "risk-green",
}

# Columns shown unless the user chooses otherwise; the rest can be switched on.
DEFAULT_COLUMNS = [
    "name", "sex", "age", "village", "circumstances", "risk_level", "next_visit_due", "status",
]  # fmt: skip
OPTIONAL_COLUMNS = [
    "id_number", "township", "benefit_category", "school_stage", "guardian_name",
    "responsible_director", "registered_on",
]  # fmt: skip


class ChildTable(tables.Table):
    name = tables.Column(verbose_name=_("姓名"), linkify=True, order_by=("name_pinyin",))
    sex = tables.Column(verbose_name=_("性别"))
    age = tables.Column(verbose_name=_("年龄"), accessor="birth_date", order_by=("-birth_date",))
    id_number = tables.Column(
        verbose_name=_("身份证号"), accessor="masked_id_number", orderable=False
    )
    township = tables.Column(verbose_name=_("乡镇"), order_by=("township__code",))
    village = tables.Column(verbose_name=_("村/社区"), order_by=("village__code",))
    circumstances = tables.Column(
        verbose_name=_("困境情形"),
        accessor="pk",
        orderable=False,
        attrs={"td": {"class": "circumstances"}},
    )
    benefit_category = tables.Column(verbose_name=_("保障类别"))
    risk_level = tables.Column(verbose_name=_("风险"))
    next_visit_due = tables.Column(
        verbose_name=_("下次家访"), orderable=False, empty_values=(), default="—"
    )
    status = tables.Column(verbose_name=_("状态"))
    school_stage = tables.Column(verbose_name=_("就学"))
    guardian_name = tables.Column(verbose_name=_("监护人"))
    responsible_director = tables.Column(verbose_name=_("责任儿童主任"))
    registered_on = tables.DateColumn(verbose_name=_("登记日期"), format="Y-m-d")

    class Meta:
        model = Child
        fields = ()
        sequence = [*DEFAULT_COLUMNS[:3], "id_number", "township", *DEFAULT_COLUMNS[3:]]
        order_by = ("village",)
        attrs = {"class": "table table-sm table-hover align-middle ledger-table"}
        empty_text = _("没有符合条件的儿童。")

    def render_age(self, record):
        return record.age

    def value_age(self, record):
        return record.age

    def render_village(self, record):
        return record.village.name

    def render_circumstances(self, record):
        # Prefetched by the selector: no query per row.
        return format_html_join(
            " ",
            '<span class="badge text-bg-light border">{}</span>',
            ((c.get_code_display(),) for c in record.circumstances.all()),
        )

    def value_circumstances(self, record):
        return "、".join(c.get_code_display() for c in record.circumstances.all())

    def render_risk_level(self, record):
        return format_html(
            '<span class="badge {}">{}</span>',
            RISK_CSS.get(record.risk_level, ""),
            record.get_risk_level_display(),
        )

    def render_next_visit_due(self, record):
        # Annotated by visits.schedule in the selector: the one definition of overdue.
        due = getattr(record, "next_visit_due", None)
        if due is None:
            return "—"
        if record.visit_overdue:
            return format_html('<span class="text-danger fw-semibold">{} {}</span>', due, _("逾期"))
        return str(due)

    def value_next_visit_due(self, record):
        due = getattr(record, "next_visit_due", None)
        return due.isoformat() if due else ""

    def render_responsible_director(self, value):
        return value.display_name
