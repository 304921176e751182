"""The Vietnamese of the libraries' catalogues, kept in the repository.

Wagtail and Django ship incomplete Vietnamese; the project keeps one complete catalogue per
upstream catalogue in ``locale/upstream/<dotted app name>/vi/LC_MESSAGES/<domain>.po``
(``django`` is Django's own ``django/conf/locale``), read through ``LOCALE_PATHS``. After an
upgrade, :func:`catalogue_refresh` merges the library's new English template into ours with
``msgmerge`` (new messages empty, changed ones fuzzy, both left out of the compiled ``.mo``
until translated) and :func:`catalogue_coverage` says how much is left to translate.
"""

import importlib.util
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

UPSTREAM_ROOT = Path(settings.BASE_DIR) / "locale" / "upstream"
# The project's own apps keep their catalogues in <app>/locale; they are not upstream.
PROJECT_APPS = {"lms", "content", "courses", "certificates"}
DOMAINS = ("django", "djangojs")


@dataclass(frozen=True)
class Catalogue:
    """One upstream catalogue: the library's English template and the project's Vietnamese."""

    app: str  # dotted app name, or "django" for Django's own messages
    domain: str
    template: Path

    @property
    def po(self) -> Path:
        return UPSTREAM_ROOT / self.app / "vi" / "LC_MESSAGES" / f"{self.domain}.po"

    @property
    def label(self) -> str:
        return self.app if self.domain == "django" else f"{self.app} ({self.domain})"


def _package_dir(name: str) -> Path | None:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def upstream_catalogues() -> list[Catalogue]:
    """Every catalogue with an English template among Django and the installed libraries."""
    from django.apps import apps

    sources = [("django", _package_dir("django") / "conf")]
    # By the app's package name: an entry may be an AppConfig of another module (the project's
    # users app config stands in for wagtail.users, whose catalogue it uses).
    names = [config.name for config in apps.get_app_configs()]
    sources += [(name, _package_dir(name)) for name in names if name not in PROJECT_APPS]
    catalogues = []
    for app, directory in sources:
        if directory is None:
            continue
        for domain in DOMAINS:
            template = directory / "locale" / "en" / "LC_MESSAGES" / f"{domain}.po"
            if template.exists():
                catalogues.append(Catalogue(app=app, domain=domain, template=template))
    return catalogues


@dataclass(frozen=True)
class Message:
    """One message of a catalogue: its context, singular and plural English, and Vietnamese."""

    msgctxt: str | None
    msgid: str
    msgid_plural: str | None
    msgstr: str
    fuzzy: bool


def _unquote(text: str) -> str:
    out, chars = [], iter(text[1:-1])
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}
    for char in chars:
        out.append(escapes.get(next(chars), "") if char == "\\" else char)
    return "".join(out)


def messages_read(path: Path) -> list[Message]:
    """The messages of a .po file (not the header, not obsolete entries)."""
    messages, entry, key = [], {}, None

    def flush():
        if entry.get("msgid"):
            messages.append(
                Message(
                    msgctxt=entry.get("msgctxt"),
                    msgid=entry["msgid"],
                    msgid_plural=entry.get("msgid_plural"),
                    msgstr=entry.get("msgstr", entry.get("msgstr[0]", "")),
                    fuzzy="fuzzy" in entry.get("flags", ""),
                )
            )

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            flush()
            entry, key = {}, None
        elif line.startswith("#,"):
            entry["flags"] = entry.get("flags", "") + line[2:]
        elif line.startswith("#"):
            continue
        elif line.startswith('"') and key:
            entry[key] += _unquote(line)
        else:
            key, _, value = line.partition(" ")
            entry[key] = _unquote(value)
    return messages


@dataclass(frozen=True)
class Coverage:
    catalogue: Catalogue
    total: int
    translated: int
    fuzzy: int

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    def __str__(self) -> str:
        fuzzy = f", {self.fuzzy} fuzzy" if self.fuzzy else ""
        return (
            f"{self.catalogue.label}: {self.translated}/{self.total} translated "
            f"({self.percent:.1f} %){fuzzy}"
        )


def catalogue_coverage(catalogue: Catalogue) -> Coverage:
    """How many of the English template's messages our .po translates (not fuzzy)."""
    wanted = {(m.msgctxt, m.msgid) for m in messages_read(catalogue.template)}
    ours = messages_read(catalogue.po) if catalogue.po.exists() else []
    done = {(m.msgctxt, m.msgid) for m in ours if m.msgstr and not m.fuzzy}
    fuzzy = {(m.msgctxt, m.msgid) for m in ours if m.fuzzy}
    return Coverage(
        catalogue=catalogue,
        total=len(wanted),
        translated=len(wanted & done),
        fuzzy=len(wanted & fuzzy),
    )


HEADER_FIELDS = {
    "Language": "vi",
    "Content-Type": "text/plain; charset=UTF-8",
    "Plural-Forms": "nplurals=1; plural=0;",
}


def _header_normalise(po: Path) -> None:
    """Vietnamese, UTF-8, one plural form; a header left fuzzy would not be compiled."""
    head, sep, rest = po.read_text(encoding="utf-8").partition("\n\n")
    lines = [line for line in head.splitlines() if line != "#, fuzzy"]
    for field, value in HEADER_FIELDS.items():
        wanted = f'"{field}: {value}\\n"'
        found = [i for i, line in enumerate(lines) if line.startswith(f'"{field}:')]
        if found:
            lines[found[0]] = wanted
        else:
            lines.append(wanted)
    po.write_text("\n".join(lines) + sep + rest, encoding="utf-8")


def _run(*args: str) -> None:
    # gettext's own tools, on paths of this repository and of the installed libraries.
    subprocess.run(args, check=True, capture_output=True, text=True)  # noqa: S603


def catalogue_refresh(catalogue: Catalogue) -> Coverage:
    """Merge the library's current English template into our .po and compile it.

    A catalogue the project has not started yet begins from the library's own Vietnamese
    (or from the bare template), so that nothing upstream already translated is lost.
    """
    po = catalogue.po
    if not po.exists():
        po.parent.mkdir(parents=True, exist_ok=True)
        upstream_vi = catalogue.template.parents[2] / "vi" / "LC_MESSAGES" / po.name
        start = upstream_vi if upstream_vi.exists() else catalogue.template
        _run("msgmerge", "--quiet", "--no-fuzzy-matching", "--no-wrap", "--no-location",
             str(start), str(catalogue.template), "-o", str(po))  # fmt: skip
    _run("msgmerge", "--quiet", "--update", "--backup=none", "--previous", "--no-wrap",
         "--no-location", str(po), str(catalogue.template))  # fmt: skip
    _header_normalise(po)
    _run("msgfmt", "--check", "-o", str(po.with_suffix(".mo")), str(po))
    return catalogue_coverage(catalogue)
