"""Resident ID numbers (公民身份号码, GB 11643-1999) and phone numbers: the field validators,
normalisers and display masks every app shares (the rules: docs/domain.md, "ID numbers").

Everything here is pure: no database, no settings beyond translations, so the
same checks serve model validators, forms, the reference-list readers of accounts and the
ledger's spreadsheet importer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"

# Sequence codes 900-999 are what make_synthetic_id_number() emits, so that demo
# data is recognisable at a glance. The standard does not reserve this range:
# real people can hold such numbers (996-999 are even customary for
# centenarians), so is_synthetic_id_number() is a hint for demo tooling only and
# must never change how a real record is treated.
SYNTHETIC_SEQUENCE_MIN = 900
SYNTHETIC_SEQUENCE_MAX = 999

EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)

SEX_MALE = "M"
SEX_FEMALE = "F"
_SEX_ALIASES = {"M": SEX_MALE, "F": SEX_FEMALE, "男": SEX_MALE, "女": SEX_FEMALE}
_SEX_LABELS = {SEX_MALE: _("男"), SEX_FEMALE: _("女")}

_ID_RE = re.compile(r"\d{17}[\dX]")
_MOBILE_RE = re.compile(r"1[3-9]\d{9}")
_LANDLINE_RE = re.compile(r"(0\d{2,3})-(\d{7,8})")

# Full-width forms are what Chinese input methods produce when the user forgets
# to switch to half-width; the characters mean the same thing.
_FULLWIDTH = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        "Ｘ": "X",
        "ｘ": "X",
        "x": "X",
        "－": "-",
        "—": "-",
        "–": "-",
    }
)
# Zero-width characters ride along when numbers are copied from web pages or
# chat apps; str.split() does not treat them as whitespace.
_INVISIBLE = str.maketrans(dict.fromkeys(["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]))


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def _compact(raw: object) -> str:
    if raw is None:
        return ""
    return "".join(str(raw).translate(_INVISIBLE).split())


def normalize_id_number(raw: object) -> str:
    """Return ``raw`` without whitespace, with ASCII digits and an upper-case X."""
    return _compact(raw).translate(_FULLWIDTH)


def _id_check_char(first17: str) -> str:
    total = sum(int(digit) * weight for digit, weight in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def parse_id_number(raw: object, *, today: dt.date | None = None) -> IdInfo:
    """Validate an 18-digit resident ID number and decode birth date and sex.

    The 6-digit area code is deliberately not checked against a list: codes are
    retired when counties merge, yet people keep the numbers they were issued.
    Date errors are reported before the checksum because they tell the user
    which part of the number to look at.
    """
    number = normalize_id_number(raw)
    if not _ID_RE.fullmatch(number):
        raise ValidationError(
            _("公民身份号码应为18位，前17位为数字，最后一位为数字或字母X（当前为“%(value)s”）"),
            code="id_format",
            params={"value": number},
        )

    try:
        birth_date = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(
            _("公民身份号码中的出生日期“%(digits)s”不存在，请核对"),
            code="id_birth_date",
            params={"digits": number[6:14]},
        ) from None
    if birth_date < EARLIEST_BIRTH_DATE:
        raise ValidationError(
            _("公民身份号码中的出生日期早于1900年，请核对"),
            code="id_birth_date",
        )
    if today is None:
        today = timezone.localdate()
    if birth_date > today:
        raise ValidationError(
            _("公民身份号码中的出生日期（%(date)s）晚于今天，请核对"),
            code="id_future",
            params={"date": birth_date.isoformat()},
        )

    if _id_check_char(number[:17]) != number[17]:
        raise ValidationError(_("公民身份号码校验位错误，请核对"), code="id_checksum")

    sex = SEX_MALE if int(number[16]) % 2 else SEX_FEMALE
    return IdInfo(number=number, birth_date=birth_date, sex=sex)


def validate_id_number(value: object) -> None:
    """Django field validator; see parse_id_number for the rules."""
    parse_id_number(value)


def check_id_matches(
    info: IdInfo,
    birth_date: dt.date | None = None,
    sex: str | None = None,
) -> None:
    """Raise a field-keyed ValidationError when typed values contradict the ID.

    Fields left empty are not compared, so a form can fill them from the ID.
    """
    errors: dict[str, ValidationError] = {}
    if isinstance(birth_date, dt.datetime):
        birth_date = birth_date.date()
    if birth_date is not None and birth_date != info.birth_date:
        errors["birth_date"] = ValidationError(
            _("出生日期与公民身份号码不一致（身份证号码显示为%(date)s）"),
            code="id_birth_date_mismatch",
            params={"date": info.birth_date.isoformat()},
        )
    if sex:
        canonical = _SEX_ALIASES.get(str(sex).strip().upper(), str(sex))
        if canonical != info.sex:
            errors["sex"] = ValidationError(
                _("性别与公民身份号码不一致（身份证号码显示为%(sex)s）"),
                code="id_sex_mismatch",
                params={"sex": _SEX_LABELS[info.sex]},
            )
    if errors:
        raise ValidationError(errors)


def mask_id_number(number: str | None) -> str:
    """Keep the area code and last 4 characters, e.g. ``450328********0018``.

    The asterisk count is fixed so the mask does not reveal the length. Values
    too short to be an ID are masked completely rather than partly disclosed.
    """
    value = normalize_id_number(number)
    if not value:
        return ""
    if len(value) <= 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * 8}{value[-4:]}"


def normalize_phone(raw: object) -> str:
    """Drop whitespace, convert full-width digits and dashes to ASCII."""
    return _compact(raw).translate(_FULLWIDTH)


def mask_phone(phone: str | None) -> str:
    """Mask a phone number for display: ``138****1234``, ``0773-****5678``."""
    value = normalize_phone(phone)
    if not value:
        return ""
    if _MOBILE_RE.fullmatch(value):
        return f"{value[:3]}****{value[-4:]}"
    landline = _LANDLINE_RE.fullmatch(value)
    if landline:
        return f"{landline.group(1)}-****{value[-4:]}"
    if len(value) <= 4:
        return "*" * len(value)
    return f"****{value[-4:]}"


def validate_phone(value: object) -> None:
    """Accept a mainland mobile number or a landline written as ``区号-号码``."""
    text = "" if value is None else str(value)
    if not (_MOBILE_RE.fullmatch(text) or _LANDLINE_RE.fullmatch(text)):
        raise ValidationError(
            _(
                "联系电话格式不正确：手机号应为11位数字（如13812345678），"
                "固定电话应写成“区号-号码”（如0773-1234567）"
            ),
            code="phone_format",
        )


def make_synthetic_id_number(area_code: str, birth_date: dt.date, sequence: int, sex: str) -> str:
    """Build a checksum-valid ID number for demo and test data.

    ``sequence`` is the 3-digit sequence code (positions 15-17) and must lie in
    the synthetic range 900-999. Its last digit encodes sex (odd = male), so a
    sequence whose parity disagrees with ``sex`` is refused instead of silently
    adjusted, which could turn two distinct sequences into the same number.
    """
    if not re.fullmatch(r"\d{6}", area_code or ""):
        raise ValueError(f"area_code must be 6 digits, got {area_code!r}")
    if not EARLIEST_BIRTH_DATE <= birth_date <= dt.date(9999, 12, 31):
        raise ValueError(f"birth_date out of range: {birth_date!r}")
    if not SYNTHETIC_SEQUENCE_MIN <= sequence <= SYNTHETIC_SEQUENCE_MAX:
        raise ValueError(
            f"sequence must be within {SYNTHETIC_SEQUENCE_MIN}-{SYNTHETIC_SEQUENCE_MAX}, "
            f"got {sequence!r}"
        )
    canonical_sex = _SEX_ALIASES.get(str(sex).upper())
    if canonical_sex is None:
        raise ValueError(f"sex must be 'M' or 'F', got {sex!r}")
    if (sequence % 2 == 1) != (canonical_sex == SEX_MALE):
        raise ValueError(f"sequence {sequence} is {'odd' if sequence % 2 else 'even'}, sex {sex!r}")
    first17 = f"{area_code}{birth_date:%Y%m%d}{sequence:03d}"
    return first17 + _id_check_char(first17)


def is_synthetic_id_number(number: str | None) -> bool:
    """True for a well-formed, checksum-valid number in the synthetic range."""
    value = normalize_id_number(number)
    if not _ID_RE.fullmatch(value) or _id_check_char(value[:17]) != value[17]:
        return False
    return SYNTHETIC_SEQUENCE_MIN <= int(value[14:17]) <= SYNTHETIC_SEQUENCE_MAX
