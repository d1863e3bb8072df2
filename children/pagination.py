"""The ledger list's pagination: an exact count up to a bound, "1 万+" beyond it.

Counting every matching row of a province-size ledger costs as much as reading them all
(PostgreSQL has no cheap exact COUNT), so the list counts at most ``bound + 1`` rows: what it
shows is exact up to the bound and says "more than" beyond it. The person can ask for the
exact figure (``?exact=1``), which counts them all once.

Nor does it count what it has already read: a first page that is not full holds every row
there is (a village director's ledger, a search for one name), and its length is the count.
"""

from django.core.paginator import Paginator
from django.utils.functional import cached_property
from django.utils.translation import gettext as _

COUNT_BOUND = 10_000


class BoundedCountPaginator(Paginator):
    bound = COUNT_BOUND

    def __init__(self, *args, exact: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.exact = exact

    @cached_property
    def count(self) -> int:
        if self.exact:
            return super().count
        # SELECT COUNT(*) FROM (SELECT … LIMIT bound + 1): reads no more than the bound.
        # Unordered: how many rows there are up to the bound does not depend on the order,
        # and the list's order (by village code) would make PostgreSQL walk the villages in
        # order through a join instead of stopping at the bound (8× slower at 100k children).
        return self._queryset().order_by()[: self.bound + 1].count()

    def validate_number(self, number):
        # The first page always exists (allow_empty_first_page): no count to say so.
        if str(number) == "1" and self.allow_empty_first_page:
            return 1
        return super().validate_number(number)

    def page(self, number):
        number = self.validate_number(number)
        if number == 1 and not self.orphans and "count" not in self.__dict__:
            # The first page's rows without counting first: read_first_page may learn the
            # count from them. Django's page() counts to cut the last page short, which the
            # slice does anyway.
            return self._get_page(self.object_list[: self.per_page], 1, self)
        return super().page(number)

    def read_first_page(self, rows: int) -> None:
        """The first page, read, held ``rows`` rows: fewer than a page, they are all there
        are, and the count is known without counting."""
        if rows < self.per_page and "count" not in self.__dict__:
            self.count = rows  # the cached property, known
            self.exact = True

    def _queryset(self):
        # django-tables2 hands over its rows (BoundRows → TableQuerysetData → QuerySet).
        data = getattr(self.object_list, "data", self.object_list)
        return getattr(data, "data", data)

    @property
    def is_bounded(self) -> bool:
        """True when there are more rows than were counted."""
        return not self.exact and self.count > self.bound


def approximate(bound: int) -> str:
    """How "more than ``bound``" reads: 10000 → "1 万+"."""
    if bound % 10_000 == 0:
        return _("%(n)s 万+") % {"n": bound // 10_000}
    return f"{bound}+"
