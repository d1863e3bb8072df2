"""撤并 and 拆分: when villages are merged or split, the ledger follows.

These live in the ledger app because they move children (and, with them, every record that
hangs off a child: visits, screenings, plans…); accounts knows nothing of the ledger. Each
runs in one transaction: the children with a history entry each, the accounts, the old
village marked 已撤并, and one 区划变更记录 naming who did it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role, VillageChangeKind, VillageStatus
from accounts.models import User, Village, VillageChange
from accounts.services import user_save
from children.choices import ChangeAction
from children.models import Child
from children.services import record_change


@dataclass
class VillageMoveResult:
    children: int
    accounts: int


def _require(actor) -> None:
    if not actor.has_perm("accounts.merge_village"):
        raise PermissionDenied


def _locked(village: Village) -> Village:
    return Village.objects.select_for_update().select_related("township").get(pk=village.pk)


def _move_child(child: Child, target: Village, *, actor, note: str) -> None:
    before = str(child.village)
    child.township_id, child.village_id = target.township_id, target.pk
    child.version += 1
    child.save(update_fields=["township", "village", "version", "updated_at"])
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.TRANSFER,
        changes={str(_("村/社区")): [before, str(target)]},
        note=note,
    )


def _move_account(user: User, target: Village) -> None:
    user.village = target
    if user.role == Role.VILLAGE_DIRECTOR:
        user.township = target.township
    user_save(user=user)


@transaction.atomic
def village_merge(*, actor, source: Village, target: Village, note: str) -> VillageMoveResult:
    """撤并: every child and account of ``source`` moves to ``target``; ``source`` is kept,
    marked 已撤并 and pointing at ``target``."""
    _require(actor)
    if not note.strip():
        raise ValidationError({"note": _("请填写撤并依据（如文件文号）。")})
    if source.pk == target.pk:
        raise ValidationError({"target": _("不能并入自身，请选择另一个村/社区。")})
    source, target = _locked(source), _locked(target)
    if source.status != VillageStatus.ACTIVE:
        raise ValidationError({"target": _("该村/社区已撤并，无需再次办理。")})
    if target.status != VillageStatus.ACTIVE:
        raise ValidationError({"target": _("所选村/社区已撤并，请选择一个在用的村/社区。")})
    history_note = _("区划撤并：%(source)s并入%(target)s。%(note)s") % {
        "source": str(source),
        "target": str(target),
        "note": note,
    }
    children = list(Child.objects.select_for_update().filter(village=source).order_by("pk"))
    for child in children:
        _move_child(child, target, actor=actor, note=history_note)
    accounts = list(User.objects.select_for_update().filter(village=source).order_by("pk"))
    for user in accounts:
        _move_account(user, target)
    source.status, source.merged_into = VillageStatus.MERGED, target
    source.retired_on = timezone.localdate()
    source.save(update_fields=["status", "merged_into", "retired_on"])
    VillageChange.objects.create(
        kind=VillageChangeKind.MERGE,
        village=source,
        target=target,
        actor=actor,
        detail={"children": len(children), "accounts": len(accounts)},
        note=note[:300],
    )
    return VillageMoveResult(children=len(children), accounts=len(accounts))


@transaction.atomic
def village_split(
    *,
    actor,
    source: Village,
    children: dict[int, Village],
    accounts: dict[int, Village] | None = None,
    retire_source: bool = False,
    note: str,
) -> VillageMoveResult:
    """拆分: each listed child (by id) and account moves to the village given for it.

    With ``retire_source`` every child and account of ``source`` must have a destination,
    and ``source`` is then marked 已撤并; otherwise those not listed stay where they are.
    """
    _require(actor)
    accounts = accounts or {}
    if not note.strip():
        raise ValidationError({"note": _("请填写拆分依据（如文件文号）。")})
    source = _locked(source)
    if source.status != VillageStatus.ACTIVE:
        raise ValidationError({"note": _("该村/社区已撤并，无需再次办理。")})
    targets = {village.pk: village for village in [*children.values(), *accounts.values()]}
    for village in Village.objects.filter(pk__in=targets).select_related("township"):
        if village.pk == source.pk or village.status != VillageStatus.ACTIVE:
            raise ValidationError(
                {"note": _("拆入的村/社区须是另一个在用的村/社区：%(v)s") % {"v": str(village)}}
            )
        targets[village.pk] = village
    held = list(Child.objects.select_for_update().filter(village=source).order_by("pk"))
    people = list(User.objects.select_for_update().filter(village=source).order_by("pk"))
    if set(children) - {c.pk for c in held} or set(accounts) - {u.pk for u in people}:
        raise ValidationError({"note": _("所列儿童或账号不在该村/社区，请刷新页面后重试。")})
    if retire_source and (len(children) < len(held) or len(accounts) < len(people)):
        raise ValidationError(
            {"note": _("要把该村/社区标记为已撤并，须为其中每名儿童和每个账号选定去向。")}
        )
    moved: dict[int, dict[str, int]] = {}
    for child in held:
        if child.pk in children:
            target = targets[children[child.pk].pk]
            history_note = _("区划拆分：由%(source)s划入%(target)s。%(note)s") % {
                "source": str(source),
                "target": str(target),
                "note": note,
            }
            _move_child(child, target, actor=actor, note=history_note)
            moved.setdefault(target.pk, {"children": 0, "accounts": 0})["children"] += 1
    for user in people:
        if user.pk in accounts:
            target = targets[accounts[user.pk].pk]
            _move_account(user, target)
            moved.setdefault(target.pk, {"children": 0, "accounts": 0})["accounts"] += 1
    for target_pk, counts in moved.items():
        VillageChange.objects.create(
            kind=VillageChangeKind.SPLIT,
            village=source,
            target=targets[target_pk],
            actor=actor,
            detail=counts,
            note=note[:300],
        )
    if retire_source:
        source.status, source.retired_on = VillageStatus.MERGED, timezone.localdate()
        source.save(update_fields=["status", "retired_on"])
        VillageChange.objects.create(
            kind=VillageChangeKind.RETIRE, village=source, actor=actor, note=note[:300]
        )
    return VillageMoveResult(
        children=sum(c["children"] for c in moved.values()),
        accounts=sum(c["accounts"] for c in moved.values()),
    )
