"""Writes for certificates: create, issue, revoke, re-issue, re-queue, export.

Issuing is idempotent by database state. `certificate_issue` is one transaction:
lock the certificate row; stop if it is issued, revoked or failed for good; if it has no serial
yet, draw the next number of its (province, year) counter in one upsert and store it on the
certificate; render, store the file under a name that comes from the certificate (a retry
overwrites it), mark it issued, count CERTIFIED_LEARNERS and send the email once the
transaction commits. The increment and the serial commit or roll back together, and a serial
is never cleared, so there is no gap. The counter row stays locked until the commit (about the
length of one render, a few milliseconds), which bounds one province at a few hundred
certificates a second; provinces do not wait for each other.
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import datetime as dt
import hashlib
import hmac
import io
import logging
import time
import uuid
import zipfile
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Exists, Min, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from certificates import rendering
from certificates.models import (
    BulkExport,
    Certificate,
    CertificateEvent,
    CertificateEventKind,
    CertificateStatus,
    ExportFormat,
    ExportStatus,
    OpenBadgeCredential,
    SerialCounter,
    VerificationLog,
    VerificationResult,
)
from certificates.openbadges import documents as badge_documents
from certificates.openbadges import issuing as badges
from courses.counters.services import (
    certified_learner_record,
    certified_learner_redate,
    certified_learner_remove,
    counters_batched,
)
from courses.learning.models import Enrolment
from courses.registry.services import cadre_rename
from lms.cache import UNAVAILABLE as CACHE_UNAVAILABLE
from lms.cache import strict_cache
from lms.rows import row_insert_new, rows_update
from lms.text import name_problem, nfc

logger = logging.getLogger(__name__)

NO_PROVINCE = "00"


def verify_url(*, code: str) -> str:
    return settings.SITE_URL + reverse("certificates:verify", args=[code])


# --- Creation and queueing ------------------------------------------------------------------


_queue_deferred = contextvars.ContextVar("certificates_queue_deferred", default=False)


@contextlib.contextmanager
def certificates_queue_deferred():
    """Completions recorded inside leave their pending certificates unqueued (`queued_at`
    empty) instead of queueing one task each at the commit: for history entered in bulk (the
    demo's thousands of 2021-2023 completions), where rendering every PDF inline would hold
    the command for minutes. The rows are the same pending rows; the periodic re-queue (or
    `manage.py issue_pending_certificates`) takes them first, whatever their age."""
    token = _queue_deferred.set(True)
    try:
        yield
    finally:
        _queue_deferred.reset(token)


def certificate_create_pending(*, enrolment: Enrolment) -> Certificate | None:
    """The pending certificate of a completed enrolment (one per enrolment, by the database).

    Runs inside the completion's transaction; the task is queued once it commits (unless
    queueing is deferred, see certificates_queue_deferred: then the row is made with
    `queued_at` empty and None is returned).
    """
    if _queue_deferred.get():
        # Nothing to queue, so no row to read back: one INSERT that does nothing if the
        # enrolment has its certificate already.
        Certificate.objects.bulk_create(
            [Certificate(enrolment=enrolment, province_code=enrolment.cadre.province_2025)],
            ignore_conflicts=True,
        )
        return None
    # The usual case, a first completion, in one statement: the insert does nothing if the
    # enrolment has its certificate already, which is then read (no other transaction can
    # make it meanwhile: the completion that called this holds the enrolment's row).
    certificate = Certificate(
        enrolment=enrolment,
        province_code=enrolment.cadre.province_2025,
        queued_at=timezone.now(),
    )
    if row_insert_new(certificate, conflict="enrolment"):
        transaction.on_commit(lambda: _certificate_queue_new(certificate_id=certificate.pk))
        return certificate
    certificate = Certificate.objects.get(enrolment=enrolment)
    if _withdrawn(certificate):
        # Completed again after its completion was taken back: issued again, same serial and
        # code, with the new completion date.
        certificate.status = CertificateStatus.PENDING
        certificate.status_reason = ""
        certificate.queued_at = timezone.now()
        certificate.save(update_fields=["status", "status_reason", "queued_at", "updated_at"])
        CertificateEvent.objects.create(certificate=certificate, kind=CertificateEventKind.RESTORED)
        transaction.on_commit(lambda: _certificate_queue_new(certificate_id=certificate.pk))
    return certificate


def _withdrawn(certificate: Certificate) -> bool:
    """Revoked because its completion was taken back (not by an admin's decision)."""
    if certificate.status != CertificateStatus.REVOKED:
        return False
    last = certificate.events.order_by("-pk").values_list("kind", flat=True).first()
    return last == CertificateEventKind.WITHDRAWN


def certificate_withdraw(*, enrolment: Enrolment, reason: str, by=None) -> None:
    """The completion a certificate stood for was taken back (inside that transaction): a
    certificate never issued goes; an issued one is revoked with the reason, its serial kept,
    and the certified count follows. The row lock makes a worker issuing it at this moment
    either finish first (then it is revoked) or find nothing to issue."""
    certificate = Certificate.objects.select_for_update().filter(enrolment=enrolment).first()
    if certificate is None or certificate.status == CertificateStatus.REVOKED:
        return
    if not certificate.serial:
        certificate.delete()
        return
    certificate_revoke(
        certificate=certificate, reason=reason, by=by, kind=CertificateEventKind.WITHDRAWN
    )


def _to_draw_again(certificate: Certificate, *, queued: bool) -> None:
    """The locked certificate goes back to pending, to be drawn again with its serial and
    code; its valid credentials are revoked now (the new one comes with the new PDF).
    Not `queued`, it waits for the periodic re-queue."""
    badges.credentials_revoke(certificate_id=certificate.pk)
    certificate.status = CertificateStatus.PENDING
    certificate.status_reason = ""
    certificate.error = ""
    certificate.error_transient = False
    certificate.queued_at = timezone.now() if queued else None
    certificate.save()


def certificate_redate(*, enrolment: Enrolment, reason: str, by=None) -> bool:
    """The completion a certificate stands for is dated on another day now (inside that
    transaction): an issued certificate (or one that failed) is drawn again with the new date,
    keeping its serial and code; its credential of the old date is revoked now, the new one
    comes with the new PDF. One not issued yet prints the new date anyway. The person counts
    among the certified learners from their earliest certified completion. Inside
    certificates_queue_deferred it waits for the periodic re-queue. True if it is to be drawn
    again."""
    certificate = Certificate.objects.select_for_update().filter(enrolment=enrolment).first()
    if certificate is None or certificate.status in (
        CertificateStatus.REVOKED,
        CertificateStatus.PENDING,
    ):
        return False
    deferred = _queue_deferred.get()
    _to_draw_again(certificate, queued=not deferred)
    CertificateEvent.objects.create(
        certificate=certificate, kind=CertificateEventKind.REDATED, reason=reason, by=by
    )
    first = Certificate.objects.filter(
        enrolment__cadre_id=enrolment.cadre_id,
        status__in=(CertificateStatus.ISSUED, CertificateStatus.PENDING),
    ).aggregate(first=Min("enrolment__completed_at"))["first"]
    if first is not None:
        certified_learner_redate(cadre=enrolment.cadre, at=first)
    if not deferred:
        # One drain for the many a corrected session dates again, as for new completions.
        pk = certificate.pk
        transaction.on_commit(lambda: _certificate_queue_new(certificate_id=pk))
    return True


def certificate_queue(*, certificate_id: int) -> bool:
    """Publish the issuing task. A broker outage must not break the caller: the periodic
    re-queue finds the row in the database later."""
    from certificates.tasks import issue_certificate

    try:
        issue_certificate.apply_async(args=[certificate_id])
    except Exception:
        logger.exception("could not queue certificate %s; it will be re-queued", certificate_id)
        # Never queued: the next re-queue takes it whatever its age.
        Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.PENDING).update(
            queued_at=None
        )
        return False
    return True


