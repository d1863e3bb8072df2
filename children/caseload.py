"""What is assigned to a person, across the apps: the extension point behind the caseload
hand-over (工作移交), the orphan check and a transfer's follow-ups.

Every foreign key to a user that means "this person is responsible for it now" (not "this
person wrote it") is an ``Assignment``, declared by the app that owns the model through its
AppConfig's ``handover_providers`` (a function returning a list of ``Assignment`` and
``Carried``). The ledger (this app) declares the child's responsible director; care its plans'
responsible accounts; visits the unfinished visits waiting on their author. Records that have
no person of their own and follow their child's responsible director (open alerts, active
pairings) are ``Carried``: counted in a hand-over, never rewritten.

Authorship (created_by, entered_by, visitor, reviewer, closed_by…) is history and is never
reassigned.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.extensions import collect


@dataclass(frozen=True)
class Assignment:
    """One kind of assignment. ``queryset()`` gives the records in which ``field`` is a
    live assignment (an active plan, an unfinished visit; every child);
    ``child_path`` leads from the record to its child ("" when the record is the child);
    ``record_type`` names it in the child's history."""

    label: str
    queryset: Callable[[], QuerySet]
    field: str
    child_path: str = "child"
    record_type: str = ""
    nullable: bool = True

    def child_id(self) -> str:
        return f"{self.child_path}_id" if self.child_path else "pk"

    def child_lookup(self) -> str:
        return f"{self.child_path}__in" if self.child_path else "pk__in"


@dataclass(frozen=True)
class Carried:
    """Open records with no person of their own, which follow their child's responsible
    director: counted in a hand-over (``queryset()`` of the open ones)."""

    label: str
    queryset: Callable[[], QuerySet]
    child_path: str = "child"


def parts() -> list:
    """Every app's assignments and carried records, in INSTALLED_APPS order."""
    return collect("handover_providers")


def assignments() -> list[Assignment]:
    return [part for part in parts() if isinstance(part, Assignment)]


def carried() -> list[Carried]:
    return [part for part in parts() if isinstance(part, Carried)]


def ledger_parts() -> list:
    """The ledger's own assignment: the child's responsible director (every child, closed
    ones too: a reopened case must not come back to a departed director)."""
    from children.models import Child

    return [
        Assignment(
            label=_("责任儿童"),
            queryset=Child.objects.all,
            field="responsible_director",
            child_path="",
            record_type="child",
        )
    ]
