"""Reads behind the home pages and dashboards; every figure starts from a scoped queryset."""

from dataclasses import dataclass

from accounts.scoping import visible_townships, visible_villages


@dataclass(frozen=True)
class Panel:
    label: str
    value: int | str
    url: str = ""
    tone: str = "primary"


def home_panels(user) -> list[Panel]:
    """The figures on a user's home page, for their own area only."""
    from django.utils.translation import gettext as _

    panels = [
        Panel(_("辖区乡镇"), visible_townships(user).count()),
        Panel(_("辖区村/社区"), visible_villages(user).count()),
    ]
    return panels
