"""Village names as the official list writes them and as the ledger writes them.

The official list (国家统计局 统计用区划代码) names the committee: 山东村委会, 城南社区居委会,
瓢里街社区居民委员会. The ledger names the place: 山东村, 城南社区. Both mean the same village,
so every comparison of names compares their ``ledger_name``, never the raw names.
"""

import re

# Longest first, so 社区居民委员会 is not read as 居民委员会 after 社区.
_SUFFIXES = (
    ("社区居民委员会", "社区"),
    ("社区居委会", "社区"),
    ("村民委员会", "村"),
    ("居民委员会", "社区"),
    ("村委会", "村"),
    ("居委会", "社区"),
)
_SPACES = re.compile(r"\s+")


def ledger_name(name: str) -> str:
    """The ledger's name for a village: 山东村委会 → 山东村, 城南社区居委会 → 城南社区."""
    text = _SPACES.sub("", name or "")
    for suffix, short in _SUFFIXES:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)] + short
    return text
