from django.conf import settings
from django.core.management.base import BaseCommand

from certificates.services import certificates_requeue


class Command(BaseCommand):
    help = (
        "Queue again the certificates still pending, and those that failed with a transient "
        "error, once they are older than CERTIFICATE_REQUEUE_AFTER seconds."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help=f"seconds (default {settings.CERTIFICATE_REQUEUE_AFTER})",
        )

    def handle(self, *args, older_than=None, **options):
        count = certificates_requeue(older_than=older_than)
        self.stdout.write(f"{count} certificates queued")
