"""Corrections that undo: a presence taken back (unticked, taken off the list, or the session no
longer held) reverses what it completed when no other path holds: a certificate never issued
goes, an issued one is revoked with the reason, the counts go down, all in one transaction
and with history; ticked again, the same certificate comes back. A signed-off session's
attendance is changed by an admin only."""

import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from wagtail.models import ModelLogEntry

from certificates.models import (
    Certificate,
    CertificateEventKind,
    CertificateStatus,
    OpenBadgeCredential,
)
from certificates.services import certificate_issue
from courses.counters.models import CounterCell
from courses.counters.recount import counters_drift
from courses.counters.services import CADRES_TRAINED, CERTIFIED_LEARNERS
from courses.learning.models import CompletionPath, Enrolment, LessonProgress, QuizAttempt
from courses.sessions.models import SessionStatus
from courses.sessions.services import (
    attendance_mark,
    attendance_remove,
    session_sign_off,
    session_status_set,
    session_update,
)
from tests.builders import (
    SESSION_DAY,
    cell_total,
    complete,
    enrolment_of,
    make_cadre,
    make_session,
    make_sessions_world,
    make_user,
)
from tests.conftest import require_postgres

pytestmark = pytest.mark.django_db


def assert_no_drift():
    assert counters_drift() == []
    call_command("recount_counters", "--check")


def trained_at_session(world, course=None, **session_fields):
    course = course or world.in_person
    session = make_session(
        course=course, unit=world.lao_cai.commune, status=SessionStatus.HELD, **session_fields
    )
    cadre = make_cadre(
        unit=world.lao_cai.commune, full_name="Vàng Thị Sua", level="commune",
        target_group="key_cadre",
    )  # fmt: skip
    attendance_mark(session=session, cadre=cadre, present=True)
    enrolment = enrolment_of(cadre, course)
    assert enrolment.is_complete
    return session, cadre, enrolment


