"""/healthz: the state of the database, the broker and the workers, as JSON.

200 while the database answers; the broker and the workers are reported as degraded rather
than failing the check, because the site keeps working without them (completions are saved
and the certificates are issued later).
"""

from __future__ import annotations

import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lms.models import WorkerHeartbeat

BROKER_TIMEOUT = 1.0
HEARTBEAT_FRESH = timedelta(minutes=3)


def check_database() -> dict:
    started = time.monotonic()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return {"status": "down", "error": exc.__class__.__name__}
    return {
        "status": "ok",
        "vendor": connection.vendor,
        "ms": round((time.monotonic() - started) * 1000, 1),
    }


def check_broker() -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "inline", "detail": "REDIS_URL is not set: tasks run in-process"}
    import redis

    started = time.monotonic()
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=BROKER_TIMEOUT, socket_timeout=BROKER_TIMEOUT
        )
        client.ping()
    except Exception as exc:  # noqa: BLE001
        return {"status": "degraded", "error": exc.__class__.__name__}
    return {"status": "ok", "ms": round((time.monotonic() - started) * 1000, 1)}


def check_workers(broker_ok: bool) -> dict:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return {"status": "inline", "count": 0}
    workers: list[str] = []
    if broker_ok:
        from lms.celery import app

        try:
            replies = app.control.ping(timeout=BROKER_TIMEOUT) or []
            workers = sorted(name for reply in replies for name in reply)
        except Exception:  # noqa: BLE001
            workers = []
    fresh = WorkerHeartbeat.objects.filter(seen_at__gte=timezone.now() - HEARTBEAT_FRESH)
    last = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    return {
        "status": "ok" if workers else "degraded",
        "count": len(workers),
        "names": workers,
        "heartbeats_fresh": fresh.count(),
        "last_heartbeat": last.isoformat() if last else None,
    }


@never_cache
@require_GET
def healthz(request):
    database = check_database()
    if database["status"] != "ok":
        return JsonResponse({"status": "down", "database": database}, status=503)
    broker = check_broker()
    workers = check_workers(broker_ok=broker["status"] == "ok")
    degraded = broker["status"] == "degraded" or workers["status"] == "degraded"
    return JsonResponse(
        {
            "status": "degraded" if degraded else "ok",
            "database": database,
            "broker": broker,
            "workers": workers,
        }
    )
