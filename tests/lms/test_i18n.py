"""The Vietnamese catalogue is complete and compiled."""

import ast
import re
from pathlib import Path

from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
APPS = ("lms", "content", "courses", "certificates")
# Each app keeps its own Vietnamese catalogue in <app>/locale/vi/LC_MESSAGES/django.po.
CATALOGUES = [
    ROOT / app / "locale" / "vi" / "LC_MESSAGES" / "django.po"
    for app in APPS
    if (ROOT / app / "locale").exists()
] + [
    ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po",  # library strings Wagtail lacks
    ROOT / "locale" / "wagtailmedia" / "vi" / "LC_MESSAGES" / "django.po",  # wagtailmedia's
]


def _unquote(lines: list[str]) -> str:
    return "".join(ast.literal_eval(line) for line in lines)


def parse_po(path: Path) -> list[dict]:
    """A small .po reader: msgid, msgid_plural, msgstr, msgstr[0], flags."""
    entries, current, key = [], {"flags": set()}, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            if "msgid" in current:
                entries.append(current)
            current, key = {"flags": set()}, None
        elif line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and key:
            current[key].append(line)
        else:
            key, _, value = line.partition(" ")
            current[key] = [value]
    for entry in entries:
        for k in list(entry):
            if k != "flags":
                entry[k] = _unquote(entry[k])
    return [e for e in entries if e["msgid"]]


def all_entries() -> list[dict]:
    return [entry for po in CATALOGUES for entry in parse_po(po)]


def test_every_vietnamese_entry_is_translated_and_not_fuzzy():
    entries = all_entries()
    assert entries
    untranslated = [e["msgid"] for e in entries if not (e.get("msgstr") or e.get("msgstr[0]"))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


def test_compiled_catalogue_matches_the_po_file():
    with translation.override("vi"):
        for entry in all_entries():
            if "msgid_plural" in entry or "python-format" in entry["flags"]:
                continue
            if "msgctxt" in entry:
                continue
            assert translation.gettext(entry["msgid"]) == entry["msgstr"], entry["msgid"]


SOURCE_PATTERNS = [
    re.compile(r"""\b_\(\s*"((?:[^"\\]|\\.)+)"\s*\)"""),
    re.compile(r"""{%\s*translate\s+"((?:[^"\\]|\\.)+)"\s*(?:as \w+\s*)?%}"""),
    re.compile(r"""{%\s*trans\s+"((?:[^"\\]|\\.)+)"\s*%}"""),
]


def test_strings_in_the_code_are_in_the_catalogue():
    known = {e["msgid"] for e in all_entries()}
    missing = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*"):
            if path.suffix not in {".py", ".html", ".txt"} or "migrations" in path.parts:
                continue
            text = path.read_text(encoding="utf-8")
            for pattern in SOURCE_PATTERNS:
                for match in pattern.findall(text):
                    msgid = ast.literal_eval(f'"{match}"')
                    if msgid not in known:
                        missing.add(f"{path.relative_to(ROOT)}: {msgid}")
    assert sorted(missing) == [], "run `make messages` and translate the new strings"
