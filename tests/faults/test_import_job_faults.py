"""The admin's background cadre import survives its worker losing PostgreSQL mid-write.

A file above IMPORT_INLINE_MAX_BYTES is checked and then written by a real Celery worker
(import_job_validate_task, then import_job_apply_task after the admin confirms). The worker
runs on the test's private Redis with its own PostgreSQL application_name; the moment its
COPY into the register is running, the test ends that backend with pg_terminate_backend.

What the code does then, and what is asserted: the write rolls back (no row of the file,
and the people it would update keep their values), the job is marked failed (the admin page
says so in Vietnamese; the task is not retried: import_job_apply_task has no autoretry), and
the same file uploaded again imports completely on the same worker process, whose broken
connection was replaced.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from django.db import connection
from django.urls import reverse

from courses.registry.models import Cadre, ImportJob, ImportStatus
from courses.registry.services import IMPORT_INLINE_MAX_BYTES
from tests.builders import make_cadre, make_units, make_user
from tests.conftest import wait_for
from tests.faults.conftest import django_run, fault_env
from tests.faults.test_import_faults import (
    EXISTING,
    ROWS,
    copy_pid,
    register_state,
    write_file,
)

pytestmark = [
    pytest.mark.fault,
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(420),
]

APP_NAME = "lms-import-job-fault"

# What the upload view and the confirm button do (courses/registry/views.py), in a separate
# process whose broker is the private Redis: store the job, then queue a step on commit.
UPLOAD = """
import json, os
from django.contrib.auth import get_user_model
from django.core.files import File
from django.db import transaction
from courses.registry.services import import_job_create, import_job_start
args = json.loads(os.environ["FAULT_ARGS"])
user = get_user_model().objects.get(pk=args["user"])
with open(args["path"], "rb") as handle, transaction.atomic():
    job = import_job_create(user=user, uploaded=File(handle, name="can_bo.csv"))
    import_job_start(job=job, step="validate")
print(job.pk)
"""
CONFIRM = """
import json, os
from django.db import transaction
from courses.registry.models import ImportJob
from courses.registry.services import import_job_start
args = json.loads(os.environ["FAULT_ARGS"])
with transaction.atomic():
    import_job_start(job=ImportJob.objects.get(pk=args["job"]), step="apply")
"""


def run_step(script: str, env: dict, **args) -> str:
    result = django_run(script, {**env, "FAULT_ARGS": json.dumps(args)}, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.strip()


def job_status(pk: int) -> str:
    return ImportJob.objects.values_list("status", flat=True).get(pk=pk)


def wait_status(pk: int, wanted: set[str], *, timeout: float) -> ImportJob:
    wait_for(lambda: job_status(pk) in wanted, timeout=timeout, interval=0.5,
             message=f"job {pk} stayed {job_status(pk)}, expected {sorted(wanted)}")  # fmt: skip
    return ImportJob.objects.get(pk=pk)


def worker_copy_pid() -> int | None:
    return copy_pid(APP_NAME)


def upload_and_validate(env: dict, user, path) -> int:
    pk = int(run_step(UPLOAD, env, user=user.pk, path=str(path)).splitlines()[-1])
    job = wait_status(pk, {ImportStatus.VALIDATED, ImportStatus.INVALID, ImportStatus.FAILED},
                      timeout=240)  # fmt: skip
    assert job.status == ImportStatus.VALIDATED, (job.status, job.message, job.errors[:5])
    assert job.summary["created"] == ROWS - EXISTING and job.summary["updated"] == EXISTING
    return pk


def test_a_background_import_whose_connection_drops_writes_nothing_and_a_new_run_succeeds(
    fault_ready, private_redis, workers, tmp_path, client
):
    settings = fault_ready
    unit = make_units(province_code="10").commune
    for n in range(EXISTING):  # people the file updates: their rows must not change either
        make_cadre(unit=unit, full_name=f"Nguyễn Thị Lan {n}", ma_can_bo=f"FLT-{n}",
                   agency="Hội LHPN xã cũ", phone=f"09{n:08d}", birth_year=1980)  # fmt: skip
    before = register_state()
    assert before == (EXISTING, {"Hội LHPN xã cũ"})
    admin = make_user("quan_tri_nhap", role="Admin")
    path = tmp_path / "can_bo.csv"
    write_file(path, unit.code)
    assert path.stat().st_size > IMPORT_INLINE_MAX_BYTES, "the file must go to a worker"

    # One pool process: the second import runs on the very process whose connection was cut.
    workers.start(concurrency=1, extra_env={"PGAPPNAME": APP_NAME})
    env = fault_env(private_redis.url, settings)

    # 1. Upload, checked by the worker; the admin confirms; the worker's COPY is cut off.
    first = upload_and_validate(env, admin, path)
    run_step(CONFIRM, env, job=first)
    terminated = False
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and job_status(first) == ImportStatus.IMPORTING:
        pid = worker_copy_pid()
        if pid is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                terminated = cursor.fetchone()[0]
            break
        time.sleep(0.002)
    assert terminated, f"the import ended ({job_status(first)}) before its COPY was cut off"

    job = wait_status(first, {ImportStatus.FAILED, ImportStatus.DONE, ImportStatus.INVALID},
                      timeout=120)  # fmt: skip
    assert job.status == ImportStatus.FAILED, (job.status, job.message)
    assert "terminat" in job.message.lower() or "connection" in job.message.lower(), job.message
    assert register_state() == before, "the dropped import wrote part of the file"
    print(f"job {first} after the dropped connection: {job.status}, {job.message!r}")
    time.sleep(3)  # not retried behind the admin's back: still failed, still nothing written
    assert job_status(first) == ImportStatus.FAILED
    assert register_state() == before
    # The uploaded file (names, phones, ethnicity) is not kept once the job has failed, and it
    # was never in the public media.
    assert not ImportJob.objects.get(pk=first).file
    assert list(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.csv")) == []
    assert list(Path(settings.MEDIA_ROOT).rglob("*.csv")) == []

    # What the admin sees on the job's page: a readable message in Vietnamese, no confirm.
    client.force_login(admin)
    page = client.get(reverse("courses_registry_import_job", args=[first]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Nhập dữ liệu thất bại; không ghi gì." in text
    assert "Xác nhận nhập dữ liệu" not in text  # no confirm button for a failed job
    assert 'http-equiv="refresh"' not in text  # not shown as still running
    assert "terminat" not in text.lower()  # the technical error stays in the job record

    # 2. The same file uploaded again imports completely, on the same worker.
    second = upload_and_validate(env, admin, path)
    run_step(CONFIRM, env, job=second)
    job = wait_status(second, {ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.INVALID},
                      timeout=240)  # fmt: skip
    assert job.status == ImportStatus.DONE, (job.status, job.message, job.errors[:5])
    assert (job.summary["created"], job.summary["updated"]) == (ROWS - EXISTING, EXISTING)
    assert register_state() == (ROWS, {"Hội LHPN xã mới"})
    assert Cadre.objects.filter(ma_can_bo__startswith="FLT-").values("ma_can_bo").distinct(
    ).count() == ROWS  # fmt: skip
