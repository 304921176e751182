"""The first sheet of an XLSX workbook as rows of cell values, streamed within the import
limits (lms.spreadsheet_limits).

openpyxl, which writes the exports, reads a workbook by loading its whole shared-strings
table and by trusting the sizes in the zip's headers: a small hostile file then takes minutes
and gigabytes before its first row. This reader opens only the parts an import needs (the
relationships, the workbook, the styles, the shared strings and the first worksheet); refuses
a file whose headers declare more unpacked bytes than allowed; counts the bytes each part
really unpacks to while it reads, whatever its header says; parses each part event by event
with expat (no DTD, no markup token larger than MAX_PENDING); keeps the shared strings packed
in one buffer; and stops at the first cell, row or part over a limit.

The values are those of openpyxl's read-only mode with data_only: text, int or float, bool,
and datetime (or timedelta) for a number in a date (or duration) format.
"""

from __future__ import annotations

import copy
import posixpath
import pyexpat
import zipfile
import zlib
from array import array
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import (
    CALENDAR_MAC_1904,
    CALENDAR_WINDOWS_1900,
    from_excel,
    from_ISO8601,
)

from lms.spreadsheet_limits import (
    EXCEL_MAX_COLUMNS,
    EXCEL_MAX_ROWS,
    ImportFileError,
    ImportLimits,
    InlineBudget,
    Places,
)

CHUNK = 64 * 1024
# expat holds a tag, an attribute or a comment whole until it ends; no genuine workbook has
# one this long, so a part that has is refused before the buffer grows.
MAX_PENDING = 1024 * 1024
MAX_PARTS = 10_000  # members of the zip
MAX_STYLES = 65_536  # cell formats (Excel allows 64,000)
MAX_SHEETS = 10_000

_OFFICE_DOCUMENT = "/officeDocument"
_WORKSHEET = "/worksheet"
_SHARED_STRINGS = "/sharedStrings"
_STYLES = "/styles"


def unreadable() -> ImportFileError:
    return ImportFileError(_("The XLSX file cannot be read."))


class _Unpacked:
    """The bytes unpacked so far from the zip, against the limit and the request's budget."""

    def __init__(self, limits: ImportLimits, budget: InlineBudget | None):
        self.limits = limits
        self.budget = budget
        self.total = 0

    def check(self, total: int) -> None:
        if total > self.limits.uncompressed_bytes:
            raise self.limits.too_large_unpacked()
        if self.budget is not None:
            self.budget.check_bytes(total)

    def add(self, size: int) -> None:
        self.total += size
        self.check(self.total)


class _Package:
    """The zip: its parts by name, the headers' sizes checked, and each part read counted."""

    def __init__(self, stream: IO[bytes], unpacked: _Unpacked):
        self.unpacked = unpacked
        try:
            self.zip = zipfile.ZipFile(stream)
            infos = self.zip.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise unreadable() from exc
        if len(infos) > MAX_PARTS:
            raise unreadable()
        unpacked.check(sum(info.file_size for info in infos))
        self.parts = {info.filename: info for info in infos}
        self.folded = {name.lower(): info for name, info in self.parts.items()}

    def close(self) -> None:
        self.zip.close()

    def find(self, name: str) -> zipfile.ZipInfo | None:
        name = name.lstrip("/")
        return self.parts.get(name) or self.folded.get(name.lower())

    def read(self, info: zipfile.ZipInfo) -> Iterator[bytes]:
        """The part's bytes, chunk by chunk, each one counted as it unpacks.

        zipfile stops at the size the header declares. Handed a copy of the header that
        declares more than the limit, it reads to the real end of the data instead: the
        bytes are counted for what they are, and a part whose real size is not the declared
        one is refused as unreadable."""
        if info.flag_bits & 0x1 or info.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            raise unreadable()  # encrypted, or a compression no spreadsheet program writes
        real = copy.copy(info)
        real.file_size = self.unpacked.limits.uncompressed_bytes + 1
        size = 0
        try:
            with self.zip.open(real) as stream:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    self.unpacked.add(len(chunk))
                    yield chunk
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError) as exc:
            raise unreadable() from exc
        if size != info.file_size:
            raise unreadable()


_LOCAL_NAMES: dict[str, str] = {}


def _local(name: str) -> str:
    """An element's name without its namespace ("...spreadsheetml/2006/main}row" -> "row");
    the few names of a workbook are remembered, a hostile file's endless ones are not."""
    try:
        return _LOCAL_NAMES[name]
    except KeyError:
        local = name.rpartition("}")[2]
        if len(_LOCAL_NAMES) < 1000:
            _LOCAL_NAMES[name] = local
        return local


class _Stop(Exception):  # noqa: N818 - ends a parse early, never leaves this module
    pass