def _certificate_queue_new(*, certificate_id: int) -> None:
    """A completion's new pending certificate: a drain of the queued certificates is asked
    for (one message for the many completions that arrive meanwhile, not one each). If the
    broker is unreachable the row is marked never queued, for the periodic re-queue."""
    if not certificates_drain_request():
        Certificate.objects.filter(pk=certificate_id, status=CertificateStatus.PENDING).update(
            queued_at=None
        )


# Set while a drain message is queued or running. A drain clears it before its last look for
# queued certificates, so a certificate committed before its completion found the flag set is
# seen by that drain; its time-out bounds the wait after a drain lost with its worker.
DRAIN_FLAG = "certificates:drain"


def certificates_drain_request() -> bool:
    """Make sure a worker will issue the queued pending certificates soon: publish a drain
    unless one is queued or running already. False if it could not be published."""
    from certificates.tasks import issue_pending_certificates

    # The cache that raises when Redis is unreachable: a flag read as set when it is not
    # would leave certificates waiting for the periodic re-queue.
    store = strict_cache()
    try:
        if not store.add(DRAIN_FLAG, 1, timeout=settings.CERTIFICATE_DRAIN_FLAG_TIMEOUT):
            return True
    except CACHE_UNAVAILABLE:
        pass  # the broker is the same Redis: publishing below fails too, and says so
    try:
        issue_pending_certificates.apply_async()
    except Exception:
        certificates_drain_done()
        logger.exception(
            "could not ask for the pending certificates to be issued; they will be re-queued"
        )
        return False
    return True


def certificates_drain_done() -> None:
    """The drain is about to take its last look (or has failed): the next completion asks
    for a new one."""
    try:
        strict_cache().delete(DRAIN_FLAG)
    except CACHE_UNAVAILABLE:
        logger.warning("could not clear the certificate drain flag; it times out by itself")


REQUEUE_ON_CONNECT_LOCK = "certificates:requeue-on-connect"


def certificates_requeue_request() -> bool:
    """Ask a worker to queue every pending certificate again now (a worker has just
    (re)connected to the broker, whose queue may have been lost with it). Workers that
    reconnect together ask once. True if the request was published."""
    from certificates.tasks import requeue_pending_certificates

    if not cache.add(REQUEUE_ON_CONNECT_LOCK, 1, timeout=30):
        return False
    try:
        requeue_pending_certificates.apply_async(kwargs={"older_than": 0})
    except Exception:
        cache.delete(REQUEUE_ON_CONNECT_LOCK)
        logger.exception("could not ask for the pending certificates to be re-queued")
        return False
    return True


