import pytest

from children.pinyin import looks_like_pinyin, pinyin_keys


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("张小花", ("zhangxiaohua", "zxh")),
        ("吕丽", ("lvli", "ll")),
        ("张 小花", ("zhangxiaohua", "zxh")),
        ("阿依古丽·买买提", ("ayigulimaimaiti", "ayglmmt")),
        ("李A", ("lia", "la")),
        ("小Ｂ2", ("xiaob2", "xb2")),
        ("Tom", ("tom", "tom")),
    ],
)
def test_pinyin_keys(name, keys):
    assert pinyin_keys(name) == keys


@pytest.mark.parametrize(("name", "keys"), [("单", ("dan", "d")), ("行", ("xing", "x"))])
def test_heteronym_gives_one_default_reading(name, keys):
    # With heteronym=True pypinyin would return several readings per character.
    assert pinyin_keys(name) == keys


@pytest.mark.parametrize("name", ["", None])
def test_empty_name(name):
    assert pinyin_keys(name) == ("", "")


def test_keys_are_lower_case_ascii_for_chinese():
    full, initials = pinyin_keys("欧阳娜娜")
    assert full == "ouyangnana"
    assert initials == "oynn"
    assert full.isascii() and full.islower()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("zxh", True),
        ("ZhangXiao", True),
        ("zhang xiao", True),
        ("张", False),
        ("zx1", False),
        ("ｚｘｈ", False),
        ("zhāng", False),
        ("", False),
        ("   ", False),
        (None, False),
    ],
)
def test_looks_like_pinyin(query, expected):
    assert looks_like_pinyin(query) is expected
