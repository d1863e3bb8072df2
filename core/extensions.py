"""How apps contribute to shared pages without those pages knowing which apps exist.

An AppConfig names a provider function by dotted path under an agreed attribute:
``child_timeline`` (entries on the child page), ``home_panels`` (figures on the home page).
"""

from dataclasses import dataclass
from functools import cache
from importlib import import_module

from django.apps import apps


@dataclass(frozen=True)
class Panel:
    """One figure on a home page; ``url`` leads to the (scoped) list behind it."""

    label: str
    value: int | str
    url: str = ""
    tone: str = "primary"
    order: int = 100


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
