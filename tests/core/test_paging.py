"""Every portal table pages in a total order and in bounded pages (core/paging.py): the primary
key breaks the ties of whatever column a list is sorted by; ?per_page= cannot ask for all."""

import pytest
from django.db.models import Count

from accounts.models import Township, Village
from core.paging import MAX_PER_PAGE, PagedTable, total_order

pytestmark = pytest.mark.django_db


def test_the_key_is_added_after_the_chosen_order():
    ordered = total_order(Village.objects.order_by("township__code", "-name"))
    assert list(ordered.query.order_by) == ["township__code", "-name", "pk"]


def test_an_order_that_already_ends_with_the_key_is_kept():
    for last in ("pk", "-pk", "id", "-id"):
        ordered = total_order(Village.objects.order_by("name", last))
        assert list(ordered.query.order_by) == ["name", last]


def test_the_models_own_order_is_kept_and_completed():
    # Village orders by township code, then code: unique, but not known to be by the query.
    assert list(total_order(Village.objects.all()).query.order_by) == [
        "township__code",
        "code",
        "pk",
    ]
    assert list(total_order(Village.objects.order_by()).query.order_by) == ["pk"]


def test_distinct_and_grouped_rows_are_left_alone():
    # Ordering these by the key would add it to the DISTINCT or the GROUP BY: other rows.
    distinct = Village.objects.values("township").distinct().order_by("township")
    grouped = Village.objects.values("township").annotate(n=Count("pk")).order_by("township")
    assert total_order(distinct) is distinct
    assert total_order(grouped) is grouped


class TownshipTable(PagedTable):
    class Meta:
        model = Township
        fields = ("name", "code")


def test_a_table_sorted_by_any_column_ends_its_order_with_the_key():
    table = TownshipTable(Township.objects.all())
    assert list(table.data.data.query.order_by)[-1] == "pk"
    for column in ("name", "-name", "code", "-code"):
        table.order_by = column
        assert list(table.data.data.query.order_by)[-1] == "pk"


@pytest.mark.parametrize(("asked", "given"), [(None, 25), (10, 10), (10**6, MAX_PER_PAGE), (-5, 1)])
def test_a_page_holds_at_most_the_maximum_whatever_the_address_asks(asked, given):
    table = TownshipTable(Township.objects.all())
    table.paginate(per_page=asked)
    assert table.paginator.per_page == given
