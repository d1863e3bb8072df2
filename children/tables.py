"""The ledger table.

django-tables2 declares the columns, their headers, the ordering and the pagination. The body
cells are produced here in one pass (``ChildTable.body_rows``) instead of through
django-tables2's per-cell machinery, which inspects each ``render_*`` signature and resolves
attributes and lazy labels for every cell: that cost ~75 ms of the ~92 ms of a 50-row page
(bench/LOAD.md), on the page village staff open most.

Columns of other apps' records (the next visit date) come from those apps through the
``ledger_columns`` extension point (core/extensions.py); the ledger does not know visits.
"""

from html import escape

import django_tables2 as tables
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from children import choices, privacy, selectors
from children.models import CaseloadHandover, Child, ChildTransfer
from children.models.child import age_on, masked_id_display
from core.choices import choice_labels
from core.extensions import collect
from core.paging import PagedTable
from core.tables import Card
from core.validators import ADULT_AGE

RISK_CSS = {
    "red": "risk-red",
    "orange": "risk-orange",
    "yellow": "risk-yellow",
    "green": "risk-green",
}

# Columns shown unless the user chooses otherwise (with those other apps add, always shown);
# the rest can be switched on.
DEFAULT_COLUMNS = [
    "name", "sex", "age", "village", "circumstances", "risk_level", "status",
]  # fmt: skip
OPTIONAL_COLUMNS = [
    "id_number", "township", "benefit_category", "school_stage", "guardian_name",
    "responsible_director", "registered_on",
]  # fmt: skip

# What a phone card shows beside the name and the risk badge, when the column is shown.
CARD_FIELDS = ("age", "sex", "village", "next_visit_due", "status")

EMPTY = "—"  # what django-tables2 shows for an empty value


class ChildTable(PagedTable):
    name = tables.Column(verbose_name=_("姓名"), order_by=("name_pinyin",))
    sex = tables.Column(verbose_name=_("性别"))
    age = tables.Column(verbose_name=_("年龄"), accessor="birth_date", order_by=("-birth_date",))
    id_number = tables.Column(
        verbose_name=_("身份证号"), accessor="masked_id_number", orderable=False
    )
    township = tables.Column(verbose_name=_("乡镇"), order_by=("township__code",))
    # Within a village, children in name order (the primary key breaks the last ties).
    village = tables.Column(verbose_name=_("村/社区"), order_by=("village__code", "name_pinyin"))
    circumstances = tables.Column(verbose_name=_("困境情形"), accessor="pk", orderable=False)
    benefit_category = tables.Column(verbose_name=_("保障类别"))
    risk_level = tables.Column(verbose_name=_("风险"))
    status = tables.Column(verbose_name=_("状态"))
    school_stage = tables.Column(verbose_name=_("就学"))
    guardian_name = tables.Column(verbose_name=_("监护人"))
    responsible_director = tables.Column(verbose_name=_("责任儿童主任"))
    registered_on = tables.DateColumn(verbose_name=_("登记日期"))

    class Meta:
        model = Child
        fields = ()
        sequence = [*DEFAULT_COLUMNS[:3], "id_number", "township", *DEFAULT_COLUMNS[3:]]
        order_by = ("village",)
        attrs = {"class": "table table-sm table-hover align-middle ledger-table"}
        empty_text = _("没有符合条件的儿童。")
        template_name = "children/_ledger_table.html"

    def __init__(self, *args, **kwargs):
        # Other apps' columns, each placed after the column it names.
        self.contributed = {column.name: column for column in collect("ledger_columns")}
        sequence = list(kwargs.pop("sequence", None) or self._meta.sequence)
        for column in self.contributed.values():
            at = sequence.index(column.after) + 1 if column.after in sequence else len(sequence)
            sequence.insert(at, column.name)
        extra = [
            (name, tables.Column(verbose_name=column.verbose_name, orderable=False))
            for name, column in self.contributed.items()
        ]
        super().__init__(*args, sequence=sequence, extra_columns=extra, **kwargs)

    def body_rows(self) -> str:
        """The ``<tr>`` of each child on the current page, for the visible columns, from the
        page's rows read as plain values (children.selectors.ledger_rows)."""
        return self._body()[0]

    def body_cards(self) -> list[dict]:
        """The same children as phone cards (core.tables.render_cards): the name
        (the whole card opens the child), risk as the badge, and age and sex, village and
        next visit when those columns are shown."""
        return self._body()[1]

    def _body(self):
        # Rows and cards from one read of the page (the template asks for both).
        if getattr(self, "_body_cache", None) is not None:
            return self._body_cache
        page = getattr(self, "page", None)
        records = selectors.ledger_rows(
            page.object_list.data if page is not None else self.data.data
        )
        if page is not None:
            # The page now holds its rows: the pagination's {% if table.page %} counts them
            # instead of fetching the page again as model instances.
            page.object_list = records
            if page.number == 1 and hasattr(page.paginator, "read_first_page"):
                page.paginator.read_first_page(len(records))
        names = [column.name for column in self.columns]
        headers = {column.name: column.header for column in self.columns}
        pks = [record["pk"] for record in records]
        codes = selectors.circumstance_codes(pks) if "circumstances" in names else {}
        contributed = {
            name: column.cells(records)
            for name, column in self.contributed.items()
            if name in names
        }
        cells = LedgerCells(codes, contributed)
        card_fields = [n for n in CARD_FIELDS if n in names]
        rows, cards = [], []
        for parity, record in enumerate(records):
            tds = "".join(cells.td(name, record) for name in names)
            rows.append(f'<tr class="{"odd" if parity % 2 else "even"}">{tds}</tr>')
            cards.append(
                {
                    "title": mark_safe(cells.name(record)),
                    "badge": mark_safe(cells.risk_level(record)) if "risk_level" in names else "",
                    "fields": [(headers[n], mark_safe(cells.cell(n, record))) for n in card_fields],
                }
            )
        # every value is escaped by LedgerCells
        self._body_cache = (mark_safe("".join(rows)), cards)
        return self._body_cache


