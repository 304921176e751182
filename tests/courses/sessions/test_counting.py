"""What sessions and attendance count for (sessions/counting.py), in the counters world: a
person present at a held monitoring session counts once, a held session counts in the cell of
its unit."""

import pytest
from django.core.management import call_command

from courses.counters import services as svc
from courses.counters.selectors import counter_figures
from courses.sessions.models import SessionKind, SessionStatus
from tests.builders import attend, make_cadre, make_counters_world, make_session, session_status
from tests.builders import counter_value as value

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    """The counters world (the sessions folder's `world` is the sessions world)."""
    return make_counters_world()


def test_a_person_present_at_two_held_sessions_stays_counted_when_one_is_cancelled(world):
    cadre = make_cadre(unit=world.lao_cai.commune, ethnicity="03")
    first = make_session(course=world.me_course, unit=world.lao_cai.commune,
                         kind=SessionKind.MONITORING, status=SessionStatus.HELD)  # fmt: skip
    second = make_session(course=world.me_course, unit=world.ha_giang.commune,
                          kind=SessionKind.MONITORING, status=SessionStatus.HELD)  # fmt: skip
    session_status(first, SessionStatus.HELD)
    session_status(second, SessionStatus.HELD)
    attend(first, cadre)
    attend(second, cadre)
    session_status(first, SessionStatus.CANCELLED)
    assert value(svc.ME_PARTICIPANTS) == 1
    assert value(svc.SESSIONS_ME) == 1


def test_a_held_session_moved_to_another_unit_moves_its_cell(world):
    session = make_session(
        course=world.course, unit=world.lao_cai.commune, kind=SessionKind.DISTRICT_COMMUNE
    )
    session_status(session, SessionStatus.HELD)
    session.unit = world.ha_giang.commune
    session_status(session, SessionStatus.HELD)
    by = counter_figures(scope_province=None, by="province")
    figure = next(f for f in by if f.code == svc.SESSIONS_DISTRICT_COMMUNE)
    assert figure.by == {"08": 1}  # Hà Giang (2023) went into Tuyên Quang (2025)
    call_command("recount_counters", "--check")
