"""Property-based tests (hypothesis) of quiz submission: garbage answers raise BadAnswer or
NotAllowed and write nothing; valid answers are graded the same as a recount; the HTTP view
answers 302/400/403 to any form, never a 500."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.learning.models import QuizAnswer, QuizAttempt
from courses.learning.services import (
    BadAnswer,
    LearningError,
    NotAllowed,
    enrolment_create,
    quiz_answer_save,
    quiz_attempt_start,
    quiz_attempt_submit,
)
from tests.builders import make_cadre, make_course, make_user, study

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def quiz_world(db):
    tree = make_course(modules=1, lessons_per_module=1)
    user = make_user(role="Cadre")
    cadre = make_cadre(user=user)
    other = make_cadre()
    enrolment, _ = enrolment_create(cadre=cadre, course=tree.course)
    study(enrolment)  # the final quiz opens after the lessons
    attempt = quiz_attempt_start(enrolment=enrolment, quiz=tree.quiz)
    questions = {
        q.pk: (q.kind, [c.pk for c in q.choices.all()])
        for q in tree.quiz.questions.prefetch_related("choices")
    }
    return {"tree": tree, "user": user, "cadre": cadre, "other": other, "attempt": attempt,
            "questions": questions}  # fmt: skip


def _valid(questions, qid, ids) -> bool:
    if qid not in questions:
        return False
    kind, choices = questions[qid]
    ids = set(ids)
    return ids <= set(choices) and (kind == "multiple" or len(ids) <= 1)


ids = st.integers(min_value=-(2**31), max_value=2**31)


def garbage_answers(questions):
    known_q = st.sampled_from(sorted(questions))
    known_c = st.sampled_from(sorted({c for _k, cs in questions.values() for c in cs}))
    return st.dictionaries(
        st.one_of(known_q, ids),
        st.lists(st.one_of(known_c, ids), max_size=5),
        max_size=6,
    )


def _writes(attempt) -> tuple:
    fresh = QuizAttempt.objects.get(pk=attempt.pk)
    answers = tuple(
        QuizAnswer.objects.filter(attempt=attempt)
        .order_by("question_id")
        .values_list("question_id", "choice_ids")
    )
    return fresh.submitted_at, fresh.score, answers


@SETTINGS
@given(data=st.data())
def test_submitting_garbage_raises_and_writes_nothing(quiz_world, data):
    questions = quiz_world["questions"]
    attempt = quiz_world["attempt"]
    answers = data.draw(garbage_answers(questions))
    all_valid = all(_valid(questions, q, v) for q, v in answers.items())
    with transaction.atomic():
        before = _writes(attempt)
        if all_valid:
            # (Questions left out were confirmed, as on the confirmation page.)
            graded = quiz_attempt_submit(
                attempt=attempt, cadre=quiz_world["cadre"], answers=answers,
                unanswered_confirmed=True,
            )  # fmt: skip
            right = sum(
                1
                for qid, (kind, choices) in questions.items()
                if set(answers.get(qid, [])) == _correct(qid)
            )
            assert graded.correct_count == right
            assert graded.score == round(100 * right / len(questions))
        else:
            with pytest.raises(BadAnswer):
                quiz_attempt_submit(attempt=attempt, cadre=quiz_world["cadre"], answers=answers)
            assert _writes(attempt) == before, "a rejected submission wrote something"
        transaction.set_rollback(True)


def _correct(question_id: int) -> set[int]:
    from content.models import QuizChoice

    return set(
        QuizChoice.objects.filter(question_id=question_id, is_correct=True).values_list(
            "pk", flat=True
        )
    )


@SETTINGS
@given(question=ids, choices=st.lists(ids, max_size=5))
def test_autosaving_garbage_raises_bad_answer_and_writes_nothing(quiz_world, question, choices):
    attempt = quiz_world["attempt"]
    if _valid(quiz_world["questions"], question, choices):
        return
    before = _writes(attempt)
    with pytest.raises(BadAnswer):
        quiz_answer_save(
            attempt=attempt, cadre=quiz_world["cadre"], question_id=question, choice_ids=choices
        )
    assert _writes(attempt) == before


@SETTINGS
@given(data=st.data())
def test_someone_elses_attempt_is_not_allowed_whatever_the_answers(quiz_world, data):
    attempt = quiz_world["attempt"]
    answers = data.draw(garbage_answers(quiz_world["questions"]))
    before = _writes(attempt)
    with pytest.raises(NotAllowed):
        quiz_attempt_submit(attempt=attempt, cadre=quiz_world["other"], answers=answers)
    qid = next(iter(quiz_world["questions"]))
    with pytest.raises(NotAllowed):
        quiz_answer_save(attempt=attempt, cadre=quiz_world["other"], question_id=qid,
                         choice_ids=[])  # fmt: skip
    assert _writes(attempt) == before


form_key = st.one_of(
    st.builds(lambda n: f"q-{n}", ids),
    st.sampled_from(["q-", "q-abc", "q--1", "q-1.5", "csrfmiddlewaretoken", "q-\u0000"]),
    st.text(max_size=10),
)
form_value = st.one_of(st.builds(str, ids), st.text(max_size=10), st.just(""))


@SETTINGS
@given(form=st.dictionaries(form_key, st.lists(form_value, max_size=3), max_size=6))
def test_the_submit_view_answers_any_form_with_302_200_400_or_403(quiz_world, form):
    """302: graded; 200: the page asking to confirm unanswered questions (a blank or partial
    form used to be graded without a word); 400 and 403: refused. Only a 302 submits."""
    client = Client(raise_request_exception=False)
    client.force_login(quiz_world["user"])
    attempt = quiz_world["attempt"]
    with transaction.atomic():
        response = client.post(f"/learn/attempts/{attempt.pk}/submit/", form)
        assert response.status_code in (302, 200, 400, 403), response.status_code
        if response.status_code == 200:
            assert "Nộp bài khi còn câu chưa trả lời?" in response.content.decode()
        if response.status_code != 302:
            assert QuizAttempt.objects.get(pk=attempt.pk).submitted_at is None
        transaction.set_rollback(True)


@SETTINGS
@given(body=st.binary(max_size=200))
def test_the_autosave_view_answers_any_json_body_without_a_crash(quiz_world, body):
    client = Client(raise_request_exception=False)
    client.force_login(quiz_world["user"])
    attempt = quiz_world["attempt"]
    with transaction.atomic():
        response = client.post(
            f"/learn/attempts/{attempt.pk}/answer/", body, content_type="application/json"
        )
        assert response.status_code in (200, 400, 403), response.status_code
        transaction.set_rollback(True)


def test_learning_errors_carry_the_http_status_the_views_give():
    assert BadAnswer("x").status == 400
    assert NotAllowed("x").status == 403
    assert issubclass(BadAnswer, LearningError) and issubclass(NotAllowed, LearningError)
