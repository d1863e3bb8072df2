"""Lists page through their rows in a total order, in pages of a bounded size.

A list shows one page of rows at a time, each page a query of its own (LIMIT … OFFSET …).
Sorted by a column with ties (the village, the status, a date), PostgreSQL returns the tied
rows in whatever order its plan produces, and the plan for page 2 is not the plan for page 1:
the same child can be on both pages and another on neither. On the benchmark's ledger of
10,000 children, a township supervisor paging through every page of the default (village)
order saw 55 of 1,524 children on no page at all.

Every portal table is therefore a ``PagedTable``:

* whatever column the person sorts by, the primary key breaks the ties last
  (``total_order``), so each row is on exactly one page;
* a page has 1 to ``MAX_PER_PAGE`` rows, whatever ``?per_page=`` asks (django-tables2 takes
  it from the address): a county account could otherwise have one request draw the whole
  province's ledger, and a negative size broke the page.
"""

import django_tables2 as tables
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django_tables2.data import TableQuerysetData

# The largest page a list asks for: the county's villages (about 130) on one page.
MAX_PER_PAGE = 200


def total_order(queryset: QuerySet) -> QuerySet:
    """``queryset`` ordered as it is, then by primary key, unless its order already ends
    with the key. Left as it is when ordering by the key would change which rows it returns
    (DISTINCT, GROUP BY, a UNION) or when it cannot be reordered (sliced)."""
    query = queryset.query
    if query.distinct or query.group_by is not None or query.combinator or query.is_sliced:
        return queryset
    if query.order_by:
        ordering = list(query.order_by)
    elif query.default_ordering:
        ordering = list(query.get_meta().ordering)
    else:
        ordering = []
    pk = query.get_meta().pk
    last = ordering[-1] if ordering else None
    if isinstance(last, str) and last.lstrip("-") in {"pk", pk.name, pk.attname}:
        return queryset
    return queryset.order_by(*ordering, "pk")


class TotallyOrderedData(TableQuerysetData):
    """django-tables2's queryset data, kept in a total order before and after each sort."""

    def __init__(self, data):
        super().__init__(total_order(data))

    def order_by(self, aliases):
        super().order_by(aliases)
        self.data = total_order(self.data)


class PagedTable(tables.Table):
    """The portal's table: a queryset's rows in a total order, so that pages neither overlap
    nor skip a row (other data, a list of dicts, is left to django-tables2, whose sort of a
    list is stable), and pages of at most ``MAX_PER_PAGE`` rows."""

    def __init__(self, data=None, *args, **kwargs):
        if isinstance(data, QuerySet):
            data = TotallyOrderedData(data)
        super().__init__(data, *args, **kwargs)

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        per_page = max(1, min(per_page or self._meta.per_page, MAX_PER_PAGE))
        return super().paginate(paginator_class, per_page, page, *args, **kwargs)
