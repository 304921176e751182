import socket

from celery import shared_task
from django.utils import timezone

from lms.models import WorkerHeartbeat


@shared_task(bind=True, name="lms.tasks.worker_heartbeat", acks_late=True, ignore_result=True)
def worker_heartbeat(self, hostname: str | None = None) -> str:
    """Record that a worker is alive; beat sends it every minute, /healthz reads it."""
    name = hostname or self.request.hostname or socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(hostname=name, defaults={"seen_at": timezone.now()})
    return name
