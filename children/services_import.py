"""Importing a township's ledger (导入台账) in bulk.

The rules are those of ``child_register`` and ``child_update`` (same identity checks, same
refusal of an ID registered elsewhere, history for every child), applied to a whole file at
once: ``ledger_import_plan`` classifies every row as new / update / unchanged and collects
every error without writing; ``ledger_import_apply`` re-plans inside one transaction, with
the matched children locked, and writes everything in a few queries, or nothing at all.
Calling the per-child services 10,000 times would take minutes; this takes seconds.

Why one module of ~620 lines: the plan and its application are one all-or-nothing
transaction; they must classify rows by the same code, so they live together.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.audit import AccessAction, log_access
from accounts.choices import Role
from accounts.models import Township, User, Village
from accounts.scoping import can_see_area, visible_townships
from children.choices import (
    BenefitCategory,
    BenefitExitReason,
    CaseStatus,
    ChangeAction,
    Circumstance,
    FamilyAssistance,
)
from children.ledger_columns import header_label, multi_display
from children.models import (
    BenefitCategoryPeriod,
    ChangeLog,
    Child,
    ChildAssistance,
    ChildCircumstance,
    DuplicateCheckKind,
    DuplicateCheckSource,
)
from children.pinyin import pinyin_keys

# The identity rules must be exactly those of a registration through the form.
from children.services import (
    DUPLICATE_ELSEWHERE,
    EDITABLE_FIELDS,
    RegisteredElsewhere,
    check_identity,
    duplicate_check_record,
)
from core.fields import fill_blind_indexes, with_blind_indexes
from core.tabular import RowError
from core.validators import IdInfo, checking_day, current_day, normalize_id_number
from core.versioning import snapshot

NEW = "new"
UPDATE = "update"
UNCHANGED = "unchanged"
STATUS_LABELS = {
    NEW: gettext_lazy("新增"),
    UPDATE: gettext_lazy("更新"),
    UNCHANGED: gettext_lazy("无变化"),
}

# What a ledger row may set. The registration date belongs to the system, not the file.
IMPORT_FIELDS = [name for name in EDITABLE_FIELDS if name != "registered_on"]
# Children are looked up by ID in chunks: one query per chunk, far below any database's
# limit on bound parameters.
LOOKUP_CHUNK = 2000
WRITE_BATCH = 1000
# Foreign keys are resolved by the importer from in-memory lists; full_clean would check
# each one with a query per row.
_NOT_CLEANED = ["version", "township", "village", "responsible_director", "created_by"]


@dataclass
class ImportRow:
    """One ledger row, already read from the file: model values for the cells that were
    filled in (a blank cell is absent and leaves the existing value alone)."""

    row: int  # Excel row number
    village: Village
    data: dict[str, Any]
    circumstances: list[str] | None = None
    assistance: list[str] | None = None
    # The row's ID number as the reader parsed it, so that the checks do not parse it again.
    id_info: IdInfo | None = None
    # The cells whose reading depends on the database (village, township, director), as
    # typed: a saved preview reads them again at write time (children.io.previewed).
    db_cells: dict[str, str] = field(default_factory=dict)

    @cached_property
    def id_number(self) -> str | None:
        # Normalised once per row: the plan asks for it several times.
        if self.id_info is not None and self.data.get("id_number") == self.id_info.number:
            return self.id_info.number
        value = self.data.get("id_number")
        return normalize_id_number(value) or None if value else None


@dataclass
class RowPlan:
    source: ImportRow
    status: str
    child: Child  # a new unsaved child, or the matched one with the row's values applied
    changes: dict[str, list[str]] = field(default_factory=dict)
    changed_fields: list[str] = field(default_factory=list)
    circumstances_changed: bool = False
    assistance_changed: bool = False
    benefit_changed: bool = False

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


@dataclass
class ImportPlan:
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    # Rows whose ID number is registered outside the importer's area: (row, that child).
    # The row's message says only that the county center checks it (services.
    # DUPLICATE_ELSEWHERE); ``record_elsewhere`` puts them before the county center.
    elsewhere: list[tuple[ImportRow, Child]] = field(default_factory=list)
    # The one day the whole file was checked against (registration date, ages, dates).
    day: dt.date | None = None

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, status: str) -> int:
        return sum(1 for row in self.rows if row.status == status)

    @property
    def new(self) -> int:
        return self.count(NEW)

    @property
    def updated(self) -> int:
        return self.count(UPDATE)

    @property
    def unchanged(self) -> int:
        return self.count(UNCHANGED)


class ImportRejected(Exception):
    """Nothing was written: ``plan.errors`` says why, row by row."""

    def __init__(self, plan: ImportPlan):
        super().__init__(_("导入失败：%(n)d 处错误，未写入任何数据") % {"n": len(plan.errors)})
        self.plan = plan


# --- helpers -------------------------------------------------------------------------------


def _chunks(items: Sequence, size: int = LOOKUP_CHUNK) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _error(row: int, field_name: str, message: str) -> RowError:
    return RowError(row, header_label(field_name), str(message))


def _errors_from(row: int, exc: ValidationError) -> list[RowError]:
    if hasattr(exc, "error_dict"):
        return [
            _error(row, name, message)
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    return [_error(row, "", message) for message in exc.messages]


def _check_actor(actor, township: Township) -> None:
    if not actor.has_perm("children.import_ledger"):
        raise PermissionDenied(_("没有导入台账的权限。"))
    if not visible_townships(actor).filter(pk=township.pk).exists():
        raise PermissionDenied(_("只能导入本辖区的台账。"))


# What full_clean checks of a row: the fields the file gave and the ones that may not be blank
# (a new child missing one is told so); every other field holds its default or the value
# already on the ledger, valid by construction, and checking ~45 fields a row for 10,000
# rows is a large part of an import's time. Child.clean (identity, dates) always runs.
_ALWAYS_CLEANED = frozenset(
    field.name for field in Child._meta.concrete_fields if not field.blank
) - set(_NOT_CLEANED)
_CLEANABLE = frozenset(field.name for field in Child._meta.concrete_fields)


def _validate(child: Child, row: int, given=None, info: IdInfo | None = None) -> list[RowError]:
    try:
        check_identity(child, info=info)
        exclude = set(_NOT_CLEANED)
        if given is not None:
            exclude |= _CLEANABLE - _ALWAYS_CLEANED - set(given)
        if child.no_hukou or (info is not None and child.id_number == info.number):
            # No number, or one parsed already: the field's validator would parse it again.
            exclude.add("id_number")
        child.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return _errors_from(row, exc)
    return _check_director(child, row)


def _check_director(child: Child, row: int) -> list[RowError]:
    """The one check of a new row that depends on the database beyond the match: the
    director must still be an active director of the child's village."""
    director = child.responsible_director
    if director is not None and not (
        director.is_active
        and director.role == Role.VILLAGE_DIRECTOR
        and director.village_id == child.village_id
    ):
        return [_error(row, "responsible_director", _("责任儿童主任须为该村/社区的儿童主任"))]
    return []


