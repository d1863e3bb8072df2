"""Reads behind the home pages and dashboards; every figure starts from a scoped queryset."""

from dataclasses import dataclass

from longsheng_care.extensions import collect


@dataclass(frozen=True)
class Panel:
    """One figure on a home page; ``url`` leads to the (scoped) list behind it."""

    label: str
    value: int | str
    url: str = ""
    tone: str = "primary"
    order: int = 100


def home_panels(user) -> list[Panel]:
    """The figures on a user's home page, for their own area only, from every app."""
    panels: list[Panel] = collect("home_panels", user)
    return sorted(panels, key=lambda panel: panel.order)
