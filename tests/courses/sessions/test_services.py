"""Session and attendance services: counters follow the status, and attendance at a held
session completes an in-person or blended enrolment once, through the one completion engine,
even when two trainers mark the same person present at the same moment (PostgreSQL)."""

import threading
import unicodedata

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from courses.counters.services import (
    CADRES_TRAINED,
    ME_PARTICIPANTS,
    SESSIONS_DISTRICT_COMMUNE,
    SESSIONS_ME,
)
from courses.learning.models import CompletionPath, Enrolment
from courses.registry.models import Cadre
from courses.sessions.models import Attendance, SessionKind, SessionStatus
from courses.sessions.services import (
    attendance_add_new_cadre,
    attendance_mark,
    attendance_remove,
    session_status_set,
    session_update,
)
from tests.builders import (
    cell_total,
    enrolment_of,
    make_cadre,
    make_session,
    make_sessions_world,
    session_achievements,
)
from tests.conftest import require_postgres

pytestmark = pytest.mark.django_db


def test_session_takes_the_unit_codes_and_nfc_title(world):
    decomposed = unicodedata.normalize("NFD", "Tập huấn xã Bản Lầu")
    session = make_session(course=world.in_person, unit=world.lao_cai.commune, title=decomposed)
    session.refresh_from_db()
    assert session.title == unicodedata.normalize("NFC", decomposed)
    assert (session.province_code, session.district_code, session.commune_code) == (
        "10", world.lao_cai.district.code, world.lao_cai.commune.code,
    )  # fmt: skip


def test_a_held_session_counts_once_and_cancelling_it_removes_it(world):
    session = make_session(course=world.in_person, unit=world.lao_cai.commune)
    assert cell_total(SESSIONS_DISTRICT_COMMUNE) == 0
    assert session_status_set(session=session, status=SessionStatus.HELD)
    assert not session_status_set(session=session, status=SessionStatus.HELD)
    assert session_achievements(session) == 1
    assert cell_total(SESSIONS_DISTRICT_COMMUNE) == 1

    session_status_set(session=session, status=SessionStatus.CANCELLED)
    assert session_achievements(session) == 0
    assert cell_total(SESSIONS_DISTRICT_COMMUNE) == 0


def test_attendance_then_held_completes_an_in_person_enrolment_once(world):
    session = make_session(course=world.in_person, unit=world.lao_cai.commune)
    cadre = make_cadre(unit=world.lao_cai.commune, level="commune", target_group="key_cadre")
    attendance_mark(session=session, cadre=cadre, present=True)
    assert enrolment_of(cadre, world.in_person) is None  # planned: nothing yet

    session_status_set(session=session, status=SessionStatus.HELD)
    enrolment = enrolment_of(cadre, world.in_person)
    assert enrolment.is_complete
    assert enrolment.completed_via == CompletionPath.IN_PERSON
    assert enrolment.completed_session == session
    first = enrolment.completed_at

    # Marked again, and the session "held" again: still one completion, counted once.
    attendance_mark(session=session, cadre=cadre, present=True)
    session_status_set(session=session, status=SessionStatus.HELD)
    enrolment.refresh_from_db()
    assert enrolment.completed_at == first
    assert cell_total(CADRES_TRAINED) == 1


def test_attendance_marked_at_a_held_session_completes_at_once(world):
    session = make_session(
        course=world.blended, unit=world.lao_cai.commune, status=SessionStatus.HELD
    )
    cadre = make_cadre(unit=world.lao_cai.commune)
    attendance_mark(session=session, cadre=cadre, present=True)
    enrolment = enrolment_of(cadre, world.blended)
    assert enrolment.completed_via == CompletionPath.IN_PERSON


def test_absent_participant_is_not_completed(world):
    session = make_session(
        course=world.in_person, unit=world.lao_cai.commune, status=SessionStatus.HELD
    )
    cadre = make_cadre(unit=world.lao_cai.commune)
    attendance_mark(session=session, cadre=cadre, present=False)
    enrolment = enrolment_of(cadre, world.in_person)
    assert enrolment is None or not enrolment.is_complete
    assert cell_total(CADRES_TRAINED) == 0


def test_an_online_only_course_is_not_completed_by_attendance(world):
    session = make_session(
        course=world.online, unit=world.lao_cai.commune, status=SessionStatus.HELD
    )
    cadre = make_cadre(unit=world.lao_cai.commune)
    attendance_mark(session=session, cadre=cadre, present=True, passed=True)
    enrolment = enrolment_of(cadre, world.online)
    assert enrolment is not None and not enrolment.is_complete
    assert cell_total(CADRES_TRAINED) == 0


