"""Checks every care service makes: the actor's permission and area, dates, and the
optimistic lock that keeps the first of two concurrent edits."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from children.models import Child
from core.permissions import require_perm
from core.validators import validate_phone

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


def not_future(value: dt.date | None, field: str, label: str) -> None:
    if value and value > timezone.localdate():
        raise ValidationError({field: _("%(label)s不能晚于今天。") % {"label": label}})


def user_covers_child(user, child: Child) -> bool:
    return user is None or Child.objects.visible_to(user).filter(pk=child.pk).exists()


def check_contact_phone(value: str, field: str = "phone") -> None:
    if value:
        try:
            validate_phone(value)
        except ValidationError as exc:
            raise ValidationError({field: exc.messages}) from exc
