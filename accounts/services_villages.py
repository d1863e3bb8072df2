"""Loading the official list of villages (load_villages, the command and the page).

A load only ever changes the list of villages: it never moves a child or an account. A row
matches an existing village by its official code, then by (township, name) where names are
compared in the ledger's form (山东村委会 = 山东村, accounts.village_names). A row whose code
already belongs to a village of another name is refused: renaming that village would silently
move its children and its director to another place (the provisional-code bug of the first
installs). Villages missing from the new list are kept — children may live there — and are
marked 已撤并 only when the caller asks for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import VillageChangeKind, VillageStatus
from accounts.models import Township, Village, VillageChange
from accounts.village_names import ledger_name
from core.tabular import RowError, read_table

VILLAGE_COLUMNS = {
    "code": ["村代码", "代码", "统计用区划代码", "区划代码", "code"],
    "township_code": ["乡镇代码", "乡镇区划代码", "township_code", "streetCode"],
    "name": ["村/社区名称", "村名称", "名称", "村（社区）", "村", "name"],
}

ACTION_LABELS = {
    "create": gettext_lazy("新增"),
    "rename": gettext_lazy("更名"),
    "recode": gettext_lazy("更正代码"),
    "rename_recode": gettext_lazy("更名并更正代码"),
    "retire": gettext_lazy("标记已撤并"),
}


@dataclass
class VillagePlan:
    """One change a load would make (or made), with what the village holds."""

    action: str  # a key of ACTION_LABELS
    township: Township
    code: str
    name: str
    row: int | None = None  # the file's row; None for a village absent from the file
    village: Village | None = None
    old_code: str = ""
    old_name: str = ""
    children: int = 0
    accounts: int = 0

    @property
    def action_label(self) -> str:
        return str(ACTION_LABELS[self.action])


@dataclass
class VillageLoadReport:
    changes: list[VillagePlan] = field(default_factory=list)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def _count(self, *actions) -> int:
        return sum(1 for change in self.changes if change.action in actions)

    @property
    def created(self) -> int:
        return self._count("create")

    @property
    def updated(self) -> int:
        return self._count("rename", "recode", "rename_recode")

    @property
    def retired(self) -> int:
        return self._count("retire")

    def summary(self) -> str:
        counts = {
            "created": self.created,
            "updated": self.updated,
            "retired": self.retired,
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            return (
                _(
                    "预览：将新增 %(created)d 个、更新 %(updated)d 个、标记已撤并 %(retired)d 个、"
                    "未变 %(unchanged)d 个村/社区（尚未写入）。"
                )
                % counts
            )
        return (
            _(
                "已新增 %(created)d 个、更新 %(updated)d 个、标记已撤并 %(retired)d 个、"
                "未变 %(unchanged)d 个村/社区。"
            )
            % counts
        )

    def lines(self) -> list[str]:
        """One line per change, for the command's output."""
        out = []
        for change in self.changes:
            where = _("第 %(row)d 行") % {"row": change.row} if change.row else _("不在新清单中")
            before = ""
            if change.old_name and change.old_name != change.name:
                before += _("原名 %(name)s；") % {"name": change.old_name}
            if change.old_code and change.old_code != change.code:
                before += _("原代码 %(code)s；") % {"code": change.old_code}
            out.append(
                _(
                    "%(action)s  %(code)s %(township)s %(name)s（%(where)s；%(before)s"
                    "现有儿童 %(children)d 名、账号 %(accounts)d 个）"
                )
                % {
                    "action": change.action_label,
                    "code": change.code,
                    "township": change.township.name,
                    "name": change.name,
                    "where": where,
                    "before": before,
                    "children": change.children,
                    "accounts": change.accounts,
                }
            )
        return out


def _villages_with_counts():
    # Counted through the reverse relations: accounts knows children only by the ORM name.
    return Village.objects.select_related("township").annotate(
        n_children=Count("children", distinct=True), n_accounts=Count("users", distinct=True)
    )


def _check_rows(table, townships) -> tuple[list, list[RowError]]:
    """Per-row checks that need no existing village: format, township, duplicates in the file."""
    errors: list[RowError] = []
    rows = []
    seen_codes: dict[str, int] = {}
    seen_names: dict[tuple[str, str], int] = {}
    for row_number, row in table.rows:
        code, township_code = row["code"], row["township_code"]
        name = ledger_name(row["name"])
        row_errors = []
        if not code.isdigit() or len(code) not in (12, 15):
            row_errors.append(RowError(row_number, "代码", _("村代码应为12位数字")))
        township = townships.get(township_code)
        if township is None:
            row_errors.append(
                RowError(row_number, "乡镇代码", _("未知的乡镇代码：%(c)s") % {"c": township_code})
            )
        elif code and not code.startswith(township_code):
            row_errors.append(RowError(row_number, "代码", _("村代码与乡镇代码不符")))
        if not name:
            row_errors.append(RowError(row_number, "名称", _("名称不能为空")))
        elif len(name) > Village._meta.get_field("name").max_length:
            row_errors.append(RowError(row_number, "名称", _("名称过长（最多50个字）")))
        if code in seen_codes:
            row_errors.append(
                RowError(row_number, "代码", _("与第 %(r)d 行代码重复") % {"r": seen_codes[code]})
            )
        if name and (township_code, name) in seen_names:
            row_errors.append(
                RowError(
                    row_number,
                    "名称",
                    _("与第 %(r)d 行是同一乡镇的同一个村/社区（名称去掉“村委会”等后缀后相同）")
                    % {"r": seen_names[(township_code, name)]},
                )
            )
        seen_codes.setdefault(code, row_number)
        seen_names.setdefault((township_code, name), row_number)
        errors.extend(row_errors)
        if not row_errors:
            rows.append((row_number, township, code, name))
    return rows, errors