def test_post_test_requirement(world):
    session = make_session(
        course=world.post_test, unit=world.lao_cai.commune, status=SessionStatus.HELD
    )
    cadre = make_cadre(unit=world.lao_cai.commune)
    attendance_mark(session=session, cadre=cadre, present=True)
    assert not enrolment_of(cadre, world.post_test).is_complete
    attendance_mark(session=session, cadre=cadre, present=True, passed=False, score=40)
    assert not enrolment_of(cadre, world.post_test).is_complete
    attendance_mark(session=session, cadre=cadre, present=True, passed=True, score=85)
    assert enrolment_of(cadre, world.post_test).is_complete


def test_monitoring_session_counts_participants_and_cancelling_uncounts(world):
    session = make_session(
        course=world.in_person, unit=world.lao_cai.commune, kind=SessionKind.MONITORING
    )
    cadre = make_cadre(unit=world.lao_cai.commune)
    attendance_mark(session=session, cadre=cadre, present=True)
    assert cell_total(ME_PARTICIPANTS) == 0
    session_status_set(session=session, status=SessionStatus.HELD)
    assert cell_total(SESSIONS_ME) == 1
    assert cell_total(ME_PARTICIPANTS) == 1
    session_status_set(session=session, status=SessionStatus.CANCELLED)
    assert cell_total(SESSIONS_ME) == 0
    assert cell_total(ME_PARTICIPANTS) == 0


def test_unmarking_presence_at_a_monitoring_session_uncounts_the_person(world):
    session = make_session(
        course=world.in_person, unit=world.lao_cai.commune, kind=SessionKind.MONITORING,
        status=SessionStatus.HELD,
    )  # fmt: skip
    cadre = make_cadre(unit=world.lao_cai.commune)
    attendance_mark(session=session, cadre=cadre, present=True)
    assert cell_total(ME_PARTICIPANTS) == 1
    attendance_mark(session=session, cadre=cadre, present=False)
    assert cell_total(ME_PARTICIPANTS) == 0
    attendance_mark(session=session, cadre=cadre, present=True)
    attendance_remove(session=session, cadre=cadre)
    assert cell_total(ME_PARTICIPANTS) == 0
    assert not Attendance.objects.filter(session=session).exists()


def test_moving_a_held_session_moves_its_count(world):
    session = make_session(
        course=world.in_person, unit=world.lao_cai.commune, status=SessionStatus.HELD
    )
    assert session_update(session=session, unit=world.ha_giang.commune)
    assert session.province_code == "02"
    from courses.counters.models import CounterCell

    cells = CounterCell.objects.filter(indicator__code=SESSIONS_DISTRICT_COMMUNE)
    assert {c.province_code: c.value for c in cells if c.value} == {"02": 1}
    assert session_achievements(session) == 1
    assert not session_update(session=session, unit=world.ha_giang.commune)


def test_cancelled_session_attendance_is_locked_and_scores_are_checked(world):
    session = make_session(course=world.in_person, unit=world.lao_cai.commune)
    cadre = make_cadre(unit=world.lao_cai.commune)
    with pytest.raises(ValidationError):
        attendance_mark(session=session, cadre=cadre, present=True, score=101)
    session_status_set(session=session, status=SessionStatus.CANCELLED)
    with pytest.raises(ValidationError):
        attendance_mark(session=session, cadre=cadre, present=True)
    assert not Attendance.objects.exists()


def test_new_registry_record_on_the_spot_is_nfc_and_not_duplicated(world):
    session = make_session(course=world.in_person, unit=world.lao_cai.commune)
    name = unicodedata.normalize("NFD", "  Lò Thị   Mỷ ")
    attendance = attendance_add_new_cadre(
        session=session, full_name=name, sex="female", target_group="village_head",
        level="village", birth_year=1980, phone="0912345678",
    )  # fmt: skip
    cadre = Cadre.objects.get()
    assert cadre.full_name == "Lò Thị Mỷ"
    assert unicodedata.is_normalized("NFC", cadre.full_name)
    assert cadre.unit == world.lao_cai.commune and cadre.province_code == "10"
    assert attendance.present
    with pytest.raises(ValidationError) as exc:
        attendance_add_new_cadre(
            session=session, full_name="Lò Thị Mỷ", sex="female", target_group="village_head",
            level="village", phone="0912345678",
        )  # fmt: skip
    assert "phone" in exc.value.message_dict
    assert Cadre.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_same_person_marked_present_twice_at_once_counts_once():
    require_postgres("concurrent attendance")
    world = make_sessions_world()
    session = make_session(
        course=world.in_person, unit=world.lao_cai.commune, status=SessionStatus.HELD
    )
    cadre = make_cadre(unit=world.lao_cai.commune)
    barrier = threading.Barrier(2)
    failures = []

    def mark():
        try:
            barrier.wait()
            attendance_mark(session=session, cadre=cadre, present=True)
        except Exception as exc:  # noqa: BLE001 - reported below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=mark) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert Attendance.objects.filter(session=session, cadre=cadre).count() == 1
    enrolment = Enrolment.objects.get(cadre=cadre, course=world.in_person)
    assert enrolment.is_complete
    assert cell_total(CADRES_TRAINED) == 1


