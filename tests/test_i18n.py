"""English through Django i18n: the committed catalog is complete, compiled and used.

The UI is written in Chinese (the msgids); English comes from locale/en/LC_MESSAGES. The .mo
is committed so that installing needs no gettext tools, which is why these tests read the .po
and .mo themselves (no polib, no msgfmt in CI).
"""

import ast
import gettext
import re
import struct
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation

LOCALE_DIR = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES"
PO_PATH = LOCALE_DIR / "django.po"
MO_PATH = LOCALE_DIR / "django.mo"
CJK = re.compile(r"[\u4e00-\u9fff]")


# --- a minimal .po reader ------------------------------------------------------------------


@dataclass
class PoEntry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: str = ""
    msgstr_plural: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0

    @property
    def mo_key(self) -> str:
        """How the entry's original is stored in a .mo file."""
        key = self.msgid if self.msgid_plural is None else f"{self.msgid}\0{self.msgid_plural}"
        return key if self.msgctxt is None else f"{self.msgctxt}\x04{key}"


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+"(.*)"$')


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), "\\" + m.group(1)), text)


def read_po(path: Path) -> tuple[PoEntry, list[PoEntry], int]:
    """(header, entries, number of obsolete "#~" lines)."""
    entries: list[PoEntry] = []
    obsolete = 0
    current: PoEntry | None = None
    target: tuple[str, int | None] | None = None
    flags: set[str] = set()

    def flush():
        nonlocal current, target, flags
        if current is not None:
            entries.append(current)
        current, target, flags = None, None, set()

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line:
            flush()
            continue
        if line.startswith("#~"):
            obsolete += 1
            continue
        if line.startswith("#,"):
            flags |= {flag.strip() for flag in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, text = match.groups()
            if keyword in ("msgctxt", "msgid") and current is not None and target is not None:
                if target[0] == "msgstr":  # a new entry without a blank line before it
                    flush()
            if current is None:
                current = PoEntry(flags=flags, line=number)
            value = _unquote(text)
            if keyword.startswith("msgstr"):
                if index is None:
                    current.msgstr = value
                    target = ("msgstr", None)
                else:
                    current.msgstr_plural[int(index)] = value
                    target = ("msgstr", int(index))
            else:
                setattr(current, keyword, value)
                target = (keyword, None)
            continue
        if line.startswith('"') and line.endswith('"') and current is not None and target:
            value = _unquote(line[1:-1])
            keyword, index = target
            if keyword == "msgstr" and index is not None:
                current.msgstr_plural[index] += value
            else:
                setattr(current, keyword, getattr(current, keyword) + value)
            continue
        raise AssertionError(f"{path.name}:{number}: cannot read {raw!r}")
    flush()
    header = entries.pop(0)
    assert header.msgid == "", "the .po must start with its header entry"
    return header, entries, obsolete


def mo_originals(path: Path) -> set[str]:
    """The original strings stored in a GNU .mo file (header excluded)."""
    data = path.read_bytes()
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">"
    _revision, count, originals_at = struct.unpack(order + "3I", data[4:16])
    keys = set()
    for i in range(count):
        length, offset = struct.unpack(
            order + "2I", data[originals_at + 8 * i : originals_at + 8 * i + 8]
        )
        keys.add(data[offset : offset + length].decode("utf-8"))
    keys.discard("")
    return keys


def placeholders(text: str) -> list[str]:
    return sorted(re.findall(r"%\([^)]+\)[-#0 +]*\d*(?:\.\d+)?[sdfr]|%%", text))


@pytest.fixture(autouse=True)
def default_language():
    """The test client leaves the last request's language active in the thread: start each
    test in the default language (so fixtures are created as in production) and leave none
    behind for other test modules."""
    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="module")
def catalog():
    return read_po(PO_PATH)


# --- the catalog ---------------------------------------------------------------------------


def test_catalog_has_english_plural_forms_and_no_fuzzy_header(catalog):
    header, _entries, _obsolete = catalog
    assert "Language: en\\n" in header.msgstr.replace("\n", "\\n")
    assert "nplurals=2; plural=(n != 1);" in header.msgstr
    assert "fuzzy" not in header.flags