class LedgerCells:
    """The HTML of one ledger cell per (column, child), with the choice labels resolved once
    per page in the reader's language. Every value taken from the record is escaped."""

    def __init__(self, codes=None, contributed=None):
        # {child pk: [circumstance codes]} of the page's children, and the cells of other
        # apps' columns: {column name: {child pk: HTML}}.
        self.codes = codes or {}
        self.contributed = contributed or {}

        self.labels = {
            "sex": choice_labels(choices.Sex),
            "benefit_category": choice_labels(choices.BenefitCategory),
            "risk_level": choice_labels(choices.RiskLevel),
            "status": choice_labels(choices.CaseStatus),
            "school_stage": choice_labels(choices.SchoolStage),
        }
        self.circumstance_labels = choice_labels(choices.Circumstance)
        self.adult = gettext("已满18周岁")
        self.pending = gettext("身份证号待补录")
        self.today = timezone.localdate()
        # One reverse() per page, not per row: the detail URL with a placeholder pk.
        self.detail_url = reverse("children:detail", args=[0]).replace("/0/", "/{}/")

    def cell(self, name: str, record: dict) -> str:
        """The HTML of one value: this app's, or a contributed column's."""
        if name in self.contributed:
            return self.contributed[name].get(record["pk"], EMPTY)
        return getattr(self, name)(record)

    def td(self, name: str, record: dict) -> str:
        html = self.cell(name, record)
        if name == "circumstances":
            return f'<td class="circumstances">{html}</td>'
        return f"<td>{html}</td>"

    @staticmethod
    def _text(value) -> str:
        # html.escape is what Django's escape() calls, without its lazy-string wrapper.
        return escape(str(value)) if value not in (None, "") else EMPTY

    def _label(self, field: str, record: dict) -> str:
        return self._text(self.labels[field].get(record[field], record[field]))

    def name(self, record):
        link = f'<a href="{self.detail_url.format(record["pk"])}">{escape(record["name"])}</a>'
        if record["id_pending"]:
            # The director's to-do: the number is still to be collected, by this date.
            due = record["id_due_on"]
            css = "text-bg-danger" if due and due < self.today else "text-bg-warning"
            link += f' <span class="badge {css}">{escape(self.id_pending_label(due))}</span>'
        return link

    def id_pending_label(self, due) -> str:
        if due is None:
            return self.pending
        return f"{self.pending} {due.isoformat()}"

    def sex(self, record):
        return self._label("sex", record)

    def age(self, record):
        age = age_on(record["birth_date"], self.today)
        if age >= ADULT_AGE and record["status"] == choices.CaseStatus.ACTIVE:
            # Aged out: offered closure with 年满18周岁 on the child's page.
            return f'{age} <span class="badge text-bg-secondary">{escape(self.adult)}</span>'
        return str(age)

    def id_number(self, record):
        return self._text(
            masked_id_display(
                record["id_number"],
                id_pending=record["id_pending"],
                id_due_on=record["id_due_on"],
                document_type=record["document_type"],
                document_number=record["document_number"],
            )
        )

    def township(self, record):
        return self._text(record["township__name"])

    def village(self, record):
        return self._text(record["village__name"])

    def circumstances(self, record):
        return " ".join(
            '<span class="badge text-bg-light border">'
            f"{escape(self.circumstance_labels.get(code, code))}</span>"
            for code in self.codes.get(record["pk"], ())
        )

    def benefit_category(self, record):
        return self._label("benefit_category", record)

    def risk_level(self, record):
        level = record["risk_level"]
        label = self.labels["risk_level"].get(level, level)
        return f'<span class="badge {RISK_CSS.get(level, "")}">{escape(label)}</span>'

    def status(self, record):
        return self._label("status", record)

    def school_stage(self, record):
        return self._label("school_stage", record)

    def guardian_name(self, record):
        return self._text(record["guardian_name"])

    def responsible_director(self, record):
        # User.display_name: the name, or the username of an account without one.
        director = record["responsible_director__name"] or record["responsible_director__username"]
        return self._text(director)

    def registered_on(self, record):
        registered = record["registered_on"]
        return registered.isoformat() if registered else EMPTY


