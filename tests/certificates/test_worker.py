"""End to end with a real Celery worker process through Redis, on PostgreSQL."""

import io
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction

from certificates.models import Certificate, CertificateStatus, SerialCounter
from certificates.services import certificate_revoke, verify_url
from courses.learning.completion import enrolment_complete
from courses.learning.models import Enrolment
from tests.builders import complete, make_course, make_units, seed_indicators
from tests.certificates.conftest import COURSE_TITLE, cadre_create, nfd, pdf_text
from tests.conftest import WorkerProcess, require_postgres, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


@pytest.fixture
def course(transactional_db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the worker gets MEDIA_ROOT from the settings
    seed_indicators()
    return make_course(modules=1, lessons_per_module=1, quiz=False,
                       certificate_title=COURSE_TITLE).course  # fmt: skip


def issued_row(pk: int, timeout: float = 60) -> Certificate:
    return wait_for(
        lambda: Certificate.objects.filter(pk=pk, status=CertificateStatus.ISSUED).first(),
        timeout=timeout,
        message=f"certificate {pk} was not issued by the worker",
    )


def qr_text(certificate: Certificate) -> str:
    with tempfile.TemporaryDirectory() as folder:
        pdf = Path(folder) / "c.pdf"
        with certificate.pdf.storage.open(certificate.pdf.name, "rb") as handle:
            pdf.write_bytes(handle.read())
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", "-singlefile", str(pdf), str(Path(folder) / "c")],
            check=True,
        )
        out = subprocess.run(
            ["zbarimg", "--quiet", "--raw", str(Path(folder) / "c.png")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
    return out.stdout.strip()


def test_a_completion_becomes_an_issued_pdf_through_the_worker(course, celery_worker_process):
    cadre = cadre_create(unit=make_units().commune, full_name=nfd("Nguyễn Thị Hoà"))
    enrolment = complete(cadre=cadre, course=course)
    certificate = issued_row(enrolment.certificate.pk)
    assert "Nguyễn Thị Hoà" in pdf_text(certificate)
    assert qr_text(certificate) == verify_url(code=certificate.code)
    log = celery_worker_process.log_path.read_text(errors="replace")
    assert "certificates.tasks.issue_pending_certificates" in log


def test_a_double_completion_at_the_same_moment_gives_one_certificate(course):
    require_postgres("concurrent completion")
    cadre = cadre_create(unit=make_units().commune)
    enrolment = Enrolment.objects.create(cadre=cadre, course=course)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def finish():
        try:
            barrier.wait(timeout=10)
            results.append(
                enrolment_complete(enrolment=Enrolment.objects.get(pk=enrolment.pk), via="online")
            )
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=finish) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors
    assert sorted(results) == [False, True]
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


def test_a_worker_killed_mid_task_still_leaves_the_certificate_issued(course):
    from tests.conftest import require_real_services

    require_real_services("the killed-worker test")
    units = make_units()
    unit = units.commune
    # Serials are counted per 2025 province: the cadre's, not the 2023 unit's code.
    province = units.province_2025.province_code
    SerialCounter.objects.create(province_code=province, year=time.localtime().tm_year)
    worker = WorkerProcess(concurrency=1).start()
    holding = threading.Event()
    release = threading.Event()

    def hold_counter_lock():
        # Another transaction holds the serial counter, so the worker's task blocks in the
        # middle of issuing: it has started, locked the certificate, and waits.
        with transaction.atomic():
            SerialCounter.objects.select_for_update().get(province_code=province)
            holding.set()
            release.wait(timeout=60)
        connections.close_all()

    locker = threading.Thread(target=hold_counter_lock)
    locker.start()
    try:
        holding.wait(timeout=10)
        enrolment = complete(cadre=cadre_create(unit=unit), course=course)
        pk = enrolment.certificate.pk

        def worker_waits_on_the_lock():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                    "AND datname = current_database()"
                )
                return cursor.fetchone()[0] > 0

        wait_for(worker_waits_on_the_lock, timeout=30, message="the task never started")
        worker.kill(signal.SIGKILL)
    finally:
        release.set()
        locker.join(timeout=30)
        worker.stop()
    assert Certificate.objects.get(pk=pk).status == CertificateStatus.PENDING

    restarted = WorkerProcess(concurrency=1).start()
    try:
        call_command("issue_pending_certificates", "--older-than", "0", stdout=io.StringIO())
        certificate = issued_row(pk)
    finally:
        restarted.stop()
    # The killed transaction drew no number: the serial is the first of the year, no gap.
    assert certificate.serial.endswith("-000001")
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


def test_a_revoked_certificate_shows_as_revoked(course, celery_worker_process, client):
    enrolment = complete(cadre=cadre_create(unit=make_units().commune), course=course)
    certificate = issued_row(enrolment.certificate.pk)
    assert client.get(f"/verify/{certificate.code}.json").json()["status"] == "valid"
    certificate_revoke(certificate=certificate, reason="Cấp nhầm người")
    assert client.get(f"/verify/{certificate.code}.json").json()["status"] == "revoked"
    html = client.get(f"/verify/{certificate.code}/").content.decode()
    assert 'data-status="revoked"' in html
