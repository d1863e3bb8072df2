"""Unified social credit codes (统一社会信用代码, GB 32100-2015) of partner organisations."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# I, O, Z, S and V are left out of the standard's alphabet because they are
# easily confused with 1, 0, 2, 5 and U; the index of a character is its value.
CREDIT_CODE_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_CODE_LENGTH = 18

_VALUES = {char: index for index, char in enumerate(CREDIT_CODE_CHARS)}
# Full-width letters and digits come from Chinese input methods left in
# full-width mode; they are the same characters to the reader.
_FULLWIDTH = str.maketrans({chr(code): chr(code - 0xFEE0) for code in range(0xFF01, 0xFF5F)})


def normalize_credit_code(raw: object) -> str:
    """Drop whitespace (including U+3000), convert full-width to ASCII, upper-case."""
    if raw is None:
        return ""
    return "".join(str(raw).split()).translate(_FULLWIDTH).upper()


def _check_char(first17: str) -> str:
    total = sum(
        _VALUES[char] * weight for char, weight in zip(first17, CREDIT_CODE_WEIGHTS, strict=True)
    )
    return CREDIT_CODE_CHARS[(31 - total % 31) % 31]


def validate_credit_code(value: object) -> None:
    """Django field validator for an 18-character unified social credit code.

    Only the alphabet and the check character are verified. The registration
    authority, organisation type and region parts are not looked up: region
    codes are retired over time while issued codes stay valid.
    """
    code = normalize_credit_code(value)
    if len(code) != CREDIT_CODE_LENGTH:
        raise ValidationError(
            _("统一社会信用代码应为18位，当前为%(length)d位"),
            code="credit_code_length",
            params={"length": len(code)},
        )
    bad = "".join(dict.fromkeys(char for char in code if char not in _VALUES))
    if bad:
        raise ValidationError(
            _(
                "统一社会信用代码含有无效字符“%(chars)s”"
                "（只使用数字和大写字母，不含 I、O、Z、S、V）"
            ),
            code="credit_code_chars",
            params={"chars": bad},
        )
    if _check_char(code[:17]) != code[17]:
        raise ValidationError(
            _("统一社会信用代码校验位错误，请核对"),
            code="credit_code_checksum",
        )