class TransferTable(PagedTable):
    """The transfer list: a row per request, sending or receiving. The child's name leads
    to the transfer's page (the receiving side may not open the child's own page)."""

    card = Card(
        title="child", fields=("route", "requested_at", "created_by"), badge="state", action="link"
    )
    child = tables.Column(verbose_name=_("儿童"), order_by=("child__name_pinyin",))
    route = tables.Column(verbose_name=_("转出 → 转入"), accessor="pk", orderable=False)
    state = tables.Column(verbose_name=_("状态"))
    requested_at = tables.DateTimeColumn(verbose_name=_("申请时间"), format="Y-m-d")
    created_by = tables.Column(verbose_name=_("申请人"), order_by=("created_by__name",))
    decided_by = tables.Column(verbose_name=_("处理人"), order_by=("decided_by__name",))
    link = tables.Column(verbose_name="", accessor="pk", orderable=False)

    class Meta:
        model = ChildTransfer
        fields = ()
        sequence = ("child", "route", "state", "requested_at", "created_by", "decided_by", "link")
        order_by = ("-requested_at",)
        empty_text = _("没有转移申请。")

    def render_child(self, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.child.name)

    def render_route(self, record):
        return f"{record.from_village} → {record.to_village}"

    def render_state(self, record):
        tone = {
            choices.TransferState.REQUESTED: "warning",
            choices.TransferState.ACCEPTED: "success",
            choices.TransferState.REJECTED: "danger",
        }.get(record.state, "secondary")
        label = record.get_state_display()
        if record.is_pending:
            # Both sides read a waiting request the same way: the child is 转移中.
            label = f"{gettext('转移中')} · {label}"
        if record.is_pending and record.escalated_at:
            return format_html(
                '<span class="badge text-bg-{}">{}</span> '
                '<span class="badge text-bg-danger">{}</span>',
                tone,
                label,
                gettext("已上报县级"),
            )
        return format_html('<span class="badge text-bg-{}">{}</span>', tone, label)

    def render_created_by(self, record):
        return record.created_by.display_name if record.created_by else EMPTY

    def render_decided_by(self, record):
        return record.decided_by.display_name if record.decided_by else EMPTY

    def render_link(self, record):
        label = gettext("处理") if record.is_pending else gettext("查看")
        return format_html(
            '<a class="btn btn-sm btn-outline-primary" href="{}">{}</a>',
            record.get_absolute_url(),
            label,
        )