def certificates_requeue(*, older_than: int | None = None, limit: int = 5000) -> int:
    """Queue again pending rows, and failed rows whose error was transient, older than
    `older_than` seconds (CERTIFICATE_REQUEUE_AFTER). Returns how many were queued."""
    if older_than is None:
        older_than = settings.CERTIFICATE_REQUEUE_AFTER
    cutoff = timezone.now() - dt.timedelta(seconds=older_than)
    stale = Q(queued_at__lte=cutoff) | Q(queued_at__isnull=True)
    ids = list(
        Certificate.objects.filter(
            Q(status=CertificateStatus.PENDING)
            | Q(status=CertificateStatus.FAILED, error_transient=True)
        )
        .filter(stale)
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    queued = 0
    for pk in ids:
        if not certificate_queue(certificate_id=pk):
            break  # the broker is down: try again at the next run
        Certificate.objects.filter(pk=pk).update(queued_at=timezone.now())
        queued += 1
    return queued


# --- Issuing --------------------------------------------------------------------------------


def serial_next(*, province_code: str, year: int) -> str:
    """The next serial in a province and year. Must run inside the caller's transaction.

    One statement: insert the counter at 1 or add one to it, and read the number back. The
    row stays locked until the caller commits, so two drawers never get the same number."""
    return serials_next(province_code=province_code, year=year, count=1)[0]


def serials_next(*, province_code: str, year: int, count: int) -> list[str]:
    """The next `count` serials in a province and year, in order, drawn in one statement (see
    serial_next)."""
    province_code = province_code or NO_PROVINCE
    table = SerialCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (province_code, year, last_number) VALUES (%s, %s, %s) "  # noqa: S608
            f"ON CONFLICT (province_code, year) "
            f"DO UPDATE SET last_number = {table}.last_number + EXCLUDED.last_number "
            f"RETURNING last_number",
            [province_code, year, count],
        )
        (last,) = cursor.fetchone()
    return [
        f"DA8-{province_code}-{year}-{number:06d}" for number in range(last - count + 1, last + 1)
    ]


def _issuable(certificate: Certificate) -> bool:
    if certificate.status == CertificateStatus.PENDING:
        return True
    return certificate.status == CertificateStatus.FAILED and certificate.error_transient


# What issuing reads of the learner and the course: loading only these keeps the locked
# query small (a course is a Wagtail page with some forty columns).
_CADRE_FIELDS = (
    "id", "user_id", "full_name", "email", "province_code", "district_code", "commune_code",
    "province_2025", "commune_2025", "level", "sex", "ethnicity",
)  # fmt: skip
_COURSE_FIELDS = ("title", "certificate_title", "summary", "estimated_hours", "url_path")


def _issuing_rows():
    """Certificates locked for issuing, with what issuing needs of their enrolment, learner
    and course. Rows another transaction holds are skipped, never waited for."""
    fields = [f.attname for f in Certificate._meta.concrete_fields]
    fields += ["enrolment__id", "enrolment__cadre_id", "enrolment__course_id",
               "enrolment__completed_at"]  # fmt: skip
    fields += [f"enrolment__cadre__{name}" for name in _CADRE_FIELDS]
    fields += [f"enrolment__course__{name}" for name in _COURSE_FIELDS]
    return (
        Certificate.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("enrolment__cadre", "enrolment__course")
        .only(*fields)
    )


def _queued(rows):
    """The pending certificates among `rows` that were queued (history entered in bulk, and
    the rows of a batch that failed, wait for the periodic re-queue instead), oldest first."""
    return rows.filter(status=CertificateStatus.PENDING, queued_at__isnull=False).order_by("pk")


def _locked(certificate_id: int) -> Certificate | None:
    """The certificate, locked (waiting for another transaction that holds it), with what
    issuing needs."""
    rows = (
        _issuing_rows()
        .select_for_update(of=("self",))
        .filter(pk=certificate_id)
        .order_by()  # one row by primary key: no sort for the planner to add
    )
    return next(iter(rows), None)


def certificate_data(*, certificate: Certificate) -> rendering.CertificateData:
    enrolment = certificate.enrolment
    return rendering.CertificateData(
        full_name=nfc(enrolment.cadre.full_name),
        course_title=nfc(enrolment.course.get_certificate_title()),
        completed_on=timezone.localdate(enrolment.completed_at),
        issued_on=certificate.issued_on,
        serial=certificate.serial,
        verify_url=verify_url(code=certificate.code),
        organisation=settings.ISSUING_ORGANISATION,
        salutation=rendering.salutation_for(enrolment.cadre.sex),
        place=nfc(settings.CERTIFICATE_PLACE),
    )


def _course_url(course) -> str:
    """The course page at SITE_URL (the public address, whatever host Wagtail's site
    record names)."""
    try:
        parts = course.get_url_parts()
    except Exception:
        logger.exception("no address for course %s", course.pk)
        parts = None
    if parts and parts[2]:
        return settings.SITE_URL + parts[2]
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{settings.SITE_URL}/course/{course.pk}')}"


