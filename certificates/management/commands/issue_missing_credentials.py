"""Sign the Open Badges credential of every issued certificate that has none: those issued
before credentials were part of issuing. Batches commit one by one, so the command can be
stopped and run again; `--dry-run` only counts them."""

from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import gettext as _

from certificates.services import credentials_backfill


class Command(BaseCommand):
    help = "Sign a credential for each issued certificate that has no valid one."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="count them, sign nothing")
        parser.add_argument(
            "--batch", type=int, default=200, help="certificates per transaction (default 200)"
        )

    def handle(self, *args, dry_run=False, batch=200, **options):
        translation.activate("vi")
        if dry_run:
            count = credentials_backfill(dry_run=True)
            self.stdout.write(
                _("%(count)s issued certificates have no credential.") % {"count": count}
            )
            return
        total = credentials_backfill(dry_run=True)
        count = credentials_backfill(
            batch=max(1, batch),
            progress=lambda done: self.stdout.write(f"{done}/{total}"),
        )
        self.stdout.write(self.style.SUCCESS(_("%(count)s credentials signed.") % {"count": count}))