def _raw(child: Child, name: str):
    if name == "responsible_director":
        return child.responsible_director_id
    return getattr(child, name)


def _locked(queryset, lock: bool):
    return queryset.select_for_update(of=("self",)) if lock else queryset


def _existing_by_id(ids: list[str], lock: bool) -> dict[str, Child]:
    found: dict[str, Child] = {}
    for chunk in _chunks(ids):
        for child in _locked(Child.objects.filter(id_number__in=chunk), lock):
            found[child.id_number] = child
    return found


def _existing_without_id(township, names: list[str], lock: bool) -> dict[tuple, list[Child]]:
    found: dict[tuple, list[Child]] = defaultdict(list)
    base = _locked(Child.objects.filter(township=township, id_number__isnull=True), lock)
    for chunk in _chunks(names):
        for child in base.filter(name__in=chunk):
            found[(child.name, child.birth_date, child.village_id)].append(child)
    return found


class _Related:
    """What the matched children refer to, loaded once per file rather than once per child
    (10,000 children with their villages, directors and codes as model objects are slow)."""

    def __init__(self, township, children: list[Child]):
        self.villages = Village.objects.select_related("township").in_bulk(
            {child.village_id for child in children}
        )
        director_ids = {c.responsible_director_id for c in children if c.responsible_director_id}
        self.directors = User.objects.in_bulk(director_ids) if director_ids else {}
        self.codes: dict[str, dict[int, set[str]]] = {}
        ours = [child.pk for child in children if child.township_id == township.pk]
        for attr, model in (("circumstances", ChildCircumstance), ("assistance", ChildAssistance)):
            codes: dict[int, set[str]] = defaultdict(set)
            for chunk in _chunks(ours):
                for child_id, code in model.objects.filter(child_id__in=chunk).values_list(
                    "child_id", "code"
                ):
                    codes[child_id].add(code)
            self.codes[attr] = codes

    def attach(self, child: Child) -> None:
        # Assigning the objects fills Django's relation cache: no query per child later.
        child.village = self.villages[child.village_id]
        child.township = child.village.township
        if child.responsible_director_id:
            child.responsible_director = self.directors[child.responsible_director_id]


