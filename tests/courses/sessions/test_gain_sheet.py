"""The attendance sheet takes the pre-test score beside the post-test score; a score outside
0-100 is refused in Vietnamese and nothing is written; the session's knowledge gain follows
presence, status and corrections."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from courses.counters.gain import knowledge_gain_drift
from courses.counters.models import KnowledgeScore
from courses.sessions.models import SessionStatus
from courses.sessions.services import attendance_mark, attendance_remove, session_status_set
from tests.builders import make_cadre, make_session, make_sessions_world, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    world = make_sessions_world()
    world.trainer = make_user(role="Trainer")
    world.session = make_session(course=world.in_person, unit=world.lao_cai.commune,
                                 code="S1", trainers=[world.trainer],
                                 status=SessionStatus.HELD)  # fmt: skip
    world.an = make_cadre(unit=world.lao_cai.commune)
    world.row = attendance_mark(session=world.session, cadre=world.an, present=True)
    return world


def post(client, world, **values):
    data = {f"present_{world.row.pk}": "on", f"passed_{world.row.pk}": ""}
    data.update({f"{k}_{world.row.pk}": v for k, v in values.items()})
    return client.post(reverse("training_sessions:detail", args=[world.session.pk]), data)


def test_the_trainer_enters_pre_and_post_scores_on_the_sheet(client, world):
    client.force_login(world.trainer)
    response = post(client, world, pre="35", score="80")
    assert response.status_code == 302
    world.row.refresh_from_db()
    assert (world.row.pre_test_score, world.row.post_test_score) == (35, 80)
    assert KnowledgeScore.objects.get().pre == 35


def test_a_score_outside_0_100_on_the_sheet_is_refused_in_vietnamese(client, world):
    client.force_login(world.trainer)
    response = post(client, world, pre="120", score="80")
    assert response.status_code == 200
    assert "Điểm kiểm tra đầu vào phải từ 0 đến 100." in response.content.decode()
    world.row.refresh_from_db()
    assert world.row.pre_test_score is None and world.row.post_test_score is None
    assert not KnowledgeScore.objects.exists()
    with pytest.raises(ValidationError):
        attendance_mark(session=world.session, cadre=world.an, present=True, score=101)


def test_the_knowledge_gain_follows_presence_status_and_removal(world):
    attendance_mark(session=world.session, cadre=world.an, present=True, score=80, pre_score=40)
    assert KnowledgeScore.objects.get().post == 80
    attendance_mark(session=world.session, cadre=world.an, present=False, score=80)
    assert not KnowledgeScore.objects.exists()  # the pre-test score was kept, absent: no count
    attendance_mark(session=world.session, cadre=world.an, present=True, score=90)
    assert KnowledgeScore.objects.get().pre == 40
    session_status_set(session=world.session, status=SessionStatus.CANCELLED)
    assert not KnowledgeScore.objects.exists()
    session_status_set(session=world.session, status=SessionStatus.HELD)
    assert KnowledgeScore.objects.get().post == 90
    attendance_remove(session=world.session, cadre=world.an)
    assert not KnowledgeScore.objects.exists()
    assert knowledge_gain_drift() == []


def test_a_merge_keeps_one_score_per_person_and_session(world):
    from courses.registry.corrections import cadre_merge

    duplicate = make_cadre(unit=world.lao_cai.commune)
    attendance_mark(session=world.session, cadre=world.an, present=True, score=60)
    attendance_mark(session=world.session, cadre=duplicate, present=True, score=80, pre_score=30)
    assert KnowledgeScore.objects.count() == 2
    cadre_merge(kept=world.an, duplicate=duplicate)
    row = KnowledgeScore.objects.get()
    assert (row.cadre_id, row.pre, row.post) == (world.an.pk, 30, 80)  # the row that says more
    assert knowledge_gain_drift() == []
