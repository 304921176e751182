"""Celery entry points of the base: thin callers, acknowledged after they ran."""

import logging
import smtplib
import socket

from celery import shared_task
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnavailable

from lms import passwords
from lms.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="lms.tasks.worker_heartbeat", acks_late=True, ignore_result=True)
def worker_heartbeat(self, hostname: str | None = None) -> str:
    """Record that a worker is alive; beat sends it every minute, /healthz reads it."""
    name = hostname or self.request.hostname or socket.gethostname()
    WorkerHeartbeat.objects.update_or_create(hostname=name, defaults={"seen_at": timezone.now()})
    return name


@shared_task(
    name="lms.tasks.email_password_reset",
    acks_late=True,
    autoretry_for=(OSError, smtplib.SMTPException),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=6,
    soft_time_limit=60,
    time_limit=90,
    ignore_result=True,
)
def email_password_reset(
    user_id: int, email_template_name: str, subject_template_name: str, language: str
) -> bool:
    """A password-reset e-mail, on the default queue (the mail server may be slow or down)."""
    return passwords.password_reset_email_send(
        user_id=user_id,
        email_template_name=email_template_name,
        subject_template_name=subject_template_name,
        language=language,
    )


def password_reset_email_queue(
    *, user_ids: list[int], email_template_name: str, subject_template_name: str, language: str
) -> None:
    """Queue one reset e-mail per account. Nothing is written first, so nothing waits for a
    commit. With the broker down, the e-mail is sent from the web process instead: a person
    who asked for a link gets one."""
    for user_id in user_ids:
        kwargs = {
            "user_id": user_id,
            "email_template_name": email_template_name,
            "subject_template_name": subject_template_name,
            "language": language,
        }
        try:
            email_password_reset.apply_async(kwargs=kwargs)
        except BrokerUnavailable as exc:
            logger.warning("could not queue a password-reset e-mail (%s); sending it now", exc)
            passwords.password_reset_email_send(**kwargs)


@shared_task(
    name="lms.tasks.purge_access_log_and_sessions",
    acks_late=True,
    soft_time_limit=300,
    time_limit=360,
    ignore_result=True,
)
def purge_access_log_and_sessions() -> dict[str, int]:
    """Beat runs this every hour: access-audit entries and login sessions past their
    retention (settings.PERSONAL_DATA_RETENTION) are deleted."""
    from lms.access_audit import access_log_purge
    from lms.sessions_purge import sessions_purge

    counts = {"access_log": access_log_purge(), "sessions": sessions_purge()}
    if any(counts.values()):
        logger.info("deleted past their retention: %s", counts)
    return counts
