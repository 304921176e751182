"""The report of an import, shared by every kind (cadres, sessions, attendance): its errors
and its warnings, each with the row, the column, what the row is about (a person's name, a
session's code) and its unit next to the reason. The admin downloads it as XLSX from an
import's preview; a command writes the same file with `--report`.

The entries come as the import gives them (RowError) or as an import job stores them
(`[row, column, message]` lists, and labels keyed by the row number as text, as JSON keeps
them). Nothing here reads the database or names anything the import did not put in its
messages and labels: what a province admin may not learn never reaches the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePath
from typing import Any

from django.utils.translation import gettext as _

from lms.spreadsheet import RowError, xlsx_bytes
from lms.text import text_fold

ERROR = "error"
WARNING = "warning"


def _as_list(item: RowError | Sequence[Any]) -> list:
    if isinstance(item, RowError):
        return item.as_list()
    return list(item[:3])


def report_entries(
    *,
    errors: Iterable[RowError | Sequence[Any]],
    warnings: Iterable[RowError | Sequence[Any]] = (),
    labels: Mapping[Any, Sequence[str]] | None = None,
) -> list[list]:
    """[[kind, row, column, name, unit, message], ...] in the order of the file: by row,
    the errors of a row before its warnings; the file as a whole (row 0) first."""
    labels = labels or {}
    entries = []
    for kind, items in ((ERROR, errors), (WARNING, warnings)):
        for item in items:
            row, column, message = _as_list(item)
            name, unit = (labels.get(row) or labels.get(str(row)) or ("", ""))[:2]
            entries.append([kind, row, column, name, unit, message])
    entries.sort(key=lambda entry: (entry[1], entry[0] != ERROR))
    return entries


def import_report_xlsx(
    *,
    errors: Iterable[RowError | Sequence[Any]],
    warnings: Iterable[RowError | Sequence[Any]] = (),
    labels: Mapping[Any, Sequence[str]] | None = None,
    notes: Iterable[str] = (),
) -> bytes:
    """The report as an XLSX workbook: one line per error or warning, with the columns
    kind, row, column, name, unit, reason; `notes` (such as "… and 12 more errors") go
    below. Cells are neutralised (a name that starts with "=" stays text)."""
    kinds = {ERROR: _("error"), WARNING: _("warning")}
    header = [_("Kind"), _("Row"), _("Column"), _("Name"), _("Unit"), _("Reason")]
    rows: list[list] = [header]
    for kind, row, column, name, unit, message in report_entries(
        errors=errors, warnings=warnings, labels=labels
    ):
        rows.append([kinds[kind], row or None, column, name, unit, message])
    for note in notes:
        if note:
            rows.append([None, None, None, None, None, note])
    return xlsx_bytes([(_("report"), rows)])


def report_file_name(original_name: str) -> str:
    """'bao_cao_<file name without extension>.xlsx', in ASCII for the download header."""
    stem = text_fold(PurePath(original_name).stem) or "nhap"
    safe = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "-_" else "_" for ch in stem)[:80]
    return f"bao_cao_{safe}.xlsx"
