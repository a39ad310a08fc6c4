"""The Russian catalogue is complete, compiled and used.

Pure Python on purpose (no msgfmt needed): a small .po parser, the stdlib gettext module for the .mo.
When a check here fails after you added or changed an interface string: run `make messages`, translate the
new entries in kartoteka/locale/ru/LC_MESSAGES/django.po, then run `make messages` again to compile.
"""

from __future__ import annotations

import ast
import gettext
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kartoteka.conftest import client_for

PACKAGE_DIR = Path(__file__).resolve().parents[2]
RU_DIR = PACKAGE_DIR / "locale" / "ru" / "LC_MESSAGES"
RU_PO = RU_DIR / "django.po"
RU_MO = RU_DIR / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
HOW_TO_FIX = "run `make messages`, translate kartoteka/locale/ru/LC_MESSAGES/django.po, run `make messages` again"


@dataclass
class Entry:
    msgid: str = ""
    msgctxt: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)  # 0 for a singular entry, else the plural index
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False

    @property
    def key(self) -> str:
        return self.msgid if self.msgctxt is None else f"{self.msgctxt}\x04{self.msgid}"

    def __str__(self) -> str:
        return f"{self.msgctxt + ' | ' if self.msgctxt else ''}{self.msgid!r}"


def _unquote(text: str) -> str:
    return ast.literal_eval(text.strip())


def parse_po(path: Path) -> list[Entry]:
    """Entries of a .po file in order (the header is the entry with msgid ""). Enough for gettext's own output."""
    entries: list[Entry] = []
    entry = Entry()
    current: tuple[str, int] | None = None
    seen_keyword = False

    def finish() -> None:
        nonlocal entry, current, seen_keyword
        if seen_keyword:
            entries.append(entry)
        entry, current, seen_keyword = Entry(), None, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):
            entry.obsolete = True
            continue
        if line.startswith("#,"):
            entry.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        if line.startswith("#"):
            continue
        match = re.match(r"^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+(\".*\")$", line)
        if match:
            if match.group(1) in ("msgctxt", "msgid") and seen_keyword and entry.msgstr:
                finish()  # entries not separated by a blank line
            seen_keyword = True
            keyword, index, value = match.group(1), int(match.group(2) or 0), _unquote(match.group(3))
            current = (keyword, index)
            _append(entry, current, value, start=True)
        elif line.startswith('"') and current is not None:
            _append(entry, current, _unquote(line), start=False)
        else:
            raise AssertionError(f"{path}: cannot parse line {raw!r}")
    finish()
    return entries


def _append(entry: Entry, current: tuple[str, int], value: str, *, start: bool) -> None:
    keyword, index = current
    if keyword == "msgstr":
        entry.msgstr[index] = (value if start else entry.msgstr.get(index, "") + value)
    elif keyword == "msgctxt":
        entry.msgctxt = value if start else (entry.msgctxt or "") + value
    elif keyword == "msgid_plural":
        entry.msgid_plural = value if start else (entry.msgid_plural or "") + value
    else:
        entry.msgid = value if start else entry.msgid + value


@pytest.fixture(scope="module")
def ru_entries() -> list[Entry]:
    assert RU_PO.exists(), f"{RU_PO} is missing: {HOW_TO_FIX}"
    return parse_po(RU_PO)


def _header(entries: list[Entry]) -> dict[str, str]:
    header = next(e for e in entries if e.msgid == "" and e.msgctxt is None)
    return dict(re.findall(r"^([^:\n]+):\s*(.*)$", header.msgstr.get(0, ""), re.M))


def _messages(entries: list[Entry]) -> list[Entry]:
    return [e for e in entries if e.msgid and not e.obsolete]


def test_the_parser_reads_the_catalogue(ru_entries: list[Entry]) -> None:
    messages = _messages(ru_entries)
    assert len(messages) > 100
    assert any(e.msgid == "Companies" and e.msgstr[0] == "Компании" for e in messages)
    assert any(e.msgid_plural for e in messages)


def test_russian_catalogue_declares_three_plural_forms(ru_entries: list[Entry]) -> None:
    header = _header(ru_entries)
    assert header.get("Language") == "ru"
    assert "nplurals=3;" in header.get("Plural-Forms", "").replace(" ", "")
    assert "charset=UTF-8" in header.get("Content-Type", "")


def test_every_russian_entry_is_translated(ru_entries: list[Entry]) -> None:
    untranslated = []
    for entry in _messages(ru_entries):
        expected = range(3) if entry.msgid_plural else range(1)
        if any(not entry.msgstr.get(i, "").strip() for i in expected):
            untranslated.append(str(entry))
    assert not untranslated, f"untranslated entries ({HOW_TO_FIX}): {untranslated}"


def test_no_russian_entry_is_fuzzy(ru_entries: list[Entry]) -> None:
    fuzzy = [str(e) or "<header>" for e in ru_entries if "fuzzy" in e.flags and not e.obsolete]
    assert not fuzzy, f"check these translations and remove their `#, fuzzy` flag: {fuzzy}"


def test_translations_keep_every_placeholder(ru_entries: list[Entry]) -> None:
    broken = []
    for entry in _messages(ru_entries):
        sources = [entry.msgid] + ([entry.msgid_plural] if entry.msgid_plural else [])
        wanted = set().union(*(PLACEHOLDER.findall(s) for s in sources))
        for text in entry.msgstr.values():
            if text and set(PLACEHOLDER.findall(text)) != wanted:  # empty ones fail the test above
                broken.append(f"{entry} -> {text!r}")
    assert not broken, f"placeholders differ from the source: {broken}"


