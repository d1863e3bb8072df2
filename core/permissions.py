"""The action-right check every service makes first (the area check is accounts.scoping's)."""

from django.core.exceptions import PermissionDenied


def require_perm(actor, perm: str) -> None:
    """Refuse (403) an actor without ``perm``. Services check it again whatever the view
    did, so an admin action, an import or a command is held to the same rights."""
    if not actor.has_perm(perm):
        raise PermissionDenied
