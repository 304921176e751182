"""The Celery app. Every CELERY_* setting lives in lms/settings.py."""

import logging
import os

from celery import Celery, bootsteps, signals
from django.db import close_old_connections
from django.dispatch import Signal

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lms.settings")

app = Celery("lms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("lms.celery")

# Sent in a worker's main process each time its consumer has (re)connected to the broker, at
# start and after an outage: work that was queued while the broker was away, or lost with
# it, can be queued again. Receivers only publish (a task); they must not block.
broker_connected = Signal()


class BrokerConnected(bootsteps.StartStopStep):
    """A consumer step: the consumer's steps start again after every reconnection."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, consumer) -> None:
        logger.info("connected to the broker; asking for pending work to be queued again")
        for receiver, result in broker_connected.send_robust(sender=BrokerConnected):
            if isinstance(result, Exception):
                logger.error("broker_connected receiver %s failed: %r", receiver, result)


app.steps["consumer"].add(BrokerConnected)


@signals.task_prerun.connect
@signals.task_postrun.connect
def recycle_database_connections(task=None, **kwargs) -> None:
    """What Django does around a request: close connections that are broken or older than
    CONN_MAX_AGE, and let the health check test a reused one before its first query."""
    if task is not None and getattr(task.request, "is_eager", False):
        return  # inline tasks share the caller's connection and transaction
    close_old_connections()