def test_compiled_catalogue_matches_the_po(ru_entries: list[Entry]) -> None:
    """The .mo holds every translation of the .po, unchanged: it was compiled after the last edit."""
    assert RU_MO.exists(), f"{RU_MO} is missing: {HOW_TO_FIX}"
    with RU_MO.open("rb") as fh:
        catalog = gettext.GNUTranslations(fh)._catalog  # type: ignore[attr-defined]
    stale = []
    for entry in _messages(ru_entries):
        if entry.msgid_plural:
            for index, text in entry.msgstr.items():
                if catalog.get((entry.key, index)) != text:
                    stale.append(f"{entry}[{index}]")
        elif catalog.get(entry.key) != entry.msgstr.get(0):
            stale.append(str(entry))
    assert not stale, f"django.mo is older than django.po ({HOW_TO_FIX}): {stale}"


# --- every string marked in the source is in the catalogue -------------------------------------------------

GETTEXT_FUNCTIONS = {
    "_": (None, 0), "gettext": (None, 0), "gettext_lazy": (None, 0), "gettext_noop": (None, 0),
    "ngettext": (None, 0), "ngettext_lazy": (None, 0),
    "pgettext": (0, 1), "pgettext_lazy": (0, 1), "npgettext": (0, 1), "npgettext_lazy": (0, 1),
}
TEMPLATE_TRANSLATE = re.compile(
    r"""\{%\s*(?:translate|trans)\s+(["'])(?P<msgid>.*?)\1(?:\s+context\s+(["'])(?P<ctx>.*?)\3)?[^%]*%\}"""
)
TEMPLATE_BLOCK = re.compile(
    r"\{%\s*(?:blocktranslate|blocktrans)\b(?P<args>[^%]*)%\}(?P<body>.*?)\{%\s*(?:endblocktranslate|endblocktrans)\s*%\}",
    re.S,
)
TEMPLATE_UNDERSCORE = re.compile(r"""_\((["'])(?P<msgid>.*?)\1\)""")


def _source_files(suffix: str) -> list[Path]:
    return [
        p for p in PACKAGE_DIR.rglob(f"*{suffix}")
        if not {"tests", "migrations", "testing", "static"} & set(p.relative_to(PACKAGE_DIR).parts)
    ]


def _python_keys() -> set[tuple[str | None, str]]:
    keys: set[tuple[str | None, str]] = set()
    for path in _source_files(".py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in GETTEXT_FUNCTIONS:
                continue
            ctx_pos, id_pos = GETTEXT_FUNCTIONS[name]
            args = node.args
            if len(args) <= id_pos or not isinstance(args[id_pos], ast.Constant) or not isinstance(args[id_pos].value, str):
                continue
            ctx = None
            if ctx_pos is not None:
                if not isinstance(args[ctx_pos], ast.Constant):
                    continue
                ctx = args[ctx_pos].value
            keys.add((ctx, args[id_pos].value))
    return keys


def _template_keys() -> set[tuple[str | None, str]]:
    keys: set[tuple[str | None, str]] = set()
    for path in _source_files(".html"):
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_TRANSLATE.finditer(text):
            keys.add((match.group("ctx"), match.group("msgid")))
        for match in TEMPLATE_UNDERSCORE.finditer(text):
            keys.add((None, match.group("msgid")))
        for match in TEMPLATE_BLOCK.finditer(text):
            ctx = re.search(r"""context\s+(["'])(.*?)\1""", match.group("args"))
            singular = re.split(r"\{%\s*plural\s*%\}", match.group("body"))[0]
            msgid = re.sub(r"\{\{\s*(\w+)\s*\}\}", r"%(\1)s", singular)
            keys.add((ctx.group(2) if ctx else None, msgid))
    return keys


def test_every_marked_string_is_in_the_catalogue(ru_entries: list[Entry]) -> None:
    known = {(e.msgctxt, e.msgid) for e in _messages(ru_entries)}
    marked = _python_keys() | _template_keys()
    assert len(marked) > 100
    missing = sorted(f"{ctx + ' | ' if ctx else ''}{msgid!r}" for ctx, msgid in marked - known)
    assert not missing, f"marked for translation but not in the catalogue ({HOW_TO_FIX}): {missing}"


# --- the interface is actually shown in Russian ------------------------------------------------------------

def _navigation(html: str) -> str:
    match = re.search(r'<nav class="mainnav".*?</nav>', html, re.S)
    assert match, "the main navigation is missing"
    return match.group(0)


@pytest.mark.django_db
def test_logged_in_page_in_russian_shows_russian_navigation(admin) -> None:
    admin.language = "ru"
    admin.save(update_fields=["language"])
    response = client_for(admin).get("/companies/", follow=True)
    assert response.status_code == 200
    nav = _navigation(response.content.decode())
    for label in ("Компании", "Контакты", "Корзина", "Дополнительные поля"):
        assert label in nav
    assert "Companies" not in nav


@pytest.mark.django_db
def test_browser_language_russian_without_profile_language(owner) -> None:
    response = client_for(owner).get("/contacts/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 200
    assert "Компании" in _navigation(response.content.decode())


@pytest.mark.django_db
def test_english_stays_the_source_language(owner) -> None:
    owner.language = "en"
    owner.save(update_fields=["language"])
    response = client_for(owner).get("/companies/")
    assert "Companies" in _navigation(response.content.decode())
