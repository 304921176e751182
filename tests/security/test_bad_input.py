"""Bad input is refused with a clear answer, never a server error.

- a JSON body nested too deeply (or too large) for the quiz autosave: 400 in JSON;
"""

from __future__ import annotations

import json

import pytest
from django.test import Client

from courses.learning.models import QuizAnswer, QuizAttempt
from tests.builders import make_course, make_learner

pytestmark = pytest.mark.django_db


def client_for(user=None) -> Client:
    client = Client(raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


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
