"""Writes to the ledger. Each service checks the actor's area, validates, writes the change
and its history entry in one transaction. Views, imports and commands call these only."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import can_see_area
from children.choices import RISK_ORDER, BenefitCategory, CaseStatus, ChangeAction, TransferState
from children.models import (
    BenefitCategoryPeriod,
    ChangeLog,
    Child,
    ChildAssistance,
    ChildCircumstance,
    DuplicateCheck,
    DuplicateCheckKind,
    DuplicateCheckSource,
)
from core.validators import (
    IdInfo,
    check_birth_date,
    check_id_matches,
    check_id_state,
    check_record_date,
    normalize_id_number,
    parse_id_number,
)
from core.versioning import AuditedUpdate, StaleEdit

# What someone is told when the number they typed is registered outside their area: that it
# cannot be registered here and that the county center checks it, nothing more (no where, no
# whom: "is this person a registered child in difficulty" is not theirs to learn). The
# attempt goes to the county center (DuplicateCheck).
DUPLICATE_ELSEWHERE = gettext_lazy(
    "该身份证号无法在本辖区登记，已提交县未保中心核实；核实后县未保中心会与您联系。"
)
DOCUMENT_ELSEWHERE = gettext_lazy(
    "该证件号码无法在本辖区登记，已提交县未保中心核实；核实后县未保中心会与您联系。"
)


class RegisteredElsewhere(ValidationError):
    """The number belongs to a child outside the actor's area. The message says only what
    ``DUPLICATE_ELSEWHERE`` says; ``existing`` is for ``duplicate_check_record``, never for
    the page."""

    def __init__(self, *, existing, kind: str):
        field = "id_number" if kind == DuplicateCheckKind.ID_NUMBER else "document_number"
        message = DUPLICATE_ELSEWHERE if field == "id_number" else DOCUMENT_ELSEWHERE
        super().__init__({field: [message]})
        self.existing = existing
        self.kind = kind


# Fields a registration or edit form may set. Area, status, version and the record keeping
# fields are set only by their own services, so extra POSTed fields can never reach them.
EDITABLE_FIELDS = [
    "name", "sex", "ethnicity", "birth_date", "id_number", "no_hukou",
    "id_pending", "id_due_on", "document_type", "document_number",
    "household_registration", "group", "address",
    "health", "disability_type", "disability_grade", "illness",
    "school_stage", "school", "grade", "boarding",
    "father_name", "father_phone", "father_status", "father_work_place",
    "mother_name", "mother_phone", "mother_status", "mother_work_place",
    "guardian_name", "guardian_relation", "guardian_phone", "guardianship_assessment",
    "benefit_category", "risk_level", "responsible_director", "support_measures",
    "filled_by", "reviewed_by", "filled_on", "registered_on",
]  # fmt: skip


STALE_MESSAGE = gettext_lazy("该儿童信息已被他人修改")


class PossibleDuplicate(Exception):
    """Maybe the same child: the user must check and confirm. ``matches`` are those the user
    may see. A match outside the user's area is never mentioned (it would tell that such a
    child is registered): the registration goes ahead and the county center gets a
    DuplicateCheck to look at both (``child_register``)."""

    def __init__(self, matches):
        message = _(
            "已有同名、同出生日期的儿童（见下方名单），可能是重复登记。"
            "请点开核对；确认不是同一人后，勾选下方确认框再保存。"
        )
        super().__init__(message)
        self.matches = list(matches)


# --- history -------------------------------------------------------------------------------


def record_change(
    *,
    child: Child,
    actor,
    action: str,
    changes: dict | None = None,
    note: str = "",
    record_type: str = "child",
    record_id: int | None = None,
) -> ChangeLog:
    """Append to the child's history. Care-record services call this too."""
    return ChangeLog.objects.create(
        child=child,
        actor=actor,
        action=action,
        changes=changes or {},
        note=note[:300],
        record_type=record_type,
        record_id=record_id,
    )


def _multi_display(codes, choices) -> str:
    """Labels in the order the choices are declared, so history reads the same every time."""
    codes = set(codes)
    return "、".join(str(choice.label) for choice in choices if choice.value in codes)


# --- validation ----------------------------------------------------------------------------


