"""Issuing: the task and the services behind it (tasks run inline here; see test_worker.py
for a real worker through Redis)."""

import datetime as dt
import logging
import os

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from certificates.models import Certificate, CertificateEvent, CertificateStatus
from certificates.services import (
    certificate_reissue,
    certificate_revoke,
    certificates_requeue,
)
from certificates.tasks import issue_certificate
from courses.counters.models import Achievement, CounterCell
from courses.counters.services import CERTIFIED_LEARNERS
from tests.builders import complete, held_in_another_transaction, make_units
from tests.certificates.conftest import COURSE_TITLE, cadre_create, nfd, pdf_text
from tests.conftest import require_postgres


def certified_count() -> int:
    return sum(
        CounterCell.objects.filter(indicator__code=CERTIFIED_LEARNERS).values_list(
            "value", flat=True
        )
    )


def test_a_completion_becomes_an_issued_pdf_with_the_exact_name(issued, mailoutbox):
    certificate = issued(full_name=nfd("Nguyễn Thị Hoà"))
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.full_name == "Nguyễn Thị Hoà"  # NFC
    text = pdf_text(certificate)
    assert "Nguyễn Thị Hoà" in text
    assert COURSE_TITLE in text
    assert certificate.serial in text
    assert certificate.course_title == COURSE_TITLE
    assert certificate.completed_on == timezone.localdate()
    # Counted once, for the dashboard, and the learner was told.
    assert certified_count() == 1
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["hoa@example.org"]
    assert certificate.serial in mailoutbox[0].body


def test_the_pending_certificate_commits_with_the_completion_or_not_at_all(course):
    cadre = cadre_create(unit=make_units().commune)

    with pytest.raises(RuntimeError), transaction.atomic():
        complete(cadre=cadre, course=course)
        assert Certificate.objects.count() == 1
        raise RuntimeError("the completion's transaction fails")
    assert Certificate.objects.count() == 0


def test_running_the_task_again_changes_nothing(issued, mailoutbox, media, private_media):
    certificate = issued()
    before = (certificate.serial, certificate.code, certificate.pdf.name, certificate.attempts)
    assert issue_certificate.apply(args=[certificate.pk]).get() == CertificateStatus.ISSUED
    issue_certificate.apply(args=[certificate.pk]).get()
    certificate.refresh_from_db()
    assert (
        certificate.serial,
        certificate.code,
        certificate.pdf.name,
        certificate.attempts,
    ) == before
    assert certificate.events.filter(kind="issued").count() == 1
    assert len(mailoutbox) == 1
    assert certified_count() == 1
    files = list((private_media / "certificates").rglob("*.pdf"))
    assert len(files) == 1
    assert not (media / "certificates").exists()  # never in the public media


def test_a_retry_overwrites_the_file_instead_of_adding_one(issued, media, private_media):
    certificate = issued()
    Certificate.objects.filter(pk=certificate.pk).update(
        status=CertificateStatus.FAILED, error_transient=True
    )
    issue_certificate.apply(args=[certificate.pk]).get()
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    files = [p.name for p in (private_media / "certificates").rglob("*.pdf")]
    assert files == [certificate.pdf.name.rsplit("/", 1)[1]]
    assert files[0].startswith(f"{certificate.serial}-")
    assert not (media / "certificates").exists()


def test_a_task_for_a_missing_certificate_does_nothing(db):
    assert issue_certificate.apply(args=[987654]).get() == "missing"


def test_characters_the_font_cannot_draw_fail_with_a_clear_reason(issued, settings):
    settings.LANGUAGE_CODE = "vi"
    certificate = issued(full_name="Nguyễn Thị 𓀀 Hoà")
    assert certificate.status == CertificateStatus.FAILED
    assert not certificate.error_transient
    assert "U+13000" in certificate.status_reason
    assert "không" in certificate.status_reason.lower()  # Vietnamese, from the catalogue
    assert not certificate.pdf
    assert certified_count() == 0
    # A failure for good is not re-queued.
    assert certificates_requeue(older_than=0) == 0


def test_pending_and_transient_failures_are_requeued_once_old_enough(course, mailoutbox, settings):
    # One certificate per task: a batch would issue the fresh one along with the old ones.
    settings.CERTIFICATE_ISSUE_BATCH = 1
    pending = complete(cadre=cadre_create(unit=make_units().commune), course=course).certificate
    transient = complete(cadre=cadre_create(unit=make_units().commune), course=course).certificate
    fresh = complete(cadre=cadre_create(unit=make_units().commune), course=course).certificate
    old = timezone.now() - dt.timedelta(minutes=10)
    Certificate.objects.filter(pk=pending.pk).update(queued_at=old)
    Certificate.objects.filter(pk=transient.pk).update(
        queued_at=old, status=CertificateStatus.FAILED, error_transient=True, error="timeout"
    )
    call_command("issue_pending_certificates")
    statuses = dict(Certificate.objects.values_list("pk", "status"))
    assert statuses[pending.pk] == CertificateStatus.ISSUED
    assert statuses[transient.pk] == CertificateStatus.ISSUED
    assert statuses[fresh.pk] == CertificateStatus.PENDING
    call_command("issue_pending_certificates", "--older-than", "0")
    assert Certificate.objects.get(pk=fresh.pk).status == CertificateStatus.ISSUED


