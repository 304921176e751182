"""Write the programme's figures for DHIS2 (ADX XML or dataValueSets JSON) for one period.

The same document as the admin's download and /api/dhis2/ for a central admin (or, with
--province, for one province); logged like them. Nothing is written on an error: the file
is written only once the whole document is made.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from courses.counters.dhis2 import FORMATS, ID_SCHEMES, Dhis2Error, dhis2_export
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

    def handle(self, *args, **options):
        try:
            period = period_parse(options["period"])
            content, _media_type = dhis2_export(
                user=None, via="command", format=options["format"], period=period,
                structure=options["structure"], province=options["province"],
                scope_province=None, id_scheme=options["id_scheme"],
            )  # fmt: skip
        except (PeriodError, Dhis2Error) as error:
            raise CommandError(str(error)) from None
        if options["output"]:
            path = Path(options["output"])
            partial = path.with_name(path.name + ".part")
            partial.write_bytes(content)
            partial.replace(path)
        else:
            self.stdout.write(content.decode(), ending="")
