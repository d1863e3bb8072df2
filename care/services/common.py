"""Checks every care service makes: the actor's permission and area, dates, and the
optimistic lock that keeps the first of two concurrent edits."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from children.models import Child
from core.permissions import require_perm
from core.validators import check_record_date, validate_phone

# --- shared checks -------------------------------------------------------------------------


def check_child(actor, child: Child, *, perm: str, new_record: bool = True) -> Child:
    """The actor holds ``perm`` and sees the child; new records only for an active case."""
    require_perm(actor, perm)
    child = Child.objects.visible_to(actor).filter(pk=child.pk).first()
    if child is None:
        raise PermissionDenied
    if new_record and not child.is_active:
        raise ValidationError(_("该儿童已结案，不能新增关爱记录。"))
    return child


def check_visible(actor, model, obj, *, perm: str):
    """Re-read ``obj`` from the actor's scope, locked for the update that follows."""
    require_perm(actor, perm)
    current = (
        model.objects.visible_to(actor).select_for_update(of=("self",)).filter(pk=obj.pk).first()
    )
    if current is None:
        raise PermissionDenied
    return current


def not_future(
    value: dt.date | None, field: str, label: str, *, birth_date: dt.date | None = None
) -> None:
    """A date of what happened to a child: not after today, not before the child's birth
    (the ledger's one date rule, core.validators.check_record_date)."""
    check_record_date(value, field=field, label=label, birth_date=birth_date)


def not_before_birth(value: dt.date | None, field: str, label: str, child: Child) -> None:
    """A date that may plan ahead (a plan's or pairing's start) but not precede the child."""
    check_record_date(
        value, field=field, label=label, birth_date=child.birth_date, allow_future=True
    )


def user_covers_child(user, child: Child) -> bool:
    return user is None or Child.objects.visible_to(user).filter(pk=child.pk).exists()


def check_contact_phone(value: str, field: str = "phone") -> None:
    if value:
        try:
            validate_phone(value)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from exc