def achievement_data(
    certificate: Certificate, course_urls: dict[int, str] | None = None
) -> badge_documents.AchievementData:
    """What the certificate's Open Badges credential says (no personal data: the learner is
    an opaque identifier). `course_urls`: the addresses of courses already looked up, by
    id, kept by a caller that makes many (a batch is mostly one course or a few)."""
    enrolment = certificate.enrolment
    course = enrolment.course
    if course_urls is None:
        course_urls = {}
    if course.pk not in course_urls:
        course_urls[course.pk] = _course_url(course)
    return badge_documents.AchievementData(
        course_id=course.pk,
        course_url=course_urls[course.pk],
        title=certificate.course_title,
        description=nfc(course.summary or ""),
        hours=course.estimated_hours,
        issued_on=certificate.issued_on,
        completed_at=enrolment.completed_at,
        learner_key=badge_documents.learner_identifier(enrolment.cadre_id),
    )


def credentials_backfill(
    *, batch: int = 200, progress: Callable[[int], None] | None = None, dry_run: bool = False
) -> int:
    """Sign an Open Badges credential for each issued certificate that has no valid one (issued
    before credentials were part of issuing), in batches of `batch`, each in a transaction of
    its own: a run stopped part-way keeps what it signed, and the next run does the rest.
    Certificates a worker holds at that moment are skipped (it signs its own). `progress` is
    called with the number signed so far after each batch. Returns how many were signed (or,
    with `dry_run`, how many lack one)."""
    valid = OpenBadgeCredential.objects.filter(certificate=OuterRef("pk"), revoked_at__isnull=True)
    missing = Q(status=CertificateStatus.ISSUED, enrolment__isnull=False) & ~Exists(valid)
    if dry_run:
        return Certificate.objects.filter(missing).count()
    signed, after = 0, 0
    course_urls: dict[int, str] = {}
    while True:
        with transaction.atomic():
            rows = list(_issuing_rows().filter(missing, pk__gt=after).order_by("pk")[:batch])
            if not rows:
                return signed
            badges.credentials_issue([(row, achievement_data(row, course_urls)) for row in rows])
        after = rows[-1].pk
        signed += len(rows)
        if progress is not None:
            progress(signed)


def unsupported_reason(characters: Iterable[str]) -> str:
    shown = ", ".join(f"“{ch}” (U+{ord(ch):04X})" for ch in characters)
    return _(
        "The certificate font cannot print these characters: {characters}. Correct the name "
        "or the course title, then re-issue the certificate."
    ).format(characters=shown)


@dataclasses.dataclass
class IssueOutcome:
    """What one call of certificates_issue did with the certificate it was asked for."""

    certificate: Certificate | None  # None: it does not exist (any more)
    elsewhere: bool = False  # another transaction holds it: not settled by this call
    issued: int = 0  # certificates this call issued, the asked one and the others


def certificates_issue(*, certificate_id: int, others: int = 0) -> IssueOutcome:
    """Issue the certificate, and up to `others` other queued pending certificates that no
    other worker holds, together: one transaction draws the serials of those that have none
    (one statement per province and year) and commits them before any file is written (the
    file's name carries the serial, so a worker killed after writing leaves a name that its
    retry overwrites, not an orphan under a serial that was rolled back and given to another
    certificate); a second one renders and stores each file, marks them issued, counts the
    certified learners (each counter row written once), signs their credentials and queues
    the emails once it commits. Issued, revoked and failed-for-good certificates are left as
    they are.

    If another transaction holds the asked certificate (another worker's batch, a revocation)
    the call does not wait for it: `elsewhere` says so. A batch that fails leaves its other
    certificates for the periodic re-queue. Serials stay without gaps: a serial is drawn and
    committed with its certificate."""
    rows = _issuing_rows()
    with transaction.atomic():
        batch = list(rows.filter(pk=certificate_id).order_by())
        asked = batch[0] if batch else None
        if asked is None:
            exists = Certificate.objects.filter(pk=certificate_id).exists()
            if not exists:
                return IssueOutcome(certificate=None)
        # A message whose certificate is settled already (a batch took it) takes no others:
        # the batch that took it took its neighbours too.
        if others and (asked is None or _issuable(asked)):
            batch += list(_queued(rows).exclude(pk=certificate_id)[:others])
        batch = [row for row in batch if _issuable(row)]
        _serials_draw([row for row in batch if not row.serial])
    if asked is None:
        outcome = IssueOutcome(
            certificate=Certificate.objects.get(pk=certificate_id), elsewhere=True
        )
    else:
        outcome = IssueOutcome(certificate=asked)
    if not batch:
        return outcome
    issued, locked = _issue_taken(batch, retried=certificate_id)
    outcome.issued = len(issued)
    if asked is not None:
        outcome.certificate = locked.get(asked.pk, asked)
        if asked.pk not in locked:
            outcome.elsewhere = True
    return outcome