def check_identity(child: Child, *, info: IdInfo | None = None) -> None:
    """Normalise the identity fields, check that exactly one identity is given, check the ID
    against birth date and sex (filling blanks from it), and that the child is a child.

    ``info``: the child's number already parsed (the importer parses each row's once); used
    only when it is the number the child holds."""
    if info is None or child.id_number != info.number:
        child.id_number = normalize_id_number(child.id_number) or None
        info = None
    check_id_state(
        id_number=child.id_number,
        no_hukou=child.no_hukou,
        id_pending=child.id_pending,
        id_due_on=child.id_due_on,
        document_type=child.document_type,
        document_number=child.document_number,
    )
    birth_field = "birth_date"
    if child.id_number:
        if info is None:
            try:
                info = parse_id_number(child.id_number)
            except ValidationError as exc:
                raise ValidationError({"id_number": exc.messages}) from exc
        if not child.birth_date:
            child.birth_date = info.birth_date
            birth_field = "id_number"  # the age came from the number: that is what to check
        if not child.sex:
            child.sex = info.sex
        check_id_matches(info, birth_date=child.birth_date, sex=child.sex)
    elif not child.birth_date:
        raise ValidationError({"birth_date": _("没有公民身份号码时，请填写出生日期。")})
    check_birth_date(child.birth_date, registered_on=child.registered_on, field=birth_field)


def check_duplicates(*, child: Child, actor, confirmed: bool = False) -> None:
    """The ledger's duplicate rule, in one place (registration, edits, imports).

    - An ID number, or another document's number, is registered once: refused, naming the
      child when the actor may see it; otherwise ``RegisteredElsewhere``, which says only that
      the county center will check it (the caller records the attempt for the county with
      ``duplicate_check_record``).
    - Without a number, the same name, birth date and guardian anywhere in the county, or the
      same name and birth date in the same village, may be the same child: ``PossibleDuplicate``
      until the user confirms.
    """
    others = Child.objects.exclude(pk=child.pk)
    visible = Child.objects.visible_to(actor)
    if child.id_number or child.document_type:
        if child.id_number:
            other = others.filter(id_number=child.id_number).first()
            field, kind = "id_number", DuplicateCheckKind.ID_NUMBER
        else:
            other = others.filter(
                document_type=child.document_type, document_number=child.document_number
            ).first()
            field, kind = "document_number", DuplicateCheckKind.DOCUMENT
        if other is not None:
            if visible.filter(pk=other.pk).exists():
                raise ValidationError(
                    {
                        field: _(
                            "该号码已登记：%(name)s（%(place)s）。请打开该儿童的档案核对或修改，"
                            "不要重复登记。"
                        )
                        % {"name": other.name, "place": str(other.village)}
                    }
                )
            raise RegisteredElsewhere(existing=other, kind=kind)
    if confirmed:
        return
    same_village = others.filter(
        name=child.name, birth_date=child.birth_date, village_id=child.village_id
    )
    without_number = Child.objects.none()
    if not child.id_number and child.guardian_name:
        without_number = others.filter(
            name=child.name,
            birth_date=child.birth_date,
            guardian_name=child.guardian_name,
            id_number__isnull=True,
        )
    candidates = same_village | without_number
    if not candidates.exists():
        return
    shown = list(candidates.filter(pk__in=visible.values("pk")).select_related("village"))
    if shown:
        raise PossibleDuplicate(shown)


def hidden_namesake(*, child: Child, actor) -> Child | None:
    """A child without a number, outside ``actor``'s area, with the same name, birth date
    and guardian as ``child``: perhaps the same child, for the county center to check."""
    if child.id_number or not child.guardian_name:
        return None
    return (
        Child.objects.exclude(pk=child.pk)
        .exclude(pk__in=Child.objects.visible_to(actor).values("pk"))
        .filter(
            name=child.name,
            birth_date=child.birth_date,
            guardian_name=child.guardian_name,
            id_number__isnull=True,
        )
        .order_by("pk")
        .first()
    )


MERGED_VILLAGE = gettext_lazy("所选村/社区已撤并，请选择一个在用的村/社区。")


def _check_area(actor, township, village) -> None:
    if village is None or township is None or village.township_id != township.pk:
        raise ValidationError({"village": _("所选村/社区不属于所选乡镇。")})
    if not village.is_active:
        raise ValidationError({"village": MERGED_VILLAGE})
    if not can_see_area(actor, township_id=township.pk, village_id=village.pk):
        raise PermissionDenied(_("只能登记本辖区的儿童。"))


def _validate(child: Child, actor, *, confirmed: bool = True) -> None:
    check_identity(child)
    child.full_clean(exclude=["version"], validate_unique=False)
    # Uniqueness is ours to word (never naming a child outside the actor's area).
    check_duplicates(child=child, actor=actor, confirmed=confirmed)


