"""Faults around certificate issuing: a Redis outage, and a worker killed mid-batch.

Learners complete courses in a separate Django process (the learning services, as the views
call them), pointed at the test's private Redis; workers are real `celery worker` processes on
that Redis. Nothing touches the machine's shared Redis or PostgreSQL server.
"""

from __future__ import annotations

import json
import re
import signal
import time
from pathlib import Path

import pytest

from certificates.models import Certificate, CertificateStatus
from courses.learning.models import Enrolment
from tests.builders import make_cadre, make_course, make_units, seed_indicators
from tests.conftest import wait_for
from tests.faults.conftest import django_run, fault_env, manage

pytestmark = [
    pytest.mark.fault,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(300),
]

# Runs in a fresh Django process: each learner enrols and marks every lesson done; the last
# lesson completes the course (the completion engine, the signal, the pending certificate).
COMPLETE = """
import json, os, sys, time, traceback
from content.models import CoursePage
from courses.registry.models import Cadre
from courses.learning.services import enrolment_create, lesson_complete

args = json.loads(os.environ["FAULT_ARGS"])
course = CoursePage.objects.get(pk=args["course"])
lessons = list(course.lesson_pages().values_list("pk", flat=True))
failures = []
for cadre in Cadre.objects.filter(pk__in=args["cadres"]).order_by("pk"):
    started = time.monotonic()
    try:
        enrolment, _ = enrolment_create(cadre=cadre, course=course, self_service=True)
        for lesson_id in lessons:
            lesson_complete(enrolment=enrolment, lesson_id=lesson_id)
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)
        frames = " <- ".join(f"{f.filename.split('/work/main/')[-1]}:{f.lineno}" for f in where
                             if "site-packages" not in f.filename)
        failures.append(f"{cadre.pk}: {type(exc).__name__}: {exc} [{frames}]")
    print(f"cadre {cadre.pk} in {time.monotonic() - started:.2f} s", flush=True)
if failures:
    print("\\n".join(failures), file=sys.stderr)
    sys.exit(1)
"""


def learners(count: int):
    seed_indicators()
    tree = make_course(title="Lồng ghép giới", modules=1, lessons_per_module=2, quiz=False)
    unit = make_units(province_code="10").commune
    cadres = [make_cadre(unit=unit, full_name=f"Nguyễn Thị Hoà {n}") for n in range(count)]
    return tree, cadres


def complete_in_another_process(env: dict, tree, cadres, *, timeout: float = 180):
    env = {**env, "FAULT_ARGS": json.dumps({"course": tree.course.pk,
                                            "cadres": [c.pk for c in cadres]})}  # fmt: skip
    return django_run(COMPLETE, env, timeout=timeout)


def certificates_of(cadres):
    return Certificate.objects.filter(enrolment__cadre__in=cadres)


def issued_count(cadres) -> int:
    return certificates_of(cadres).filter(status=CertificateStatus.ISSUED).count()


def assert_exactly_one_issued_certificate_each(cadres, settings):
    """... and each PDF in the private storage, none under the public MEDIA_ROOT."""
    private_root = Path(settings.PRIVATE_MEDIA_ROOT)
    enrolments = Enrolment.objects.filter(cadre__in=cadres)
    assert enrolments.count() == len(cadres)
    assert all(e.completed_at for e in enrolments), "a completion was lost"
    rows = list(certificates_of(cadres))
    assert len(rows) == len(cadres), "one certificate per completed enrolment"
    assert {c.status for c in rows} == {CertificateStatus.ISSUED}, [
        (c.pk, c.status, c.error) for c in rows if c.status != CertificateStatus.ISSUED
    ]
    serials = [c.serial for c in rows]
    assert len(set(serials)) == len(serials), "duplicate serial numbers"
    numbers = sorted(int(re.search(r"(\d+)$", s).group(1)) for s in serials)
    assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), "gap in the serials"
    pdfs = {c.pdf.name for c in rows}
    assert len(pdfs) == len(rows) and all((private_root / name).exists() for name in pdfs)
    files = list(private_root.rglob("*.pdf"))
    assert len(files) == len(rows), "a retry added a second file instead of overwriting"
    assert list(Path(settings.MEDIA_ROOT).rglob("*.pdf")) == [], "a certificate in public media"


def test_completions_during_a_redis_outage_are_kept_and_certified_when_redis_is_back(
    fault_ready, private_redis, workers
):
    settings = fault_ready
    tree, cadres = learners(4)
    worker = workers.start()
    env = fault_env(private_redis.url, settings)

    private_redis.stop()  # the outage
    started = time.monotonic()
    result = complete_in_another_process(env, tree, cadres)
    outage_seconds = time.monotonic() - started
    assert result.returncode == 0, (
        "learners could not complete their courses while Redis was down:\n" + result.stderr[-4000:]
    )
    enrolments = Enrolment.objects.filter(cadre__in=cadres)
    assert [bool(e.completed_at) for e in enrolments] == [True] * len(cadres)
    rows = certificates_of(cadres)
    assert rows.count() == len(cadres)
    assert set(rows.values_list("status", flat=True)) == {CertificateStatus.PENDING}
    print(f"4 completions during the outage took {outage_seconds:.1f} s")

    # The worker outliving the outage is the next test's; here it goes, so that only the
    # operator's command queues the pending rows.
    worker.stop()
    private_redis.start()  # back, on the same port, empty
    out = manage(["issue_pending_certificates", "--older-than", "0"], env)
    assert out.returncode == 0, out.stderr[-3000:]
    assert f"{len(cadres)} " in out.stdout
    workers.start()
    wait_for(lambda: issued_count(cadres) == len(cadres), timeout=90,
             message="pending certificates were not issued after Redis came back")  # fmt: skip
    assert_exactly_one_issued_certificate_each(cadres, settings)