def _issue_taken(
    batch: list[Certificate], *, retried: int | None = None
) -> tuple[list[Certificate], dict[int, Certificate]]:
    """The second transaction of an issue: lock the batch's rows again, and render, store and
    mark issued those still issuable. Returns the issued ones and the rows it locked."""
    rows = _issuing_rows()
    try:
        with counters_batched():
            # Another worker may have taken a row between the two transactions: it is skipped.
            locked = {row.pk: row for row in rows.filter(pk__in=[row.pk for row in batch])}
            todo = [
                locked[row.pk] for row in batch if row.pk in locked and _issuable(locked[row.pk])
            ]
            issued = _issue_locked(todo)
    except Exception:
        # Rolled back. The `retried` certificate is retried by the caller; the others are
        # marked never queued, so that the next periodic re-queue takes them whatever their
        # age (a drain takes only queued rows, so it does not take them again meanwhile).
        Certificate.objects.filter(
            pk__in=[row.pk for row in batch if row.pk != retried],
            status=CertificateStatus.PENDING,
        ).update(queued_at=None)
        raise
    return issued, locked


def certificates_issue_next(*, limit: int) -> tuple[int, int]:
    """Take up to `limit` queued pending certificates that no other transaction holds, in
    the order they were made, and issue them together as certificates_issue issues a batch.
    Returns how many were taken and how many issued (none taken: nothing is left to do)."""
    rows = _issuing_rows()
    with transaction.atomic():
        batch = list(_queued(rows)[:limit])
        _serials_draw([row for row in batch if not row.serial])
    if not batch:
        return 0, 0
    issued, _locked_rows = _issue_taken(batch)
    return len(batch), len(issued)


def certificates_drain(*, inline: bool = False) -> int:
    """Issue the queued pending certificates a batch at a time until none is left, or for
    CERTIFICATE_DRAIN_SECONDS, after which a new drain message goes on with the rest (run
    `inline`, without a broker, it stops there and leaves the rest to the next completion or
    the periodic re-queue). Its first full batch publishes one more drain, so that an idle
    worker joins in (each drain it starts does the same). Returns how many it issued."""
    from certificates.tasks import issue_pending_certificates

    size = max(settings.CERTIFICATE_ISSUE_BATCH, 1)
    deadline = time.monotonic() + settings.CERTIFICATE_DRAIN_SECONDS
    issued, helped, last_look = 0, inline, False
    try:
        while True:
            taken, done = certificates_issue_next(limit=size)
            issued += done
            if not taken:
                if last_look:
                    return issued
                certificates_drain_done()
                last_look = True
                continue
            last_look = False
            if taken == size and not helped:
                helped = True
                issue_pending_certificates.apply_async()
            if time.monotonic() > deadline:
                if inline:
                    certificates_drain_done()
                else:
                    issue_pending_certificates.apply_async()
                return issued
    except Exception:
        # Whatever failed (its batch was rolled back and left to the periodic re-queue), the
        # next completion asks for a drain again at once.
        certificates_drain_done()
        raise


def certificate_issue(*, certificate_id: int) -> Certificate | None:
    """Render, store and mark issued one certificate (certificates_issue without others),
    waiting for another transaction that holds it; does nothing to an issued or revoked
    certificate."""
    while True:
        outcome = certificates_issue(certificate_id=certificate_id)
        if not outcome.elsewhere:
            return outcome.certificate
        # Held by another transaction: wait for it, then look again.
        with transaction.atomic():
            _locked(certificate_id)


def _serials_draw(certificates: list[Certificate]) -> None:
    """Give each certificate its serial, issue date and province (inside the caller's
    transaction, which holds the rows)."""
    if not certificates:
        return
    today = timezone.localdate()
    now = timezone.now()
    groups: dict[str, list[Certificate]] = {}
    for certificate in certificates:
        certificate.issued_on = today
        certificate.province_code = certificate.enrolment.cadre.province_2025
        certificate.updated_at = now
        groups.setdefault(certificate.province_code or NO_PROVINCE, []).append(certificate)
    for province_code, group in sorted(groups.items()):  # one lock order for every worker
        group.sort(key=lambda c: c.pk)
        serials = serials_next(province_code=province_code, year=today.year, count=len(group))
        for certificate, serial in zip(group, serials, strict=True):
            certificate.serial = serial
    rows_update(certificates, ["issued_on", "province_code", "serial", "updated_at"])


_ISSUED_FIELDS = [
    "issued_on", "province_code", "serial", "pdf", "full_name", "course_title",
    "completed_on", "status", "status_reason", "error", "error_transient",
    "issued_at", "attempts", "updated_at",
]  # fmt: skip


