"""The rules of a child's identity fields: resident ID numbers (公民身份号码, GB 11643-1999),
phone numbers, names and dates.

Everything here is pure: no database, no settings beyond translations, so the same
function checks a field in the model (validators and ``clean``), forms, the admin, services
and the spreadsheet importer — one rule per field, everywhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
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

# The day "today" means for the checks below while a bulk job runs (``checking_day``): a
# ledger import checks 10,000 rows against one day, not against the clock read six times a
# row (and a file checked across midnight is checked against one day throughout).
_CHECKING_DAY: ContextVar[dt.date | None] = ContextVar("checking_day", default=None)


@contextmanager
def checking_day(day: dt.date) -> Iterator[dt.date]:
    """Within the block, the checks that compare with today compare with ``day``."""
    token = _CHECKING_DAY.set(day)
    try:
        yield day
    finally:
        _CHECKING_DAY.reset(token)


def current_day() -> dt.date:
    """The checking day when one is set, else the local date."""
    return _CHECKING_DAY.get() or timezone.localdate()


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
        today = current_day()
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


ID_MASK_STARS = 14


def mask_id_number(number: str | None) -> str:
    """Keep the last 4 characters only, e.g. ``**************9234``.

    Positions 7-14 of a resident ID are the birth date and 1-6 the area code, both easy to
    learn from what stands beside the number (the birth date, the county): a mask that kept
    them could be undone (docs/architecture.md, "Masking that holds"). The asterisk count is
    fixed so the mask does not reveal the length; values too short to keep 4 characters of
    safely are masked completely. A value that is itself an older, longer mask
    (``450328********9234``) comes out in today's form.
    """
    value = normalize_id_number(number)
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * ID_MASK_STARS
    return f"{'*' * ID_MASK_STARS}{value[-4:]}"


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
    """Accept a mainland mobile number (``1[3-9]`` and 9 more digits) or a landline written
    as ``区号-号码``, after the same normalisation (spaces, full-width digits) that
    ``normalize_phone`` applies before saving."""
    text = normalize_phone(value)
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


# --- names ------------------------------------------------------------------------------

# Han characters (with the extensions), Latin letters for names written in pinyin or a
# foreign script, the middle dot of transcribed minority and foreign names (·, also typed
# as • or ．), inner spaces, and the digits or brackets ledgers use to tell namesakes of one
# village apart (张伟2, 张伟（小）). Anything else (@, /, ;, emoji…) is a typing slip.
_NAME_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z0-9·•．. ()（）]+")
_NAME_LETTER_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaffA-Za-z]")


def validate_person_name(value: object) -> None:
    """A person's name: Han characters or letters, with ``·`` between the parts of a
    transcribed name; no other symbols, and not digits alone."""
    text = "" if value is None else str(value).strip()
    if text and not (_NAME_RE.fullmatch(text) and _NAME_LETTER_RE.search(text)):
        raise ValidationError(
            _(
                "姓名应由汉字或字母组成，少数民族和外国人姓名的间隔号写作“·”"
                "（同名者可加数字或括号区分），请删去其他符号"
            ),
            code="name_format",
        )


# --- dates of a child's record ------------------------------------------------------------

ADULT_AGE = 18


def years_between(birth_date: dt.date, day: dt.date) -> int:
    """Full years from ``birth_date`` to ``day`` (a person born on 29 February turns a year
    older on 1 March in common years)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def check_birth_date(
    birth_date: dt.date | None,
    *,
    registered_on: dt.date | None = None,
    today: dt.date | None = None,
    field: str = "birth_date",
) -> None:
    """A child's birth date: not in the future, not before 1900, and under 18 on the day of
    registration (the ledger is for minors, docs/domain.md §5)."""
    if birth_date is None:
        return
    today = today or current_day()
    if birth_date > today:
        raise ValidationError(
            {field: _("出生日期不能晚于今天，请核对。")}, code="birth_date_future"
        )
    if birth_date < EARLIEST_BIRTH_DATE:
        raise ValidationError({field: _("出生日期早于1900年，请核对。")}, code="birth_date_old")
    on = min(registered_on or today, today)
    if years_between(birth_date, on) >= ADULT_AGE:
        raise ValidationError(
            {
                # Without the date: the message may reach someone who may not see it
                # (an edit of another field by a role without the reveal right).
                field: _(
                    "登记时已满18周岁，不属于困境儿童台账的登记范围；请核对出生日期或身份证号。"
                )
            },
            code="birth_date_adult",
        )