def _save_checked(child: Child, **kwargs) -> None:
    """Save, turning a race on the unique ID into the same message as the early check."""
    try:
        with transaction.atomic():
            child.save(**kwargs)
    except IntegrityError as exc:
        other = Child.objects.filter(id_number=child.id_number).first() if child.id_number else None
        if other is not None:
            raise RegisteredElsewhere(existing=other, kind=DuplicateCheckKind.ID_NUMBER) from exc
        raise


def _set_multi(child: Child, model, codes: Iterable[str]) -> None:
    codes = set(codes)
    existing = set(model.objects.filter(child=child).values_list("code", flat=True))
    model.objects.filter(child=child, code__in=existing - codes).delete()
    model.objects.bulk_create([model(child=child, code=code) for code in codes - existing])


def _open_benefit_period(child: Child, actor, on: dt.date) -> None:
    BenefitCategoryPeriod.objects.create(
        child=child, category=child.benefit_category, started_on=on, recorded_by=actor
    )


# --- the services --------------------------------------------------------------------------


@transaction.atomic
def child_register(
    *,
    actor,
    township,
    village,
    data: dict,
    circumstances: Iterable[str] = (),
    assistance: Iterable[str] = (),
    confirm_duplicate: bool = False,
    action: str = ChangeAction.CREATE,
    note: str = "",
    synthetic: bool = False,
) -> Child:
    """Register a child in the ledger (登记). ``synthetic`` marks demo/benchmark data."""
    _check_area(actor, township, village)
    child = Child(township=township, village=village, created_by=actor, is_synthetic=synthetic)
    for name in EDITABLE_FIELDS:
        if name in data:
            setattr(child, name, data[name])
    _validate(child, actor, confirmed=confirm_duplicate)
    _save_checked(child)
    _set_multi(child, ChildCircumstance, circumstances)
    _set_multi(child, ChildAssistance, assistance)
    _open_benefit_period(child, actor, child.registered_on)
    record_change(
        child=child,
        actor=actor,
        action=action,
        note=note or _("登记入台账：%(place)s") % {"place": str(village)},
    )
    namesake = hidden_namesake(child=child, actor=actor)
    if namesake is not None:
        DuplicateCheck.objects.create(
            requested_by=actor,
            source=DuplicateCheckSource.REGISTER,
            kind=DuplicateCheckKind.PERSON,
            township=township,
            village=village,
            name=child.name,
            existing=namesake,
            edited=child,
        )
    return child


def _their_changes(child: Child) -> list[dict]:
    """The newest changes of the child's record, for the form of whoever saved too late."""
    return list(
        ChangeLog.objects.filter(child=child, record_type="child")
        .order_by("-at")
        .values("at", "actor__name", "actor__username", "changes")[:5]
    )


@transaction.atomic
def child_update(
    *,
    actor,
    child: Child,
    expected_version: int,
    data: dict,
    circumstances: Iterable[str] | None = None,
    assistance: Iterable[str] | None = None,
    action: str = ChangeAction.UPDATE,
    benefit_changed_on: dt.date | None = None,
    benefit_exit_reason: str = "",
) -> Child:
    """Edit a child's record. Refused with StaleEdit if someone saved since the form opened."""
    if not Child.objects.visible_to(actor).filter(pk=child.pk).exists():
        raise PermissionDenied
    child = Child.objects.select_for_update().get(pk=child.pk)
    names = [n for n in EDITABLE_FIELDS if n in data]
    update = AuditedUpdate(child, names)
    old_circ = set(child.circumstances.values_list("code", flat=True))
    old_assist = set(child.assistance.values_list("code", flat=True))
    old_benefit = child.benefit_category
    for name in names:
        setattr(child, name, data[name])
    _validate(child, actor)
    changes = update.changes()
    from children.choices import Circumstance, FamilyAssistance

    if circumstances is not None and set(circumstances) != old_circ:
        changes[_("困境情形")] = [
            _multi_display(old_circ, Circumstance),
            _multi_display(circumstances, Circumstance),
        ]
    if assistance is not None and set(assistance) != old_assist:
        changes[_("救助帮扶")] = [
            _multi_display(old_assist, FamilyAssistance),
            _multi_display(assistance, FamilyAssistance),
        ]

    def save():
        _save_checked(child)
        if circumstances is not None:
            _set_multi(child, ChildCircumstance, circumstances)
        if assistance is not None:
            _set_multi(child, ChildAssistance, assistance)
        if child.benefit_category != old_benefit:
            on = benefit_changed_on or timezone.localdate()
            check_record_date(
                on,
                field="benefit_changed_on",
                label=_("保障类别变更日期"),
                birth_date=child.birth_date,
            )
            BenefitCategoryPeriod.objects.filter(child=child, ended_on__isnull=True).update(
                ended_on=on,
                exit_reason=benefit_exit_reason or "category_changed",
            )
            _open_benefit_period(child, actor, on)

    # Nothing changed: keep the version, write nothing.
    update.commit(
        changes,
        expected_version=expected_version,
        save=save,
        record=lambda changes: record_change(
            child=child, actor=actor, action=action, changes=changes
        ),
        message=STALE_MESSAGE,
        theirs=_their_changes,
    )
    return child


