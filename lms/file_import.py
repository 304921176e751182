"""What the file imports share: the check that an uploaded file can be read at all, what a
command prints of an import (its errors and warnings, the counts) and the report it can
write, and the management command of the session and attendance imports."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from lms.import_report import import_report_xlsx
from lms.spreadsheet import XLSX_EXTENSIONS, ImportResult, warning_text


def spreadsheet_problem(
    source: str | Path | IO[bytes], *, name: str, walk: bool = True
) -> str | None:
    """Why the file cannot be read as the spreadsheet its name says, or None.

    An XLSX is opened as the import will open it (its workbook, its first sheet and the
    sheet's size, which the progress bar reads) and, with `walk`, every row of that sheet is
    read and dropped, so that a sheet cut off or malformed halfway is found too. For a file
    that is no zip, a zip without a workbook, malformed XML or values openpyxl refuses, the
    zip, XML and openpyxl readers raise almost any kind of exception (BadZipFile, KeyError,
    ParseError, ValueError, TypeError...); only those readers run here, so any exception but
    a missing file means "not a readable workbook". A file-like source is left at its start.
    Other files (CSV, an unknown type) are left to the import, which reports their problems
    itself.
    """
    if Path(name).suffix.lower() not in XLSX_EXTENSIONS:
        return None
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(source, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            sheet.max_row  # noqa: B018 - what the import's row estimate reads first
            if walk:
                for _row in sheet.iter_rows(values_only=True):
                    pass
        finally:
            workbook.close()
    except FileNotFoundError:
        raise
    except Exception:  # see the docstring: anything the readers raise for a bad file
        return _("The file cannot be read: it is not a valid Excel (.xlsx) file.")
    finally:
        if hasattr(source, "seek"):
            source.seek(0)
    return None


def problems_write(command: BaseCommand, result: ImportResult) -> None:
    """Each error, then each warning ("cảnh báo: dòng 5, …"), on the command's stderr."""
    for error in result.errors.sorted():
        command.stderr.write(str(error))
    if result.errors.more:
        command.stderr.write(result.errors.more_text())
    for warning in result.warnings.sorted():
        command.stderr.write(warning_text(warning))
    if result.warnings.more:
        command.stderr.write(result.warnings.more_text())


def report_write(result: ImportResult, path: str) -> None:
    """The import's report (lms.import_report) as an XLSX file at `path`."""
    notes = [result.errors.more_text(), result.warnings.more_text()]
    content = import_report_xlsx(
        errors=result.errors.sorted(), warnings=result.warnings.sorted(),
        labels=result.labels, notes=notes,
    )  # fmt: skip
    Path(path).write_bytes(content)


def counts_text(result: ImportResult) -> str:
    """The counts line: 40 rows, 30 new, 5 updated, 3 unchanged, 2 left out, 4 warnings."""
    message = _("{rows} rows: {created} new, {updated} updated, {unchanged} unchanged.").format(
        rows=result.rows,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
    )
    if result.skipped:
        message += " " + _("{skipped} rows left out (see the warnings).").format(
            skipped=result.skipped
        )
    if result.warnings:
        message += " " + _("{warnings} warnings.").format(warnings=len(result.warnings))
    if result.dry_run:
        message += " " + _("Dry run: nothing was written.")
    return message


class FileImportCommand(BaseCommand):
    """`manage.py import_X FILE [--dry-run] [--report FILE.xlsx]`: all or nothing, each bad
    row on stderr and exit 1; warnings are printed too, and alone they let the file in.

    Subclasses set `importer`, a callable (path, name=..., dry_run=...) -> result with
    `errors`, `rows`, `created`, `updated`, `unchanged` and `dry_run`. A file whose rows
    give codes that mean different things in different lists (administrative units) also
    sets `structures`, the lists to choose from, and `default_structure`: the command then
    takes `--structure` and passes `structure=` to the importer; and `preview_lines(result)`,
    what a dry run prints so that a person sees what the codes mean before importing.
    """

    importer: Callable
    structures: tuple[str, ...] = ()
    default_structure: str = ""

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8) or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--report",
            metavar="FILE.xlsx",
            help="also write the errors and warnings, with each row's name, to this XLSX file",
        )
        if self.structures:
            parser.add_argument(
                "--structure",
                choices=self.structures,
                default=self.default_structure,
                help=f"the structure of the file's codes (default {self.default_structure})",
            )

    def preview_lines(self, result) -> list[str]:
        return []

    def handle(self, *args, **options):
        translation.activate("vi")
        path = options["file"]
        extra = {"structure": options["structure"]} if self.structures else {}
        try:
            problem = spreadsheet_problem(path, name=path)
        except FileNotFoundError as exc:
            raise CommandError(_("File not found: {path}").format(path=path)) from exc
        if problem:
            raise CommandError(problem)
        try:
            result = self.importer(path, name=path, dry_run=options["dry_run"], **extra)
        except FileNotFoundError as exc:
            raise CommandError(_("File not found: {path}").format(path=path)) from exc
        if options["dry_run"]:
            for line in self.preview_lines(result):
                self.stdout.write(line)
        problems_write(self, result)
        if options["report"]:
            report_write(result, options["report"])
        if result.errors:
            raise CommandError(
                _("{errors} errors in {rows} rows: nothing was written.").format(
                    errors=len(result.errors), rows=result.rows
                )
            )
        self.stdout.write(self.style.SUCCESS(counts_text(result)))
