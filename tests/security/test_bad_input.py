"""Bad input is refused with a clear answer, never a server error.

- a NUL character (U+0000) in a path, a query string or a posted form field: 400, in JSON for
  the JSON endpoints and for clients that ask for JSON, a short Vietnamese page otherwise
  (PostgreSQL cannot hold the character at all);
- a JSON body nested too deeply (or too large) for the quiz autosave: 400 in JSON;
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.test import Client

from courses.learning.models import QuizAnswer, QuizAttempt
from courses.registry.models import Cadre
from lms.roles import ADMIN, CADRE, TRAINER
from tests.builders import (
    make_course,
    make_learner,
    make_registry_world,
    make_session,
    make_units,
    make_user,
)

pytestmark = pytest.mark.django_db

NUL_REFUSED = "ký tự NUL"  # in the Vietnamese refusal, page or JSON


def client_for(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def assert_refused_as_json(response):
    assert response.status_code == 400, response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    assert NUL_REFUSED in response.json()["error"]


def assert_refused_as_page(response):
    assert response.status_code == 400, response.content[:500]
    assert response["Content-Type"].startswith("text/html")
    assert NUL_REFUSED in response.content.decode()


def profile_data(units, full_name: str) -> dict:
    return {
        "full_name": full_name, "sex": "female", "birth_year": "1985",
        "target_group": "key_cadre", "level": "commune", "province": units.province.pk,
        "unit_code": units.commune.code, "consent": "on",
    }  # fmt: skip


# --- Deep or large JSON ----------------------------------------------------------------------


@pytest.fixture
def attempt():
    """A learner's open attempt at a course's final quiz, and their logged-in client."""
    user, _cadre = make_learner("hocvien")
    tree = make_course()
    client = client_for(user)
    client.post(f"/learn/courses/{tree.course.pk}/enrol/")
    client.get(f"/learn/courses/{tree.course.pk}/quiz/{tree.quiz.pk}/")
    return client, QuizAttempt.objects.get()


def post_json(client, attempt, body: bytes | str):
    return client.post(
        f"/learn/attempts/{attempt.pk}/answer/", body, content_type="application/json"
    )


@pytest.mark.parametrize("levels", [5_000, 100_000])
def test_a_deeply_nested_answer_is_refused_in_json(attempt, levels):
    """Deeper than Python's recursion limit; the deepest is also larger than any answer."""
    client, attempt = attempt
    response = post_json(client, attempt, "[" * levels + "]" * levels)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert ("lồng" if levels == 5_000 else "quá lớn") in response.json()["error"]
    assert not QuizAnswer.objects.exists()


def test_a_large_answer_body_is_refused_in_json(attempt):
    client, attempt = attempt
    question = attempt.quiz.questions.first()
    body = json.dumps({"question": question.pk, "choices": [0] * 100_000})
    response = post_json(client, attempt, body)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert "quá lớn" in response.json()["error"]
    assert not QuizAnswer.objects.exists()


def test_malformed_json_is_refused_in_json_and_a_good_answer_is_still_saved(attempt):
    client, attempt = attempt
    response = post_json(client, attempt, b"{not json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"]
    question = attempt.quiz.questions.first()
    choice = question.choices.first()
    body = json.dumps({"question": question.pk, "choices": [choice.pk]})
    assert post_json(client, attempt, body).status_code == 200
    assert QuizAnswer.objects.get().choice_ids == [choice.pk]


# --- NUL characters --------------------------------------------------------------------------


def test_a_nul_in_the_public_search_is_refused_with_a_vietnamese_page():
    assert_refused_as_page(client_for().get("/search/?q=a%00b"))


def test_a_nul_in_a_verification_code_is_refused_with_a_vietnamese_page():
    assert_refused_as_page(client_for().get("/verify/a%00b/"))


def test_a_nul_in_a_verification_code_asked_as_json_is_refused_in_json():
    assert_refused_as_json(client_for().get("/verify/a%00b.json"))


def test_a_nul_in_the_trainers_participant_search_is_refused():
    trainer = make_user("giang_vien", role=TRAINER)
    units = make_units()
    course = make_course(delivery="in_person", modules=0, quiz=False).course
    session = make_session(course=course, unit=units.commune, trainers=[trainer])
    assert_refused_as_page(client_for(trainer).get(f"/trainer/sessions/{session.pk}/?q=a%00b"))


def test_a_nul_in_the_admins_cadre_search_is_refused():
    world = make_registry_world()
    assert_refused_as_page(client_for(world.central).get("/admin/registry/cadres/?q=a%00b"))


def test_a_nul_in_the_counters_api_query_is_refused_in_json():
    central = make_user("trung_uong", role=ADMIN)
    assert_refused_as_json(client_for(central).get("/api/counters/?province=a%00b"))


def test_a_client_asking_for_json_gets_the_nul_refusal_in_json():
    response = client_for().get("/search/?q=a%00b", HTTP_ACCEPT="application/json")
    assert_refused_as_json(response)


def test_a_nul_in_a_posted_form_is_refused_and_nothing_is_written():
    """Posted URL-encoded, as a browser sends a form without files."""
    user = make_user("moi", role=CADRE)
    units = make_units()
    response = client_for(user).post(
        "/learn/profile/",
        urlencode(profile_data(units, "Nguyễn Thị\x00 Hoa")),
        content_type="application/x-www-form-urlencoded",
    )
    assert_refused_as_page(response)
    assert not Cadre.objects.exists()