@transaction.atomic
def child_close(
    *, actor, child: Child, reason: str, closed_on: dt.date | None = None, note: str = ""
) -> Child:
    """Close a case (结案) with a dated reason. Due visits stop being due (they are only
    computed for active children)."""
    if not actor.has_perm("children.close_child"):
        raise PermissionDenied
    if not Child.objects.visible_to(actor).filter(pk=child.pk).exists():
        raise PermissionDenied
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.status == CaseStatus.CLOSED:
        raise ValidationError(_("该儿童已结案。"))
    if child.transfers.filter(state=TransferState.REQUESTED).exists():
        raise ValidationError(_("该儿童有一条待接收的转移申请，请先撤回或等待对方处理后再结案。"))
    closed_on = closed_on or timezone.localdate()
    check_record_date(
        closed_on, field="closed_on", label=_("结案日期"), birth_date=child.birth_date
    )
    child.status, child.closed_on, child.close_reason = CaseStatus.CLOSED, closed_on, reason
    child.close_note = note
    child.full_clean(exclude=["version"])
    child.version += 1
    child.save()
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.CLOSE,
        changes={str(_("状态")): [str(CaseStatus.ACTIVE.label), str(CaseStatus.CLOSED.label)]},
        note=_("结案：%(reason)s %(note)s")
        % {"reason": child.get_close_reason_display(), "note": note},
    )
    return child


@transaction.atomic
def child_reopen(*, actor, child: Child, note: str = "") -> Child:
    if not actor.has_perm("children.close_child"):
        raise PermissionDenied
    if not Child.objects.visible_to(actor).filter(pk=child.pk).exists():
        raise PermissionDenied
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.status != CaseStatus.CLOSED:
        raise ValidationError(_("该儿童未结案。"))
    child.status, child.closed_on, child.close_reason, child.close_note = (
        CaseStatus.ACTIVE,
        None,
        "",
        "",
    )
    child.version += 1
    child.save()
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.REOPEN,
        changes={str(_("状态")): [str(CaseStatus.CLOSED.label), str(CaseStatus.ACTIVE.label)]},
        note=_("恢复在册。%(note)s") % {"note": note},
    )
    return child


@transaction.atomic
def child_raise_risk(*, actor, child: Child, level: str, reason: str) -> bool:
    """Raise a child's risk level (never lowers it). Used by screenings and visits.
    Returns whether the level changed."""
    child = Child.objects.select_for_update().get(pk=child.pk)
    if RISK_ORDER[level] <= RISK_ORDER[child.risk_level]:
        return False
    before = child.get_risk_level_display()
    child.risk_level = level
    child.version += 1
    child.save(update_fields=["risk_level", "version", "updated_at"])
    record_change(
        child=child,
        actor=actor,
        action=ChangeAction.UPDATE,
        changes={str(_("风险等级")): [str(before), str(child.get_risk_level_display())]},
        note=reason,
    )
    return True


# --- 重复登记核实: numbers registered outside the actor's area ------------------------------


def duplicate_check_record(
    *,
    actor,
    exc: RegisteredElsewhere,
    village,
    name: str,
    source: str,
    edited: Child | None = None,
    import_row: int | None = None,
) -> DuplicateCheck:
    """Put the attempt before the county center. Called outside the refused write's
    transaction (that one was rolled back), so the record stays."""
    return DuplicateCheck.objects.create(
        requested_by=actor,
        source=source,
        kind=exc.kind,
        township_id=village.township_id,
        village=village,
        name=(name or "")[:50],
        existing=exc.existing,
        edited=edited,
        import_row=import_row,
    )


__all__ = [
    "BenefitCategory",
    "PossibleDuplicate",
    "RegisteredElsewhere",
    "StaleEdit",
    "child_close",
    "child_raise_risk",
    "child_register",
    "child_reopen",
    "child_update",
    "duplicate_check_record",
    "record_change",
]
