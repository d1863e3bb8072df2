"""The ledger's search by pinyin (children.selectors.search_q): the first-letter condition
it adds for the database's indexes finds exactly the children the plain rule finds."""

import pytest
from django.db.models import Q

from children.models import Child
from children.pinyin import pinyin_keys
from children.selectors import search_q
from tests import factories

NAMES = [
    "张小花",
    "张红",
    "赵晓华",
    "李丽",
    "黎明",
    "吕丽",
    "欧阳娜娜",
    "阿依古丽·买买提",
    "李A",
    "小Ｂ2",
    "Tom",
    "单行",
]


@pytest.mark.parametrize("name", NAMES)
def test_a_names_pinyin_and_initials_start_with_the_same_letter(name):
    # search_q relies on it: every match of a pinyin prefix has initials starting with the
    # prefix's first letter.
    full, initials = pinyin_keys(name)
    assert full and initials
    assert full[0] == initials[0]


def queries_of(names) -> set[str]:
    """Every prefix of one to four letters of each name's pinyin and initials, and each
    letter of the alphabet: hits, near misses and misses."""
    queries = set("abcdefghijklmnopqrstuvwxyz")
    for name in names:
        for key in pinyin_keys(name):
            queries |= {key[:n] for n in range(1, 5) if key[:n].isalpha()}
    return queries


@pytest.mark.django_db
def test_search_finds_the_children_whose_pinyin_or_initials_start_with_the_query():
    for name in NAMES:
        factories.ChildFactory(name=name)
    for query in sorted(queries_of(NAMES)):
        plain = Q(name_pinyin__startswith=query) | Q(name_initials__startswith=query)
        expected = set(Child.objects.filter(plain).values_list("name", flat=True))
        found = set(Child.objects.filter(search_q(query)).values_list("name", flat=True))
        assert found == expected, query

    # What the rule gives, by name: "zh" by pinyin, "zx" by initials, "zhang" tells 张 from
    # 赵, "li" finds 李丽 by its pinyin (its initials are "ll") and not 吕丽 ("lvli").
    def found(query):
        return set(Child.objects.filter(search_q(query)).values_list("name", flat=True))

    assert found("zh") == {"张小花", "张红", "赵晓华"}
    assert found("zx") == {"张小花", "赵晓华"}
    assert found("zhang") == {"张小花", "张红"}
    assert found("li") == {"李丽", "黎明", "李A"}
    assert found("ll") == {"李丽", "吕丽"}


@pytest.mark.django_db
def test_a_search_with_spaces_and_capitals_is_the_same_search():
    factories.ChildFactory(name="张小花")
    factories.ChildFactory(name="李明")
    for query in ["Zhang Xiao", "ZXH", " z ", "zhang\u3000xiao", "z x\th"]:
        names = set(Child.objects.filter(search_q(query)).values_list("name", flat=True))
        assert names == {"张小花"}, query
