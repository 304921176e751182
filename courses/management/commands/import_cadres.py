"""Import a cadre list (CSV or XLSX): every row is checked; the file is written, in one
transaction, only if every row is valid. Exits with status 1 and lists each bad row (row
number, column, reason in Vietnamese) otherwise."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from courses.registry.services import cadre_import


class Command(BaseCommand):
    help = "Import cadres from a CSV or XLSX file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8) or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, **options):
        translation.activate("vi")
        path = options["file"]
        started = time.monotonic()
        try:
            result = cadre_import(source=path, name=path, dry_run=options["dry_run"])
        except FileNotFoundError as exc:
            raise CommandError(_("File not found: %(path)s") % {"path": path}) from exc
        seconds = time.monotonic() - started
        if result.errors:
            for error in result.errors.sorted():
                self.stderr.write(str(error))
            if result.errors.more:
                self.stderr.write(result.errors.more_text())
            raise CommandError(
                _("%(errors)s errors in %(bad)s of %(rows)s rows: nothing was written.")
                % {"errors": len(result.errors), "bad": len(result.errors.bad_rows),
                   "rows": result.rows}
            )  # fmt: skip
        message = _(
            "%(rows)s rows: %(created)s new, %(updated)s updated, %(unchanged)s unchanged."
        ) % {"rows": result.rows, "created": result.created, "updated": result.updated,
             "unchanged": result.unchanged}  # fmt: skip
        if result.dry_run:
            message += " " + _("Dry run: nothing was written.")
        self.stdout.write(self.style.SUCCESS(f"{message} ({seconds:.1f} s)"))
