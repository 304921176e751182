"""Wagtail's face of the `courses` app: each feature registers its own admin hooks."""

from courses.counters import wagtail_hooks as counters_hooks  # noqa: F401
from courses.learning import wagtail_hooks as learning_hooks  # noqa: F401
from courses.registry import wagtail_hooks as registry_hooks  # noqa: F401
from courses.sessions import wagtail_hooks as sessions_hooks  # noqa: F401
