"""A worker SIGKILLed while it builds a bulk certificate export: the export still ends done,
with a ZIP holding exactly one PDF per certificate.

The export of a commune with a few hundred issued certificates (most without a stored PDF,
so the worker renders them: a few seconds) is requested in a separate Django process, as the
admin view does, on the test's private Redis. build_bulk_export is `acks_late` and
`reject_on_worker_lost`, so the message outlives the kill:
- the pool process that builds is killed: the worker's main process sees it lost and puts
  the message back (reject_on_worker_lost), and its new pool process builds again;
- the whole worker is killed (main process and pool): the message stays unacknowledged in
  Redis, and a worker started once the visibility timeout has passed gets it back.
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from certificates import rendering
from certificates.models import BulkExport, Certificate, CertificateStatus, ExportStatus
from certificates.services import certificate_data
from courses.learning.models import Enrolment
from tests.builders import make_cadre, make_course, make_units
from tests.conftest import wait_for
from tests.faults.conftest import django_run, fault_env

pytestmark = [
    pytest.mark.fault,
    pytest.mark.worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(300),
]

CERTIFICATES = 600
STORED = 20  # of which this many have their PDF file stored (copied, not rendered)
VISIBILITY = "15"  # seconds; longer than one build here, so a live build is not redelivered

RECEIVED = re.compile(r"build_bulk_export\[[0-9a-f-]+\] received")

REQUEST = """
import json, os
from django.db import transaction
from certificates.services import bulk_export_request
args = json.loads(os.environ["FAULT_ARGS"])
with transaction.atomic():
    export = bulk_export_request(format="zip", by=None, commune_code=args["commune"],
                                 province_code=args["province"])
