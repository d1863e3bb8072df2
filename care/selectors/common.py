"""What every care selector shares: the permission to see screening details, the child's
related rows, and the link to the child's page."""

from django.urls import NoReverseMatch

DETAILS_PERM = "care.view_screening_details"

CHILD_RELATED = ("child", "child__township", "child__village")


def child_url(child) -> str:
    """The child's page, or "" while the ledger app does not route it (then no link)."""
    try:
        return child.get_absolute_url()
    except NoReverseMatch:
        return ""