def _issue_locked(certificates: list[Certificate]) -> list[Certificate]:
    """Render, store and mark issued these locked certificates (inside the caller's
    transaction); a certificate whose text the fonts cannot print fails on its own. Returns
    the issued ones."""
    issued: list[Certificate] = []
    events: list[CertificateEvent] = []
    credentials: list[tuple[Certificate, badge_documents.AchievementData]] = []
    course_urls: dict[int, str] = {}
    now = timezone.now()
    for certificate in certificates:
        certificate.attempts += 1
        data = certificate_data(certificate=certificate)
        try:
            pdf = rendering.render_certificate(data)
        except rendering.UnsupportedCharacters as exc:
            chars = getattr(exc, "characters", None) or rendering.missing_glyphs(
                data.full_name + data.course_title + data.organisation
            )
            _certificate_fail(certificate, reason=unsupported_reason(chars))
            continue
        storage = certificate.pdf.storage
        name = certificate.pdf_name()
        previous = certificate.pdf.name
        if storage.exists(name):
            storage.delete(name)
        certificate.pdf.name = storage.save(name, ContentFile(pdf))
        if previous and previous != certificate.pdf.name:
            # A file stored under an older name (moved from the public media): it goes once
            # the new one is committed.
            transaction.on_commit(lambda s=storage, p=previous: _file_delete(s, p))
        certificate.full_name = data.full_name
        certificate.course_title = data.course_title
        certificate.completed_on = data.completed_on
        certificate.status = CertificateStatus.ISSUED
        certificate.status_reason = ""
        certificate.error = ""
        certificate.error_transient = False
        certificate.issued_at = now
        certificate.updated_at = now
        issued.append(certificate)
        events.append(
            CertificateEvent(
                certificate=certificate, kind=CertificateEventKind.ISSUED, new_name=data.full_name
            )
        )
        credentials.append((certificate, achievement_data(certificate, course_urls)))
    if not issued:
        return issued
    rows_update(issued, _ISSUED_FIELDS)
    # Counted in the month of the completion it certifies, as the trained counts are; in the
    # order of the people, the one order every worker inserts their achievements in.
    for certificate in sorted(issued, key=lambda c: (c.enrolment.cadre_id, c.pk)):
        certified_learner_record(
            cadre=certificate.enrolment.cadre, at=certificate.enrolment.completed_at or now
        )
    CertificateEvent.objects.bulk_create(events)
    badges.credentials_issue(credentials)
    ids = [certificate.pk for certificate in issued]
    transaction.on_commit(lambda: certificate_emails_queue(certificate_ids=ids))
    return issued


def _file_delete(storage, name: str) -> None:
    try:
        storage.delete(name)
    except OSError:
        logger.exception("could not delete the replaced file %s", name)


def _certificate_fail(certificate: Certificate, *, reason: str) -> Certificate:
    certificate.status = CertificateStatus.FAILED
    certificate.status_reason = reason
    certificate.error = reason
    certificate.error_transient = False
    certificate.save()
    CertificateEvent.objects.create(
        certificate=certificate, kind=CertificateEventKind.FAILED, reason=reason
    )
    return certificate


def certificate_record_transient_error(*, certificate_id: int, error: str) -> None:
    """Note a transient failure; the task retries it, and so does the periodic re-queue."""
    try:
        Certificate.objects.filter(
            pk=certificate_id, status__in=[CertificateStatus.PENDING, CertificateStatus.FAILED]
        ).update(
            status=CertificateStatus.FAILED,
            error=error[:2000],
            error_transient=True,
            status_reason=_("Temporary error; the certificate will be issued automatically."),
            updated_at=timezone.now(),
        )
    except Exception:
        logger.exception("could not record the error of certificate %s", certificate_id)


def certificate_email_queue(*, certificate_id: int) -> None:
    """Queue the learner's email (called once the issuing transaction has committed).

    The email is its own task on the default queue: a slow or failing mail server delays
    the email, never the next certificate, and a failed send is retried."""
    from certificates.tasks import email_certificate

    try:
        email_certificate.apply_async(args=[certificate_id])
    except Exception:
        logger.exception("could not queue the email of certificate %s", certificate_id)


def certificate_emails_queue(*, certificate_ids: list[int]) -> None:
    """Queue the emails of certificates issued together: one message for all of them."""
    from certificates.tasks import email_certificates

    if len(certificate_ids) == 1:
        certificate_email_queue(certificate_id=certificate_ids[0])
        return
    try:
        email_certificates.apply_async(args=[certificate_ids])
    except Exception:
        logger.exception("could not queue the emails of certificates %s", certificate_ids)


def certificate_email_send(*, certificate_id: int) -> bool:
    """Tell the learner their certificate is issued. False if there is nobody to tell.

    Errors of the mail server propagate, so the task retries them."""
    certificate = (
        Certificate.objects.select_related("enrolment__cadre__user")
        .filter(pk=certificate_id, status=CertificateStatus.ISSUED)
        .first()
    )
    if certificate is None:
        return False  # revoked or re-queued since: nothing to announce
    cadre = certificate.enrolment.cadre
    address = cadre.email or (cadre.user.email if cadre.user_id else "")
    if not address:
        return False
    body = _(
        "Dear {name},\n\nYour certificate for the course “{course}” has been issued "
        "(serial number {serial}).\nDownload it from “My certificates”: {mine}\n"
        "Anyone can check it at: {verify}\n\n{organisation}"
    ).format(
        name=certificate.full_name,
        course=certificate.course_title,
        serial=certificate.serial,
        mine=settings.SITE_URL + reverse("certificates:mine"),
        verify=verify_url(code=certificate.code),
        organisation=settings.ISSUING_ORGANISATION,
    )
    send_mail(_("Your certificate has been issued"), body, None, [address])
    return True


# --- Revocation and correction --------------------------------------------------------------