def _same_name_and_birth(township, names: list[str]) -> set[tuple]:
    keys: set[tuple] = set()
    base = Child.objects.filter(township=township)
    for chunk in _chunks(names):
        keys.update(base.filter(name__in=chunk).values_list("name", "birth_date", "village_id"))
    return keys


def record_elsewhere(*, actor, plan: ImportPlan) -> None:
    """Every row of ``plan`` whose number is registered outside the importer's area, as a
    request to the county center (one per row and attempt)."""
    for source, child in plan.elsewhere:
        duplicate_check_record(
            actor=actor,
            exc=RegisteredElsewhere(existing=child, kind=DuplicateCheckKind.ID_NUMBER),
            village=source.village,
            name=str(source.data.get("name") or ""),
            source=DuplicateCheckSource.IMPORT,
            import_row=source.row,
        )


# --- planning ------------------------------------------------------------------------------


def _find_duplicates_in_file(rows: list[ImportRow], plan: ImportPlan) -> set[int]:
    """Rows repeating an earlier row of the same file: refused, naming the first one."""
    first_by_id: dict[str, int] = {}
    first_by_person: dict[tuple, int] = {}
    repeated: set[int] = set()
    for source in rows:
        number = source.id_number
        if number:
            if number in first_by_id:
                plan.errors.append(
                    _error(
                        source.row,
                        "id_number",
                        _("与第 %(row)d 行的公民身份号码重复") % {"row": first_by_id[number]},
                    )
                )
                repeated.add(source.row)
            first_by_id.setdefault(number, source.row)
            continue
        key = (source.data.get("name"), source.data.get("birth_date"), source.village.pk)
        if key in first_by_person:
            plan.errors.append(
                _error(
                    source.row,
                    "name",
                    _(
                        "与第 %(row)d 行姓名、出生日期、村/社区都相同且都没有身份证号，"
                        "无法区分是否为同一儿童，请核对"
                    )
                    % {"row": first_by_person[key]},
                )
            )
            repeated.add(source.row)
        first_by_person.setdefault(key, source.row)
    return repeated


def _plan_update(
    source: ImportRow, child: Child, related: _Related
) -> tuple[RowPlan, list[RowError]]:
    related.attach(child)
    if child.village_id != source.village.pk:
        # The importer may see this child (same township), so naming the village is fine.
        message = _(
            "该儿童登记在%(village)s，与表中的村/社区不一致；如需转移，请在儿童页面办理转移"
        ) % {"village": child.village.name}
        return RowPlan(source, UPDATE, child), [_error(source.row, "village", message)]
    names = [name for name in IMPORT_FIELDS if name in source.data]
    before = copy.copy(child)
    old_benefit = child.benefit_category
    for name in names:
        setattr(child, name, source.data[name])
    changed = [name for name in names if _raw(child, name) != _raw(before, name)]
    # An unchanged row leaves the record as it is, so it is not re-validated: a legacy
    # record that predates a rule must not block re-importing the same file.
    errors = _validate(child, source.row, given=changed) if changed else []
    shown_before, shown_after = snapshot(before, changed), snapshot(child, changed)
    changes = {
        str(Child._meta.get_field(name).verbose_name): [shown_before[name], shown_after[name]]
        for name in changed
    }
    plan = RowPlan(source, UNCHANGED, child, changed_fields=changed)
    plan.benefit_changed = child.benefit_category != old_benefit
    for attr, codes, choice_class, label in (
        ("circumstances", source.circumstances, Circumstance, _("困境情形")),
        ("assistance", source.assistance, FamilyAssistance, _("救助帮扶")),
    ):
        if codes is None:
            continue
        old = related.codes[attr].get(child.pk, set())
        if old != set(codes):
            changes[str(label)] = [
                multi_display(old, choice_class),
                multi_display(codes, choice_class),
            ]
            setattr(plan, f"{attr}_changed", True)
    plan.changes = changes
    if changes:
        plan.status = UPDATE
    return plan, errors


