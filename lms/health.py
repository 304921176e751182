"""/healthz: a cheap liveness answer for anyone, the detailed readiness for operators.

Anyone (load balancers, uptime monitors, the proxy's health check) gets `{"status": "ok"}`,
or 503 `{"status": "down"}` when the database does not answer: one `SELECT 1`, no broker or
worker round trip, no host name, no database vendor. Clients looping on it therefore cannot
hold the web workers, and it tells an outsider nothing about the deployment.

Operators get the detailed readiness: the database, the broker and the workers (their names
and heartbeats). Operators are staff and admins, signed in or with an API token, and requests
made on the host itself (loopback, through no proxy), such as the container's health check.
Broker and workers are 200 "degraded" rather than a failure, because the site keeps working
without them (completions are saved and the certificates are issued later). Their check
(a broker ping and a worker ping of up to a second each) is kept for READINESS_SECONDS in each
web process, not in the shared cache: that cache is Redis, the very thing being checked.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from lms.api_tokens import api_token_authenticate
from lms.models import WorkerHeartbeat
from lms.roles import is_admin

BROKER_TIMEOUT = 1.0
HEARTBEAT_FRESH = timedelta(minutes=3)
READINESS_SECONDS = 5.0
# Headers a proxy adds: a loopback request that carries one comes from a client behind it.
PROXY_HEADERS = ("HTTP_X_FORWARDED_FOR", "HTTP_FORWARDED", "HTTP_X_REAL_IP")


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


_readiness_lock = threading.Lock()
_readiness: dict[tuple, tuple[float, dict]] = {}


def readiness() -> dict:
    """The broker and the workers, checked at most once per READINESS_SECONDS in this process
    for the configured broker; callers arriving during a check wait for its result."""
    key = (settings.REDIS_URL, settings.CELERY_TASK_ALWAYS_EAGER)
    with _readiness_lock:
        cached = _readiness.get(key)
        if cached is not None and time.monotonic() - cached[0] < READINESS_SECONDS:
            return cached[1]
        broker = check_broker()
        result = {
            "broker": broker,
            "workers": check_workers(broker_ok=broker["status"] == "ok"),
            "checked_at": timezone.now().isoformat(),
        }
        _readiness.clear()
        _readiness[key] = (time.monotonic(), result)
        return result


def readiness_clear() -> None:
    """Forget the kept readiness of this process: the next operator's look checks again."""
    with _readiness_lock:
        _readiness.clear()


def _from_this_host(request: HttpRequest) -> bool:
    if any(header in request.META for header in PROXY_HEADERS):
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def _is_operator(request: HttpRequest) -> bool:
    user = request.user
    if user.is_authenticated and user.is_active and (user.is_staff or is_admin(user)):
        return True
    return _from_this_host(request)


@never_cache
@require_GET
def healthz(request):
    # A token is optional here, but one that is sent must be valid (and failures are
    # throttled like everywhere else).
    if request.META.get("HTTP_AUTHORIZATION") is not None:
        refusal = api_token_authenticate(request=request)
        if refusal is not None:
            return refusal
    detailed = _is_operator(request)
    database = check_database()
    if database["status"] != "ok":
        body = {"status": "down", "database": database} if detailed else {"status": "down"}
        response = JsonResponse(body, status=503)
    elif not detailed:
        response = JsonResponse({"status": "ok"})
    else:
        ready = readiness()
        degraded = "degraded" in (ready["broker"]["status"], ready["workers"]["status"])
        response = JsonResponse(
            {"status": "degraded" if degraded else "ok", "database": database, **ready}
        )
    patch_vary_headers(response, ("Authorization", "Cookie"))
    return response
