"""Demo steps of the certificates app (listed in lms/demo.py).

The demo's history (courses/demo/programme.py) completes thousands of enrolments through the
engine, each with its pending certificate. Rendering them all inline (as `make run` runs tasks
without a worker) would hold `load_demo` for minutes, so the history is loaded with queueing
deferred: the rows stay pending, and a small sample is issued here, so the certificates admin
and the verification page show 2023 certificates. The rest are issued by a worker's periodic
re-queue, or on demand with `manage.py issue_pending_certificates`.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from certificates.models import Certificate, CertificateStatus
from certificates.services import certificate_queue, certificates_queue_deferred
from courses.demo.programme import PREFIX, load_programme

HISTORY_SAMPLE = 24  # history certificates issued by load_demo


def load_programme_history(scale: float = 1.0, *, report: bool = True) -> Iterable[str]:
    """The 2021-2023 history, its certificates left pending (see the module docstring)."""
    with certificates_queue_deferred():
        yield from load_programme(scale=scale, report=report)


def issue_history_sample() -> Iterable[str]:
    """Issue the first HISTORY_SAMPLE certificates of the history, once (idempotent: a second
    run finds them issued)."""
    history = Certificate.objects.filter(enrolment__cadre__ma_can_bo__startswith=PREFIX)
    if history.filter(status=CertificateStatus.ISSUED).count() >= HISTORY_SAMPLE:
        yield "Chứng nhận: mẫu của giai đoạn trước đã được cấp."
        return
    sample = list(
        history.filter(status=CertificateStatus.PENDING)
        .order_by("enrolment__completed_at", "pk")
        .values_list("pk", flat=True)[:HISTORY_SAMPLE]
    )
    for pk in sample:
        transaction.on_commit(lambda pk=pk: certificate_queue(certificate_id=pk))
    pending = history.filter(status=CertificateStatus.PENDING).count()
    yield (
        f"Chứng nhận: đã cấp {len(sample)} chứng nhận của giai đoạn trước, {pending - len(sample)} "
        "chứng nhận chờ tiến trình nền cấp (manage.py issue_pending_certificates)."
    )