def _plan_new(
    actor, township, source: ImportRow, *, today: dt.date, checked: bool = False
) -> tuple[RowPlan, list[RowError]]:
    """A new child from ``source``. ``checked``: the preview of this same file, township and
    day already checked these values as a new child, and they depend on nothing in the
    database but the director, which is checked again."""
    child = Child(township=township, village=source.village, created_by=actor, registered_on=today)
    for name in IMPORT_FIELDS:
        if name in source.data:
            setattr(child, name, source.data[name])
    if checked:
        errors = _check_director(child, source.row)
    else:
        errors = _validate(child, source.row, given=source.data, info=source.id_info)
    return RowPlan(source, NEW, child), errors


def ledger_import_plan(
    *,
    actor,
    township: Township,
    rows: list[ImportRow],
    lock: bool = False,
    checked: frozenset[int] = frozenset(),
) -> ImportPlan:
    """Classify every row (new / update / unchanged) and collect every error. Writes nothing.

    ``lock`` takes row locks on the matched children (used inside the apply transaction, so
    that what was checked is what gets written). ``checked``: the Excel rows a preview of the
    same file already checked as new children on the same day (children.io.previewed); a row
    that now matches a child on the ledger is checked in full all the same.
    """
    _check_actor(actor, township)
    with checking_day(current_day()) as today:
        return _plan(actor, township, rows, lock=lock, checked=checked, today=today)


def _plan(actor, township, rows, *, lock, checked, today) -> ImportPlan:
    plan = ImportPlan(day=today)
    usable = []
    for source in rows:
        if source.village.township_id != township.pk:
            plan.errors.append(
                _error(
                    source.row,
                    "village",
                    _("%(village)s不属于%(township)s")
                    % {
                        "village": source.village.name,
                        "township": township.name,
                    },
                )
            )
        else:
            usable.append(source)
    repeated = _find_duplicates_in_file(usable, plan)
    usable = [source for source in usable if source.row not in repeated]

    ids = sorted({source.id_number for source in usable if source.id_number})
    by_id = _existing_by_id(ids, lock)
    no_id_names = sorted({source.data.get("name", "") for source in usable if not source.id_number})
    without_id = _existing_without_id(township, no_id_names, lock)
    related = _Related(
        township, [*by_id.values(), *(c for found in without_id.values() for c in found)]
    )

    for source in usable:
        number = source.id_number
        if number and number in by_id:
            child = by_id[number]
            if child.township_id != township.pk:
                related.attach(child)
                if can_see_area(actor, township_id=child.township_id, village_id=child.village_id):
                    message = _(
                        "该身份证号已登记在%(place)s（%(name)s），不属于本次导入的乡镇；"
                        "如需转入，请在儿童页面办理转移"
                    ) % {"place": str(child.village), "name": child.name}
                else:
                    message = DUPLICATE_ELSEWHERE
                    plan.elsewhere.append((source, child))
                plan.errors.append(_error(source.row, "id_number", message))
                continue
            row_plan, errors = _plan_update(source, child, related)
        elif not number and source.data.get("no_hukou"):
            key = (source.data.get("name"), source.data.get("birth_date"), source.village.pk)
            matches = without_id.get(key, [])
            if len(matches) > 1:
                plan.errors.append(
                    _error(
                        source.row,
                        "name",
                        _("系统中该村有多名同名、同出生日期且未登记户口的儿童，无法确定对应哪一位"),
                    )
                )
                continue
            if matches:
                row_plan, errors = _plan_update(source, matches[0], related)
            else:
                row_plan, errors = _plan_new(
                    actor, township, source, today=today, checked=source.row in checked
                )
        else:
            row_plan, errors = _plan_new(
                actor, township, source, today=today, checked=source.row in checked
            )
        plan.errors.extend(errors)
        if not errors:
            plan.rows.append(row_plan)
            if row_plan.status != NEW and row_plan.child.status == CaseStatus.CLOSED:
                plan.warnings.append(
                    _error(source.row, "name", _("该儿童已结案，导入只更新信息，不会恢复在册"))
                )

    new_plans = [row for row in plan.rows if row.status == NEW]
    if new_plans:
        known = _same_name_and_birth(township, sorted({row.child.name for row in new_plans}))
        for row in new_plans:
            if (row.child.name, row.child.birth_date, row.child.village_id) in known:
                plan.warnings.append(
                    _error(
                        row.source.row,
                        "name",
                        _("同一村/社区已有同名、同出生日期的儿童，请确认不是重复登记"),
                    )
                )
    plan.errors.sort(key=lambda error: error.row)
    plan.warnings.sort(key=lambda error: error.row)
    return plan


