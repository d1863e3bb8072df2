"""The ledger list's pagination: an exact count up to a bound, "1 万+" beyond it.

Counting every matching row of a province-size ledger costs as much as reading them all
(PostgreSQL has no cheap exact COUNT), so the list counts at most ``bound + 1`` rows: what it
shows is exact up to the bound and says "more than" beyond it. The person can ask for the
exact figure (``?exact=1``), which counts them all once.
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
