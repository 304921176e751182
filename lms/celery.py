"""The Celery app. Every CELERY_* setting lives in lms/settings.py."""

import os

from celery import Celery, signals
from django.db import close_old_connections

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.task_prerun.connect
@signals.task_postrun.connect
def recycle_database_connections(task=None, **kwargs) -> None:
    """What Django does around a request: close connections that are broken or older than
    CONN_MAX_AGE, and let the health check test a reused one before its first query."""
    if task is not None and getattr(task.request, "is_eager", False):
        return  # inline tasks share the caller's connection and transaction
    close_old_connections()
