"""The ledger table's cells, rendered in one pass by children/tables.py."""

import datetime as dt
import re

import time_machine
from django.urls import reverse
from django.utils import translation

from tests import factories


def body(response) -> str:
    return response.content.decode().split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def cells_of(html: str, name: str) -> list[str]:
    row = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", html, re.S) if name in r)
    return re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)


def test_values_from_the_record_are_escaped(client_for, longsheng_supervisor):
    factories.ChildFactory(name="<b>韦</b>", guardian_name='"><script>alert(1)</script>')
    html = body(
        client_for(longsheng_supervisor).get(reverse("children:list"), {"cols": "guardian_name"})
    )
    assert "<script>" not in html and "<b>韦</b>" not in html
    assert "&lt;b&gt;韦&lt;/b&gt;" in html
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_each_row_shows_the_childs_labels_link_and_schedule(client_for, longsheng_supervisor):
    with time_machine.travel(dt.datetime(2026, 6, 10, 9), tick=False):
        child = factories.ChildFactory(
            name="覃小梅",
            sex="F",
            birth_date=dt.date(2016, 6, 11),
            risk_level="red",
            registered_on=dt.date(2026, 6, 1),  # Monday: first visit due 5 working days on
            guardian_name="",
        )
        child.circumstances.create(code="left_behind")
        child.circumstances.create(code="living_difficulty")
        html = body(
            client_for(longsheng_supervisor).get(
                reverse("children:list"), {"cols": ["guardian_name", "registered_on"]}
            )
        )
    name, sex, age, village, circumstances, risk, due, status, guardian, registered = cells_of(
        html, "覃小梅"
    )
    assert name == f'<a href="{child.get_absolute_url()}">覃小梅</a>'
    assert (sex, age, village, status) == ("女", "9", child.village.name, "在册")
    assert "生活困难" in circumstances and "留守" in circumstances
    assert "risk-red" in risk and "红" in risk
    assert due.startswith('<span class="text-danger') and "2026-06-08" in due and "逾期" in due
    assert guardian == "—"  # empty values show a dash, as everywhere in the tables
    assert registered == "2026-06-01"


def test_labels_follow_the_readers_language(client_for, longsheng_supervisor):
    factories.ChildFactory(name="韦英", sex="M", risk_level="green")
    client = client_for(longsheng_supervisor)
    with translation.override("en"):
        client.cookies["django_language"] = "en"
        html = body(client.get(reverse("children:list"), HTTP_ACCEPT_LANGUAGE="en"))
    cells = cells_of(html, "韦英")
    assert cells[1] == "Male" and "Green" in cells[5]


def test_an_empty_ledger_says_so(client_for, longsheng_supervisor):
    html = body(client_for(longsheng_supervisor).get(reverse("children:list")))
    assert "没有符合条件的儿童。" in html


def test_every_optional_column_comes_without_a_query_per_row(
    client_for, longsheng_supervisor, shandong_director, django_assert_max_num_queries
):
    from children.tables import OPTIONAL_COLUMNS

    client = client_for(longsheng_supervisor)
    url = reverse("children:list")
    client.get(url, {"cols": OPTIONAL_COLUMNS})  # the chosen columns go into the session

    def make(count):
        for index in range(count):
            child = factories.ChildFactory(
                name=f"列测{index}", guardian_name="监护人", responsible_director=shandong_director
            )
            child.circumstances.create(code="left_behind")

    make(2)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    make(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = body(client.get(url))
    assert html.count("山东村儿童主任") + html.count(shandong_director.display_name) >= 22
