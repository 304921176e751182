"""Rebuild the knowledge-gain rollup from the learners' scores (the truth), or with --check
report the rows that drifted."""

from django.core.management.base import BaseCommand, CommandError

from courses.counters.gain import knowledge_gain_drift, knowledge_gain_recount


class Command(BaseCommand):
    help = "Rebuild the knowledge-gain rollup from the scores; --check only reports drift."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Change nothing; print rows that differ and exit non-zero if any do.",
        )

    def handle(self, *args, check: bool = False, **options):
        drift = knowledge_gain_drift()
        for key, stored, expected in drift:
            self.stdout.write(f"{key}: stored {stored}, expected {expected}")
        if check:
            if drift:
                raise CommandError(f"{len(drift)} rollup row(s) drifted from the scores")
            self.stdout.write("no drift")
            return
        rows = knowledge_gain_recount()
        self.stdout.write(f"rebuilt {rows} row(s); {len(drift)} had drifted")
