"""Demo content, in steps that each app registers in order.

Each step is a callable returning an iterable of progress lines. Steps must be idempotent:
running `load_demo` twice leaves the same data as running it once.
"""

from collections.abc import Callable, Iterable

from django.conf import settings
from django.utils.module_loading import import_string

# Dotted paths, run in this order. Apps append theirs as they gain demo data.
DEMO_STEPS = [
    "content.demo.load_site",
    "content.demo.load_pages",
    "content.demo.load_stories",
    "content.demo.load_courses",
    # The 2021-2023 history through the engine, its certificates left pending (a sample is
    # issued below): see certificates/demo.py.
    "certificates.demo.load_programme_history",
    "courses.demo.programme_2026.load_programme_2026",
    "courses.demo.people.load_people",
    "certificates.demo.issue_history_sample",
]


def run_demo_steps(steps: list[str] | None = None) -> Iterable[str]:
    for dotted in steps or getattr(settings, "DEMO_STEPS", DEMO_STEPS):
        step: Callable[[], Iterable[str]] = import_string(dotted)
        yield from step()
