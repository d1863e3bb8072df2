"""Households (家庭户): siblings of one home and the guardian they share.

A household lives in one village; its members are children of that village, each in at most
one household. The guardian is the household's and is copied onto every member: creating a
household with a guardian, or changing it, writes each member child (its version claimed,
its history entry written, phones masked as everywhere), all in one transaction."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.scoping import can_see_area
from children.choices import CaseStatus, ChangeAction
from children.models import Child, Household
from children.services import record_change
from core.permissions import require_perm
from core.validators import normalize_phone
from core.versioning import AuditedUpdate

RECORD_TYPE = "household"
HOUSEHOLD_FIELDS = ["name", "address", "note"]
GUARDIAN_FIELDS = ["guardian_name", "guardian_relation", "guardian_phone"]


def _names(children: Iterable[Child]) -> str:
    return "、".join(child.name for child in children)


def _check_members(actor, household: Household, members: list[Child]) -> list[Child]:
    """The members as read from the actor's scope, locked, each of the household's village,
    active, and in no other household."""
    if not members:
        raise ValidationError({"members": _("请至少选择一名儿童。")})
    ids = {child.pk for child in members}
    found = list(
        Child.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .filter(pk__in=ids)
        .order_by("pk")
    )
    if len(found) != len(ids):
        raise PermissionDenied
    errors = []
    for child in found:
        if child.village_id != household.village_id:
            errors.append(_("%(name)s 不在本村/社区，不能加入该家庭户。") % {"name": child.name})
        elif child.status != CaseStatus.ACTIVE:
            errors.append(_("%(name)s 已结案，不能加入家庭户。") % {"name": child.name})
        elif child.household_id and child.household_id != household.pk:
            errors.append(
                _("%(name)s 已属于另一个家庭户，请先从原家庭户移出。") % {"name": child.name}
            )
    if errors:
        raise ValidationError({"members": errors})
    return found


def _validate(household: Household) -> None:
    household.name = (household.name or "").strip()
    household.guardian_phone = normalize_phone(household.guardian_phone)
    household.full_clean(exclude=["version", "created_by"])


def _apply_guardian(*, actor, household: Household, children: list[Child], note: str) -> None:
    """Write the household's guardian onto each child that differs, with its history."""
    for child in children:
        update = AuditedUpdate(child, GUARDIAN_FIELDS)
        for name in GUARDIAN_FIELDS:
            setattr(child, name, getattr(household, name))
        changes = update.changes()
        if not changes:
            continue
        update.commit(
            changes,
            expected_version=child.version,  # read under lock just now
            save=lambda child=child: child.save(
                update_fields=[*GUARDIAN_FIELDS, "version", "updated_at"]
            ),
            record=lambda changes, child=child: record_change(
                child=child,
                actor=actor,
                action=ChangeAction.UPDATE,
                record_type=RECORD_TYPE,
                record_id=household.pk,
                changes=changes,
                note=note,
            ),
        )


def _set_members(*, actor, household: Household, members: list[Child], joined_note: str):
    current = set(household.members.values_list("pk", flat=True)) if household.pk else set()
    wanted = {child.pk for child in members}
    joined = [child for child in members if child.pk not in current]
    left = list(Child.objects.select_for_update(of=("self",)).filter(pk__in=current - wanted))
    for child in joined:
        child.household = household
        child.version += 1
        child.save(update_fields=["household", "version", "updated_at"])
        record_change(
            child=child,
            actor=actor,
            action=ChangeAction.UPDATE,
            record_type=RECORD_TYPE,
            record_id=household.pk,
            changes={str(_("家庭户")): ["", household.name]},
            note=joined_note,
        )
    for child in left:
        child.household = None
        child.version += 1
        child.save(update_fields=["household", "version", "updated_at"])
        record_change(
            child=child,
            actor=actor,
            action=ChangeAction.UPDATE,
            record_type=RECORD_TYPE,
            record_id=household.pk,
            changes={str(_("家庭户")): [household.name, ""]},
            note=_("移出家庭户：%(name)s") % {"name": household.name},
        )