def test_a_worker_outlives_a_minute_without_redis_and_issues_everything_when_it_is_back(
    fault_ready, private_redis, workers
):
    """Redis is stopped for 60 s while learners complete courses (some just before, whose
    messages die with Redis; some during, which cannot be queued at all). The same worker
    process keeps trying to reconnect, and once Redis is back it has every pending row queued
    again by itself: no command, no beat, no restart. Nothing lost, nothing twice."""
    settings = fault_ready
    tree, cadres = learners(8)
    before, during = cadres[:3], cadres[3:]
    worker = workers.start(concurrency=1)
    pid = worker.proc.pid
    env = fault_env(private_redis.url, settings)

    # Completions just before the outage: queued, perhaps not yet run when Redis goes.
    result = complete_in_another_process(env, tree, before)
    assert result.returncode == 0, result.stderr[-4000:]
    private_redis.stop()
    stopped = time.monotonic()
    result = complete_in_another_process(env, tree, during)
    assert result.returncode == 0, (
        "learners could not complete their courses while Redis was down:\n" + result.stderr[-4000:]
    )
    assert all(e.completed_at for e in Enrolment.objects.filter(cadre__in=cadres))
    time.sleep(max(0.0, 60 - (time.monotonic() - stopped)))
    assert worker.alive(), (
        "the worker died while Redis was down:\n"
        + worker.log_path.read_text(errors="replace")[-3000:]
    )

    private_redis.start()  # back on the same port, empty: the queued messages are gone
    back = time.monotonic()
    wait_for(lambda: issued_count(cadres) == len(cadres), timeout=120,
             message="pending certificates were not issued within two minutes of Redis "
                     "coming back")  # fmt: skip
    print(
        f"Redis down {back - stopped:.0f} s; all {len(cadres)} certificates issued "
        f"{time.monotonic() - back:.1f} s after it came back, by worker pid {pid}"
    )
    assert worker.alive() and worker.proc.pid == pid, "the same worker process did the work"
    log = worker.log_path.read_text(errors="replace")
    assert "Trying again in" in log, "the worker's reconnection attempts are logged"
    assert_exactly_one_issued_certificate_each(cadres, settings)


def test_messages_lost_with_redis_are_requeued_from_the_pending_rows(
    fault_ready, private_redis, workers
):
    """Completions commit and queue their tasks; Redis then dies (no persistence) before any
    worker ran them. When Redis is back the queue is empty; the re-queue of pending rows (the
    periodic task's service, which a worker asks for when it connects) issues every one."""
    settings = fault_ready
    tree, cadres = learners(6)
    env = fault_env(private_redis.url, settings)
    result = complete_in_another_process(env, tree, cadres)
    assert result.returncode == 0, result.stderr[-4000:]
    assert set(certificates_of(cadres).values_list("status", flat=True)) == {
        CertificateStatus.PENDING
    }

    private_redis.stop()  # every queued message is lost
    out = manage(["issue_pending_certificates", "--older-than", "0"], env, timeout=60)
    assert out.returncode == 0, out.stderr[-3000:]  # the broker is down: it says 0, fails not
    assert out.stdout.strip().startswith("0 ")
    private_redis.start()
    queued = private_redis.client()
    assert queued.llen("certificates") == 0 and queued.llen("celery") == 0, (
        "Redis came back empty: every queued message was lost"
    )
    assert issued_count(cadres) == 0

    # A worker that connects has the pending rows queued again by itself (no command).
    workers.start()
    wait_for(lambda: issued_count(cadres) == len(cadres), timeout=90,
             message="pending certificates were not issued after Redis came back")  # fmt: skip
    assert_exactly_one_issued_certificate_each(cadres, settings)


def test_a_worker_killed_mid_batch_still_leaves_exactly_one_issued_certificate_each(
    fault_ready, private_redis, workers
):
    settings = fault_ready
    total = 60
    tree, cadres = learners(total)
    # A short visibility timeout: the killed worker's unacknowledged messages come back too,
    # so the certificates they name are attempted twice (and must still be issued once).
    fast_redelivery = {"CELERY_VISIBILITY_TIMEOUT": "8"}
    env = fault_env(private_redis.url, settings, **fast_redelivery)

    result = complete_in_another_process(env, tree, cadres)  # tasks wait in the queue
    assert result.returncode == 0, result.stderr[-4000:]
    assert issued_count(cadres) == 0

    first = workers.start(extra_env=fast_redelivery)
    wait_for(lambda: issued_count(cadres) >= 3, timeout=60, interval=0.02,
             message="the first worker issued nothing")  # fmt: skip
    first.kill(signal.SIGKILL)  # the whole process group: main process and pool children
    at_kill = issued_count(cadres)
    assert at_kill < total, "the batch finished before the kill; make it larger"

    workers.start(extra_env=fast_redelivery)
    out = manage(["issue_pending_certificates", "--older-than", "0"], env)
    assert out.returncode == 0, out.stderr[-3000:]
    wait_for(
        lambda: issued_count(cadres) == total,
        timeout=120,
        message=f"only {issued_count(cadres)} of {total} issued after the restart",
    )
    time.sleep(10)  # let the redelivered messages of the killed worker run too
    assert_exactly_one_issued_certificate_each(cadres, settings)
    print(f"killed the worker after {at_kill} of {total} certificates")
