"""The ledger list counts exactly up to a bound and says "1 万+" beyond it; the exact figure
is one click away."""

import pytest
from django.urls import reverse

from children.pagination import BoundedCountPaginator, approximate
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def six_children():
    village = factories.village("龙胜镇", "山东村")
    return [factories.ChildFactory(village=village) for _ in range(6)]


def test_the_count_is_exact_up_to_the_bound(monkeypatch, client_for, county_admin, six_children):
    monkeypatch.setattr(BoundedCountPaginator, "bound", 6)
    page = client_for(county_admin).get(reverse("children:list"))
    assert page.context["total"] == 6
    assert "共 6 人" in page.content.decode()
    assert "显示确切人数" not in page.content.decode()


def test_beyond_the_bound_the_list_says_more_than_and_offers_the_exact_figure(
    monkeypatch, client_for, county_admin, six_children
):
    monkeypatch.setattr(BoundedCountPaginator, "bound", 5)
    client = client_for(county_admin)
    # Two a page: the first page is full, so the rows are counted (up to the bound).
    page = client.get(reverse("children:list"), {"risk_level": "", "per_page": 2})
    assert page.context["total"] == "5+"
    assert "共 5+ 人" in page.content.decode()
    exact_url = page.context["exact_count_url"]
    assert "exact=1" in exact_url and "risk_level=" in exact_url
    exact = client.get(reverse("children:list") + exact_url)
    assert exact.context["total"] == 6 and "共 6 人" in exact.content.decode()


def test_the_bounded_count_reads_no_more_than_the_bound(six_children):
    from children.models import Child

    paginator = BoundedCountPaginator(Child.objects.order_by("pk"), 2)
    paginator.bound = 3
    assert paginator.count == 4 and paginator.is_bounded
    exact = BoundedCountPaginator(Child.objects.order_by("pk"), 2, exact=True)
    assert exact.count == 6 and not exact.is_bounded


def test_the_bounded_count_ignores_the_lists_order(six_children):
    """The list's order (village code) would make PostgreSQL walk every village through a
    join before reaching the bound; the bounded count does not need it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from children.models import Child

    paginator = BoundedCountPaginator(Child.objects.order_by("village__code", "pk"), 2)
    paginator.bound = 3
    with CaptureQueriesContext(connection) as captured:
        assert paginator.count == 4
    (sql,) = [q["sql"] for q in captured.captured_queries]
    assert "ORDER BY" not in sql.upper()
    assert "LIMIT 4" in sql.upper()


@pytest.mark.parametrize(("bound", "words"), [(10_000, "1 万+"), (20_000, "2 万+"), (500, "500+")])
def test_the_wording_of_more_than(bound, words):
    assert approximate(bound) == words


@pytest.mark.parametrize("sort", ["", "village", "-village", "name", "-sex", "risk_level"])
def test_paging_through_tied_children_shows_each_exactly_once(client_for, shandong_director, sort):
    """Eleven children of one village with one name tie on every column the list sorts by.
    Each page is a query of its own; without the key as the last tie-breaker, PostgreSQL may
    put a child on two pages and another on none (seen on the benchmark's ledger)."""
    village = shandong_director.village
    children = [factories.ChildFactory(village=village, name="李明") for _ in range(11)]
    client = client_for(shandong_director)
    shown = []
    for page in (1, 2, 3):
        response = client.get(reverse("children:list"), {"sort": sort, "per_page": 4, "page": page})
        table = response.context["table"]
        assert list(table.data.data.query.order_by)[-1] == "pk"
        shown += [row["pk"] for row in table.page.object_list]
    assert sorted(shown) == sorted(child.pk for child in children)


def test_the_address_cannot_ask_for_the_whole_ledger_on_one_page(client_for, county_admin):
    from core.paging import MAX_PER_PAGE

    page = client_for(county_admin).get(reverse("children:list"), {"per_page": 10**6})
    assert page.context["table"].paginator.per_page == MAX_PER_PAGE


def count_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if "COUNT(" in q["sql"].upper()]


def test_a_first_page_that_is_not_full_is_its_own_count(
    client_for, shandong_director, six_children, django_assert_max_num_queries
):
    """A village's ledger on one page, a search for one name: the rows read are all there
    are, and the list says how many without counting them again."""
    client = client_for(shandong_director)
    client.get(reverse("children:list"))  # the session settles
    with django_assert_max_num_queries(30) as captured:
        page = client.get(reverse("children:list"))
    assert page.context["total"] == 6 and "共 6 人" in page.content.decode()
    assert len(page.context["table"].page.object_list) == 6
    assert not [sql for sql in count_queries(captured) if "children_child" in sql]

    name = six_children[0].name
    with django_assert_max_num_queries(30) as captured:
        found = client.get(reverse("children:list"), {"q": name})
    shown = sum(1 for child in six_children if child.name == name)
    assert found.context["total"] == shown
    assert f"共 {shown} 人" in found.content.decode()
    assert not [sql for sql in count_queries(captured) if "children_child" in sql]


@pytest.mark.parametrize("query", [{"per_page": 6}, {"per_page": 4, "page": 2}])
def test_a_full_first_page_and_later_pages_are_counted(
    client_for, shandong_director, six_children, django_assert_max_num_queries, query
):
    """Six children six a page: a seventh may follow, so the list counts; so does page two,
    which cannot know what came before it."""
    client = client_for(shandong_director)
    client.get(reverse("children:list"))
    with django_assert_max_num_queries(30) as captured:
        page = client.get(reverse("children:list"), query)
    assert page.context["total"] == 6 and "共 6 人" in page.content.decode()
    assert [sql for sql in count_queries(captured) if "children_child" in sql]


def test_an_empty_search_says_none_without_counting(
    client_for, shandong_director, six_children, django_assert_max_num_queries
):
    client = client_for(shandong_director)
    client.get(reverse("children:list"))
    with django_assert_max_num_queries(30) as captured:
        page = client.get(reverse("children:list"), {"q": "查无此人"})
    assert page.context["total"] == 0 and "共 0 人" in page.content.decode()
    assert "没有符合条件的儿童。" in page.content.decode()
    assert not [sql for sql in count_queries(captured) if "children_child" in sql]
