import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from core.validators import (
    IdInfo,
    check_id_matches,
    is_synthetic_id_number,
    make_synthetic_id_number,
    mask_id_number,
    mask_phone,
    normalize_id_number,
    normalize_phone,
    parse_id_number,
    validate_id_number,
    validate_phone,
)

TODAY = dt.date(2025, 6, 1)

# Published valid examples: the GB 11643 sample and a Guangxi (Longsheng area) number.
VALID_FEMALE = "11010519491231002X"
VALID_MALE = "450328201206010018"
# Check characters below were computed once and hard-coded; each number fails
# only on the property named.
FEB_30 = "110105201502300016"
FUTURE_2099 = "110105209901010012"
BEFORE_1900 = "110105189912310015"
LEAP_DAY_2015 = "110105201502290014"


def codes(error: ValidationError) -> list[str]:
    return [e.code for e in error.error_list]


class TestNormalize:
    def test_strips_all_kinds_of_whitespace(self):
        assert normalize_id_number(" 450328 2012\u300006010018\n") == VALID_MALE

    def test_converts_full_width_digits_and_x(self):
        assert normalize_id_number("１１０１０５１９４９１２３１００２ｘ") == VALID_FEMALE
        assert normalize_id_number("11010519491231002Ｘ") == VALID_FEMALE

    def test_upper_cases_x(self):
        assert normalize_id_number("11010519491231002x") == VALID_FEMALE

    def test_none_is_empty(self):
        assert normalize_id_number(None) == ""


class TestParse:
    def test_valid_female_with_x_check_char(self):
        info = parse_id_number(VALID_FEMALE, today=TODAY)
        assert info == IdInfo(VALID_FEMALE, dt.date(1949, 12, 31), "F")

    def test_valid_male(self):
        info = parse_id_number(VALID_MALE, today=TODAY)
        assert info.birth_date == dt.date(2012, 6, 1)
        assert info.sex == "M"

    def test_accepts_messy_input(self):
        assert parse_id_number("11010519491231002ｘ ", today=TODAY).number == VALID_FEMALE

    @pytest.mark.parametrize(
        "value",
        [
            VALID_MALE[:17],
            VALID_MALE + "1",
            "45032820120601001A",
            "4503282012060100X8",
            "",
            "450328-2012-0601-0018",
        ],
    )
    def test_wrong_length_or_characters(self, value):
        with pytest.raises(ValidationError) as exc:
            parse_id_number(value, today=TODAY)
        assert codes(exc.value) == ["id_format"]
        assert "公民身份号码应为18位" in exc.value.messages[0]

    def test_changed_digit_fails_checksum(self):
        changed = VALID_MALE[:3] + "4" + VALID_MALE[4:]
        with pytest.raises(ValidationError) as exc:
            parse_id_number(changed, today=TODAY)
        assert codes(exc.value) == ["id_checksum"]
        assert exc.value.messages == ["公民身份号码校验位错误，请核对"]

    def test_changed_check_char_fails_checksum(self):
        with pytest.raises(ValidationError) as exc:
            parse_id_number(VALID_FEMALE[:17] + "3", today=TODAY)
        assert codes(exc.value) == ["id_checksum"]

    @pytest.mark.parametrize("value", [FEB_30, LEAP_DAY_2015])
    def test_impossible_birth_date(self, value):
        with pytest.raises(ValidationError) as exc:
            parse_id_number(value, today=TODAY)
        assert codes(exc.value) == ["id_birth_date"]
        assert value[6:14] in exc.value.messages[0]

    def test_future_birth_date(self):
        with pytest.raises(ValidationError) as exc:
            parse_id_number(FUTURE_2099, today=TODAY)
        assert codes(exc.value) == ["id_future"]

    def test_born_today_is_accepted(self):
        number = make_synthetic_id_number("450328", TODAY, 901, "M")
        assert parse_id_number(number, today=TODAY).birth_date == TODAY

    def test_future_uses_local_date_by_default(self):
        tomorrow = dt.date.today() + dt.timedelta(days=2)
        number = make_synthetic_id_number("450328", tomorrow, 902, "F")
        with pytest.raises(ValidationError) as exc:
            parse_id_number(number)
        assert codes(exc.value) == ["id_future"]

    def test_before_1900(self):
        with pytest.raises(ValidationError) as exc:
            parse_id_number(BEFORE_1900, today=TODAY)
        assert codes(exc.value) == ["id_birth_date"]

    def test_unknown_area_code_is_not_rejected(self):
        number = make_synthetic_id_number("999999", dt.date(2010, 1, 1), 903, "M")
        assert parse_id_number(number, today=TODAY).sex == "M"


class TestValidator:
    def test_accepts_valid(self):
        assert validate_id_number(VALID_MALE) is None

    def test_rejects_invalid(self):
        with pytest.raises(ValidationError) as exc:
            validate_id_number(FEB_30)
        assert codes(exc.value) == ["id_birth_date"]


