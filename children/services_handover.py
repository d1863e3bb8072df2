"""Caseload hand-over (工作移交) and the orphan check.

When a child director leaves or is replaced, the township supervisor (for their township) or
the county admin hands everything assigned to that account — the children it is responsible
for, the open plans and unfinished visits, which the apps declare through
``handover_providers`` (children/caseload.py) — to another active account in one
transaction, writes one line in each child's history and one ``CaseloadHandover`` record, and
deactivates the old account. ``orphans`` lists whatever is still assigned to an inactive
account (``manage.py check_orphans`` and the county's page).
"""

from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils.translation import gettext as _

from accounts.choices import COUNTY_ROLES, Role
from accounts.models import User
from accounts.scoping import is_county_wide
from accounts.services import user_deactivate
from children import caseload
from children.choices import ChangeAction
from children.models import CaseloadHandover, ChangeLog, Child
from core.permissions import require_perm


def may_hand_over(actor, user) -> bool:
    """The county admin hands over any account but a county one; a township supervisor the
    child directors of their own township."""
    if user is None or user.pk == actor.pk or not actor.has_perm("children.handover_caseload"):
        return False
    if user.role in COUNTY_ROLES or user.is_superuser:
        return False
    if is_county_wide(actor):
        return True
    return (
        actor.role == Role.TOWNSHIP_SUPERVISOR
        and bool(actor.township_id)
        and user.role == Role.VILLAGE_DIRECTOR
        and user.township_id == actor.township_id
    )


def handover_sources(actor):
    """Accounts the actor may hand over (active or not: an inactive one may still hold
    records, which the orphan page offers to hand over)."""
    users = User.objects.exclude(role__in=COUNTY_ROLES).exclude(role="").exclude(pk=actor.pk)
    users = users.filter(is_superuser=False)
    if not is_county_wide(actor):
        users = users.filter(role=Role.VILLAGE_DIRECTOR, township_id=actor.township_id)
    return users.select_related("township", "village").order_by("township__code", "username")


def handover_targets(actor):
    """Active accounts of the actor's area that may receive a caseload."""
    users = User.objects.filter(is_active=True).exclude(role="")
    if not is_county_wide(actor):
        users = users.filter(
            role__in=(Role.VILLAGE_DIRECTOR, Role.TOWNSHIP_SUPERVISOR),
            township_id=actor.township_id,
        )
    return users.select_related("township", "village").order_by("role", "username")


@dataclass
class Held:
    """What an account holds: a count per kind, and their total."""

    counts: dict[str, int]
    total: int


def held_by(user) -> Held:
    """How many records of each kind are assigned to ``user`` (one COUNT per kind)."""
    counts = {}
    for part in caseload.assignments():
        counts[str(part.label)] = part.queryset().filter(**{part.field: user}).count()
    return Held(counts=counts, total=sum(counts.values()))


