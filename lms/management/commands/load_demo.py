"""Load the demo content (idempotent). Each app adds its part through `lms.demo` steps."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from lms.demo import run_demo_steps


class Command(BaseCommand):
    help = "Load the Vietnamese demo content: site, pages, registry, training (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            for line in run_demo_steps():
                self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(_("Demo content is ready.")))