def test_every_message_has_an_english_translation(catalog):
    _header, entries, obsolete = catalog
    assert len(entries) > 1000, "the catalog looks truncated"
    assert obsolete == 0, "delete obsolete (#~) entries after makemessages"
    untranslated = [
        e.msgid
        for e in entries
        if (e.msgid_plural is None and not e.msgstr)
        or (
            e.msgid_plural is not None
            and (len(e.msgstr_plural) != 2 or not all(e.msgstr_plural.values()))
        )
    ]
    assert untranslated == []
    assert [e.msgid for e in entries if "fuzzy" in e.flags] == []


def test_translations_keep_placeholders_and_are_english(catalog):
    _header, entries, _obsolete = catalog
    for e in entries:
        translations = [e.msgstr] if e.msgid_plural is None else list(e.msgstr_plural.values())
        for text in translations:
            assert placeholders(text) == placeholders(e.msgid), (e.msgid, text)
            # Chinese may remain only where it quotes something the user must type in Chinese
            # (spreadsheet headers, sheet names, 是/否) or names an app by its Chinese name.
            assert CJK.sub("", text) != "", (e.msgid, text)
            assert re.search(r"[A-Za-z]", text), (e.msgid, text)


def test_committed_mo_matches_the_po(catalog):
    """The compiled catalog holds exactly the .po's messages, translated the same way."""
    _header, entries, _obsolete = catalog
    assert mo_originals(MO_PATH) == {e.mo_key for e in entries}

    class Missing(gettext.NullTranslations):
        def gettext(self, message):
            return "<missing>"

        def ngettext(self, singular, plural, n):
            return "<missing>"

        def pgettext(self, context, message):
            return "<missing>"

    with MO_PATH.open("rb") as handle:
        mo = gettext.GNUTranslations(handle)
    mo.add_fallback(Missing())
    for e in entries:
        if e.msgid_plural is not None:
            assert mo.ngettext(e.msgid, e.msgid_plural, 1) == e.msgstr_plural[0], e.msgid
            assert mo.ngettext(e.msgid, e.msgid_plural, 5) == e.msgstr_plural[1], e.msgid
        elif e.msgctxt is not None:
            assert mo.pgettext(e.msgctxt, e.msgid) == e.msgstr, e.msgid
        else:
            assert mo.gettext(e.msgid) == e.msgstr, e.msgid


# --- every marked string is in the catalog ---------------------------------------------------

_GETTEXT_FUNCTIONS = {"gettext", "gettext_lazy", "gettext_noop", "pgettext", "pgettext_lazy"}
_NGETTEXT_FUNCTIONS = {"ngettext", "ngettext_lazy", "npgettext", "npgettext_lazy"}


def _project_roots() -> list[Path]:
    base = Path(settings.BASE_DIR).resolve()
    roots = {Path(config.path).resolve() for config in apps.get_app_configs()}
    roots = {root for root in roots if base in root.parents and ".venv" not in root.parts}
    roots.add(base / "longsheng_care")
    return sorted(roots)


