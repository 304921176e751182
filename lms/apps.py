import logging

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger("lms")


class LmsConfig(AppConfig):
    name = "lms"
    verbose_name = _("Project 8 LMS")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from lms import (
            auth,  # noqa: F401 - connects the permission cache's invalidation
            receivers,  # noqa: F401 - connects the Central admin group's sync
        )

        if settings.CELERY_TASK_ALWAYS_EAGER:
            logger.info("REDIS_URL is not set: Celery tasks run inline in this process.")
        else:
            logger.info(
                "Celery tasks are queued through Redis at %s.", _redacted(settings.REDIS_URL)
            )


def _redacted(url: str | None) -> str:
    if not url or "@" not in url:
        return url or ""
    scheme, rest = url.split("://", 1)
    return f"{scheme}://***@{rest.split('@', 1)[1]}"