@transaction.atomic
def caseload_handover(*, actor, from_user, to_user, note: str) -> CaseloadHandover:
    """Hand everything assigned to ``from_user`` to ``to_user`` and deactivate ``from_user``,
    all or nothing. Refused if any record lies outside the actor's area or outside what
    ``to_user`` may see (the records would otherwise become invisible to the person now
    responsible for them)."""
    require_perm(actor, "children.handover_caseload")
    from_user = User.objects.select_for_update().get(pk=from_user.pk)
    if not may_hand_over(actor, from_user):
        raise PermissionDenied
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("请填写移交原因。")})
    if to_user is None or to_user.pk == from_user.pk:
        raise ValidationError({"to_user": _("请选择另一个账号接收。")})
    to_user = User.objects.get(pk=to_user.pk)
    if not to_user.is_active or not to_user.role:
        raise ValidationError({"to_user": _("接收人须为在用的账号。")})
    if not handover_targets(actor).filter(pk=to_user.pk).exists():
        raise ValidationError({"to_user": _("只能移交给本辖区的账号。")})
    if to_user.role != from_user.role:
        # A director's children go to a director (the responsible director of a child is
        # one of its village's), a supervisor's work to a supervisor.
        raise ValidationError({"to_user": _("接收人须与移交人担任同一角色。")})

    actor_children = Child.objects.visible_to(actor)
    receiver_children = Child.objects.visible_to(to_user)
    plan = []
    for part in caseload.assignments():
        records = part.queryset().filter(**{part.field: from_user})
        outside = records.exclude(**{part.child_lookup(): actor_children})
        if outside.exists():
            raise ValidationError(
                _("有 %(n)d 条「%(kind)s」不在您的辖区，请联系县未保中心办理移交。")
                % {"n": outside.count(), "kind": part.label}
            )
        unseen = records.exclude(**{part.child_lookup(): receiver_children})
        if unseen.exists():
            raise ValidationError(
                {
                    "to_user": _(
                        "接收人看不到其中 %(n)d 条「%(kind)s」所属的儿童，"
                        "请选择负责这些儿童所在村/社区的账号。"
                    )
                    % {"n": unseen.count(), "kind": part.label}
                }
            )
        rows = list(records.values_list("pk", part.child_id()))
        plan.append((part, rows))

    per_child: dict[int, dict] = defaultdict(dict)
    counts: dict[str, int] = {}
    child_ids: set[int] = set()
    for part, rows in plan:
        counts[str(part.label)] = len(rows)
        if not rows:
            continue
        records = part.queryset().filter(pk__in=[pk for pk, _child in rows])
        changed = {part.field: to_user}
        if any(f.name == "version" for f in records.model._meta.concrete_fields):
            # The record changed: its version moves on, so an edit form opened before the
            # hand-over cannot silently put the old account back.
            changed["version"] = F("version") + 1
        records.update(**changed)
        for _pk, child_id in rows:
            child_ids.add(child_id)
            label = str(part.label)
            entry = per_child[child_id].setdefault(label, 0)
            per_child[child_id][label] = entry + 1
    for part in caseload.carried():
        counts[str(part.label)] = (
            part.queryset().filter(**{f"{part.child_path}__in": list(child_ids)}).count()
            if child_ids
            else 0
        )
    ChangeLog.objects.bulk_create(
        [
            ChangeLog(
                child_id=child_id,
                actor=actor,
                action=ChangeAction.HANDOVER,
                changes={label: [from_user.display_name, to_user.display_name] for label in kinds},
                note=(
                    _("工作移交：%(old)s → %(new)s。%(note)s")
                    % {"old": from_user.display_name, "new": to_user.display_name, "note": note}
                )[:300],
            )
            for child_id, kinds in sorted(per_child.items())
        ]
    )
    handover = CaseloadHandover.objects.create(
        from_user=from_user,
        to_user=to_user,
        township_id=from_user.township_id,
        village_id=from_user.village_id,
        actor=actor,
        note=note[:200],
        counts=counts,
        deactivated=from_user.is_active,
    )
    if from_user.is_active:
        user_deactivate(user=from_user)
    return handover


@dataclass
class OrphanRow:
    kind: str
    user: User
    count: int


def orphans(user=None) -> list[OrphanRow]:
    """Records still assigned to an inactive account, per kind and account, within
    ``user``'s area (the whole county when ``user`` is None: the command)."""
    rows = []
    for part in caseload.assignments():
        records = part.queryset().filter(**{f"{part.field}__is_active": False})
        if user is not None:
            records = records.filter(**{part.child_lookup(): Child.objects.visible_to(user)})
        grouped = records.values(part.field).annotate(n=Count("pk")).order_by(part.field)
        users = User.objects.in_bulk([row[part.field] for row in grouped])
        rows += [
            OrphanRow(kind=str(part.label), user=users[row[part.field]], count=row["n"])
            for row in grouped
        ]
    return rows
