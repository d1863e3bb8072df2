"""The child page's change history (变更记录) is bounded like its timeline: the newest
HISTORY_LIMIT changes, a line saying how many older ones there are, and all of them on demand.
Every visit recorded is a change, so a child visited for months has dozens of them; before,
the page showed the newest 50 and silently left the rest out."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from children.models import ChangeLog
from children.selectors import HISTORY_LIMIT, child_history
from tests.visits.conftest import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def often_visited(shandong_child, shandong_director):
    """A child with more changes than the page shows: registered, then visited daily."""
    today = timezone.localdate()
    for days_ago in range(HISTORY_LIMIT + 2, 0, -1):
        record(shandong_director, shandong_child, today - dt.timedelta(days=days_ago))
    assert ChangeLog.objects.filter(child=shandong_child).count() > HISTORY_LIMIT
    return shandong_child


def history_rows(html: str) -> list[str]:
    table = re.search(r'<table[^>]*id="history"[^>]*>.*?<tbody>(.*?)</tbody>', html, re.S)
    return re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S)


def older_line(html: str) -> str | None:
    line = re.search(r'<p[^>]*id="history-older"[^>]*>(.*?)</p>', html, re.S)
    return line.group(1) if line else None


def test_the_limited_history_is_the_top_of_the_full_history(often_visited):
    full = child_history(often_visited)
    limited = child_history(often_visited, limit=HISTORY_LIMIT)
    assert [c.pk for c in limited] == [c.pk for c in full][:HISTORY_LIMIT]
    assert limited.total == full.total == ChangeLog.objects.filter(child=often_visited).count()
    assert limited.older == full.total - HISTORY_LIMIT
    assert full.older == 0
    # Newest first: the last visit recorded leads.
    assert [c.at for c in full] == sorted((c.at for c in full), reverse=True)


def test_the_page_shows_the_newest_changes_and_how_many_are_older(
    client_for, shandong_director, often_visited
):
    total = ChangeLog.objects.filter(child=often_visited).count()
    client = client_for(shandong_director)
    url = often_visited.get_absolute_url()

    html = client.get(url).content.decode()
    assert len(history_rows(html)) == HISTORY_LIMIT
    older = older_line(html)
    assert f"另有 {total - HISTORY_LIMIT} 条较早的变更未显示" in older
    assert f'href="{url}?history=all#history"' in older
    assert "显示全部变更记录" in older

    html = client.get(url, {"history": "all"}).content.decode()
    assert len(history_rows(html)) == total
    assert older_line(html) is None


def test_showing_all_of_one_part_keeps_the_other_as_it_was(
    client_for, shandong_director, often_visited
):
    client = client_for(shandong_director)
    url = often_visited.get_absolute_url()
    html = client.get(url, {"timeline": "all"}).content.decode()
    # The whole timeline is on the page, and the history's link keeps it so.
    assert 'id="timeline-older"' not in html
    assert f'href="{url}?history=all&amp;timeline=all#history"' in older_line(html)


def test_a_short_history_has_no_older_line(client_for, shandong_director, shandong_child):
    record(shandong_director, shandong_child, timezone.localdate())
    html = client_for(shandong_director).get(shandong_child.get_absolute_url()).content.decode()
    rows = history_rows(html)
    assert len(rows) == ChangeLog.objects.filter(child=shandong_child).count() >= 1
    assert older_line(html) is None


def test_the_full_history_is_scoped_like_the_page(client_for, pingdeng_supervisor, often_visited):
    response = client_for(pingdeng_supervisor).get(
        often_visited.get_absolute_url(), {"history": "all"}
    )
    assert response.status_code == 404
