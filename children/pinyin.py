"""Pinyin search keys for names, so staff can find 张小花 by typing ``zxh``."""

from __future__ import annotations

import unicodedata

from pypinyin import Style, lazy_pinyin

# Names of Uyghur, Tibetan and other minority children are written with a
# middle dot between the parts (阿依古丽·买买提); nobody types it when searching.
_SEPARATORS = frozenset("·・•‧.")


def _split_chars(text: str) -> list[str]:
    # pypinyin passes runs of non-Chinese text here; splitting them into single
    # characters lets pinyin_keys tell syllables (always 1 item per hanzi) apart.
    return list(text)


def pinyin_keys(name: str | None) -> tuple[str, str]:
    """Return ``(full, initials)`` in lower case without spaces.

    ``张小花`` gives ``("zhangxiaohua", "zxh")``. Only the default reading of a
    heteronym is used; characters that are not Chinese are kept (lower-cased)
    in both keys. ``ü`` is written ``v``, as on a pinyin keyboard.
    """
    if not name:
        return "", ""
    text = unicodedata.normalize("NFKC", name)
    full: list[str] = []
    initials: list[str] = []
    for item in lazy_pinyin(text, style=Style.NORMAL, errors=_split_chars):
        if item.isspace() or item in _SEPARATORS:
            continue
        item = item.lower()
        full.append(item)
        # Non-Chinese characters arrive one per item, so a multi-letter item is
        # always a syllable; single letters are their own initial either way.
        initials.append(item[0])
    return "".join(full), "".join(initials)


def looks_like_pinyin(query: str | None) -> bool:
    """True when ``query`` consists of ASCII letters only (spaces ignored)."""
    if not query:
        return False
    compact = "".join(query.split())
    return compact.isascii() and compact.isalpha()
