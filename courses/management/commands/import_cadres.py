"""Import a cadre list (CSV or XLSX): every row is checked; the file is written, in one
transaction, only if every row is valid. Exits with status 1 and lists each bad row (row
number, column, reason in Vietnamese) otherwise. `--structure 2023|2025` (default 2025) says
which list the unit codes are of; a dry run prints the unit each code names, so that a
person sees what the codes mean before importing."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from courses.registry.models import UnitStructure
from courses.registry.services import cadre_import
from courses.registry.unit_codes import unit_preview_lines


class Command(BaseCommand):
    help = "Import cadres from a CSV or XLSX file (all or nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8) or XLSX file")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")
        parser.add_argument(
            "--structure",
            choices=UnitStructure.values,
            default=UnitStructure.S2025,
            help="the structure of the file's unit codes (default 2025)",
        )

    def handle(self, *args, **options):
        translation.activate("vi")
        path = options["file"]
        started = time.monotonic()
        try:
            result = cadre_import(
                source=path, name=path, structure=options["structure"],
                dry_run=options["dry_run"],
            )  # fmt: skip
        except FileNotFoundError as exc:
            raise CommandError(_("File not found: %(path)s") % {"path": path}) from exc
        seconds = time.monotonic() - started
        if result.dry_run:
            for line in unit_preview_lines(result):
                self.stdout.write(line)
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
