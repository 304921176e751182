"""Spreadsheets in and out.

In: the generic parts of a bulk import, shared by every kind of file (cadres, sessions,
attendance): reading rows from CSV or XLSX within the import limits (lms.spreadsheet_limits;
XLSX through lms.xlsx_stream), checking the header, normalising text to NFC, folding
Vietnamese labels for matching, and collecting per-row errors. A kind of import declares its
columns and turns each `Row` into values, adding `RowError`s to an `ErrorList` as it goes;
nothing here touches the database.

Out: the writers every export and import template uses, CSV (with a byte order mark) and
XLSX, both neutralising the cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from lms.spreadsheet_limits import (
    EXCEL_MAX_ROWS,
    ImportFileError,
    ImportLimits,
    InlineBudget,
    Places,
)
from lms.text import nfc, text_fold
from lms.xlsx_stream import xlsx_row_estimate, xlsx_rows

__all__ = ["ImportFileError"]  # raised by every reader; its home is lms.spreadsheet_limits

CSV_EXTENSIONS = {".csv", ".txt"}
XLSX_EXTENSIONS = {".xlsx", ".xlsm"}


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


def _error_limit() -> int:
    return ImportLimits.from_settings().errors


@dataclass
class ErrorList:
    """The errors of one file. The first `limit` row errors are kept (errors of the file as a
    whole, row 0, always are), the others only counted: a file of a million bad rows must
    not hold a million messages. `len()` counts them all, so that a kind of import can tell
    whether a row added any."""

    errors: list[RowError] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)
    limit: int = field(default_factory=_error_limit)
    more: int = 0  # errors counted but not kept
    kept_row_errors: int = 0

    def add(self, row: int, column: str, message: str) -> None:
        self.bad_rows.add(row)
        if row == 0:
            self.errors.append(RowError(row, column, message))
        elif self.kept_row_errors < self.limit:
            self.errors.append(RowError(row, column, message))
            self.kept_row_errors += 1
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.errors)

    def __len__(self) -> int:
        return len(self.errors) + self.more

    def __iter__(self) -> Iterator[RowError]:
        return iter(self.errors)

    def sorted(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.row, e.column))

    def more_text(self) -> str:
        """The line "… and N more errors." when some were only counted, else empty."""
        if not self.more:
            return ""
        return _("… and %(more)s more errors.") % {
            "more": number_format(self.more, force_grouping=True)
        }


@dataclass
class WarningList(ErrorList):
    """The warnings of one file: kept and counted as errors are, but they refuse nothing;
    the file is written with them, and the preview and the report list them."""

    def more_text(self) -> str:
        if not self.more:
            return ""
        return _("… and %(more)s more warnings.") % {
            "more": number_format(self.more, force_grouping=True)
        }


def warning_text(warning: RowError) -> str:
    """A warning as a command prints it: "cảnh báo: dòng 5, ho_ten: …" (a line that does
    not start like an error's, so that a script counting errors is not misled)."""
    return _("warning: %(where)s") % {"where": str(warning)}


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


def _iter_csv(
    stream: IO[bytes], limits: ImportLimits, places: Places
) -> Iterator[tuple[int, list[Any]]]:
    """(record number, cells) of each CSV record, within the limits.

    The csv module holds a record whole, however many lines and cells it spans: the lines are
    read at most `limits.record_chars` at a time, and a record longer than a row within the
    limits can be is refused before it is complete."""
    # utf-8-sig drops a byte order mark if there is one.
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="", errors="strict")
    not_utf8 = _("The file is not UTF-8 text: save it as 'CSV UTF-8'.")
    longest, columns, cell_chars = limits.record_chars, limits.columns, limits.cell_chars
    record = [1, 0]  # the number of the record being read, and its characters so far
    readline = text.readline

    def lines() -> Iterator[str]:
        while line := readline(longest + 1):
            record[1] += len(line)
            if record[1] > longest:
                raise limits.record_too_long(row=places.row(record[0]))
            yield line

    try:
        source = lines()
        first = next(source, "")
        if "\x00" in first:
            # UTF-16 without a byte order mark ("Unicode text"): every other byte is 0.
            raise ImportFileError(not_utf8)
        reader = csv.reader(itertools.chain([first], source), dialect=_csv_dialect(first))
        for number, cells in enumerate(reader, start=1):
            if len(cells) > columns or (cells and max(map(len, cells)) > cell_chars):
                _check_cells(cells, number, limits, places)
            if number > EXCEL_MAX_ROWS:
                raise limits.too_many_rows()
            record[0], record[1] = number + 1, 0
            yield number, cells
    except UnicodeDecodeError as exc:
        raise ImportFileError(not_utf8) from exc
    except csv.Error as exc:
        raise ImportFileError(_("The CSV file cannot be read: %(error)s") % {"error": exc}) from exc
    finally:
        if not stream.closed:
            text.detach()