def issued(enrolment) -> Certificate:
    certificate = Certificate.objects.get(enrolment=enrolment)
    certificate_issue(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    return certificate


def test_unticking_revokes_the_issued_certificate_and_the_counts_go_down(world):
    session, cadre, enrolment = trained_at_session(world)
    certificate = issued(enrolment)
    assert (cell_total(CADRES_TRAINED), cell_total(CERTIFIED_LEARNERS)) == (1, 1)
    trainer = make_user("gv_sua", role="Trainer")

    attendance_mark(session=session, cadre=cadre, present=False, by=trainer)

    enrolment.refresh_from_db()
    certificate.refresh_from_db()
    assert (enrolment.completed_at, enrolment.completed_via, enrolment.completed_session) == (
        None, "", None,
    )  # fmt: skip
    assert certificate.status == CertificateStatus.REVOKED
    assert session.title in certificate.status_reason
    event = certificate.events.order_by("-pk").first()
    assert (event.kind, event.by) == (CertificateEventKind.WITHDRAWN, trainer)
    assert (cell_total(CADRES_TRAINED), cell_total(CERTIFIED_LEARNERS)) == (0, 0)
    entry = ModelLogEntry.objects.get(action="courses.completion_withdrawn")
    assert (entry.object_id, entry.user) == (str(cadre.pk), trainer)
    assert_no_drift()


def test_ticked_again_the_same_certificate_is_issued_again(world):
    session, cadre, enrolment = trained_at_session(world)
    certificate = issued(enrolment)
    serial, code = certificate.serial, certificate.code
    attendance_mark(session=session, cadre=cadre, present=False)
    attendance_mark(session=session, cadre=cadre, present=True)

    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.PENDING
    assert certificate.events.order_by("-pk").first().kind == CertificateEventKind.RESTORED
    certificate = issued(enrolment)
    assert (certificate.serial, certificate.code) == (serial, code)
    assert (cell_total(CADRES_TRAINED), cell_total(CERTIFIED_LEARNERS)) == (1, 1)
    assert_no_drift()


def test_a_certificate_never_issued_goes_with_the_completion(world):
    session, cadre, enrolment = trained_at_session(world)
    assert Certificate.objects.get(enrolment=enrolment).status == CertificateStatus.PENDING
    assert attendance_remove(session=session, cadre=cadre)
    assert not Certificate.objects.filter(enrolment=enrolment).exists()
    enrolment.refresh_from_db()
    assert not enrolment.is_complete
    assert cell_total(CADRES_TRAINED) == 0
    assert_no_drift()


def test_a_session_no_longer_held_takes_back_what_it_completed(world):
    session, _cadre, enrolment = trained_at_session(world)
    issued(enrolment)
    session_status_set(session=session, status=SessionStatus.CANCELLED)
    enrolment.refresh_from_db()
    assert not enrolment.is_complete
    assert Certificate.objects.get(enrolment=enrolment).status == CertificateStatus.REVOKED
    assert (cell_total(CADRES_TRAINED), cell_total(CERTIFIED_LEARNERS)) == (0, 0)
    assert_no_drift()


def _online_work(world, enrolment, at):
    """The blended course's lessons done and its quiz passed online, at `at`."""
    for lesson in world.blended.lesson_pages():
        LessonProgress.objects.create(enrolment=enrolment, lesson=lesson)
    LessonProgress.objects.filter(enrolment=enrolment).update(completed_at=at)
    QuizAttempt.objects.create(
        enrolment=enrolment, quiz_id=world.blended.final_quiz_id, number=1, score=100,
        passed=True, submitted_at=at,
    )  # fmt: skip


def months(code: str) -> list[dt.date]:
    """The months an indicator's non-empty cells are in."""
    cells = CounterCell.objects.filter(indicator__code=code, value__gt=0)
    return sorted(cells.values_list("month", flat=True))


def test_a_completion_that_stands_on_another_path_stays(world):
    """Blended: the lesson done and the quiz passed online as well, on the session's day; the
    presence taken back, the enrolment stays complete, now by the online path, and the
    certificate is left as it is (its date is still right)."""
    session, cadre, enrolment = trained_at_session(world, course=world.blended)
    _online_work(world, enrolment, enrolment.completed_at + dt.timedelta(hours=2))
    certificate = issued(enrolment)
    attendance_mark(session=session, cadre=cadre, present=False)
    enrolment.refresh_from_db()
    certificate.refresh_from_db()
    assert enrolment.is_complete and enrolment.completed_via == CompletionPath.ONLINE
    assert certificate.status == CertificateStatus.ISSUED
    assert not certificate.events.filter(kind=CertificateEventKind.REDATED).exists()
    assert cell_total(CADRES_TRAINED) == 1
    assert_no_drift()


def test_a_completion_dated_again_draws_the_certificate_again_with_the_new_date(world):
    """The online work was done two months after the session: with the presence taken back
    the course stands completed online, on that later day, and the certificate says so."""
    session, cadre, enrolment = trained_at_session(world, course=world.blended)
    later = enrolment.completed_at + dt.timedelta(days=61)
    _online_work(world, enrolment, later)
    certificate = issued(enrolment)
    serial, code = certificate.serial, certificate.code
    assert certificate.completed_on == SESSION_DAY
    credential = OpenBadgeCredential.objects.get(certificate=certificate)
    trainer = make_user("gv_ngay", role="Trainer")

    attendance_mark(session=session, cadre=cadre, present=False, by=trainer)

    enrolment.refresh_from_db()
    certificate.refresh_from_db()
    credential.refresh_from_db()
    assert (enrolment.completed_at, enrolment.completed_via) == (later, CompletionPath.ONLINE)
    assert certificate.status == CertificateStatus.PENDING
    event = certificate.events.order_by("-pk").first()
    assert (event.kind, event.by) == (CertificateEventKind.REDATED, trainer)
    assert session.title in event.reason
    assert credential.revoked_at is not None  # the credential of the old date
    entry = ModelLogEntry.objects.get(action="courses.completion_redated")
    assert (entry.object_id, entry.user) == (str(cadre.pk), trainer)

    certificate = issued(enrolment)
    assert (certificate.serial, certificate.code) == (serial, code)
    assert certificate.completed_on == timezone.localdate(later)
    assert (
        OpenBadgeCredential.objects.filter(certificate=certificate, revoked_at__isnull=True).count()
        == 1
    )
    month = timezone.localdate(later).replace(day=1)
    assert months(CADRES_TRAINED) == months(CERTIFIED_LEARNERS) == [month]
    assert_no_drift()


def test_a_corrected_end_date_dates_its_completions_and_certificates_again(world):
    session, cadre, enrolment = trained_at_session(world)
    certificate = issued(enrolment)
    corrected = SESSION_DAY - dt.timedelta(days=40)

    session_update(session=session, start_date=corrected, end_date=corrected)

    enrolment.refresh_from_db()
    certificate.refresh_from_db()
    assert timezone.localdate(enrolment.completed_at) == corrected
    assert enrolment.completed_session_id == session.pk
    assert certificate.status == CertificateStatus.PENDING
    certificate = issued(enrolment)
    assert certificate.completed_on == corrected
    month = corrected.replace(day=1)
    assert months(CADRES_TRAINED) == months(CERTIFIED_LEARNERS) == [month]
    assert_no_drift()


@pytest.mark.parametrize("entered", ["one by one", "the session held with its list"])
def test_a_session_entered_after_an_online_completion_dates_it_earlier(world, entered):
    """Back-filled: the person completed the blended course online today; the session they
    attended in March is entered afterwards, and the completion is dated by it."""
    cadre = make_cadre(unit=world.lao_cai.commune, full_name="Lò Thị Dung", level="commune",
                       target_group="key_cadre")  # fmt: skip
    enrolment = Enrolment.objects.create(cadre=cadre, course=world.blended)
    complete(cadre, world.blended)
    enrolment.refresh_from_db()
    assert enrolment.completed_via == CompletionPath.ONLINE
    certificate = issued(enrolment)
    if entered == "one by one":
        session = make_session(course=world.blended, unit=world.lao_cai.commune,
                               status=SessionStatus.HELD)  # fmt: skip
        attendance_mark(session=session, cadre=cadre, present=True)
    else:
        session = make_session(course=world.blended, unit=world.lao_cai.commune)
        attendance_mark(session=session, cadre=cadre, present=True)
        session_status_set(session=session, status=SessionStatus.HELD)

    enrolment.refresh_from_db()
    assert (timezone.localdate(enrolment.completed_at), enrolment.completed_via) == (
        SESSION_DAY, CompletionPath.IN_PERSON,
    )  # fmt: skip
    certificate = issued(enrolment)
    assert certificate.completed_on == SESSION_DAY
    assert months(CADRES_TRAINED) == [SESSION_DAY.replace(day=1)]
    assert_no_drift()


def test_the_person_still_counts_as_trained_from_their_other_completion(world):
    session, cadre, enrolment = trained_at_session(world)
    complete(cadre, world.online)
    assert cell_total(CADRES_TRAINED) == 1
    attendance_mark(session=session, cadre=cadre, present=False)
    assert cell_total(CADRES_TRAINED) == 1  # trained by the online course still
    assert_no_drift()


def test_after_sign_off_only_an_admin_changes_the_attendance(world):
    trainer = make_user("gv_ky", role="Trainer")
    admin = make_user("qt_ky", role="Admin")
    session, cadre, enrolment = trained_at_session(world)
    assert session_sign_off(session=session, by=trainer)
    assert not session_sign_off(session=session, by=trainer)
    with pytest.raises(ValidationError) as refused:
        attendance_mark(session=session, cadre=cadre, present=False, by=trainer)
    assert refused.value.code == "signed_off"
    enrolment.refresh_from_db()
    assert enrolment.is_complete
    attendance_mark(session=session, cadre=cadre, present=False, by=admin)
    enrolment.refresh_from_db()
    assert not enrolment.is_complete


def test_a_planned_session_cannot_be_signed_off(world):
    session = make_session(course=world.in_person, unit=world.lao_cai.commune)
    with pytest.raises(ValidationError):
        session_sign_off(session=session, by=None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_presence_taken_back_while_the_person_completes_another_course_at_once():
    """Two transactions on one person: one takes back the presence that completed course A,
    the other completes course B. Whatever the order, the person counts once, as trained by
    B, and the recount agrees."""
    require_postgres("concurrent correction and completion")
    world = make_sessions_world()
    session, cadre, _enrolment = trained_at_session(world)
    other = make_session(
        course=world.post_test, unit=world.lao_cai.commune, status=SessionStatus.HELD
    )
    barrier = threading.Barrier(2)
    failures = []

    def run(action):
        try:
            barrier.wait()
            action()
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(
            target=run, args=(lambda: attendance_mark(session=session, cadre=cadre, present=False),)
        ),
        threading.Thread(
            target=run,
            args=(lambda: attendance_mark(session=other, cadre=cadre, present=True, passed=True),),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert not Enrolment.objects.get(cadre=cadre, course=world.in_person).is_complete
    assert Enrolment.objects.get(cadre=cadre, course=world.post_test).is_complete
    assert cell_total(CADRES_TRAINED) == 1
    assert_no_drift()
