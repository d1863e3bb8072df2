"""The top navigation, assembled from what each app declares.

Each app's AppConfig may define ``navigation``: a list of ``NavItem``. An item is shown only
to users holding its permission, so each role sees only what it may use; the views enforce
the same permissions, the menu only mirrors them.
"""

from dataclasses import dataclass

from django.apps import apps
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    permission: str | None = None  # None: every signed-in user
    order: int = 100

    def visible_to(self, user) -> bool:
        return self.permission is None or user.has_perm(self.permission)


def items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    for config in apps.get_app_configs():
        for item in getattr(config, "navigation", ()):
            if item.visible_to(user):
                items.append(item)
    items.sort(key=lambda item: item.order)
    return [{"label": item.label, "url": reverse(item.url_name)} for item in items]


def navigation(request):
    """Template context processor: ``nav_items`` for the base layout, assembled once a
    request (a list page renders its table as a second template, which runs the context
    processors again)."""
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_items": []}
    if not hasattr(request, "_nav_items"):
        request._nav_items = items_for(user)
    return {"nav_items": request._nav_items}
