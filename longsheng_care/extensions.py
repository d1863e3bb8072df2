"""How apps contribute to shared pages without those pages knowing which apps exist.

An AppConfig names a provider function by dotted path under an agreed attribute:
``child_timeline`` (entries on the child page), ``home_panels`` (figures on the home page).
"""

from functools import cache
from importlib import import_module

from django.apps import apps


@cache
def _resolve(dotted: str):
    module_name, _, attr = dotted.rpartition(".")
    return getattr(import_module(module_name), attr)


def collect(attribute: str, *args) -> list:
    """Call every app's provider for ``attribute`` in INSTALLED_APPS order; concatenate."""
    results: list = []
    for config in apps.get_app_configs():
        dotted = getattr(config, attribute, None)
        if dotted:
            results.extend(_resolve(dotted)(*args))
    return results
