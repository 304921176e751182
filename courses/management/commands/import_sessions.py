"""Import training sessions (CSV or XLSX): every row is checked; the file is written, in one
transaction, only if every row is valid. Exits with status 1 and lists each bad row (row
number, column, reason in Vietnamese) otherwise. Columns: see courses/imports/sessions.py."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from courses.imports.sessions import session_file_import


class Command(BaseCommand):
    help = "Import training sessions from a CSV or XLSX file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8) or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, **options):
        translation.activate("vi")
        path = options["file"]
        try:
            result = session_file_import(path, name=path, dry_run=options["dry_run"])
        except FileNotFoundError as exc:
            raise CommandError(_("File not found: {path}").format(path=path)) from exc
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
