"""The management command shared by the session and attendance imports."""

from __future__ import annotations

from collections.abc import Callable

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _


class FileImportCommand(BaseCommand):
    """`manage.py import_X FILE [--dry-run]`: all or nothing, each bad row on stderr, exit 1.

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
            result = self.importer(path, name=path, dry_run=options["dry_run"], **extra)
        except FileNotFoundError as exc:
            raise CommandError(_("File not found: {path}").format(path=path)) from exc
        if options["dry_run"]:
            for line in self.preview_lines(result):
                self.stdout.write(line)
        if result.errors:
            for error in result.errors.sorted():
                self.stderr.write(str(error))
            raise CommandError(
                _("{errors} errors in {rows} rows: nothing was written.").format(
                    errors=len(result.errors), rows=result.rows
                )
            )
        message = _("{rows} rows: {created} new, {updated} updated, {unchanged} unchanged.").format(
            rows=result.rows,
            created=result.created,
            updated=result.updated,
            unchanged=result.unchanged,
        )
        if result.dry_run:
            message += " " + _("Dry run: nothing was written.")
        self.stdout.write(self.style.SUCCESS(message))