def test_a_sheet_marked_at_once_then_held_completes_as_row_by_row_would(world):
    """attendance_mark_many at a planned session writes the sheet; marking it held then lets
    the engine complete everyone together, each dated by the session's end, and the one who
    failed the post-test is present (counted among the M&E participants) but not complete."""
    import datetime as dt

    from courses.learning.services import enrolment_create, lesson_complete
    from courses.sessions.services import attendance_mark_many

    session = make_session(course=world.post_test, unit=world.lao_cai.commune,
                           kind=SessionKind.MONITORING)  # fmt: skip
    people = [make_cadre(unit=world.lao_cai.commune, level="commune", target_group="key_cadre")
              for _ in range(4)]  # fmt: skip
    rows = [(people[0], True, True, 90), (people[1], True, True, 75), (people[2], True, False, 40),
            (people[3], False, None, None)]  # fmt: skip
    assert attendance_mark_many(session=session, rows=rows) == 4
    assert Attendance.objects.filter(session=session).count() == 4
    assert cell_total(ME_PARTICIPANTS) == 0 and enrolment_of(people[0], world.post_test) is None

    session_status_set(session=session, status=SessionStatus.HELD)
    for cadre in people[:2]:
        enrolment = enrolment_of(cadre, world.post_test)
        assert enrolment.completed_at == session.ended_at
        assert enrolment.completed_session == session
    assert not enrolment_of(people[2], world.post_test).is_complete  # failed the post-test
    assert enrolment_of(people[3], world.post_test) is None  # absent
    assert cell_total(ME_PARTICIPANTS) == 3
    assert cell_total(CADRES_TRAINED) == 2
    # The same sheet at the held session goes row by row and changes nothing.
    attendance_mark_many(session=session, rows=rows)
    assert (cell_total(ME_PARTICIPANTS), cell_total(CADRES_TRAINED)) == (3, 2)

    # A blended course: who finished online before the session keeps that date (lessons and
    # quiz recorded with the moment they were done); who only started online completes at
    # the session.
    from courses.learning.services import quiz_attempt_start, quiz_attempt_submit
    from tests.builders import correct_answers

    blended = make_session(course=world.blended, unit=world.lao_cai.commune,
                           start_date=dt.date(2023, 5, 10))  # fmt: skip
    finished, started = (make_cadre(unit=world.lao_cai.commune, level="commune",
                                    target_group="leader") for _ in range(2))  # fmt: skip
    studied = dt.datetime(2023, 3, 2, 9, 0, tzinfo=dt.UTC)
    for cadre in (finished, started):
        enrolment, _ = enrolment_create(cadre=cadre, course=world.blended)
        for lesson in world.blended.lesson_pages():
            lesson_complete(enrolment=enrolment, lesson_id=lesson.pk, at=studied)
    quiz = world.blended.final_quiz
    attempt = quiz_attempt_start(enrolment=enrolment_of(finished, world.blended), quiz=quiz)
    quiz_attempt_submit(attempt=attempt, cadre=finished, answers=correct_answers(quiz),
                        at=studied + dt.timedelta(minutes=20))  # fmt: skip
    assert not enrolment_of(started, world.blended).is_complete
    attendance_mark_many(session=blended, rows=[(finished, True, None, None),
                                                (started, True, None, None)])  # fmt: skip
    session_status_set(session=blended, status=SessionStatus.HELD)
    done_online = enrolment_of(finished, world.blended)
    assert done_online.completed_via == CompletionPath.ONLINE
    assert done_online.completed_at == studied + dt.timedelta(minutes=20)
    done_here = enrolment_of(started, world.blended)
    assert done_here.completed_via == CompletionPath.IN_PERSON
    assert done_here.completed_at == blended.ended_at
