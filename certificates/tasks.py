"""Celery entry points for certificates: thin callers of certificates.services.

All of them run on the `certificates` queue (CELERY_TASK_ROUTES), except the learner's email,
which goes to the default queue so that a slow mail server never holds up issuing. They are
acknowledged after they ran (a killed worker's message is delivered again) and idempotent by
database state (the email at least once: a retry after a send that timed out may repeat it).
"""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from certificates import services

logger = logging.getLogger(__name__)

# Errors worth another try: the database or the file store was briefly unreachable, or the
# render ran out of time. Anything else is a bug or bad data and is not retried blindly.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError, SoftTimeLimitExceeded)

# How the issuing tasks are delivered and retried: acknowledged after they ran, delivered
# again if their worker is lost, retried with backoff and jitter on transient errors.
ISSUING = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 6,
    "ignore_result": True,
}


@shared_task(
    name="certificates.tasks.issue_certificate", soft_time_limit=60, time_limit=90, **ISSUING
)
def issue_certificate(certificate_id: int) -> str:
    """Issue the certificate, with up to CERTIFICATE_ISSUE_BATCH - 1 other queued ones that no
    other worker holds (their own messages then find them issued, or held by the batch)."""
    try:
        outcome = services.certificates_issue(
            certificate_id=certificate_id, others=max(settings.CERTIFICATE_ISSUE_BATCH - 1, 0)
        )
    except TRANSIENT_ERRORS as exc:
        services.certificate_record_transient_error(
            certificate_id=certificate_id, error=f"{type(exc).__name__}: {exc}"
        )
        raise
    certificate = outcome.certificate
    if certificate is None:
        logger.info("certificate %s does not exist (any more)", certificate_id)
        return "missing"
    if outcome.elsewhere:
        if issue_certificate.request.is_eager:
            # Run inline (no broker): wait for the other transaction instead.
            certificate = services.certificate_issue(certificate_id=certificate_id)
            return certificate.status if certificate is not None else "missing"
        # The transaction that holds it is issuing it (another worker's batch, whose
        # failure queues its certificates again) or settling it otherwise (a revocation).
        return "elsewhere"
    return certificate.status


@shared_task(
    name="certificates.tasks.issue_pending_certificates",
    soft_time_limit=90,
    time_limit=120,
    **ISSUING,
)
def issue_pending_certificates() -> int:
    """The drain that completions ask for (services.certificates_drain); returns how many
    certificates it issued."""
    return services.certificates_drain(inline=issue_pending_certificates.request.is_eager)


@shared_task(
    name="certificates.tasks.email_certificate",
    acks_late=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=8,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def email_certificate(certificate_id: int) -> bool:
    """The learner's email, on the default queue (the mail server may be slow or down)."""
    return services.certificate_email_send(certificate_id=certificate_id)


@shared_task(
    name="certificates.tasks.email_certificates",
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
    ignore_result=True,
)
def email_certificates(certificate_ids: list[int]) -> int:
    """The emails of a batch of certificates issued together, in one message; one that fails
    goes back on its own as email_certificate, with that task's retries. Returns how many
    were sent."""
    sent = 0
    for certificate_id in certificate_ids:
        try:
            sent += bool(services.certificate_email_send(certificate_id=certificate_id))
        except (OSError, smtplib.SMTPException):
            logger.warning("email of certificate %s failed; it is sent again", certificate_id)
            email_certificate.apply_async(args=[certificate_id], countdown=60)
    return sent


@shared_task(
    name="certificates.tasks.requeue_pending_certificates",
    acks_late=True,
    soft_time_limit=120,
    time_limit=150,
    ignore_result=True,
)
def requeue_pending_certificates(older_than: int | None = None) -> int:
    """Beat runs this every few minutes, and a worker asks for it (with `older_than=0`) each
    time it has connected to the broker: nothing pending is forgotten."""
    count = services.certificates_requeue(older_than=older_than)
    if count:
        logger.info("re-queued %s certificates", count)
    return count


@shared_task(
    name="certificates.tasks.build_bulk_export",
    acks_late=True,
    reject_on_worker_lost=True,
    # Below the broker's visibility timeout (900 s): a build still running when Redis hands
    # its unacknowledged message to another worker would be built twice at once. Rendering
    # runs at some 400 pages a second, so ten minutes is far more than a province needs.
    soft_time_limit=600,
    time_limit=660,
    ignore_result=True,
)
def build_bulk_export(export_id: int) -> None:
    try:
        services.bulk_export_build(export_id=export_id)
    except Exception as exc:
        services.bulk_export_fail(export_id=export_id, error=f"{type(exc).__name__}: {exc}")
        raise


@shared_task(
    name="certificates.tasks.purge_verification_logs",
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
    ignore_result=True,
)
def purge_verification_logs() -> int:
    """Beat runs this every hour: checks older than the retention period are deleted."""
    count = services.verification_logs_purge()
    if count:
        logger.info("deleted %s verification checks past the retention period", count)
    return count
