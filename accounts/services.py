"""Writes to users and areas. Every function runs in one transaction and validates first."""

import secrets
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import Role, VillageStatus
from accounts.models import Township, User, Village
from accounts.roles import role_group
from accounts.village_names import ledger_name
from core.tabular import RowError, read_table
from core.validators import validate_phone

TEMP_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def _temporary_password() -> str:
    return "".join(secrets.choice(TEMP_PASSWORD_ALPHABET) for _ in range(12))


def _sync_role(user: User) -> None:
    """Group membership and admin-site access follow the role, nothing else."""
    user.groups.set([role_group(user.role)] if user.role else [])


@transaction.atomic
def user_save(*, user: User) -> User:
    """Validate and save a user whose fields were set by a form, then align its groups."""
    user.is_staff = user.role == Role.COUNTY_ADMIN or user.is_superuser
    user.full_clean(exclude=["password"])
    user.save()
    _sync_role(user)
    return user


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    name: str = "",
    phone: str = "",
    township: Township | None = None,
    village: Village | None = None,
    password: str | None = None,
) -> tuple[User, str]:
    """Create a user; returns the user and the (temporary, unless given) password."""
    password = password or _temporary_password()
    user = User(
        username=username, name=name, phone=phone, role=role, township=township, village=village
    )
    if role == Role.VILLAGE_DIRECTOR and village is not None:
        user.township = village.township
    user.set_password(password)
    user_save(user=user)
    return user, password


@transaction.atomic
def user_deactivate(*, user: User) -> User:
    user.is_active = False
    user.save(update_fields=["is_active"])
    return user


@transaction.atomic
def user_reset_password(*, user: User, password: str | None = None) -> str:
    """Give the user a new password (temporary unless given) and return it to show once."""
    password = password or _temporary_password()
    if password is not None:
        validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password"])
    return password


# --- bulk imports -----------------------------------------------------------------------


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)  # username → temporary password

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRefused(Exception):
    """Raised inside the import transaction so that a file with any bad row writes nothing."""

    def __init__(self, report: ImportReport):
        super().__init__(_("导入失败：%(n)d 处错误") % {"n": len(report.errors)})
        self.report = report


DIRECTOR_COLUMNS = {
    "username": ["用户名", "登录名", "账号", "username"],
    "name": ["姓名", "name"],
    "phone": ["联系电话", "电话", "手机号", "手机", "phone"],
    "township": ["乡镇", "所属乡镇", "township"],
    "village": ["村（社区）", "村（居）", "村/社区", "村", "所属村", "village"],
}


def directors_import(*, filename: str, data: bytes) -> ImportReport:
    """Create village child directors from a list; any bad row → nothing is written.

    Existing usernames are refused rather than silently changed: re-pointing an existing
    account at another village would widen what that person can see.
    """
    table = read_table(filename, data, aliases=DIRECTOR_COLUMNS, required=list(DIRECTOR_COLUMNS))
    report = ImportReport()
    townships = {t.name: t for t in Township.objects.all()} | {
        t.code: t for t in Township.objects.all()
    }
    # Names compared in the ledger's form, so 山东村委会 in a sheet finds 山东村; villages
    # that were merged away (已撤并) take no new director.
    villages = {
        (v.township_id, ledger_name(v.name)): v
        for v in Village.objects.filter(status=VillageStatus.ACTIVE)
    }
    existing = set(User.objects.values_list("username", flat=True))
    seen: dict[str, int] = {}
    planned = []
    for row_number, row in table.rows:
        errors = []
        username = row["username"]
        if not username:
            errors.append(RowError(row_number, "用户名", _("用户名不能为空")))
        elif username in existing:
            errors.append(
                RowError(row_number, "用户名", _("用户名已存在：%(u)s") % {"u": username})
            )
        elif username in seen:
            errors.append(
                RowError(row_number, "用户名", _("与第 %(r)d 行用户名重复") % {"r": seen[username]})
            )
        else:
            try:
                User.username_validator(username)
            except ValidationError:
                errors.append(RowError(row_number, "用户名", _("用户名只能包含字母、数字和@.+-_")))
        seen.setdefault(username, row_number)
        if not row["name"]:
            errors.append(RowError(row_number, "姓名", _("姓名不能为空")))
        if row["phone"]:
            try:
                validate_phone(row["phone"])
            except ValidationError as exc:
                errors.append(RowError(row_number, "联系电话", " ".join(exc.messages)))
        township = townships.get(row["township"])
        village = None
        if township is None:
            errors.append(
                RowError(row_number, "乡镇", _("未知的乡镇：%(t)s") % {"t": row["township"]})
            )
        else:
            village = villages.get((township.pk, ledger_name(row["village"])))
            if village is None:
                errors.append(
                    RowError(
                        row_number,
                        "村（社区）",
                        _("%(t)s没有名为「%(v)s」的村/社区")
                        % {"t": township.name, "v": row["village"]},
                    )
                )
        report.errors.extend(errors)
        if not errors:
            planned.append((username, row["name"], row["phone"], village))
    if report.errors:
        return report
    with transaction.atomic():
        for username, name, phone, village in planned:
            _user, password = user_create(
                username=username,
                name=name,
                phone=phone,
                role=Role.VILLAGE_DIRECTOR,
                village=village,
            )
            report.passwords[username] = password
            report.created += 1
    return report
