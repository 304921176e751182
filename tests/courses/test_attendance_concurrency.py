"""Two trainers marking the same person present at a held session at the same moment (two
phones, one sheet): one attendance row, one completion, counted once. PostgreSQL only."""

import threading

import pytest
from django.db import connection

from courses.counters.services import CADRES_TRAINED
from courses.learning.models import Enrolment
from courses.sessions.models import Attendance, SessionStatus
from courses.sessions.services import attendance_mark
from tests.builders import cell_total, make_cadre, make_session, make_sessions_world
from tests.conftest import require_postgres


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