# The broker is the same Redis as the cache: when it is down, both are.
DEAD_CACHE = {
    "default": {
        "BACKEND": "lms.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.mark.parametrize("cache_down", [False, True], ids=["broker", "broker-and-cache"])
def test_a_broker_outage_does_not_break_the_completion(
    course, django_capture_on_commit_callbacks, caplog, settings, cache_down
):
    from lms.celery import app

    if cache_down:
        settings.CACHES = DEAD_CACHE

    def reconnect():
        app._pool = None
        app.amqp._producer_pool = None

    cadre = cadre_create(unit=make_units().commune)
    saved = app.conf.broker_url, app.conf.task_always_eager
    # Nothing listens on port 9: the broker is down.
    app.conf.broker_url, app.conf.task_always_eager = "redis://127.0.0.1:9/0", False
    reconnect()
    try:
        with caplog.at_level(logging.ERROR), django_capture_on_commit_callbacks(execute=True):
            enrolment = complete(cadre=cadre, course=course)
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        reconnect()
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    assert enrolment.certificate.status == CertificateStatus.PENDING
    assert "will be re-queued" in caplog.text
    # Never queued: the next periodic re-queue takes it at once, not only once it is old.
    assert Certificate.objects.get(pk=enrolment.certificate.pk).queued_at is None
    assert certificates_requeue() == 1
    assert Certificate.objects.get(pk=enrolment.certificate.pk).status == "issued"


def test_a_worker_that_connects_asks_once_for_every_pending_certificate(course, settings):
    """The consumer step of lms/celery.py sends broker_connected at every (re)connection;
    certificates answers with one re-queue of every pending row, however old, even when
    several workers connect at once."""
    from django.core.cache import cache

    from lms.celery import BrokerConnected, broker_connected

    settings.CERTIFICATE_REQUEUE_AFTER = 3600
    fresh = complete(cadre=cadre_create(unit=make_units().commune), course=course).certificate
    Certificate.objects.filter(pk=fresh.pk).update(status=CertificateStatus.PENDING)
    cache.clear()
    BrokerConnected(parent=None).start(consumer=None)
    assert Certificate.objects.get(pk=fresh.pk).status == CertificateStatus.ISSUED
    Certificate.objects.filter(pk=fresh.pk).update(status=CertificateStatus.PENDING)
    answers = broker_connected.send_robust(sender=BrokerConnected)  # a second worker, at once
    assert not any(isinstance(result, Exception) for _receiver, result in answers)
    assert Certificate.objects.get(pk=fresh.pk).status == CertificateStatus.PENDING


def test_revoking_uncounts_the_learner_with_no_other_valid_certificate(issued):
    certificate = issued()
    assert certified_count() == 1
    with pytest.raises(ValueError):
        certificate_revoke(certificate=certificate, reason="  ")
    certificate_revoke(certificate=certificate, reason="Gian lận khi kiểm tra")
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    assert certificate.status_reason == "Gian lận khi kiểm tra"
    assert certified_count() == 0
    assert not Achievement.objects.filter(indicator__code=CERTIFIED_LEARNERS).exists()
    event = certificate.events.get(kind="revoked")
    assert event.reason == "Gian lận khi kiểm tra"


def test_revoking_one_of_two_keeps_the_learner_counted(issued, course):
    from tests.builders import make_course

    first = issued()
    cadre = first.enrolment.cadre
    other_course = make_course(modules=1, lessons_per_module=1, quiz=False,
                               certificate_title="Phân tích giới").course  # fmt: skip
    complete(cadre=cadre, course=other_course)
    second = cadre.enrolments.get(course=other_course).certificate
    issue_certificate.apply(args=[second.pk]).get()
    certificate_revoke(certificate=first, reason="Cấp nhầm")
    assert certified_count() == 1


def test_reissue_after_a_name_correction_keeps_serial_and_code(
    issued, django_capture_on_commit_callbacks
):
    certificate = issued(full_name="Nguyen Thi Hoa")
    serial, code = certificate.serial, certificate.code
    with django_capture_on_commit_callbacks(execute=True):
        certificate_reissue(certificate=certificate, full_name=nfd("Nguyễn Thị Hoà"))
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    assert (certificate.serial, certificate.code) == (serial, code)
    assert certificate.full_name == "Nguyễn Thị Hoà"
    assert certificate.enrolment.cadre.full_name == "Nguyễn Thị Hoà"
    assert "Nguyễn Thị Hoà" in pdf_text(certificate)
    event = CertificateEvent.objects.get(certificate=certificate, kind="reissued")
    assert (event.old_name, event.new_name) == ("Nguyen Thi Hoa", "Nguyễn Thị Hoà")
    assert certified_count() == 1


def test_a_failing_mail_server_delays_the_email_not_the_certificate(issued, settings, mailoutbox):
    """The email is its own task: an SMTP error leaves the certificate issued and is retried
    (autoretry_for SMTP and socket errors), and a later send succeeds."""
    import smtplib

    from certificates.services import certificate_email_send
    from certificates.tasks import email_certificate

    certificate = issued()
    assert len(mailoutbox) == 1
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 1
    with pytest.raises(OSError):
        certificate_email_send(certificate_id=certificate.pk)  # nobody listens on port 9
    assert OSError in email_certificate.autoretry_for
    assert smtplib.SMTPException in email_certificate.autoretry_for
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert email_certificate.apply(args=[certificate.pk]).get() is True
    assert len(mailoutbox) == 2


def test_a_revoked_certificate_is_not_announced(issued, mailoutbox):
    from certificates.tasks import email_certificate

    certificate = issued()
    certificate_revoke(certificate=certificate, reason="Cấp nhầm")
    assert email_certificate.apply(args=[certificate.pk]).get() is False
    assert len(mailoutbox) == 1  # only the email sent when it was issued


@pytest.mark.parametrize(
    ("sex", "salutation"), [("female", "Chứng nhận Bà:"), ("male", "Chứng nhận Ông:"),
                            ("", "Chứng nhận Ông/Bà:")],
)  # fmt: skip
def test_the_certificate_addresses_the_holder_by_the_recorded_sex(issued, sex, salutation):
    text = pdf_text(issued(sex=sex))
    assert salutation in text
    if sex:
        assert "Ông/Bà" not in text


def test_the_date_of_issue_is_preceded_by_the_place_set_in_the_settings(issued, settings):
    settings.CERTIFICATE_PLACE = "Lào Cai"
    certificate = issued()
    day = certificate.issued_on
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    expected = f"Lào Cai, ngày {day.day:02d} tháng {month} năm {day.year}"
    assert expected in pdf_text(certificate).replace("\n", " ")


def _queued_pending(course, count: int) -> list[Certificate]:
    """Completed enrolments whose certificates wait in the queue (their tasks not run yet)."""
    from certificates.services import certificates_queue_deferred

    with certificates_queue_deferred():
        enrolments = [
            complete(cadre=cadre_create(unit=make_units().commune), course=course)
            for _ in range(count)
        ]
    certificates = list(Certificate.objects.filter(enrolment__in=enrolments).order_by("pk"))
    Certificate.objects.filter(pk__in=[c.pk for c in certificates]).update(queued_at=timezone.now())
    return certificates


def test_one_task_issues_its_certificate_with_the_next_queued_ones(
    course, mailoutbox, settings, django_capture_on_commit_callbacks
):
    """A batch of three: the asked certificate and the two oldest other queued ones are
    issued together, each with its own serial (no gap), PDF, credential, event, count and
    email; the rest wait for their own tasks, which then find the batch's members issued."""
    settings.CERTIFICATE_ISSUE_BATCH = 3
    certificates = _queued_pending(course, 5)
    last = certificates[-1]
    with django_capture_on_commit_callbacks(execute=True):
        assert issue_certificate.apply(args=[last.pk]).get() == CertificateStatus.ISSUED
    statuses = dict(Certificate.objects.values_list("pk", "status"))
    together = {last.pk, certificates[0].pk, certificates[1].pk}
    assert {pk for pk, status in statuses.items() if status == CertificateStatus.ISSUED} == together
    issued = Certificate.objects.filter(pk__in=together).order_by("serial")
    numbers = [int(c.serial.rsplit("-", 1)[1]) for c in issued]
    assert len(set(numbers)) == 3
    for certificate in issued:
        assert certificate.full_name in pdf_text(certificate)
        assert certificate.credentials.filter(revoked_at__isnull=True).count() == 1
        assert certificate.events.filter(kind="issued").count() == 1
    assert certified_count() == 3
    assert len(mailoutbox) == 3

    for certificate in certificates:
        with django_capture_on_commit_callbacks(execute=True):
            issue_certificate.apply(args=[certificate.pk]).get()
    assert set(Certificate.objects.values_list("status", flat=True)) == {CertificateStatus.ISSUED}
    assert certified_count() == 5
    assert len(mailoutbox) == 5  # nobody told twice
    assert Certificate.objects.values("serial").distinct().count() == 5
    call_command("recount_counters", "--check")


def test_a_batch_leaves_certificates_outside_the_queue_alone(course, settings):
    """History entered in bulk (not queued) is left to the periodic re-queue."""
    from certificates.services import certificates_queue_deferred

    settings.CERTIFICATE_ISSUE_BATCH = 10
    with certificates_queue_deferred():
        history = complete(cadre=cadre_create(unit=make_units().commune), course=course)
    asked = _queued_pending(course, 1)[0]
    issue_certificate.apply(args=[asked.pk]).get()
    assert Certificate.objects.get(enrolment=history).status == CertificateStatus.PENDING
    assert Certificate.objects.get(pk=asked.pk).status == CertificateStatus.ISSUED


@pytest.mark.skipif(
    os.environ.get("CI") != "true"
    and not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="row locks between transactions need PostgreSQL (DATABASE_URL)",
)
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_certificate_another_transaction_holds_is_not_waited_for(course):
    """A worker asked for a certificate that another transaction holds (another worker's
    batch) issues the other queued ones and says so, without waiting; once the holder is
    done, issuing it works as ever."""
    from certificates.services import certificate_issue, certificates_issue

    require_postgres("row locks between transactions")
    held, other = _queued_pending(course, 2)
    with held_in_another_transaction(
        lambda: list(Certificate.objects.select_for_update().filter(pk=held.pk))
    ):
        outcome = certificates_issue(certificate_id=held.pk, others=5)
        assert outcome.elsewhere and outcome.issued == 1
        assert Certificate.objects.get(pk=other.pk).status == CertificateStatus.ISSUED
        assert Certificate.objects.get(pk=held.pk).status == CertificateStatus.PENDING
    assert certificate_issue(certificate_id=held.pk).status == CertificateStatus.ISSUED
    serials = Certificate.objects.order_by("serial").values_list("serial", flat=True)
    assert [s.rsplit("-", 1)[1] for s in serials] == ["000001", "000002"]


def test_a_failed_batch_leaves_its_other_certificates_to_the_next_requeue(
    course, settings, monkeypatch
):
    """The store fails in the middle of a batch: nothing of it is written, the asked one is
    the caller's to retry, and the others are taken by the next periodic re-queue whatever
    their age (their own messages may already be spent)."""
    from certificates import services

    settings.CERTIFICATE_ISSUE_BATCH = 3
    first, second, third, fourth = _queued_pending(course, 4)
    real = services.rendering.render_certificate
    calls = []

    def render_then_fail(data):
        calls.append(data)
        if len(calls) == 2:
            raise OSError("the file store is unreachable")
        return real(data)

    monkeypatch.setattr(services.rendering, "render_certificate", render_then_fail)
    with pytest.raises(OSError):
        services.certificates_issue(certificate_id=first.pk, others=2)
    rows = {c.pk: c for c in Certificate.objects.all()}
    assert all(c.status == CertificateStatus.PENDING and not c.pdf for c in rows.values())
    assert certified_count() == 0
    assert rows[first.pk].queued_at is not None  # the caller retries it
    assert rows[second.pk].queued_at is None and rows[third.pk].queued_at is None
    assert rows[fourth.pk].queued_at is not None  # not in the batch
    monkeypatch.setattr(services.rendering, "render_certificate", real)
    settings.CERTIFICATE_ISSUE_BATCH = 1
    assert certificates_requeue() == 2  # queued_at empty: taken whatever their age
    assert Certificate.objects.get(pk=second.pk).status == CertificateStatus.ISSUED
    assert Certificate.objects.get(pk=third.pk).status == CertificateStatus.ISSUED


def test_a_batch_email_that_fails_is_sent_again_on_its_own(course, mailoutbox, monkeypatch):
    import smtplib

    from certificates import services
    from certificates.tasks import email_certificates

    certificates = _queued_pending(course, 3)
    for certificate in certificates:
        services.certificate_issue(certificate_id=certificate.pk)
    mailoutbox.clear()
    real = services.certificate_email_send
    failed = []

    def flaky(*, certificate_id):
        if certificate_id == certificates[1].pk and not failed:
            failed.append(certificate_id)
            raise smtplib.SMTPServerDisconnected("the mail server went away")
        return real(certificate_id=certificate_id)

    monkeypatch.setattr(services, "certificate_email_send", flaky)
    assert email_certificates.apply(args=[[c.pk for c in certificates]]).get() == 2
    assert failed == [certificates[1].pk]
    # The failed one went back on its own (run inline here) and was sent: each one once.
    assert len(mailoutbox) == 3
    for certificate in Certificate.objects.filter(pk__in=[c.pk for c in certificates]):
        assert sum(certificate.serial in m.body for m in mailoutbox) == 1