def villages_plan(*, filename: str, data: bytes, retire_absent: bool = False) -> VillageLoadReport:
    """What loading the file would change; writes nothing. Raises WorkbookRefused for a file
    that cannot be read."""
    table = read_table(filename, data, aliases=VILLAGE_COLUMNS, required=list(VILLAGE_COLUMNS))
    report = VillageLoadReport()
    townships = {t.code: t for t in Township.objects.all()}
    rows, report.errors = _check_rows(table, townships)
    existing = list(_villages_with_counts())
    by_code = {v.code: v for v in existing}
    by_name: dict[tuple[int, str], list[Village]] = {}
    for village in existing:
        by_name.setdefault((village.township_id, ledger_name(village.name)), []).append(village)
    matched: set[int] = set()
    for row_number, township, code, name in rows:
        village = by_code.get(code)
        if village is not None and (
            village.township_id != township.pk or ledger_name(village.name) != name
        ):
            report.errors.append(
                RowError(
                    row_number,
                    "代码",
                    _(
                        "代码 %(code)s 已属于「%(held)s」，与本行的「%(township)s %(name)s」"
                        "不是同一个村/社区。为免把该村的儿童和账号挪到别处，不予改名。"
                        "如确是该村更名，请先在管理后台修改其名称；如是代码有误，请更正本行。"
                    )
                    % {
                        "code": code,
                        "held": str(village),
                        "township": township.name,
                        "name": name,
                    },
                )
            )
            continue
        # Two villages of one township whose names mean the same place: which one the row
        # means is the admin's decision (a merge), not the loader's.
        candidates = by_name.get((township.pk, name), [])
        if len(candidates) > 1:
            report.errors.append(
                RowError(
                    row_number,
                    "名称",
                    _("%(township)s有多个村/社区与「%(name)s」同名（%(names)s），请先撤并。")
                    % {
                        "township": township.name,
                        "name": name,
                        "names": "、".join(v.name for v in candidates),
                    },
                )
            )
            continue
        if village is None and candidates:
            village = candidates[0]
        if village is None:
            report.changes.append(VillagePlan("create", township, code, name, row=row_number))
            continue
        matched.add(village.pk)
        renamed, recoded = village.name != name, village.code != code
        if not (renamed or recoded):
            report.unchanged += 1
            continue
        action = "rename_recode" if renamed and recoded else "rename" if renamed else "recode"
        report.changes.append(
            VillagePlan(
                action,
                township,
                code,
                name,
                row=row_number,
                village=village,
                old_code=village.code,
                old_name=village.name,
                children=village.n_children,
                accounts=village.n_accounts,
            )
        )
    if retire_absent:
        # Only in the townships the file covers: a file for one township says nothing about
        # the villages of the others.
        covered = {township.pk for _row, township, _code, _name in rows}
        for village in existing:
            if (
                village.pk not in matched
                and village.township_id in covered
                and village.status == VillageStatus.ACTIVE
            ):
                report.changes.append(
                    VillagePlan(
                        "retire",
                        village.township,
                        village.code,
                        village.name,
                        village=village,
                        old_code=village.code,
                        old_name=village.name,
                        children=village.n_children,
                        accounts=village.n_accounts,
                    )
                )
    return report


def villages_load(
    *,
    filename: str,
    data: bytes,
    dry_run: bool = False,
    retire_absent: bool = False,
    actor=None,
) -> VillageLoadReport:
    """Load or update villages from a file of (code, township code, name); any bad row →
    nothing written. Only Village rows (and their change records) are written: no child and
    no account changes village."""
    with transaction.atomic():
        report = villages_plan(filename=filename, data=data, retire_absent=retire_absent)
        report.dry_run = dry_run
        if report.errors or dry_run:
            return report
        today = timezone.localdate()
        for change in report.changes:
            _apply(change, actor=actor, today=today)
    return report


def _apply(change: VillagePlan, *, actor, today) -> None:
    if change.action == "create":
        change.village = Village.objects.create(
            township=change.township, code=change.code, name=change.name
        )
        VillageChange.objects.create(
            kind=VillageChangeKind.CREATE,
            village=change.village,
            actor=actor,
            detail={"code": change.code, "name": change.name},
            note=_("导入区划清单"),
        )
        return
    village = change.village
    if change.action == "retire":
        village.status, village.retired_on = VillageStatus.MERGED, today
        village.save(update_fields=["status", "retired_on"])
        VillageChange.objects.create(
            kind=VillageChangeKind.RETIRE,
            village=village,
            actor=actor,
            detail={"children": change.children, "accounts": change.accounts},
            note=_("不在新的区划清单中"),
        )
        return
    detail = {}
    if village.name != change.name:
        detail["name"] = [village.name, change.name]
    if village.code != change.code:
        detail["code"] = [village.code, change.code]
    village.code, village.name = change.code, change.name
    village.save(update_fields=["code", "name"])
    VillageChange.objects.create(
        kind=VillageChangeKind.RECODE if "code" in detail else VillageChangeKind.RENAME,
        village=village,
        actor=actor,
        detail=detail,
        note=_("导入区划清单"),
    )
