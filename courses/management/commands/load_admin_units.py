"""Load Vietnam's administrative units (2023 and 2025 structures, with the lineage) from the
`vietnamadminunits` package. Idempotent: `make run` and the compose `migrate` service run it
every time."""

import time

from django.core.management.base import BaseCommand
from django.utils import translation

from courses.registry.services import admin_units_load


class Command(BaseCommand):
    help = "Load the administrative units (2023 and 2025 structures) and their lineage."

    def handle(self, *args, **options):
        translation.activate("vi")
        started = time.monotonic()
        stats = admin_units_load(log=self.stdout.write)
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {stats['created']} created, {stats['updated']} updated, "
                f"{stats['lineage_created']} lineage links created "
                f"({time.monotonic() - started:.1f} s)."
            )
        )
