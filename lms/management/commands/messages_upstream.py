"""Refresh the project's Vietnamese of the libraries' catalogues after an upgrade."""

from django.core.management.base import BaseCommand, CommandError

from lms.upstream_locale import catalogue_coverage, catalogue_refresh, upstream_catalogues

THRESHOLD = 98.0


class Command(BaseCommand):
    help = (
        "Merge the new English templates of Wagtail, Django and the other libraries into "
        "locale/upstream/<app>/vi (msgmerge), compile them and print the coverage per catalogue."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help=f"Only report, change nothing; fail if a catalogue is below {THRESHOLD:g} %%.",
        )

    def handle(self, *args, check=False, **options):
        low = []
        for catalogue in upstream_catalogues():
            coverage = catalogue_coverage(catalogue) if check else catalogue_refresh(catalogue)
            style = self.style.SUCCESS if coverage.percent >= THRESHOLD else self.style.WARNING
            self.stdout.write(style(str(coverage)))
            if coverage.percent < THRESHOLD:
                low.append(catalogue.label)
        if low:
            message = (
                f"below {THRESHOLD:g} %: {', '.join(low)}; translate the empty and fuzzy entries"
            )
            if check:
                raise CommandError(message)
            self.stdout.write(self.style.WARNING(message))