# --- writing -------------------------------------------------------------------------------


def _where_template(filename: str) -> str:
    """ "<file> 第 <row> 行", translated once per file rather than once per row."""
    if filename:
        return _("%(file)s 第 %(row)d 行").replace("%(file)s", filename.replace("%", "%%"))
    return _("第 %(row)d 行")


# Field types whose Python value psycopg writes as the column expects, with nothing for
# Django to prepare; every other field (encrypted text, keyed hashes, automatic timestamps)
# goes through the field's own pre_save and get_db_prep_save, as in a bulk_create.
_PLAIN_FIELDS = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.DateField,
    models.PositiveIntegerField,
    models.IntegerField,
    models.ForeignKey,
)


def _copy_columns() -> list[tuple[models.Field, bool]]:
    return [
        (
            field,
            type(field) in _PLAIN_FIELDS
            and not getattr(field, "auto_now", False)
            and not getattr(field, "auto_now_add", False),
        )
        for field in Child._meta.concrete_fields
        if not field.primary_key
    ]


def insert_children(children: list[Child]) -> None:
    """Insert new children: PostgreSQL's COPY there, ``bulk_create`` elsewhere.

    A file of 10,000 new children is about half a million values: COPY streams them, where
    an INSERT has Django build and psycopg bind them as parameters of large statements that
    the server must then parse and plan. The ids are taken from the
    table's sequence first, so the children get their primary keys as with bulk_create and
    the history, codes and benefit periods that follow refer to them. It runs inside the
    caller's transaction: a failure (the unique ID hash included) rolls back everything.
    """
    if not children:
        return
    if connection.vendor != "postgresql":
        Child.objects.bulk_create(children, batch_size=WRITE_BATCH)
        return
    meta = Child._meta
    columns = _copy_columns()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(children)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        names = ", ".join(
            connection.ops.quote_name(field.column)
            for field in [meta.pk, *(field for field, _plain in columns)]
        )
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({names}) FROM STDIN"
        # The wrapper turns psycopg's errors into Django's (a unique ID hash violated by a
        # registration since the check is an IntegrityError, as with bulk_create).
        with connection.wrap_database_errors, cursor.copy(sql) as copy:
            for pk, child in zip(ids, children, strict=True):
                child.pk = pk
                values = [pk]
                for field, plain in columns:
                    if plain:
                        values.append(getattr(child, field.attname))
                    else:
                        values.append(
                            field.get_db_prep_save(field.pre_save(child, True), connection)
                        )
                copy.write_row(values)
    for child in children:
        child._state.adding = False
        child._state.db = connection.alias


def _write_new(actor, plans: list[RowPlan], filename: str) -> None:
    children = [row.child for row in plans]
    for child in children:
        child.name_pinyin, child.name_initials = pinyin_keys(child.name)
    insert_children(children)
    ChildCircumstance.objects.bulk_create(
        [
            ChildCircumstance(child=row.child, code=code)
            for row in plans
            for code in dict.fromkeys(row.source.circumstances or ())
        ],
        batch_size=WRITE_BATCH,
    )
    ChildAssistance.objects.bulk_create(
        [
            ChildAssistance(child=row.child, code=code)
            for row in plans
            for code in dict.fromkeys(row.source.assistance or ())
        ],
        batch_size=WRITE_BATCH,
    )
    BenefitCategoryPeriod.objects.bulk_create(
        [
            BenefitCategoryPeriod(
                child=child,
                category=child.benefit_category,
                started_on=child.registered_on,
                recorded_by=actor,
            )
            for child in children
        ],
        batch_size=WRITE_BATCH,
    )
    where, note = _where_template(filename), _("导入登记入台账：%(place)s（%(where)s）")
    ChangeLog.objects.bulk_create(
        [
            ChangeLog(
                child=row.child,
                actor=actor,
                action=ChangeAction.IMPORT,
                note=(
                    note
                    % {"place": str(row.child.village), "where": where % {"row": row.source.row}}
                )[:300],
            )
            for row in plans
        ],
        batch_size=WRITE_BATCH,
    )