class _Part:
    """Feeds a part to expat chunk by chunk; subclasses handle the elements by local name."""

    def __init__(self):
        parser = pyexpat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.buffer_size = CHUNK
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.CharacterDataHandler = self.text
        parser.StartDoctypeDeclHandler = self._refuse
        parser.EntityDeclHandler = self._refuse
        self.parser = parser

    @staticmethod
    def _refuse(*args) -> None:
        raise unreadable()  # a DTD: entities that could expand, and no workbook has one

    def start(self, name: str, attrs: dict) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass

    def feed(self, chunks: Iterable[bytes]) -> Iterator[None]:
        """Parse the chunks, pausing (yielding) after each one."""
        parser = self.parser
        fed = 0
        try:
            for chunk in chunks:
                parser.Parse(chunk, False)
                fed += len(chunk)
                if fed - max(parser.CurrentByteIndex, 0) > MAX_PENDING:
                    raise unreadable()
                yield
            parser.Parse(b"", True)
        except pyexpat.ExpatError as exc:
            raise unreadable() from exc

    def parse(self, chunks: Iterable[bytes]) -> None:
        try:
            for _chunk in self.feed(chunks):
                pass
        except _Stop:
            pass


class _Relationships(_Part):
    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str, str]] = []  # (id, type, target)

    def start(self, name, attrs):
        if _local(name) == "Relationship" and attrs.get("TargetMode") != "External":
            if len(self.found) >= MAX_PARTS:
                raise unreadable()
            self.found.append((attrs.get("Id", ""), attrs.get("Type", ""), attrs.get("Target", "")))


class _Workbook(_Part):
    def __init__(self):
        super().__init__()
        self.date1904 = False
        self.sheets: list[str] = []  # relationship ids, in the workbook's order

    def start(self, name, attrs):
        local = _local(name)
        if local == "workbookPr":
            self.date1904 = attrs.get("date1904", "").lower() in ("1", "true")
        elif local == "sheet":
            if len(self.sheets) >= MAX_SHEETS:
                raise unreadable()
            rel = next((v for k, v in attrs.items() if "}" in k and _local(k) == "id"), "")
            self.sheets.append(rel)


class _Styles(_Part):
    """Which cell formats show a number as a date or a duration (as openpyxl decides)."""

    def __init__(self):
        super().__init__()
        self.custom: dict[int, str] = {}
        self.formats: list[int] = []  # numFmtId of each cell format (cellXfs), in order
        self.in_cell_formats = False

    def start(self, name, attrs):
        local = _local(name)
        try:
            if local == "xf" and self.in_cell_formats:
                if len(self.formats) >= MAX_STYLES:
                    raise unreadable()
                self.formats.append(int(attrs.get("numFmtId") or 0))
            elif local == "cellXfs":
                self.in_cell_formats = True
            elif local == "numFmt":
                if len(self.custom) >= MAX_STYLES:
                    raise unreadable()
                self.custom[int(attrs.get("numFmtId") or 0)] = attrs.get("formatCode", "")
        except ValueError as exc:
            raise unreadable() from exc

    def end(self, name):
        if _local(name) == "cellXfs":
            self.in_cell_formats = False

    def kinds(self) -> tuple[set[int], set[int]]:
        dates, durations = set(), set()
        for index, format_id in enumerate(self.formats):
            code = self.custom.get(format_id) or BUILTIN_FORMATS.get(format_id)
            if code is None:
                continue
            if is_date_format(code):
                dates.add(index)
            if is_timedelta_format(code):
                durations.add(index)
        return dates, durations


class _SharedStrings(_Part):
    """The shared-strings table, packed: every text in one UTF-8 buffer and the end of each
    in an array, so that a table of millions of small strings costs a few bytes each. A text
    over the cell limit is refused as it is read."""

    CACHE = 4096

    def __init__(self, limits: ImportLimits):
        super().__init__()
        self.limit = limits.cell_chars
        self.limits = limits
        self.buffer = bytearray()
        self.ends = array("I")
        self.parts: list[str] | None = None  # the text of the current string
        self.length = 0
        self.collecting = False
        self.phonetic = 0
        self.cache: dict[int, str] = {}

    def start(self, name, attrs):
        local = _local(name)
        if local == "t":
            self.collecting = self.parts is not None and not self.phonetic
        elif local == "si":
            self.parts, self.length = [], 0
        elif local == "rPh":
            self.phonetic += 1

    def end(self, name):
        local = _local(name)
        if local == "t":
            self.collecting = False
        elif local == "si" and self.parts is not None:
            self.buffer += "".join(self.parts).encode("utf-8")
            self.ends.append(len(self.buffer))
            self.parts = None
        elif local == "rPh":
            self.phonetic -= 1

    def text(self, data):
        if self.collecting:
            self.length += len(data)
            if self.length > self.limit:
                raise self.limits.cell_too_long()
            self.parts.append(data)

    def get(self, index: int) -> str:
        try:
            return self.cache[index]
        except KeyError:
            pass
        if not 0 <= index < len(self.ends):
            raise unreadable()
        start = self.ends[index - 1] if index else 0
        value = self.buffer[start : self.ends[index]].decode("utf-8")
        if len(self.cache) < self.CACHE:
            self.cache[index] = value
        return value