def _check_cells(cells: list[str], number: int, limits: ImportLimits, places: Places) -> None:
    """Refuse the first cell, from the left, that is too long or holds a value too far right
    (as the XLSX reader meets them); the caller has seen that the record is wide or long."""
    for position, cell in enumerate(cells, start=1):
        if len(cell) > limits.cell_chars:
            raise limits.cell_too_long(
                row=places.row(number), column=places.column(position, str(position))
            )
        if position > limits.columns and cell.strip():
            raise limits.too_many_columns(row=places.row(number), position=position)


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
    optional: Iterable[str] = (),
    limits: ImportLimits | None = None,
    budget: InlineBudget | None = None,
) -> Iterator[Row]:
    """Yield the data rows of a CSV or XLSX file as `Row`s keyed by the expected columns.

    The header must hold exactly `columns` (in any order, case and diacritics ignored),
    and may hold the `optional` ones too (a row of a file without one reads it as "");
    a missing or unknown column is a file error and no row is yielded. Empty rows are
    skipped. `name` is the file name, used to choose the format.

    The file is read as a stream within `limits` (by default the settings'): past the last
    row allowed, or at the first cell too long or too far right, ImportLimitError is raised
    (an ImportFileError, which every import reports as the reason it refuses the file).
    With a `budget` (the web request's), InlineBudgetExceeded is raised when the file turns
    out larger than the budget, for the caller to hand it to a worker.
    """
    kind = file_format(name)
    limits = limits or ImportLimits.from_settings()
    if budget is not None and not budget.deadline:
        budget.start()
    places = Places()
    stream, owned = _open(source)
    if kind == "csv":
        raw_rows = _iter_csv(stream, limits, places)
    else:
        raw_rows = xlsx_rows(stream, limits=limits, budget=budget, places=places)
    try:
        header: list[Any] | None = None
        for first, header in raw_rows:
            if any(clean_text(cell) for cell in header):
                places.first = first
                break
        else:
            header = None
        if header is None:
            errors.add(0, "", _("The file is empty: the first row must be the header."))
            return
        optional = list(optional)
        positions = check_header(header, columns=columns, optional=optional, errors=errors)
        if positions is None:
            return
        places.names = {index + 1: column for column, index in positions.items()}
        absent = {column: "" for column in optional if column not in positions}
        data_rows, max_rows, offset = 0, limits.rows, places.first - 1
        for line, raw in raw_rows:
            number = line - offset
            values = {
                column: clean_text(raw[index]) if index < len(raw) else ""
                for column, index in positions.items()
            }
            if not any(values.values()):
                continue
            if absent:
                values.update(absent)
            data_rows += 1
            if data_rows > max_rows:
                raise limits.too_many_rows()
            if budget is not None:
                budget.check_row(data_rows)
            for column, value in values.items():
                if "\x00" in value:  # no database text can hold it (PostgreSQL refuses it)
                    errors.add(number, column, _("This cell holds a NUL character."))
                    values[column] = value.replace("\x00", "")
            yield Row(number, values)
    finally:
        raw_rows.close()
        if owned:
            stream.close()


def check_header(
    header: list[Any], *, columns: list[str], errors: ErrorList, optional: Iterable[str] = ()
) -> dict | None:
    """Map each expected column (and each `optional` one the header holds) to its position,
    or add file errors and return None. The messages name the expected columns only: an
    optional one is mentioned where it is documented, not in every header error."""
    optional = list(optional)
    wanted = {fold(column): column for column in [*columns, *optional]}
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
    """A quick estimate of the number of data rows, for progress bars: the lines of a CSV
    file, the dimension an XLSX sheet declares; never more than the row limit, and never a
    reason to fail (the import itself says what is wrong with the file)."""
    limits = ImportLimits.from_settings()
    try:
        kind = file_format(name)
    except ImportFileError:
        return 1
    with open(source, "rb") as stream:
        if kind == "csv":
            lines = sum(chunk.count(b"\n") for chunk in iter(lambda: stream.read(1 << 20), b""))
            return min(max(0, lines - 1), limits.rows) or 1
        return xlsx_row_estimate(stream, limits=limits)


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


_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
_VN_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str) -> datetime.date | None:
    """A date written YYYY-MM-DD or DD/MM/YYYY (or a spreadsheet date, which clean_text
    gives as "YYYY-MM-DD 00:00:00"); None if it is not a real date."""
    match = _ISO_DATE.match(text)
    if match:
        year, month, day = (int(part) for part in match.groups())
    else:
        match = _VN_DATE.match(text)
        if not match:
            return None
        day, month, year = (int(part) for part in match.groups())
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


ProgressCallback = Callable[[int], None]


# --- Result -----------------------------------------------------------------------------------


@dataclass
class ImportResult:
    """What an import did (or, with errors or a dry run, would have done).

    `errors` refuse the whole file; `warnings` are reported and the file is written with
    them; `skipped` counts the rows a warning left out. `labels` gives, for the rows that
    have an error or a warning, the person or thing the row is about and its unit, as the
    report shows them next to the reason (lms.import_report)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: ErrorList = field(default_factory=ErrorList)
    warnings: WarningList = field(default_factory=WarningList)
    labels: dict[int, tuple[str, str]] = field(default_factory=dict)
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
            "skipped": self.skipped,
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "written": self.written,
        }
