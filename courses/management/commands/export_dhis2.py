"""Write the programme's figures for DHIS2 (ADX XML or dataValueSets JSON) for one period.

The same document as the admin's download and /api/dhis2/ for a central admin (or, with
--province, for one province); logged like them. Nothing is written on an error: the file
is written only once the whole document is made. With --push the document goes to a DHIS2
server instead (courses.counters.dhis2_push: a dry run, then the import) and DHIS2's import
summaries are printed.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from courses.counters.dhis2 import FORMATS, ID_SCHEMES, Dhis2Error, dhis2_export
from courses.counters.dhis2_push import dhis2_push
from courses.counters.periods import PeriodError, period_parse


class Command(BaseCommand):
    help = "Export the figures of a period as DHIS2 ADX or dataValueSets JSON."

    def add_arguments(self, parser):
        parser.add_argument("--format", default="adx", choices=FORMATS)
        parser.add_argument("--period", required=True, help="2023, 2023Q3 or 202307.")
        parser.add_argument("--structure", default="2025", choices=["2023", "2025"])
        parser.add_argument("--province", default="", help="GSO code of a province.")
        parser.add_argument("--id-scheme", default="code", choices=ID_SCHEMES)
        parser.add_argument("--output", default="", help="File to write (default: stdout).")
        parser.add_argument(
            "--push",
            default="",
            metavar="URL",
            help="Send to the DHIS2 server at URL (api/dataValueSets, a dry run first); "
            "credentials from DHIS2_TOKEN or DHIS2_USERNAME and DHIS2_PASSWORD.",
        )

    def handle(self, *args, **options):
        try:
            period = period_parse(options["period"])
            content, media_type = dhis2_export(
                user=None, via="command", format=options["format"], period=period,
                structure=options["structure"], province=options["province"],
                scope_province=None, id_scheme=options["id_scheme"],
            )  # fmt: skip
        except (PeriodError, Dhis2Error) as error:
            raise CommandError(str(error)) from None
        if options["push"]:
            self._push(options["push"], content, media_type, options["id_scheme"])
            return
        if options["output"]:
            path = Path(options["output"])
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(content)
            partial.replace(path)
        else:
            self.stdout.write(content.decode(), ending="")

    def _push(self, url: str, content: bytes, media_type: str, id_scheme: str) -> None:
        try:
            dry, done = dhis2_push(
                base_url=url, content=content, media_type=media_type, id_scheme=id_scheme
            )
        except Dhis2Error as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"dryRun {dry.line()}")
        for conflict in dry.conflicts:
            self.stdout.write(f"  {conflict}")
        if done is None:
            raise CommandError(_("DHIS2 refused the dry run: nothing was imported."))
        self.stdout.write(f"import {done.line()}")
        for conflict in done.conflicts:
            self.stdout.write(f"  {conflict}")