def _column_index(reference: str, cache: dict[str, int]) -> int:
    letters = reference.rstrip("0123456789")
    try:
        return cache[letters]
    except KeyError:
        pass
    if not letters or len(letters) > 3 or not letters.isalpha() or not letters.isascii():
        raise unreadable()
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    cache[letters] = index
    return index


def _number(text: str) -> int | float:
    if "." in text or "E" in text or "e" in text:
        return float(text)
    return int(text)


class _Sheet(_Part):
    """The cells of a worksheet, a row at a time: each finished row with a value is put in
    `ready` as (sheet row, values), values[i] being the cell of column i + 1."""

    def __init__(self, *, strings, dates, durations, epoch, limits: ImportLimits, places):
        super().__init__()
        self.strings = strings
        self.dates = dates
        self.durations = durations
        self.epoch = epoch
        self.limits = limits
        self.places = places
        self.ready: list[tuple[int, list]] = []
        self.dimension: str | None = None
        self.stop_at_data = False
        self.row = 0  # sheet row of the current row
        self.cells: dict[int, Any] = {}
        self.column = 0
        self.row_cells = 0  # cell elements in the current row, valued or not
        self.kind = "n"
        self.style = 0
        self.parts: list[str] = []
        self.length = 0
        self.has_value = False
        self.collecting = False
        self.inline = False
        self.phonetic = 0
        self.letters: dict[str, int] = {}

    def start(self, name, attrs):
        local = _local(name)
        if local == "c":
            reference = attrs.get("r")
            column = _column_index(reference, self.letters) if reference else self.column + 1
            self.row_cells += 1
            if column > EXCEL_MAX_COLUMNS or self.row_cells > EXCEL_MAX_COLUMNS:
                raise unreadable()
            self.column = column
            self.kind = attrs.get("t", "n")
            style = attrs.get("s")
            try:
                self.style = int(style) if style else 0
            except ValueError as exc:
                raise unreadable() from exc
            self.parts, self.length, self.has_value = [], 0, False
        elif local == "v":
            self.collecting = self.kind != "inlineStr"
        elif local == "t":
            self.collecting = self.inline and not self.phonetic
        elif local == "row":
            number = attrs.get("r")
            try:
                row = int(number) if number else self.row + 1
            except ValueError as exc:
                raise unreadable() from exc
            self.row = max(row, self.row + 1)
            if self.row > EXCEL_MAX_ROWS:
                raise unreadable()
            self.cells = {}
            self.column = self.row_cells = 0
        elif local == "is":
            self.inline = True
        elif local == "rPh":
            self.phonetic += 1
        elif local == "dimension":
            self.dimension = attrs.get("ref")
        elif local == "sheetData" and self.stop_at_data:
            raise _Stop

    def end(self, name):
        local = _local(name)
        if local == "v" or local == "t":
            if self.collecting:
                self.collecting = False
                self.has_value = True
        elif local == "c":
            if self.has_value:
                value = self._value("".join(self.parts))
                if self.column <= self.limits.columns:
                    if value is not None:
                        self.cells[self.column] = value
                elif value is not None and not (isinstance(value, str) and not value.strip()):
                    raise self.limits.too_many_columns(
                        row=self.places.row(self.row), position=self.column
                    )
            self.collecting = self.inline = False
        elif local == "row":
            if self.cells:
                values = [None] * max(self.cells)
                for column, value in self.cells.items():
                    values[column - 1] = value
                self.ready.append((self.row, values))
                self.cells = {}
        elif local == "is":
            self.inline = False
        elif local == "rPh":
            self.phonetic -= 1

    def text(self, data):
        if self.collecting:
            self.length += len(data)
            if self.length > self.limits.cell_chars:
                raise self.limits.cell_too_long(
                    row=self.places.row(self.row),
                    column=self.places.column(self.column, self._column_letters()),
                )
            self.parts.append(data)

    def _column_letters(self) -> str:
        index, name = self.column, ""
        while index:
            index, rest = divmod(index - 1, 26)
            name = chr(65 + rest) + name
        return name

    def _value(self, text: str) -> Any:
        kind = self.kind
        try:
            if kind == "inlineStr":
                return text
            if not text:
                return None
            if kind == "n":
                value = _number(text)
                if self.style in self.dates:
                    try:
                        return from_excel(value, self.epoch, timedelta=self.style in self.durations)
                    except (OverflowError, ValueError):
                        return "#VALUE!"
                return value
            if kind == "s":
                if self.strings is None:
                    raise unreadable()
                return self.strings.get(int(text))
            if kind == "b":
                return bool(int(text))
            if kind == "d":
                return from_ISO8601(text)
            return text  # "str" (a formula's text) and "e" (an error such as #N/A)
        except (ValueError, TypeError) as exc:
            raise unreadable() from exc


