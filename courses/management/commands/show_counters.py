"""Print the programme figures (the same as /api/counters/)."""

import json

from django.core.management.base import BaseCommand, CommandError

from courses.counters.periods import PeriodError, range_parse
from courses.counters.selectors import AREA_LABELS, BREAKDOWNS, CounterFilters, counter_figures
from courses.registry.models import UnitStructure


class Command(BaseCommand):
    help = "Print the figures per indicator: value, target and percent."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="Print JSON like /api/counters/.")
        parser.add_argument("--province", default="", help="GSO code of a province.")
        parser.add_argument("--structure", default="2025", choices=["2023", "2025"])
        parser.add_argument("--by", default=None, choices=BREAKDOWNS)
        parser.add_argument("--period", default="", help="2023, 2023Q3 or 202307.")
        parser.add_argument("--start", default="", help="First day, YYYY-MM-DD.")
        parser.add_argument("--end", default="", help="Last day, YYYY-MM-DD.")

    def handle(self, *args, **options):
        try:
            start, end = range_parse(
                period=options["period"], start=options["start"], end=options["end"]
            )
        except PeriodError as error:
            raise CommandError(str(error)) from None
        filters = CounterFilters(
            structure=options["structure"], province=options["province"], start=start, end=end
        )
        figures = counter_figures(scope_province=None, filters=filters, by=options["by"])
        if options["json"]:
            data = [figure.as_api() for figure in figures]
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        self.stdout.write(str(UnitStructure(options["structure"]).label))
        for figure in figures:
            target = "—" if figure.target is None else f"{figure.target:,}".replace(",", ".")
            percent = "" if figure.percent is None else f" ({figure.percent} %)"
            value = f"{figure.value:,}".replace(",", ".")
            self.stdout.write(f"{figure.code:<26} {value:>9} / {target:<9}{percent}  {figure.name}")
            for key, value in figure.by.items():
                # The lines that are not a unit (recorded in the new units, not decided) say so.
                label = f" ({AREA_LABELS[key]})" if key in AREA_LABELS and key else ""
                self.stdout.write(f"    {key or '-'}{label}: {value}")
