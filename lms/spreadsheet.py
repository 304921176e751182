"""Spreadsheets in and out.

In: the generic parts of a bulk import, shared by every kind of file (cadres, sessions,
attendance): reading rows from CSV or XLSX, checking the header, normalising text to NFC,
folding Vietnamese labels for matching, and collecting per-row errors. A kind of import
declares its columns and turns each `Row` into values, adding `RowError`s to an `ErrorList` as
it goes; nothing here touches the database.

Out: the writers every export and import template uses, CSV (with a byte order mark) and
XLSX, both neutralising the cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from lms.text import nfc, text_fold

CSV_EXTENSIONS = {".csv", ".txt"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm"}


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header, bad encoding)."""


# --- Text --------------------------------------------------------------------------------------


def clean_text(value: Any) -> str:
    """The text of a cell through lms.text.nfc (NFC, trimmed, single spaces); numbers from a
    spreadsheet cell lose a trailing '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        value = "1" if value else "0"
    elif isinstance(value, float):
        value = str(int(value)) if value.is_integer() else str(value)
    elif not isinstance(value, str):
        value = str(value)
    return nfc(value)


_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(value: Any) -> str:
    """A matching key for a label: no diacritics, đ -> d, lower case, and every run of other
    characters (spaces, commas, hyphens, underscores) removed. "Trưởng thôn, bản",
    "truong_thon_ban" and "TRUONG THON BAN" all fold to "truongthonban"."""
    return _NON_ALNUM.sub("", text_fold(clean_text(value)))


class LabelMatcher:
    """Maps the labels people write in a file to stored values.

    `choices` maps each value to the labels accepted for it; the value itself and Django
    choice labels can be among them. Matching ignores diacritics, case and punctuation.
    """

    def __init__(self, choices: dict[str, Iterable[Any]]):
        self._map: dict[str, str] = {}
        self._seen: dict[str, str | None] = {}
        for value, labels in choices.items():
            for label in [value, *labels]:
                key = fold(label)
                if key:
                    self._map.setdefault(key, value)

    def match(self, text: Any) -> str | None:
        # The same few labels repeat on every row: remember the answer for each raw text.
        try:
            return self._seen[text]
        except (KeyError, TypeError):
            value = self._map.get(fold(text))
            if isinstance(text, str) and len(self._seen) < 10_000:
                self._seen[text] = value
            return value

    def __contains__(self, text: Any) -> bool:
        return fold(text) in self._map


# --- Errors ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # 1-based line number in the file, the header being line 1
    column: str  # header name, or "" for the whole row / file
    message: str  # already translated

    def as_list(self) -> list:
        return [self.row, self.column, self.message]

    def __str__(self) -> str:
        where = _("row %(row)s") % {"row": self.row} if self.row else _("file")
        if self.column:
            where = f"{where}, {self.column}"
        return f"{where}: {self.message}"


@dataclass
class ErrorList:
    errors: list[RowError] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)

    def add(self, row: int, column: str, message: str) -> None:
        self.errors.append(RowError(row, column, message))
        self.bad_rows.add(row)

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __len__(self) -> int:
        return len(self.errors)

    def __iter__(self) -> Iterator[RowError]:
        return iter(self.errors)

    def sorted(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.row, e.column))


# --- Reading -----------------------------------------------------------------------------------


@dataclass
class Row:
    number: int  # line number in the file (header = 1)
    values: dict[str, str]  # column -> clean text ("" when empty or missing)


def file_format(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix in CSV_EXTENSIONS:
        return "csv"
    if suffix in XLSX_EXTENSIONS:
        return "xlsx"
    raise ImportFileError(_("Unsupported file type: upload a CSV (UTF-8) or XLSX file."))


def _csv_dialect(first_line: str) -> type[csv.Dialect]:
    delimiter = max([",", ";", "\t"], key=first_line.count)

    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    return Dialect


def _iter_csv(stream: IO[bytes]) -> Iterator[list[Any]]:
    # utf-8-sig drops a byte order mark if there is one.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", errors="strict")
    not_utf8 = _("The file is not UTF-8 text: save it as 'CSV UTF-8'.")
    try:
        first = text.readline()
        if "\x00" in first:
            # UTF-16 without a byte order mark ("Unicode text"): every other byte is 0.
            raise ImportFileError(not_utf8)
        yield from csv.reader(itertools.chain([first], text), dialect=_csv_dialect(first))
    except UnicodeDecodeError as exc:
        raise ImportFileError(not_utf8) from exc
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    finally:
        if not stream.closed:
            text.detach()


def _iter_xlsx(stream: IO[bytes]) -> Iterator[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not XLSX
        raise ImportFileError(_("The XLSX file cannot be read.")) from exc
    try:
        sheet = workbook.worksheets[0]
        for values in sheet.iter_rows(values_only=True):
            yield list(values)
    finally:
        workbook.close()


def _open(source: str | Path | IO[bytes]) -> tuple[IO[bytes], bool]:
    if isinstance(source, (str, Path)):
        return open(source, "rb"), True  # noqa: SIM115 - closed by the caller
    return source, False


def read_rows(
    source: str | Path | IO[bytes],
    *,
    name: str,
    columns: list[str],
    required: Iterable[str] = (),
    errors: ErrorList,
) -> Iterator[Row]:
    """Yield the data rows of a CSV or XLSX file as `Row`s keyed by the expected columns.

    The header must hold exactly `columns` (in any order, case and diacritics ignored);
    a missing or unknown column is a file error and no row is yielded. Empty rows are
    skipped. `name` is the file name, used to choose the format.
    """
    kind = file_format(name)
    stream, owned = _open(source)
    raw_rows = _iter_csv(stream) if kind == "csv" else _iter_xlsx(stream)
    try:
        header: list[Any] | None = None
        for header in raw_rows:
            if any(clean_text(cell) for cell in header):
                break
        else:
            header = None
        if header is None:
            errors.add(0, "", _("The file is empty: the first row must be the header."))
            return
        positions = check_header(header, columns=columns, errors=errors)
        if positions is None:
            return
        number = 1
        for raw in raw_rows:
            number += 1
            values = {
                column: clean_text(raw[index]) if index < len(raw) else ""
                for column, index in positions.items()
            }
            if not any(values.values()):
                continue
            for column, value in values.items():
                if "\x00" in value:  # no database text can hold it (PostgreSQL refuses it)
                    errors.add(number, column, _("This cell holds a NUL character."))
                    values[column] = value.replace("\x00", "")
            yield Row(number, values)
    finally:
        raw_rows.close()
        if owned:
            stream.close()


def check_header(header: list[Any], *, columns: list[str], errors: ErrorList) -> dict | None:
    """Map each expected column to its position, or add file errors and return None."""
    wanted = {fold(column): column for column in columns}
    positions: dict[str, int] = {}
    unknown = []
    for index, cell in enumerate(header):
        text = clean_text(cell)
        if not text:
            continue
        column = wanted.get(fold(text))
        if column is None:
            unknown.append(text)
        elif column in positions:
            errors.add(1, column, _("This column appears twice in the header."))
        else:
            positions[column] = index
    missing = [column for column in columns if column not in positions]
    for column in missing:
        errors.add(1, column, _("Missing column. The header must be: %(columns)s") % {
            "columns": ", ".join(columns)
        })  # fmt: skip
    for text in unknown:
        errors.add(1, text, _("Unknown column. The header must be: %(columns)s") % {
            "columns": ", ".join(columns)
        })  # fmt: skip
    if errors:
        return None
    return positions


def count_data_rows(source: str | Path, *, name: str) -> int:
    """A quick estimate of the number of data rows, for progress bars."""
    if file_format(name) == "csv":
        with open(source, "rb") as stream:
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))
        return max(0, lines - 1) or 1
    from openpyxl import load_workbook

    workbook = load_workbook(source, read_only=True)
    try:
        return max(0, (workbook.worksheets[0].max_row or 1) - 1)
    finally:
        workbook.close()


# --- Writing -----------------------------------------------------------------------------------

# Characters that make a spreadsheet cell a formula (CSV/formula injection, OWASP).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula, with a leading apostrophe; any other
    value (a number, even a negative one, or None) as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Echo:
    """A file whose write returns what it is given, so that csv.writer returns each line."""

    def write(self, line: str) -> str:
        return line


def csv_lines(rows: Iterable[Iterable[Any]]) -> Iterator[bytes]:
    """A CSV file as UTF-8 bytes, one chunk per row, for a streaming response.

    A byte order mark comes first, so that Excel opens the Vietnamese text as UTF-8; every
    cell is neutralised (`neutralise_cell`) and None is an empty cell.
    """
    writer = csv.writer(_Echo())
    yield codecs.BOM_UTF8
    for row in rows:
        yield writer.writerow([neutralise_cell(value) for value in row]).encode("utf-8")


def csv_bytes(rows: Iterable[Iterable[Any]]) -> bytes:
    """The whole CSV file of `csv_lines`."""
    return b"".join(csv_lines(rows))


def xlsx_bytes(
    sheets: Iterable[tuple[str, Iterable[Iterable[Any]]]], *, text_rows: int = 0
) -> bytes:
    """An XLSX workbook with one sheet per (title, rows); every cell is neutralised.

    Written in openpyxl's write-only mode, row by row, so that a large export does not hold
    every cell in memory. With `text_rows` (an import template) the first row is a bold
    header, each column is wide enough for it, and the cells of the `text_rows` rows below it,
    blank ones included, are formatted as text so that codes and phone numbers typed in keep
    their leading zeros.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title=title[:31])
        if text_rows:
            _append_template(sheet, rows, text_rows)
        else:
            for row in rows:
                sheet.append([neutralise_cell(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _append_template(sheet, rows: Iterable[Iterable[Any]], text_rows: int) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    def cell(value: Any, **style: Any) -> WriteOnlyCell:
        written = WriteOnlyCell(sheet, neutralise_cell(value))
        for name, setting in style.items():
            setattr(written, name, setting)
        return written

    header, *body = [list(row) for row in rows] or [[]]
    for index, column in enumerate(header, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(str(column)) + 4)
    bold = Font(bold=True)
    sheet.append([cell(column, font=bold) for column in header])
    for number in range(text_rows):
        values = body[number] if number < len(body) else []
        sheet.append(
            [
                cell(values[index] if index < len(values) else None, number_format="@")
                for index in range(len(header))
            ]
        )


def template_csv(columns: list[str], examples: list[list[str]] = ()) -> bytes:
    """An import template as CSV: the header, then the example rows."""
    return csv_bytes([columns, *examples])


def template_xlsx(columns: list[str], examples: list[list[str]] = ()) -> bytes:
    """An import template as XLSX; every column is formatted as text down to row 999 so that
    codes and phone numbers keep their leading zeros."""
    return xlsx_bytes([("import", [columns, *examples])], text_rows=998)


# --- Small validators shared by the kinds -------------------------------------------------------


_PHONE_JUNK = re.compile(r"[\s.\-()/]")


def normalise_phone(text: str) -> str | None:
    """A Vietnamese phone number as 0xxxxxxxxx (mobile, 10 digits) or 02xxxxxxxxx (landline,
    11 digits), from "+84 912 345 678", "84912345678", "0912.345.678" or a spreadsheet number
    that lost its leading zero (912345678). None when it is not a Vietnamese number."""
    digits = _PHONE_JUNK.sub("", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    elif digits.startswith("0084"):
        digits = "0" + digits[4:]
    elif digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif not digits.startswith("0") and len(digits) in (9, 10):
        digits = "0" + digits
    if not digits.isdigit():
        return None
    if re.fullmatch(r"0[35789]\d{8}", digits) or re.fullmatch(r"02\d{9}", digits):
        return digits
    return None


_EMAIL = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)  # noqa: E501


def normalise_email(text: str) -> str | None:
    """Lower-cased e-mail address, or None when it is not one."""
    text = text.strip().lower()
    if len(text) > 254 or ".." in text or not _EMAIL.match(text):
        return None
    return text


ProgressCallback = Callable[[int], None]


# --- Result -----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did (or, with errors or a dry run, would have done)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: ErrorList = field(default_factory=ErrorList)
    written: bool = False
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": len(self.errors),
            "written": self.written,
        }