def _target(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


class _Book:
    """The parts of the workbook an import reads, found through its relationships."""

    def __init__(self, package: _Package, limits: ImportLimits):
        self.package = package
        self.limits = limits
        workbook_path = "xl/workbook.xml"
        root = package.find("_rels/.rels")
        if root is not None:
            rels = _Relationships()
            rels.parse(package.read(root))
            for _id, kind, target in rels.found:
                if kind.endswith(_OFFICE_DOCUMENT):
                    workbook_path = _target("", target)
                    break
        workbook_info = package.find(workbook_path)
        if workbook_info is None:
            raise unreadable()
        workbook = _Workbook()
        workbook.parse(package.read(workbook_info))
        self.epoch = CALENDAR_MAC_1904 if workbook.date1904 else CALENDAR_WINDOWS_1900
        relations: dict[str, tuple[str, str]] = {}
        folder, file = posixpath.split(workbook_path)
        book_rels = package.find(posixpath.join(folder, "_rels", f"{file}.rels"))
        if book_rels is not None:
            rels = _Relationships()
            rels.parse(package.read(book_rels))
            relations = {
                rel_id: (kind, _target(workbook_path, target))
                for rel_id, kind, target in rels.found
            }
        sheet = next(
            (
                relations[rel][1]
                for rel in workbook.sheets
                if rel in relations and relations[rel][0].endswith(_WORKSHEET)
            ),
            None,
        )
        self.sheet = package.find(sheet) if sheet else None
        if self.sheet is None:
            raise unreadable()
        paths = {kind.rpartition("/")[2]: path for kind, path in relations.values()}
        self.strings_info = package.find(
            paths.get(_SHARED_STRINGS[1:], posixpath.join(folder, "sharedStrings.xml"))
        )
        self.styles_info = package.find(
            paths.get(_STYLES[1:], posixpath.join(folder, "styles.xml"))
        )

    def sheet_parser(self, places: Places) -> _Sheet:
        dates: set[int] = set()
        durations: set[int] = set()
        if self.styles_info is not None:
            styles = _Styles()
            styles.parse(self.package.read(self.styles_info))
            dates, durations = styles.kinds()
        strings = None
        if self.strings_info is not None:
            strings = _SharedStrings(self.limits)
            strings.parse(self.package.read(self.strings_info))
            strings.parser = None  # the parse is over: let expat's buffers go
        return _Sheet(
            strings=strings, dates=dates, durations=durations, epoch=self.epoch,
            limits=self.limits, places=places,
        )  # fmt: skip


def xlsx_rows(
    stream: IO[bytes],
    *,
    limits: ImportLimits,
    budget: InlineBudget | None = None,
    places: Places | None = None,
) -> Iterator[tuple[int, list]]:
    """(sheet row, values) for each row of the first worksheet that holds a value.

    Raises ImportFileError (ImportLimitError for a file over a limit) as soon as the file is
    found unreadable or over a limit, and InlineBudgetExceeded when `budget` runs out."""
    places = places or Places()
    package = _Package(stream, _Unpacked(limits, budget))
    try:
        book = _Book(package, limits)
        sheet = book.sheet_parser(places)
        try:
            for _chunk in sheet.feed(package.read(book.sheet)):
                if sheet.ready:
                    ready, sheet.ready = sheet.ready, []
                    yield from ready
        except ImportFileError:
            yield from sheet.ready  # the rows before the refusal, as a CSV file gives them
            raise
        yield from sheet.ready
    finally:
        package.close()


def xlsx_row_estimate(stream: IO[bytes], *, limits: ImportLimits) -> int:
    """The number of data rows the first worksheet declares (its dimension), for a progress
    bar: read from the top of the sheet only, never more than the row limit, and 0 when the
    file does not say or cannot be read."""
    try:
        package = _Package(stream, _Unpacked(limits, None))
    except ImportFileError:
        return 0
    try:
        book = _Book(package, limits)
        sheet = _Sheet(strings=None, dates=set(), durations=set(), epoch=book.epoch,
                       limits=limits, places=Places())  # fmt: skip
        sheet.stop_at_data = True
        sheet.parse(package.read(book.sheet))
    except ImportFileError:
        return 0
    finally:
        package.close()
    last = (sheet.dimension or "").rpartition(":")[2].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ$")
    if not last.isdigit():
        return 0
    return max(0, min(int(last) - 1, limits.rows))
