"""Print the knowledge-gain figures (the same as /api/knowledge-gain/, for the whole country
unless a province, course or session is given)."""

import json

from django.core.management.base import BaseCommand, CommandError

from courses.counters.gain_selectors import (
    GAIN_BREAKDOWNS,
    GainFilters,
    gain_course_id,
    knowledge_gain_public,
)
from courses.sessions.models import TrainingSession


def _line(label: str, group: dict, small: int) -> str:
    if group["suppressed"]:
        return f"{label:<40} < {small} learners"
    return (
        f"{label:<40} learners {group['learners']:>6}  pre {group['pre_mean']}  post "
        f"{group['post_mean']}  gain {group['gain_mean']}  normalised "
        f"{group['normalised_gain_mean']}  missing pre {group['missing_pre']}"
    )


class Command(BaseCommand):
    help = "Print the knowledge gain (pre-test, post-test, gain, normalised gain) per group."

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", help="Print JSON like /api/knowledge-gain/."
        )
        parser.add_argument("--by", default=None, choices=list(GAIN_BREAKDOWNS))
        parser.add_argument("--course", default="", help="Slug of a course.")
        parser.add_argument("--session", default="", help="Code of a training session.")
        parser.add_argument("--province", default="", help="GSO code of a 2025 province.")

    def handle(self, *args, **options):
        course_id = None
        if options["course"]:
            course_id = gain_course_id(slug=options["course"])
            if course_id is None:
                raise CommandError(f"no course has the slug {options['course']!r}")
        session_id = None
        if options["session"]:
            session_id = (
                TrainingSession.objects.filter(code=options["session"])
                .values_list("pk", flat=True)
                .first()
            )
            if session_id is None:
                raise CommandError(f"no session has the code {options['session']!r}")
        filters = GainFilters(
            course_id=course_id, province=options["province"], session_id=session_id
        )
        data = knowledge_gain_public(scope_province=None, filters=filters, by=options["by"])
        if options["json"]:
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        small = data["small_cell"]
        for group in data["groups"]:
            self.stdout.write(_line(group["label"], group, small))
        self.stdout.write(_line("all", data["total"], small))
