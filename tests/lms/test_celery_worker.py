"""A real task, through the real Redis broker, run by a real worker process, seen in the DB."""

import uuid

import pytest

from lms.models import WorkerHeartbeat
from lms.tasks import worker_heartbeat
from tests.conftest import wait_for

pytestmark = pytest.mark.worker


def test_task_travels_through_redis_to_a_worker_process_and_writes_postgres(
    celery_worker_process, settings
):
    assert not settings.CELERY_TASK_ALWAYS_EAGER, "this test must not run tasks inline"
    marker = f"probe-{uuid.uuid4().hex}"

    worker_heartbeat.apply_async(kwargs={"hostname": marker})

    row = wait_for(
        lambda: WorkerHeartbeat.objects.filter(hostname=marker).first(),
        timeout=30,
        message="the worker did not write its heartbeat row",
    )
    assert row.seen_at is not None
    # The row was written by the worker process, not by this one: the log names the task.
    log = celery_worker_process.log_path.read_text(errors="replace")
    assert "lms.tasks.worker_heartbeat" in log


def test_healthz_reports_a_live_worker(celery_worker_process, client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["broker"]["status"] == "ok"
    assert celery_worker_process.node in body["workers"]["names"]
