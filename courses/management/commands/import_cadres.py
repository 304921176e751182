"""Import a cadre list (CSV or XLSX): every row is checked; the file is written, in one
transaction, only if no row has an error. Exits with status 1 and lists each bad row (row
number, column, reason in Vietnamese) otherwise. Warnings (two people who may be
duplicates, an ethnicity left out for want of consent) are printed too, and the file is
written with them (exit 0). `--structure 2023|2025` (default 2025) says which list the unit
codes are of; a dry run prints the unit each code names, so that a person sees what the
codes mean before importing. `--consent-notice VERSION` attests that the dates in
ngay_dong_y are of signed paper consent forms of that notice (`--attested-by USER` names the
person who vouches); `--report FILE.xlsx` writes the errors and warnings with each row's
name and unit. Each run that read the file is in the access audit (no user: the command
line reaches every province), written in the import's transaction."""

import time

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from courses.registry.models import CONSENT_NOTICE_VERSION, UnitStructure
from courses.registry.services import cadre_import
from courses.registry.unit_codes import unit_preview_lines
from lms.access_audit import AccessAction, access_record
from lms.file_import import counts_text, problems_write, report_write


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
        parser.add_argument(
            "--consent-notice",
            choices=[CONSENT_NOTICE_VERSION],
            default="",
            metavar="VERSION",
            help=(
                "attest that each date in ngay_dong_y is that of a signed paper consent form "
                f"of this notice version (the current one is {CONSENT_NOTICE_VERSION}); "
                "without it no consent is recorded and ethnicity is left out for people who "
                "had not consented before"
            ),
        )
        parser.add_argument(
            "--attested-by",
            metavar="USERNAME",
            help="the user who vouches for the consent forms (with --consent-notice)",
        )
        parser.add_argument(
            "--report",
            metavar="FILE.xlsx",
            help="also write the errors and warnings, with each row's name, to this XLSX file",
        )

    def handle(self, *args, **options):
        translation.activate("vi")
        path = options["file"]
        attested_by_id = None
        if options["attested_by"]:
            if not options["consent_notice"]:
                raise CommandError(_("--attested-by goes with --consent-notice."))
            user = get_user_model().objects.filter(username=options["attested_by"]).first()
            if user is None:
                raise CommandError(
                    _("No user is called %(name)s.") % {"name": options["attested_by"]}
                )
            attested_by_id = user.pk
        started = time.monotonic()
        try:
            with transaction.atomic():
                result = cadre_import(
                    source=path, name=path, structure=options["structure"],
                    dry_run=options["dry_run"], consent_notice_version=options["consent_notice"],
                    attested_by_id=attested_by_id,
                )  # fmt: skip
                step = "check" if result.dry_run else "refused" if result.errors else "apply"
                access_record(user=None, action=AccessAction.IMPORT, target="courses.cadre",
                              filters=f"step={step}&structure={result.structure}&via=command",
                              count=result.rows, scope="national")  # fmt: skip
        except FileNotFoundError as exc:
            raise CommandError(_("File not found: %(path)s") % {"path": path}) from exc
        seconds = time.monotonic() - started
        if result.dry_run:
            for line in unit_preview_lines(result):
                self.stdout.write(line)
        problems_write(self, result)
        if options["report"]:
            report_write(result, options["report"])
        if result.errors:
            raise CommandError(
                _("%(errors)s errors in %(bad)s of %(rows)s rows: nothing was written.")
                % {"errors": len(result.errors), "bad": len(result.errors.bad_rows),
                   "rows": result.rows}
            )  # fmt: skip
        if result.consent_recorded:
            self.stdout.write(
                _("Paper consent (notice version %(version)s) recorded for %(people)s people.")
                % {"version": result.consent_notice_version, "people": result.consent_recorded}
            )
        if result.ethnicity_withheld:
            self.stdout.write(
                _("%(rows)s rows give an ethnicity for people without consent: it is not "
                  "stored.") % {"rows": result.ethnicity_withheld}
            )  # fmt: skip
        self.stdout.write(self.style.SUCCESS(f"{counts_text(result)} ({seconds:.1f} s)"))
