import pytest
from django.core.exceptions import ValidationError

from activities.credit_code import normalize_credit_code, validate_credit_code

# Real codes of registered organisations, published on their licences.
VALID_CODES = [
    "91350100M000100Y43",
    "91110000600037341L",
    "91440300708461136T",
    "91110108551385082Q",
]


def error_code(value) -> str:
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(value)
    [error] = exc.value.error_list
    return error.code


@pytest.mark.parametrize("code", VALID_CODES)
def test_valid_codes_pass(code):
    assert validate_credit_code(code) is None


def test_normalize_credit_code():
    assert normalize_credit_code(" 91350100m000100y43\u3000") == "91350100M000100Y43"
    assert normalize_credit_code("９１３５０１００Ｍ０００１００Ｙ４３") == "91350100M000100Y43"
    assert normalize_credit_code("9135 0100 M000 100Y 43") == "91350100M000100Y43"
    assert normalize_credit_code(None) == ""


def test_validator_tolerates_what_normalize_fixes():
    assert validate_credit_code("91350100m000100y43") is None


@pytest.mark.parametrize("code", VALID_CODES)
def test_changed_check_character_fails(code):
    replacement = "0" if code[-1] != "0" else "1"
    assert error_code(code[:-1] + replacement) == "credit_code_checksum"


@pytest.mark.parametrize("position", [0, 4, 8, 12, 16])
def test_changed_body_character_fails(position):
    code = VALID_CODES[0]
    replacement = "1" if code[position] != "1" else "2"
    mutated = code[:position] + replacement + code[position + 1 :]
    assert error_code(mutated) == "credit_code_checksum"


def test_swapped_neighbours_fail():
    code = VALID_CODES[1]
    assert code[8] != code[9]
    swapped = code[:8] + code[9] + code[8] + code[10:]
    assert error_code(swapped) == "credit_code_checksum"


@pytest.mark.parametrize("value", ["", "91350100M000100Y4", "91350100M000100Y433"])
def test_wrong_length(value):
    assert error_code(value) == "credit_code_length"


def test_length_message_is_chinese_and_counts():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("91350100M000100Y4")
    assert exc.value.messages == ["统一社会信用代码应为18位，当前为17位"]


@pytest.mark.parametrize("letter", ["I", "O", "Z", "S", "V", "-", "统"])
def test_excluded_characters(letter):
    mutated = "91350100M000100Y43".replace("M", letter)
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(mutated)
    assert [e.code for e in exc.value.error_list] == ["credit_code_chars"]
    assert letter in exc.value.messages[0]


def test_checksum_message():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("91350100M000100Y44")
    assert exc.value.messages == ["统一社会信用代码校验位错误，请核对"]