print(export.pk)
"""


def issued_certificates(count: int) -> tuple[object, list[Certificate]]:
    """Issued certificates of one commune, written directly (issuing is tested elsewhere),
    plus some the export must leave out: another commune's, and a revoked one (a pending one
    would not stay pending: a worker that connects has it issued)."""
    course = make_course(title="Lồng ghép giới", modules=1, lessons_per_module=1, quiz=False)
    units = make_units(province_code="10")
    other = make_units(province_code="10", commune_code="10099").commune
    now = timezone.now()
    today = timezone.localdate()
    certificates = []
    for n in range(count + 2):
        unit = other if n == count else units.commune
        cadre = make_cadre(unit=unit, full_name=f"Nguyễn Thị Hoà {n}")
        enrolment = Enrolment.objects.create(cadre=cadre, course=course.course,
                                             completed_at=now, completed_via="online")  # fmt: skip
        certificate = Certificate.objects.create(
            enrolment=enrolment, province_code="15",
            serial=f"DA8-10-{today.year}-{n + 1:06d}",
            status=CertificateStatus.REVOKED if n == count + 1 else CertificateStatus.ISSUED,
            issued_on=today, issued_at=now, full_name=cadre.full_name,
            course_title="Lồng ghép giới", completed_on=today,
        )  # fmt: skip
        certificates.append(certificate)
    for certificate in certificates[:STORED]:
        pdf = rendering.render_certificate(certificate_data(certificate=certificate))
        storage = certificate.pdf.storage
        certificate.pdf.name = storage.save(certificate.pdf_name(), ContentFile(pdf))
        certificate.save(update_fields=["pdf"])
    return units.commune, certificates[:count]


def request_export(env: dict, commune) -> int:
    # Certificates are numbered and scoped in the 2025 province (Lào Cai 15 took in Lào Cai 10).
    args = {"commune": commune.commune_code, "province": "15"}
    result = django_run(REQUEST, {**env, "FAULT_ARGS": json.dumps(args)}, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return int(result.stdout.strip().splitlines()[-1])


def export_row(pk: int) -> BulkExport:
    return BulkExport.objects.get(pk=pk)


def pool_pids(main_pid: int) -> list[int]:
    children = Path(f"/proc/{main_pid}/task/{main_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def assert_one_pdf_per_certificate(export: BulkExport, certificates, private_root: Path) -> None:
    assert export.status == ExportStatus.DONE, (export.status, export.error)
    assert (export.total, export.done) == (len(certificates), len(certificates))
    files = sorted(p.relative_to(private_root).as_posix()
                   for p in (private_root / "exports").iterdir())  # fmt: skip
    assert files == [export.file.name], "a killed build left a file behind, or a second copy"
    with export.file.storage.open(export.file.name, "rb") as handle:
        archive = zipfile.ZipFile(io.BytesIO(handle.read()))
    assert archive.testzip() is None, "a damaged member in the ZIP"
    names = archive.namelist()
    assert len(names) == len(set(names)), "the same certificate twice in the ZIP"
    assert sorted(names) == sorted(f"{c.serial}.pdf" for c in certificates)
    for name in names:
        assert archive.read(name).startswith(b"%PDF-"), name
    for certificate in certificates[:STORED]:  # stored files are copied as they are
        with certificate.pdf.storage.open(certificate.pdf.name, "rb") as handle:
            assert archive.read(f"{certificate.serial}.pdf") == handle.read()


@pytest.mark.parametrize("victim", ["pool process", "whole worker"])
def test_an_export_whose_worker_is_killed_mid_build_ends_done_with_one_pdf_each(
    fault_ready, private_redis, workers, victim
):
    settings = fault_ready
    private_root = Path(settings.PRIVATE_MEDIA_ROOT)
    commune, certificates = issued_certificates(CERTIFICATES)
    redelivery = {"CELERY_VISIBILITY_TIMEOUT": VISIBILITY}
    env = fault_env(private_redis.url, settings, **redelivery)
    # One pool process: the one to kill is the one that builds.
    first = workers.start(concurrency=1, queues="certificates", extra_env=redelivery)

    pk = request_export(env, commune)
    wait_for(lambda: export_row(pk).status == ExportStatus.RUNNING
             and export_row(pk).done >= CERTIFICATES // 10,
             timeout=90, interval=0.05, message="the export did not start")  # fmt: skip
    if victim == "pool process":
        for pid in pool_pids(first.proc.pid):
            os.kill(pid, signal.SIGKILL)
    else:
        first.kill(signal.SIGKILL)  # the process group: main process and pool
    killed_at = export_row(pk)
    assert killed_at.status == ExportStatus.RUNNING and killed_at.done < CERTIFICATES, (
        "the export finished before the kill; give it more certificates"
    )
    exports = private_root / "exports"
    assert not exports.exists() or not any(exports.iterdir())

    second = first
    if victim == "whole worker":
        # Kombu looks for unacknowledged messages older than the visibility timeout when a
        # worker starts, then only every ~100 s (unacked_restore_interval 10 s times
        # unacked_restore_throttle 10): the new worker comes up once the message is old
        # enough to be handed back at once.
        time.sleep(int(VISIBILITY) + 1)
        assert export_row(pk).status == ExportStatus.RUNNING  # nobody is building it now
        assert export_row(pk).done == killed_at.done
        second = workers.start(concurrency=1, queues="certificates", extra_env=redelivery)
    wait_for(lambda: export_row(pk).status in (ExportStatus.DONE, ExportStatus.FAILED),
             timeout=120, interval=0.2,
             message=f"the export stayed {export_row(pk).status} after the kill")  # fmt: skip
    time.sleep(3)  # a late second delivery would show as a second build or file
    export = export_row(pk)
    assert_one_pdf_per_certificate(export, certificates, private_root)
    assert not (Path(settings.MEDIA_ROOT) / "exports").exists(), "an export in public media"
    # The same message twice: once to the killed build, once more after the kill.
    logs = {first.log_path, second.log_path}
    received = sum(len(RECEIVED.findall(path.read_text(errors="replace"))) for path in logs)
    assert received == 2, f"build_bulk_export was received {received} times"
    seconds = (export.finished_at - export.created_at).total_seconds()
    print(
        f"{victim} killed at {killed_at.done} of {CERTIFICATES}; done {seconds:.1f} s "
        "after the request"
    )
