"""How apps contribute to shared pages without those pages knowing which apps exist.

An AppConfig names a provider function by dotted path under an agreed attribute; the page
that shows the contributions calls every app's provider through ``collect`` or ``call_each``:

* ``home_panels(user) -> list[Panel]``: figures on the home page;
* ``child_timeline(child, user, limit=None)``: entries on the child page (children/timeline.py);
* ``child_actions(child, user)`` and ``child_notices(child, user)``: buttons and prompts on the
  child page;
* ``ledger_filters(user) -> list[ListFilter]`` and ``ledger_columns() -> list[ListColumn]``:
  what a higher app adds to the ledger list (the overdue filter, the next-visit column).

This is how a lower app shows something of a higher one without importing it
(docs/architecture.md, "Extension points").
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class Panel:
    """One figure on a home page; ``url`` leads to the (scoped) list behind it."""

    label: str
    value: int | str
    url: str = ""
    tone: str = "primary"
    order: int = 100


@dataclass(frozen=True)
class ListFilter:
    """A filter a higher app adds to a lower app's list: ``filter`` is a django-filter
    ``Filter``, made anew for each call, whose ``method`` is a callable
    ``(queryset, name, value)``; a provider leaves out what the user may not filter by."""

    name: str
    filter: Any


@dataclass(frozen=True)
class ListColumn:
    """A column a higher app adds to a lower app's list. ``cells(records)`` gets the page's
    rows as the list reads them (dicts holding at least ``pk``) and returns ``{pk: HTML}``,
    every value escaped, in a fixed number of queries; a row left out shows "—". The column
    follows the one named ``after``."""

    name: str
    verbose_name: str
    cells: Callable[[list[dict]], dict]
    after: str = ""


@cache
def _resolve(dotted: str):
    module_name, _, attr = dotted.rpartition(".")
    return getattr(import_module(module_name), attr)


def call_each(attribute: str, *args, **kwargs) -> list:
    """Call every app's provider for ``attribute`` in INSTALLED_APPS order; one result each
    (for a caller that needs to tell them apart, e.g. the timeline's per-app totals)."""
    results: list = []
    for config in apps.get_app_configs():
        dotted = getattr(config, attribute, None)
        if dotted:
            results.append(_resolve(dotted)(*args, **kwargs))
    return results


def collect(attribute: str, *args, **kwargs) -> list:
    """Call every app's provider for ``attribute`` in INSTALLED_APPS order; concatenate."""
    return [item for result in call_each(attribute, *args, **kwargs) for item in result]