@transaction.atomic
def household_create(*, actor, village, data: dict, members: Iterable[Child]) -> Household:
    """Make a household of ``members`` (children of ``village``) with their shared guardian;
    each member takes the household's guardian."""
    require_perm(actor, "children.add_household")
    if village is None or not can_see_area(
        actor, township_id=village.township_id, village_id=village.pk
    ):
        raise PermissionDenied
    household = Household(village=village, township_id=village.township_id, created_by=actor)
    for name in [*HOUSEHOLD_FIELDS, *GUARDIAN_FIELDS]:
        if name in data:
            setattr(household, name, data[name])
    _validate(household)
    members = _check_members(actor, household, list(members))
    household.save()
    note = _("加入家庭户：%(name)s（同户儿童：%(children)s）") % {
        "name": household.name,
        "children": _names(members),
    }
    _set_members(actor=actor, household=household, members=members, joined_note=note)
    _apply_guardian(
        actor=actor,
        household=household,
        children=members,
        note=_("按家庭户 %(name)s 统一实际监护人") % {"name": household.name},
    )
    return household


def _locked(actor, household: Household) -> Household:
    current = (
        Household.objects.visible_to(actor)
        .select_for_update(of=("self",))
        .filter(pk=household.pk)
        .first()
    )
    if current is None:
        raise PermissionDenied
    return current


@transaction.atomic
def household_update(
    *, actor, household: Household, expected_version: int, data: dict, members: Iterable[Child]
) -> Household:
    """Rename, correct the address, or change who belongs to the household. A child who
    joins takes the household's guardian."""
    require_perm(actor, "children.change_household")
    household = _locked(actor, household)
    names = [n for n in HOUSEHOLD_FIELDS if n in data]
    update = AuditedUpdate(household, names)
    for name in names:
        setattr(household, name, data[name])
    _validate(household)
    members = _check_members(actor, household, list(members))
    changes = update.changes()
    current = set(household.members.values_list("pk", flat=True))
    if {child.pk for child in members} != current:
        old = _names(Child.objects.filter(pk__in=current).order_by("pk"))
        changes[str(_("同户儿童"))] = [old, _names(members)]
    if not changes:
        return household

    def save():
        household.save()
        _set_members(
            actor=actor,
            household=household,
            members=members,
            joined_note=_("加入家庭户：%(name)s") % {"name": household.name},
        )
        joined = [child for child in members if child.pk not in current]
        _apply_guardian(
            actor=actor,
            household=household,
            children=joined,
            note=_("按家庭户 %(name)s 统一实际监护人") % {"name": household.name},
        )

    update.commit(
        changes,
        expected_version=expected_version,
        save=save,
        # The household's own changes are written to each member's history.
        record=lambda changes: [
            record_change(
                child=child,
                actor=actor,
                action=ChangeAction.UPDATE,
                record_type=RECORD_TYPE,
                record_id=household.pk,
                changes=changes,
                note=_("修改家庭户：%(name)s") % {"name": household.name},
            )
            for child in household.members.all()
        ],
    )
    return household


@transaction.atomic
def household_change_guardian(
    *, actor, household: Household, expected_version: int, data: dict, note: str = ""
) -> Household:
    """A change of guardian (监护人变更) for the whole household: the household and every
    member child take the new guardian, each child with its own history entry."""
    require_perm(actor, "children.change_household")
    require_perm(actor, "children.change_child")
    household = _locked(actor, household)
    update = AuditedUpdate(household, GUARDIAN_FIELDS)
    for name in GUARDIAN_FIELDS:
        if name in data:
            setattr(household, name, data[name])
    _validate(household)
    changes = update.changes()
    members = list(
        Child.objects.select_for_update(of=("self",)).filter(household=household).order_by("pk")
    )
    if not changes and all(
        all(getattr(c, n) == getattr(household, n) for n in GUARDIAN_FIELDS) for c in members
    ):
        return household
    text = _("家庭户 %(name)s 监护人变更") % {"name": household.name}
    if note:
        text += f"：{note.strip()}"

    def save():
        household.save()
        _apply_guardian(actor=actor, household=household, children=members, note=text)

    if changes:
        update.commit(changes, expected_version=expected_version, save=save, record=lambda c: None)
    else:
        # The household already says so; some member did not (edited on its own): align it.
        save()
    return household