def _marked_in_python(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                aliases[alias.asname or alias.name] = alias.name
    found = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        function = aliases.get(node.func.id)
        strings = [a.value for a in node.args if isinstance(a, ast.Constant)]
        strings = [s for s in strings if isinstance(s, str)]
        if function in _GETTEXT_FUNCTIONS and strings:
            found.add(strings[-1])  # pgettext's context comes first
        elif function in _NGETTEXT_FUNCTIONS and len(strings) >= 2:
            found.add(strings[-2])
    return found


_TRANSLATE_TAG = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.*?)\1""", re.S)
_FILTER_ARG = re.compile(r"""_\((["'])(.*?)\1\)""")
_BLOCK = re.compile(r"{%\s*blocktrans(?:late)?\b[^%]*%}(.*?){%\s*endblocktrans(?:late)?\s*%}", re.S)


def _marked_in_template(path: Path) -> set[str]:
    text = path.read_text(encoding="utf-8")
    found = {m.group(2) for m in _TRANSLATE_TAG.finditer(text)}
    found |= {m.group(2) for m in _FILTER_ARG.finditer(text)}
    for block in _BLOCK.finditer(text):
        singular = re.split(r"{%\s*plural\s*%}", block.group(1))[0]
        found.add(re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", singular))
    return found


def test_every_marked_string_is_in_the_english_catalog(catalog):
    """A string marked for translation after the last makemessages would show in Chinese to
    English users: re-run makemessages, translate, compile and commit the catalog."""
    _header, entries, _obsolete = catalog
    known = {e.msgid for e in entries}
    marked: dict[str, str] = {}
    for root in _project_roots():
        for path in root.rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for message in _marked_in_python(path):
                marked.setdefault(message, str(path.relative_to(settings.BASE_DIR)))
    for path in (Path(settings.BASE_DIR) / "templates").rglob("*.html"):
        for message in _marked_in_template(path):
            marked.setdefault(message, str(path.relative_to(settings.BASE_DIR)))
    assert len(marked) > 1000
    missing = sorted(
        f"{where}: {message}" for message, where in marked.items() if message not in known
    )
    assert not missing, (
        "Marked for translation but not in locale/en (run makemessages, translate, compile; "
        "makemessages only sees _, gettext, gettext_lazy, ngettext… — not other aliases):\n"
        + "\n".join(missing)
    )


def _eager_gettext_at_import(path: Path) -> list[str]:
    """gettext() calls that run when the module is imported (module or class level)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    eager = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation"
        for alias in node.names
        if alias.name in ("gettext", "ngettext", "pgettext", "npgettext")
    }
    found = []

    def visit(body):
        for statement in body:
            if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            if isinstance(statement, ast.ClassDef):
                visit(statement.body)
                continue
            for node in ast.walk(statement):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Name)
                    and node.func.id in eager
                ):
                    found.append(f"{path.relative_to(settings.BASE_DIR)}:{node.lineno}")

    if eager:
        visit(tree.body)
    return found


def test_no_string_is_translated_once_at_import():
    """gettext() at module or class level runs once, in the default language, so English
    users would see Chinese: such constants must use gettext_lazy."""
    found = []
    for root in _project_roots():
        for path in sorted(root.rglob("*.py")):
            if "migrations" not in path.parts:
                found += _eager_gettext_at_import(path)
    assert not found, "use gettext_lazy for these constants:\n" + "\n".join(found)


# --- pages ---------------------------------------------------------------------------------


def _english(client: Client) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_login_page_is_english_for_an_english_browser(db):
    response = Client(headers={"accept-language": "en"}).get(reverse("accounts:login"))
    content = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="en">' in content
    for text in ("Log in", "Username", "Password", "Psychological Care Platform"):
        assert text in content
    # Every word of the login page is translated, including the footer.
    assert CJK.findall(content) == []


def test_login_page_is_chinese_without_a_language_preference(db):
    content = Client().get(reverse("accounts:login")).content.decode()
    assert '<html lang="zh-hans">' in content
    for text in ("登录", "用户名", "密码"):
        assert text in content
    assert "Log in" not in content and "Password" not in content


def test_choosing_english_through_setlang_switches_the_pages(county_admin, client_for):
    client = client_for(county_admin)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    content = client.get(reverse("home")).content.decode()
    assert "Workbench" in content and "工作台" not in content


def test_home_page_is_english_for_a_county_admin_who_chose_english(county_admin, client_for):
    content = _english(client_for(county_admin)).get(reverse("home")).content.decode()
    assert '<html lang="en">' in content
    for text in ("Workbench", "Child ledger", "Home visit records", "Care services", "Log out"):
        assert text in content
    for text in ("工作台", "儿童台账", "家访记录", "关爱服务", "退出"):
        assert text not in content


def test_ledger_list_is_english_and_keeps_the_childs_name(county_admin, client_for, shandong_child):
    content = _english(client_for(county_admin)).get(reverse("children:list")).content.decode()
    for text in ("Ledger of children in difficulty", "Register a child", "Risk level", "Search"):
        assert text in content
    for text in ("困境儿童台账", "登记儿童", "风险等级", "搜索"):
        assert text not in content
    # Data are not translated: names stay as registered.
    assert "张小花" in content


def test_home_and_ledger_are_chinese_without_a_language_preference(
    county_admin, client_for, shandong_child
):
    client = client_for(county_admin)
    home = client.get(reverse("home")).content.decode()
    assert "工作台" in home and "儿童台账" in home
    assert "Workbench" not in home and "Child ledger" not in home
    ledger = client.get(reverse("children:list")).content.decode()
    assert "困境儿童台账" in ledger and "登记儿童" in ledger
    assert "Ledger of children in difficulty" not in ledger


@pytest.mark.parametrize(
    ("days", "english"),
    [(1, "1 day left until the report deadline"), (3, "3 days left until the report deadline")],
)
def test_counts_take_the_plural_form_of_the_readers_language(days, english):
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override("en"):
        assert english in render_to_string("reports/_countdown.html", {"days_left": days})
    with translation.override("zh-hans"):
        assert f"距报送截止还有 {days} 天" in render_to_string(
            "reports/_countdown.html", {"days_left": days}
        )
