"""Rebuild the counter cells and their rollups from the achievements (the truth), or with
--check report drift in any of them."""

from django.core.management.base import BaseCommand, CommandError

from courses.counters.recount import counters_drift, counters_recount


class Command(BaseCommand):
    help = "Rebuild the counter cells from the achievements; --check only reports drift."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; print cells that differ and exit non-zero if any do.",
        )

    def handle(self, *args, check: bool = False, **options):
        drift = counters_drift()
        for row in drift:
            self.stdout.write(
                f"{row.indicator_code} {row.where()}: stored {row.stored}, expected {row.expected}"
            )
        if check:
            if drift:
                raise CommandError(f"{len(drift)} counter row(s) drifted from the achievements")
            self.stdout.write("no drift")
            return
        cells = counters_recount()
        self.stdout.write(f"rebuilt {cells} cell(s); {len(drift)} had drifted")
