"""Optimistic locking and the audited update, shared by every editable record (child,
visit, plan, activity…): one ``StaleEdit``, one way to claim the next version, one update
recipe (docs/architecture.md, "Saving a record").

A form carries the version it showed. The service claims the next version with a
conditional UPDATE before it saves: of two people saving the same form exactly one wins; the
other gets ``StaleEdit`` with the record as it now is, and nothing of theirs is written.
"""

import datetime as dt
from collections.abc import Callable, Iterable

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.validators import mask_id_number, mask_phone

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


# --- what a change looks like in a record's history ------------------------------------------

# Fields whose values the history shows masked, like the pages do.
MASKED_IN_HISTORY = {
    "id_number": mask_id_number,
    "document_number": mask_id_number,
    "father_phone": mask_phone,
    "mother_phone": mask_phone,
    "guardian_phone": mask_phone,
}


def _display(instance, name: str) -> str:
    field = instance._meta.get_field(name)
    value = getattr(instance, name)
    if value in (None, ""):
        return ""
    if name in MASKED_IN_HISTORY:
        return MASKED_IN_HISTORY[name](value)
    if field.choices:
        return str(getattr(instance, f"get_{name}_display")())
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def snapshot(instance, names: Iterable[str]) -> dict[str, str]:
    """Display values of ``names`` (choices as labels, IDs and phones masked) for history."""
    return {name: _display(instance, name) for name in names}


def diff(before: dict[str, str], after: dict[str, str], labels: dict[str, str]) -> dict:
    """``{label: [before, after]}`` of the fields that changed."""
    return {labels[k]: [before[k], after[k]] for k in after if before.get(k) != after[k]}


def field_labels(model, names) -> dict[str, str]:
    return {name: str(model._meta.get_field(name).verbose_name) for name in names}


class AuditedUpdate:
    """The update recipe, once: snapshot → diff → claim the version → save → record the
    change.

    ``AuditedUpdate(obj, names)`` snapshots the fields the service may change; the service
    applies the data and validates; ``changes()`` diffs (the service may add the changes of
    related rows it shows in the history); ``commit(changes, ...)`` writes nothing when
    nothing changed, else claims the version (``StaleEdit`` if someone saved first), saves
    (``save``, by default ``obj.save()``; related rows are written there too) and records the
    change (``record(changes)``: the history entry, the app's own)."""

    def __init__(self, obj, names: Iterable[str]):
        self.obj = obj
        self.names = list(names)
        self.before = snapshot(obj, self.names)

    def changes(self) -> dict:
        return diff(
            self.before, snapshot(self.obj, self.names), field_labels(type(self.obj), self.names)
        )

    def commit(
        self,
        changes: dict,
        *,
        expected_version: int | None,
        record: Callable[[dict], object],
        save: Callable[[], object] | None = None,
        message=None,
        theirs: Callable[[object], list] | None = None,
    ) -> bool:
        """Claim, save and record; False (nothing written) when ``changes`` is empty."""
        if not changes:
            return False
        claim_version(self.obj, expected_version, message=message, theirs=theirs)
        if save is None:
            self.obj.save()
        else:
            save()
        record(changes)
        return True
