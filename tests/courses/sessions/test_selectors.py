"""Which sessions each role sees: a trainer their own, a province admin their province's, a
central admin all, a learner none."""

import pytest

from courses.sessions.selectors import sessions_visible_to
from tests.builders import make_session, make_user

pytestmark = pytest.mark.django_db


def test_sessions_visible_to_each_role(world):
    trainer = make_user("gv1", role="Trainer")
    other_trainer = make_user("gv2", role="Trainer")
    central = make_user("tw", role="Admin")
    province_admin = make_user("lc", role="Admin", province_code="15")
    learner = make_user("hv", role="Cadre")
    mine = make_session(course=world.in_person, unit=world.lao_cai.commune, trainers=[trainer])
    elsewhere = make_session(
        course=world.in_person, unit=world.ha_giang.commune, trainers=[other_trainer]
    )
    assert list(sessions_visible_to(user=trainer)) == [mine]
    assert list(sessions_visible_to(user=other_trainer)) == [elsewhere]
    assert set(sessions_visible_to(user=central)) == {mine, elsewhere}
    assert list(sessions_visible_to(user=province_admin)) == [mine]
    assert list(sessions_visible_to(user=learner)) == []