def _replace_multi(model, plans: list[RowPlan], attr: str) -> None:
    ids = [row.child.pk for row in plans]
    for chunk in _chunks(ids):
        model.objects.filter(child_id__in=chunk).delete()
    model.objects.bulk_create(
        [
            model(child=row.child, code=code)
            for row in plans
            for code in dict.fromkeys(getattr(row.source, attr))
        ],
        batch_size=WRITE_BATCH,
    )


def _write_updates(actor, plans: list[RowPlan], filename: str, today: dt.date) -> None:
    now = timezone.now()
    # One bulk UPDATE per set of changed fields: a re-import usually changes one or two
    # fields of a few children, and a CASE over every column of every row is slow.
    groups: dict[frozenset, list[Child]] = defaultdict(list)
    for row in plans:
        child = row.child
        fields = {"version", "updated_at", *row.changed_fields}
        if "name" in row.changed_fields:
            child.name_pinyin, child.name_initials = pinyin_keys(child.name)
            fields |= {"name_pinyin", "name_initials"}
        child.version += 1
        child.updated_at = now
        # An encrypted number's keyed hash is not recomputed by bulk_update unless named.
        fill_blind_indexes(child)
        groups[frozenset(with_blind_indexes(Child, fields))].append(child)
    for fields, children in groups.items():
        Child.objects.bulk_update(children, sorted(fields), batch_size=500)
    _replace_multi(
        ChildCircumstance, [row for row in plans if row.circumstances_changed], "circumstances"
    )
    _replace_multi(ChildAssistance, [row for row in plans if row.assistance_changed], "assistance")
    benefit = [row for row in plans if row.benefit_changed]
    for chunk in _chunks([row.child.pk for row in benefit]):
        BenefitCategoryPeriod.objects.filter(child_id__in=chunk, ended_on__isnull=True).update(
            ended_on=today, exit_reason=BenefitExitReason.CATEGORY_CHANGED
        )
    BenefitCategoryPeriod.objects.bulk_create(
        [
            BenefitCategoryPeriod(
                child=row.child,
                category=row.child.benefit_category or BenefitCategory.NONE,
                started_on=today,
                recorded_by=actor,
            )
            for row in benefit
        ],
        batch_size=WRITE_BATCH,
    )
    where, note = _where_template(filename), _("导入更新（%(where)s）")
    ChangeLog.objects.bulk_create(
        [
            ChangeLog(
                child=row.child,
                actor=actor,
                action=ChangeAction.IMPORT,
                changes=row.changes,
                note=(note % {"where": where % {"row": row.source.row}})[:300],
            )
            for row in plans
        ],
        batch_size=WRITE_BATCH,
    )


@transaction.atomic
def ledger_import_apply(
    *,
    actor,
    township: Township,
    rows: list[ImportRow],
    filename: str = "",
    request=None,
    checked: frozenset[int] = frozenset(),
) -> ImportPlan:
    """Write a whole ledger file: all rows or, on any error, none (raises ImportRejected).

    Re-plans with the matched children locked, so the checks hold for what is written even
    if someone edited a child after the preview (``checked``: see ``ledger_import_plan``).
    Every new or changed child gets a history entry with action 导入; the import itself goes
    into the access log.
    """
    plan = ledger_import_plan(actor=actor, township=township, rows=rows, lock=True, checked=checked)
    if plan.errors:
        raise ImportRejected(plan)
    new = [row for row in plan.rows if row.status == NEW]
    updates = [row for row in plan.rows if row.status == UPDATE]
    try:
        with transaction.atomic():
            _write_new(actor, new, filename)
    except IntegrityError:
        # Someone registered one of these IDs between the check and the insert; the
        # unique constraint is the last line of defence. Say no more than the form would.
        plan.errors.append(
            RowError(
                0,
                header_label("id_number"),
                _("导入期间有表中的儿童被登记（可能是重复提交），未写入任何数据，请重新上传预览"),
            )
        )
        raise ImportRejected(plan) from None
    _write_updates(actor, updates, filename, plan.day)
    log_access(
        action=AccessAction.IMPORT,
        user=actor,
        request=request,
        target_type="ledger",
        target_id=str(township.pk),
        target_label=township.name,
        detail={
            "file": filename,
            "township": township.name,
            "new": len(new),
            "updated": len(updates),
            "unchanged": plan.unchanged,
        },
    )
    return plan
