"""Lists as phone cards (longsheng_care/tables.py, templates/django_tables2/portal.html): each
row becomes a card with the table's own cells, the primary action as its button."""

import django_tables2 as tables
from django.template import Context, Template
from django.test import RequestFactory
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core.tables import Card, card_layout, card_rows, render_cards


class PeopleTable(tables.Table):
    card = Card(title="name", fields=("village", "age"), badge="status", action="link")
    name = tables.Column()
    village = tables.Column(verbose_name="村")
    age = tables.Column(verbose_name="年龄")
    status = tables.Column(verbose_name="状态")
    link = tables.Column(verbose_name="", empty_values=())

    def render_name(self, value):
        return format_html('<a href="/p/{}/">{}</a>', value, value)

    def render_status(self, value):
        return format_html('<span class="badge">{}</span>', value)

    def render_link(self, record):
        return format_html('<a href="/do/{}/">去处置</a>', record["name"])


class PlainTable(tables.Table):
    title = tables.Column()
    when = tables.Column()
    status = tables.Column()
    edit = tables.Column(empty_values=())
    a = tables.Column()
    b = tables.Column()
    c = tables.Column()

    def render_edit(self):
        return format_html('<a href="/e/">编辑</a>')


ROWS = [
    {"name": "<b>甲</b>", "village": "山东村", "age": 9, "status": "待处置"},
    {"name": "乙", "village": "南门村", "age": 12, "status": "已处置"},
]


def test_cards_show_the_tables_cells_escaped_and_in_the_cards_order():
    cards = card_rows(PeopleTable(ROWS))
    assert len(cards) == 2
    first = cards[0]
    assert first["title"] == '<a href="/p/&lt;b&gt;甲&lt;/b&gt;/">&lt;b&gt;甲&lt;/b&gt;</a>'
    assert [(str(label), value) for label, value in first["fields"]] == [
        ("村", "山东村"),
        ("年龄", 9),
    ]
    assert first["badge"] == '<span class="badge">待处置</span>'
    assert "去处置" in first["action"]


def test_a_hidden_column_leaves_the_card_too():
    table = PeopleTable(ROWS)
    table.columns.hide("link")
    table.columns.hide("age")
    layout = card_layout(table)
    assert layout.action is None and layout.fields == ("village",)
    assert card_rows(table)[0]["action"] == ""


def test_without_a_card_the_first_column_heads_it_and_an_edit_column_is_the_button():
    layout = card_layout(PlainTable([]))
    assert layout == Card(title="title", fields=("when", "a", "b"), badge="status", action="edit")


def test_the_portal_template_renders_cards_and_the_table():
    request = RequestFactory().get("/")
    table = PeopleTable(ROWS)
    tables.RequestConfig(request).configure(table)
    html = Template("{% load django_tables2 %}{% render_table table %}").render(
        Context({"table": table, "request": request})
    )
    assert html.count('class="card list-card') == 2
    assert '<div class="list-card-action"><a href="/do/乙/">去处置</a></div>' in html
    assert "d-sm-none" in html and "table-container table-responsive d-none d-sm-block" in html
    assert html.count("<tr") == 3  # the header and two rows


def test_cards_escape_plain_values_and_keep_the_cells_html():
    html = render_cards(
        [
            {
                "title": mark_safe('<a href="/p/1/">甲</a>'),
                "badge": "<b>待处置</b>",
                "fields": [("村", "<script>x</script>"), ("", mark_safe("<em>9</em>"))],
                "action": "",
                "attrs": {"class": "row-overdue"},
            }
        ]
    )
    assert html.startswith('<li class="card list-card row-overdue">')
    assert '<div class="list-card-title"><a href="/p/1/">甲</a></div>' in html
    assert '<div class="list-card-badge">&lt;b&gt;待处置&lt;/b&gt;</div>' in html
    assert "<dt>村</dt><dd>&lt;script&gt;x&lt;/script&gt;</dd>" in html
    assert "<div><dd><em>9</em></dd></div>" in html  # no label, no <dt>
    assert "list-card-action" not in html


def test_an_empty_table_says_so_on_a_phone_too():
    request = RequestFactory().get("/")
    table = PeopleTable([], empty_text="没有记录")
    tables.RequestConfig(request).configure(table)
    html = Template("{% load django_tables2 %}{% render_table table %}").render(
        Context({"table": table, "request": request})
    )
    assert '<li class="text-muted py-2">没有记录</li>' in html
    assert "list-card" not in html.split("</ul>")[0].split("list-cards")[1]
