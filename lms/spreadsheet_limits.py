"""The limits on what one import may read, and the errors that stop a file over them.

The upload limit counts compressed bytes only: a small XLSX can hold millions of rows, rows as
wide as a sheet allows, one cell of hundreds of megabytes in its shared strings, or a part
that unpacks to gigabytes. Every import (cadres, sessions, attendance; the management
commands, the admin upload and its Celery task) reads its file through `lms.spreadsheet`,
which checks these limits while it streams, so that a file over one is refused as a whole,
with a reason naming the limit, before it can hold a worker's memory or time.

The limits come from the settings (IMPORT_MAX_ROWS, IMPORT_MAX_COLUMNS,
IMPORT_MAX_CELL_CHARS, IMPORT_MAX_UNCOMPRESSED_BYTES, IMPORT_MAX_ERRORS). An `InlineBudget`
is tighter still: it bounds the part of the work that the web request itself does, and
asks for a worker when a file turns out larger than it looked.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.formats import number_format
from django.utils.translation import gettext as _

# No genuine workbook has rows or columns beyond Excel's own sheet: a row or a cell placed
# further is refused even when it is empty, so that empty rows cannot stand in for data.
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong format, no header, bad encoding)."""


class ImportLimitError(ImportFileError):
    """The file is over one of the import limits; the message names it and, when known,
    the row and column where the file went over."""


class InlineBudgetExceeded(Exception):  # noqa: N818 - a signal to the caller, not a failure
    """The file is larger than the web request may read itself: hand it to a worker.

    Not an ImportFileError: nothing is wrong with the file, and nothing has been written
    (every import reads the whole file before it writes)."""


def _n(value: int) -> str:
    """A count as the active language writes it (200.000 in Vietnamese)."""
    return number_format(value, force_grouping=True)


@dataclass(frozen=True)
class ImportLimits:
    rows: int
    columns: int
    cell_chars: int
    uncompressed_bytes: int
    errors: int

    @classmethod
    def from_settings(cls) -> ImportLimits:
        return cls(
            rows=settings.IMPORT_MAX_ROWS,
            columns=settings.IMPORT_MAX_COLUMNS,
            cell_chars=settings.IMPORT_MAX_CELL_CHARS,
            uncompressed_bytes=settings.IMPORT_MAX_UNCOMPRESSED_BYTES,
            errors=settings.IMPORT_MAX_ERRORS,
        )

    @property
    def record_chars(self) -> int:
        """The longest CSV record a file within the limits can hold: every column full,
        every character a doubled quote, quotes around and a separator after each cell."""
        return self.columns * (2 * self.cell_chars + 3)

    # The refusals, each naming its limit. `row` is the line number of the file (the header
    # being line 1), `column` the header's name of the column or its position.

    def too_many_rows(self) -> ImportLimitError:
        return ImportLimitError(
            _("The file has more than %(limit)s data rows, the most one import may hold: "
              "split it into several files.") % {"limit": _n(self.rows)}
        )  # fmt: skip

    def too_many_columns(self, *, row: int, position: int) -> ImportLimitError:
        return ImportLimitError(
            _("Row %(row)s has a value in column %(position)s, beyond the %(limit)s columns "
              "an import may hold.")
            % {"row": _n(row), "position": _n(position), "limit": _n(self.columns)}
        )  # fmt: skip

    def cell_too_long(self, *, row: int = 0, column: str = "") -> ImportLimitError:
        if not row:
            return ImportLimitError(
                _("A cell of the file holds more than %(limit)s characters, the most one "
                  "cell may hold.") % {"limit": _n(self.cell_chars)}
            )  # fmt: skip
        return ImportLimitError(
            _("Row %(row)s, column %(column)s holds more than %(limit)s characters, the most "
              "one cell may hold.")
            % {"row": _n(row), "column": column, "limit": _n(self.cell_chars)}
        )  # fmt: skip

    def record_too_long(self, *, row: int) -> ImportLimitError:
        return ImportLimitError(
            _("Row %(row)s is longer than a row may be (at most %(columns)s columns of at most "
              "%(chars)s characters each).")
            % {"row": _n(row), "columns": _n(self.columns), "chars": _n(self.cell_chars)}
        )  # fmt: skip

    def too_large_unpacked(self) -> ImportLimitError:
        mib = self.uncompressed_bytes / 1024 / 1024
        return ImportLimitError(
            _("Unpacked, the XLSX file is larger than %(limit)s MiB, the most one import may "
              "read: split it into several files.")
            % {"limit": _n(int(mib)) if mib.is_integer() else number_format(round(mib, 1))}
        )  # fmt: skip


class Places:
    """How a reader names a place of the file in a message. The caller sets `first` to the
    file's line of the header once it has found it (so that the header is row 1, as in every
    row error) and `names` to the header's column names by position (1 for the first)."""

    def __init__(self):
        self.first = 1
        self.names: dict[int, str] = {}

    def row(self, line: int) -> int:
        return line - self.first + 1

    def column(self, position: int, fallback: str) -> str:
        return self.names.get(position, fallback)


@dataclass
class InlineBudget:
    """How much the web request may read of a file before it hands the file to a worker:
    data rows, unpacked XLSX bytes and seconds from `start()`."""

    rows: int
    uncompressed_bytes: int
    seconds: float
    deadline: float = field(default=0.0, init=False)

    def start(self) -> InlineBudget:
        self.deadline = time.monotonic() + self.seconds
        return self

    def check_row(self, rows: int) -> None:
        if rows > self.rows or (self.deadline and time.monotonic() > self.deadline):
            raise InlineBudgetExceeded

    def check_bytes(self, unpacked: int) -> None:
        if unpacked > self.uncompressed_bytes:
            raise InlineBudgetExceeded
