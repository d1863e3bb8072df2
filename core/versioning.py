"""Optimistic locking, shared by every editable record (child, visit, plan, activity…):
one ``StaleEdit``, one way to claim the next version (docs/architecture.md, "Saving a
record").

A form carries the version it showed. The service claims the next version with a
conditional UPDATE before it saves: of two people saving the same form exactly one wins; the
other gets ``StaleEdit`` with the record as it now is, and nothing of theirs is written.
"""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

STALE_MESSAGE = _("该记录已被他人修改，您的修改未保存。请查看最新内容后重新填写。")


class StaleEdit(Exception):
    """Someone saved the record after this form was opened; nothing was written.

    ``current`` is the record as it now is (the page shows it and the form takes its
    version); ``theirs`` their changes since, when the service reads them (the child's
    history); the message says so in the words of the record's page."""

    def __init__(self, current, *, message=None, theirs=()):
        super().__init__(str(message or STALE_MESSAGE))
        self.current = current
        self.theirs = list(theirs)


def claim_next_version(obj, expected_version: int) -> bool:
    """Move ``obj``'s row from ``expected_version`` to the next version, or report that
    someone saved it first. The conditional UPDATE is atomic in every database, so of two
    people saving the same form exactly one wins."""
    claimed = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, version=expected_version)
        .update(version=expected_version + 1)
    )
    if claimed:
        obj.version = expected_version + 1
    return bool(claimed)


def claim_version(
    obj,
    expected_version: int | None = None,
    *,
    message=None,
    theirs: Callable[[object], list] | None = None,
) -> None:
    """Take the next version of ``obj`` (from ``expected_version``, the form's, or the one
    read) or raise ``StaleEdit`` with the record as it now is and, when given,
    ``theirs(obj)``: what the others changed."""
    if expected_version is None:
        expected_version = obj.version
    if not claim_next_version(obj, expected_version):
        current = type(obj)._default_manager.get(pk=obj.pk)
        raise StaleEdit(current, message=message, theirs=theirs(obj) if theirs else ())