def check_record_date(
    value: dt.date | None,
    *,
    field: str,
    label: str,
    birth_date: dt.date | None = None,
    today: dt.date | None = None,
    allow_future: bool = False,
) -> None:
    """A date on a child's record (登记、填报、走访、测评、结案…): not after today, not
    before the child was born. ``allow_future`` for dates that plan ahead (a care plan's or
    pairing's start)."""
    if value is None:
        return
    today = today or current_day()
    if value > today and not allow_future:
        raise ValidationError(
            {field: _("%(label)s不能晚于今天（%(today)s）。") % {"label": label, "today": today}},
            code="date_future",
        )
    if birth_date is not None and value < birth_date:
        raise ValidationError(
            # Without the birth date: the person entering a visit or a screening may not
            # be allowed to see it (it is half of the ID number).
            {field: _("%(label)s不能早于儿童的出生日期。") % {"label": label}},
            code="date_before_birth",
        )


# --- which identity a child is registered with ------------------------------------------

_DOCUMENT_NUMBER_RE = re.compile(r"[A-Z0-9()（）-]{4,30}")


def normalize_document_number(raw: object) -> str:
    return _compact(raw).translate(_FULLWIDTH).upper()


def check_id_state(
    *,
    id_number: str | None,
    no_hukou: bool,
    id_pending: bool,
    id_due_on: dt.date | None,
    document_type: str,
    document_number: str,
) -> None:
    """Exactly one of: a resident ID number; 未登记户口; 身份证号待补录 (with a due date);
    another document (type and number). Each mistake is reported at the field to change."""
    states = [
        ("id_number", bool(id_number)),
        ("no_hukou", bool(no_hukou)),
        ("id_pending", bool(id_pending)),
        ("document_type", bool(document_type)),
    ]
    chosen = [name for name, present in states if present]
    if not chosen:
        raise ValidationError(
            {
                "id_number": _(
                    "请填写公民身份号码；没有号码的，请勾选「未登记户口」或「身份证号待补录」，"
                    "或选择所持的其他证件。"
                )
            },
            code="id_missing",
        )
    if len(chosen) > 1:
        labels = {
            "id_number": _("公民身份号码"),
            "no_hukou": _("未登记户口"),
            "id_pending": _("身份证号待补录"),
            "document_type": _("其他证件"),
        }
        raise ValidationError(
            {
                chosen[1]: _("「%(first)s」与「%(second)s」只能选一种，请删去其中一项。")
                % {"first": labels[chosen[0]], "second": labels[chosen[1]]}
            },
            code="id_conflict",
        )
    errors = {}
    if id_pending and not id_due_on:
        errors["id_due_on"] = _("身份证号待补录时，请填写补录期限。")
    if id_due_on and not id_pending:
        errors["id_due_on"] = _("只有勾选「身份证号待补录」时才填写补录期限，请清空。")
    if document_type and not document_number:
        errors["document_number"] = _("请填写证件号码。")
    elif document_number and not document_type:
        errors["document_type"] = _("请选择证件类型，或清空证件号码。")
    elif document_number and not _DOCUMENT_NUMBER_RE.fullmatch(
        normalize_document_number(document_number)
    ):
        errors["document_number"] = _("证件号码应为4–30位字母、数字或短横线，请核对。")
    if errors:
        raise ValidationError(errors, code="id_state")