class TestCheckIdMatches:
    info = IdInfo(VALID_MALE, dt.date(2012, 6, 1), "M")

    def test_matching_values_pass(self):
        assert check_id_matches(self.info, dt.date(2012, 6, 1), "M") is None
        assert check_id_matches(self.info, dt.datetime(2012, 6, 1, 8, 0), "男") is None

    def test_empty_values_are_not_compared(self):
        assert check_id_matches(self.info) is None
        assert check_id_matches(self.info, None, "") is None

    def test_birth_date_mismatch(self):
        with pytest.raises(ValidationError) as exc:
            check_id_matches(self.info, birth_date=dt.date(2012, 6, 2))
        assert set(exc.value.message_dict) == {"birth_date"}
        assert "2012-06-01" in exc.value.message_dict["birth_date"][0]

    def test_both_mismatches_reported_together(self):
        with pytest.raises(ValidationError) as exc:
            check_id_matches(self.info, birth_date=dt.date(2011, 6, 1), sex="F")
        assert set(exc.value.message_dict) == {"birth_date", "sex"}
        assert "男" in exc.value.message_dict["sex"][0]


class TestMasking:
    def test_mask_id(self):
        # The last 4 only: the area code and the birth date are easy to learn from what
        # stands beside a mask (the county, the birth date), so they are not kept.
        assert mask_id_number(VALID_MALE) == "**************0018"
        assert mask_id_number(VALID_FEMALE) == "**************002X"

    def test_an_older_mask_comes_out_in_todays_form(self):
        assert mask_id_number("450328********0018") == "**************0018"

    @pytest.mark.parametrize("value", ["", None])
    def test_mask_empty_id(self, value):
        assert mask_id_number(value) == ""

    def test_mask_short_value_hides_everything(self):
        assert mask_id_number("12345") == "*" * 14

    @pytest.mark.parametrize(
        ("phone", "masked"),
        [
            ("13812341234", "138****1234"),
            ("138 1234 1234", "138****1234"),
            ("0773-1235678", "0773-****5678"),
            ("0773-12345678", "0773-****5678"),
            ("010-12345678", "010-****5678"),
            ("5678901", "****8901"),
            ("123", "***"),
            ("", ""),
            (None, ""),
        ],
    )
    def test_mask_phone(self, phone, masked):
        assert mask_phone(phone) == masked


class TestPhone:
    @pytest.mark.parametrize(
        "value", ["13812341234", "19912345678", "0773-1234567", "010-12345678"]
    )
    def test_valid(self, value):
        assert validate_phone(value) is None

    @pytest.mark.parametrize(
        "value",
        [
            "12812341234",
            "1381234123",
            "138123412345",
            "07731234567",
            "773-1234567",
            "0773-123456",
            "0773-123456789",
            "+8613812341234",
            "",
        ],
    )
    def test_invalid(self, value):
        with pytest.raises(ValidationError) as exc:
            validate_phone(value)
        assert codes(exc.value) == ["phone_format"]
        assert "联系电话格式不正确" in exc.value.messages[0]

    def test_normalize_phone(self):
        assert normalize_phone(" １３８ 1234 1234 ") == "13812341234"
        assert normalize_phone("0773－1234567") == "0773-1234567"


class TestSynthetic:
    def test_builds_valid_numbers(self):
        birth = dt.date(2016, 2, 29)
        male = make_synthetic_id_number("450328", birth, 999, "M")
        female = make_synthetic_id_number("450328", birth, 900, "F")
        assert male.startswith("45032820160229999")
        assert parse_id_number(male, today=TODAY) == IdInfo(male, birth, "M")
        assert parse_id_number(female, today=TODAY) == IdInfo(female, birth, "F")

    def test_recognises_synthetic_range(self):
        number = make_synthetic_id_number("450328", dt.date(2012, 6, 1), 911, "M")
        assert is_synthetic_id_number(number)
        assert not is_synthetic_id_number(VALID_MALE)
        assert not is_synthetic_id_number(VALID_FEMALE)

    def test_bad_checksum_is_not_synthetic(self):
        number = make_synthetic_id_number("450328", dt.date(2012, 6, 1), 911, "M")
        broken = number[:-1] + ("0" if number[-1] != "0" else "1")
        assert not is_synthetic_id_number(broken)
        assert not is_synthetic_id_number("")
        assert not is_synthetic_id_number(None)

    @pytest.mark.parametrize(
        ("area", "birth", "sequence", "sex"),
        [
            ("450328", dt.date(2012, 6, 1), 899, "M"),
            ("450328", dt.date(2012, 6, 1), 1000, "F"),
            ("450328", dt.date(2012, 6, 1), 900, "M"),
            ("450328", dt.date(2012, 6, 1), 901, "F"),
            ("45032", dt.date(2012, 6, 1), 901, "M"),
            ("450328", dt.date(1899, 12, 31), 901, "M"),
            ("450328", dt.date(2012, 6, 1), 901, "X"),
        ],
    )
    def test_refuses_bad_arguments(self, area, birth, sequence, sex):
        with pytest.raises(ValueError):
            make_synthetic_id_number(area, birth, sequence, sex)