class TransferExportTable(PagedTable):
    """The transfer list's Excel export (core/table_export.py): a column per fact of the
    request and its decision. Without the reveal right the birth date goes out as the age on
    the export date: beside the last characters of an ID number a full date is half of the
    number (children/privacy.py)."""

    child = tables.Column(verbose_name=_("儿童"), accessor="child__name")
    sex = tables.Column(verbose_name=_("性别"), accessor="child__sex")
    birth_date = tables.Column(verbose_name=_("出生日期"), accessor="child__birth_date")
    from_township = tables.Column(verbose_name=_("转出乡镇"), accessor="from_village__township")
    from_village = tables.Column(verbose_name=_("转出村/社区"))
    to_township = tables.Column(verbose_name=_("转入乡镇"), accessor="to_village__township")
    to_village = tables.Column(verbose_name=_("转入村/社区"))
    state = tables.Column(verbose_name=_("状态"))
    reason = tables.Column(verbose_name=_("转移原因"))
    created_by = tables.Column(verbose_name=_("申请人"))
    requested_at = tables.Column(verbose_name=_("申请时间"))
    decided_by = tables.Column(verbose_name=_("处理人"))
    decided_at = tables.Column(verbose_name=_("处理时间"))
    decision_note = tables.Column(verbose_name=_("处理意见"))
    new_director = tables.Column(verbose_name=_("接收后责任儿童主任"))
    escalated_at = tables.Column(verbose_name=_("已上报县级"))

    class Meta:
        model = ChildTransfer
        fields = ()
        orderable = False

    def __init__(self, *args, reveal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.reveal = reveal
        if not reveal:
            self.columns["birth_date"].column.verbose_name = _("年龄（导出日）")

    def value_birth_date(self, value):
        return privacy.birth_display(value, reveal=self.reveal)

    # The choice columns (sex, state) go out as their labels: django-tables2 reads the
    # records' get_FOO_display.

    def value_from_village(self, value):
        return value.name

    value_from_township = value_to_township = value_to_village = value_from_village

    def value_created_by(self, value):
        return value.display_name

    value_decided_by = value_new_director = value_created_by

    def value_requested_at(self, value):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")

    value_decided_at = value_requested_at

    def value_escalated_at(self, value):
        return gettext("是")


class HandoverTable(PagedTable):
    card = Card(title="from_user", fields=("to_user", "at", "actor"), badge=None, action=None)
    from_user = tables.Column(verbose_name=_("移交人"))
    to_user = tables.Column(verbose_name=_("接收人"))
    at = tables.DateTimeColumn(verbose_name=_("移交时间"), format="Y-m-d H:i")
    actor = tables.Column(verbose_name=_("操作人"))
    counts = tables.Column(verbose_name=_("移交内容"), orderable=False)
    note = tables.Column(verbose_name=_("移交原因"), orderable=False)

    class Meta:
        model = CaseloadHandover
        fields = ()
        sequence = ("from_user", "to_user", "at", "actor", "counts", "note")
        order_by = ("-at",)
        empty_text = _("暂无移交记录。")

    def render_from_user(self, record):
        return record.from_user.display_name

    def render_to_user(self, record):
        return record.to_user.display_name

    def render_actor(self, record):
        return record.actor.display_name

    def render_counts(self, record):
        return "、".join(f"{label} {n}" for label, n in record.counts.items() if n) or EMPTY