def _keyed_digest(value: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def verification_record(
    *, certificate: Certificate | None, code: str, ip_address: str
) -> VerificationLog:
    """Log one check of a verification code; the code and the address are kept only as keyed
    hashes, so the log tells how often a certificate is checked without holding either."""
    if certificate is None:
        result = VerificationResult.UNKNOWN
    elif certificate.status == CertificateStatus.REVOKED:
        result = VerificationResult.REVOKED
    else:
        result = VerificationResult.VALID
    return VerificationLog.objects.create(
        certificate=certificate,
        code_hash=_keyed_digest(code),
        ip_hash=_keyed_digest(ip_address),
        result=result,
    )


def _months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` earlier (the month's last day if it is shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    days = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
    return moment.replace(year=year, month=month, day=min(moment.day, days))


PURGE_BATCH = 5000


def verification_logs_purge(*, now: dt.datetime | None = None) -> int:
    """Delete the checks older than VERIFICATION_LOG_RETENTION_MONTHS, a batch at a time so
    that no statement holds the table for long. Returns how many rows went."""
    cutoff = _months_before(now or timezone.now(), settings.VERIFICATION_LOG_RETENTION_MONTHS)
    old = VerificationLog.objects.filter(at__lt=cutoff).order_by()
    deleted = 0
    while ids := list(old.values_list("pk", flat=True)[:PURGE_BATCH]):
        deleted += VerificationLog.objects.filter(pk__in=ids).delete()[0]
    return deleted


def certificate_revoke(
    *, certificate: Certificate, reason: str, by=None, kind: str = CertificateEventKind.REVOKED
) -> Certificate:
    reason = nfc(reason)
    if not reason:
        raise ValueError(_("A reason is required to revoke a certificate."))
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status == CertificateStatus.REVOKED:
            return certificate
        certificate.status = CertificateStatus.REVOKED
        certificate.status_reason = reason
        certificate.save(update_fields=["status", "status_reason", "updated_at"])
        CertificateEvent.objects.create(certificate=certificate, kind=kind, reason=reason, by=by)
        badges.credentials_revoke(certificate_id=certificate.pk)
        cadre_id = certificate.enrolment.cadre_id
        still_certified = Certificate.objects.filter(
            enrolment__cadre_id=cadre_id, status=CertificateStatus.ISSUED
        ).exists()
        if not still_certified:
            certified_learner_remove(cadre_id=cadre_id)
    return certificate


def certificate_reissue(*, certificate: Certificate, full_name: str, by=None) -> Certificate:
    """Correct the learner's name and render again, keeping the serial and the code."""
    full_name = nfc(full_name)
    if not full_name:
        raise ValueError(_("The corrected name must not be empty."))
    if problem := name_problem(full_name):
        raise ValueError(problem)
    with transaction.atomic():
        certificate = Certificate.objects.select_for_update().get(pk=certificate.pk)
        if certificate.status == CertificateStatus.REVOKED:
            raise ValueError(_("A revoked certificate cannot be re-issued."))
        if certificate.enrolment is None or certificate.enrolment.cadre.erased_at is not None:
            raise ValueError(
                _("The holder's personal data was erased: the certificate cannot be re-issued.")
            )
        old_name, new_name = cadre_rename(
            cadre_id=certificate.enrolment.cadre_id, full_name=full_name
        )
        # The credential of the old name is revoked now; the new one comes with the new PDF.
        _to_draw_again(certificate, queued=True)
        CertificateEvent.objects.create(
            certificate=certificate,
            kind=CertificateEventKind.REISSUED,
            old_name=old_name,
            new_name=new_name,
            by=by,
        )
        pk = certificate.pk
        transaction.on_commit(lambda: certificate_queue(certificate_id=pk))
    return certificate


# --- Two records of one person merged, and personal data erased ----------------------------


def _kept_first(certificate: Certificate) -> tuple:
    """Sorts the certificate to keep first: an issued one (it is printed and verifies), then
    one still to be issued, a revoked one last; then the older."""
    status = certificate.status
    return (status != CertificateStatus.ISSUED, status == CertificateStatus.REVOKED,
            certificate.issued_at or certificate.created_at, certificate.pk)  # fmt: skip


def certificates_merge(*, kept: Enrolment, dropped: Enrolment, by=None) -> None:
    """Two enrolments of one person in one course are merged (inside the merge's transaction;
    `dropped` is deleted next). Its certificate moves to `kept`, with its serial and code,
    when `kept` has none. When both have one, the one to keep (issued first) stays on `kept`;
    the other, if it was ever issued (it has a serial, and its code may be on paper), is
    revoked as a duplicate and kept apart from any enrolment, so its code still verifies (as
    revoked); one never issued is withdrawn. The counters are merged by the ledger (the
    person stays certified if either record was)."""
    rows = list(
        Certificate.objects.select_for_update().filter(enrolment__in=[kept, dropped]).order_by("pk")
    )
    if not rows:
        return
    if len(rows) == 1:
        Certificate.objects.filter(pk=rows[0].pk).update(enrolment=kept, updated_at=timezone.now())
        return
    stays, other = sorted(rows, key=_kept_first)
    if stays.enrolment_id != kept.pk:
        Certificate.objects.filter(pk=other.pk).update(enrolment=None)
        Certificate.objects.filter(pk=stays.pk).update(enrolment=kept, updated_at=timezone.now())
    if not other.serial:
        Certificate.objects.filter(pk=other.pk).delete()
        return
    reason = _(
        "Duplicate: two records of the same person were merged; the certificate that stays "
        "valid for this course is %(serial)s."
    ) % {"serial": stays.serial or "–"}
    values = {"enrolment": None, "updated_at": timezone.now()}
    if other.status != CertificateStatus.REVOKED:
        values.update(status=CertificateStatus.REVOKED, status_reason=reason)
        CertificateEvent.objects.create(
            certificate=other, kind=CertificateEventKind.REVOKED, reason=reason, by=by
        )
        badges.credentials_revoke(certificate_id=other.pk)
    Certificate.objects.filter(pk=other.pk).update(**values)


def certificates_erase_holder(*, cadre_id: int, by=None) -> int:
    """The holder's personal data is erased (inside the erasure's transaction). An issued
    certificate stays valid (the training took place, and the person may still show the
    paper), but the record no longer holds the name: the printed name and the names in its
    history are removed, and the PDF, which prints the name, is deleted once the
    transaction commits; verification then says the name was removed at the holder's
    request. A certificate never issued is withdrawn (revoked with the reason), so no
    nameless certificate is printed later. The counts do not change. Returns how many
    certificates were touched."""
    rows = list(
        Certificate.objects.select_for_update(of=("self",))
        .filter(enrolment__cadre_id=cadre_id)
        .order_by("pk")
    )
    reason = _("Personal data erased at the holder's request.")
    for certificate in rows:
        values = {"full_name": "", "pdf": "", "updated_at": timezone.now()}
        if certificate.status in (CertificateStatus.PENDING, CertificateStatus.FAILED):
            values.update(status=CertificateStatus.REVOKED, status_reason=reason)
            CertificateEvent.objects.create(
                certificate=certificate, kind=CertificateEventKind.REVOKED, reason=reason, by=by
            )
        if certificate.pdf:
            storage, name = certificate.pdf.storage, certificate.pdf.name
            transaction.on_commit(lambda s=storage, n=name: _file_delete(s, n))
        Certificate.objects.filter(pk=certificate.pk).update(**values)
    CertificateEvent.objects.filter(certificate__in=rows).update(old_name="", new_name="")
    return len(rows)


# --- Bulk export ----------------------------------------------------------------------------


def bulk_export_request(
    *,
    format: str,
    by,
    session=None,
    commune=None,
    commune_code: str = "",
    province_code: str = "",
) -> BulkExport:
    from certificates.tasks import build_bulk_export

    export = BulkExport.objects.create(
        format=format,
        session=session,
        commune=commune,
        commune_code=commune_code,
        province_code=province_code or "",
        requested_by=by,
    )
    pk = export.pk

    def publish():
        try:
            build_bulk_export.apply_async(args=[pk])
        except Exception:
            logger.exception("could not queue export %s", pk)
            BulkExport.objects.filter(pk=pk).update(
                status=ExportStatus.FAILED, error=_("The task queue is unavailable; try again.")
            )

    transaction.on_commit(publish)
    return export


def bulk_export_build(*, export_id: int) -> BulkExport | None:
    from certificates.selectors import certificates_for_export

    export = BulkExport.objects.filter(pk=export_id).first()
    if export is None or export.status == ExportStatus.DONE:
        return export
    certificates = list(certificates_for_export(export=export))
    export.status = ExportStatus.RUNNING
    export.total = len(certificates)
    export.done = 0
    export.save(update_fields=["status", "total", "done"])
    step = max(1, len(certificates) // 50)

    def progress(done: int, *_args) -> None:
        if done == len(certificates) or done % step == 0:
            BulkExport.objects.filter(pk=export.pk).update(done=done)

    buffer = io.BytesIO()
    if export.format == ExportFormat.ZIP:
        _zip_write(certificates, buffer, progress)
    else:
        rendering.render_certificates(
            [certificate_data(certificate=c) for c in certificates], buffer, progress
        )
    storage = export.file.storage
    name = export.file_name()
    if storage.exists(name):
        storage.delete(name)
    export.file.name = storage.save(name, ContentFile(buffer.getvalue()))
    export.status = ExportStatus.DONE
    export.done = export.total
    export.finished_at = timezone.now()
    export.save(update_fields=["file", "status", "done", "finished_at"])
    return export


def _zip_write(
    certificates: list[Certificate], out: io.BytesIO, progress: Callable[[int], None]
) -> None:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_STORED) as archive:
        for number, certificate in enumerate(certificates, start=1):
            storage = certificate.pdf.storage
            if certificate.pdf and storage.exists(certificate.pdf.name):
                with storage.open(certificate.pdf.name, "rb") as handle:
                    content = handle.read()
            else:
                content = rendering.render_certificate(certificate_data(certificate=certificate))
            archive.writestr(f"{certificate.serial}.pdf", content)
            progress(number)


def bulk_export_fail(*, export_id: int, error: str) -> None:
    BulkExport.objects.filter(pk=export_id).update(
        status=ExportStatus.FAILED, error=error[:2000], finished_at=timezone.now()
    )
