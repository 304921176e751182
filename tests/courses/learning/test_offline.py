"""Work done offline, sent later: exactly once whatever the copies, in order, dated within
bounds, for the account that did it; and the list of what to store for a course."""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from certificates.models import Certificate
from courses.learning.models import (
    Enrolment,
    LessonProgress,
    OfflineAction,
    QuizAnswer,
    QuizAttempt,
)
from courses.learning.services import enrolment_create, quiz_attempt_start
from tests.builders import correct_answers, make_learner, make_user, seed_indicators
from tests.conftest import uses_postgres

pytestmark = pytest.mark.django_db

SYNC = "/learn/offline/sync/"


def _work(tree, attempt, *, at=None):
    """What a device queued: every lesson done, the answers one by one, then the submission."""
    at = at or timezone.now() - dt.timedelta(minutes=5)
    stamp = at.isoformat()
    items = [{"id": str(uuid.uuid4()), "kind": "lesson", "lesson": lesson.pk, "at": stamp}
             for lesson in tree.lessons]  # fmt: skip
    answers = correct_answers(tree.quiz)
    for qid, choices in answers.items():
        items.append({"id": str(uuid.uuid4()), "kind": "answer", "attempt": attempt.pk,
                      "question": qid, "choices": choices, "at": stamp})  # fmt: skip
    items.append({"id": str(uuid.uuid4()), "kind": "submit", "attempt": attempt.pk,
                  "answers": {str(k): v for k, v in answers.items()}, "at": stamp})  # fmt: skip
    return items


def _post(client, user, items):
    return client.post(SYNC, json.dumps({"user": user.pk, "items": items}),
                       content_type="application/json")  # fmt: skip


@pytest.fixture
def learner(tree, tasks_inline):
    seed_indicators()
    user, cadre = make_learner()
    enrolment, _ = enrolment_create(cadre=cadre, course=tree.course)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        enrolled_at=timezone.now() - dt.timedelta(days=1)
    )
    enrolment.refresh_from_db()
    # Started when the device stored the course's quiz page, an hour ago.
    attempt = quiz_attempt_start(
        enrolment=enrolment,
        quiz=tree.quiz,
        at=timezone.now() - dt.timedelta(hours=1),
        for_device=True,
    )
    client = Client()
    client.force_login(user)
    return user, enrolment, attempt, client


def _assert_applied_once(tree, enrolment, attempt, items):
    assert LessonProgress.objects.filter(enrolment=enrolment).count() == len(tree.lessons)
    assert QuizAnswer.objects.filter(attempt=attempt).count() == tree.quiz.questions.count()
    assert QuizAttempt.objects.filter(enrolment=enrolment, submitted_at__isnull=False).count() == 1
    assert OfflineAction.objects.filter(client_id__in=[i["id"] for i in items]).count() == len(
        items
    )
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None
    assert Certificate.objects.filter(enrolment=enrolment).count() == 1


def test_the_same_queue_sent_twice_is_applied_once_and_completes_the_course(tree, learner):
    user, enrolment, attempt, client = learner
    items = _work(tree, attempt)
    first = _post(client, user, items)
    assert first.status_code == 200
    assert [r["status"] for r in first.json()["results"]] == ["applied"] * len(items)
    second = _post(client, user, items)
    assert second.status_code == 200
    assert all(r["duplicate"] for r in second.json()["results"])
    _assert_applied_once(tree, enrolment, attempt, items)
    attempt.refresh_from_db()
    assert attempt.passed is True
    # Dated by when the learner acted, not when the queue arrived.
    acted = dt.datetime.fromisoformat(items[-1]["at"])
    assert abs((attempt.submitted_at - acted).total_seconds()) < 1
    assert abs((enrolment.completed_at - acted).total_seconds()) < 1


def test_two_tabs_sending_overlapping_parts_of_the_queue_lose_nothing(tree, learner):
    user, enrolment, attempt, _client = learner
    items = _work(tree, attempt)
    tab_a, tab_b = Client(), Client()
    tab_a.force_login(user)
    tab_b.force_login(user)
    middle = len(items) // 2
    # Tab A sends the first part and the middle item; tab B the middle item onwards.
    a = _post(tab_a, user, items[: middle + 1])
    b = _post(tab_b, user, items[middle:])
    assert a.status_code == b.status_code == 200
    assert b.json()["results"][0]["duplicate"] is True
    _assert_applied_once(tree, enrolment, attempt, items)


@pytest.mark.django_db(transaction=True)
def test_two_tabs_sending_the_same_queue_at_the_same_moment_apply_it_once(tree, learner):
    if not uses_postgres():
        pytest.skip("concurrent writers: PostgreSQL (SQLite serialises the two requests)")
    user, enrolment, attempt, _client = learner
    items = _work(tree, attempt)
    barrier = threading.Barrier(2)
    codes = []

    def tab():
        client = Client()
        client.force_login(user)
        barrier.wait()
        codes.append(_post(client, user, items).status_code)
        connection.close()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert codes == [200, 200]
    _assert_applied_once(tree, enrolment, attempt, items)


def test_a_time_in_the_future_or_before_the_enrolment_is_brought_within_bounds(tree, learner):
    user, enrolment, attempt, client = learner
    future = timezone.now() + dt.timedelta(days=30)
    past = enrolment.enrolled_at - dt.timedelta(days=365)
    first, second = tree.lessons[0], tree.lessons[1]
    items = [
        {"id": str(uuid.uuid4()), "kind": "lesson", "lesson": first.pk, "at": future.isoformat()},
        {"id": str(uuid.uuid4()), "kind": "lesson", "lesson": second.pk, "at": past.isoformat()},
    ]
    assert _post(client, user, items).status_code == 200
    progress = LessonProgress.objects.filter(enrolment=enrolment)
    done = dict(progress.values_list("lesson_id", "completed_at"))
    assert done[first.pk] <= timezone.now()
    assert done[second.pk] == enrolment.enrolled_at


def test_work_of_another_account_is_refused_and_changes_nothing(tree, learner):
    user, enrolment, attempt, _client = learner
    other = make_user(role="Cadre")
    client = Client()
    client.force_login(other)
    response = _post(client, user, _work(tree, attempt))
    assert response.status_code == 409
    assert "tài khoản khác" in response.json()["error"]
    # Sent under its own account name by someone else, an attempt that is not theirs is refused.
    make_learner_user, _cadre = make_learner()
    client.force_login(make_learner_user)
    response = _post(client, make_learner_user, _work(tree, attempt)[-1:])
    assert response.json()["results"][0]["status"] == "rejected"
    assert LessonProgress.objects.filter(enrolment=enrolment).count() == 0
    assert not QuizAttempt.objects.filter(pk=attempt.pk, submitted_at__isnull=False).exists()


def test_the_queue_needs_the_csrf_token(tree, learner):
    user, _enrolment, attempt, _client = learner
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert _post(client, user, _work(tree, attempt)).status_code == 403
    assert OfflineAction.objects.count() == 0


def test_a_course_package_lists_its_pages_and_the_quiz_for_an_enrolled_learner(tree, learner):
    _user, _enrolment, _attempt, client = learner
    response = client.get(f"/learn/offline/courses/{tree.course.pk}/")
    assert response.status_code == 200
    data = response.json()
    urls = [item["url"] for item in data["items"]]
    assert tree.course.url in urls
    assert all(lesson.url in urls for lesson in tree.lessons)
    assert f"/learn/courses/{tree.course.pk}/quiz/{tree.quiz.pk}/" in urls
    assert data["bytes"] == sum(item["bytes"] or 0 for item in data["items"]) > 0
    stranger = Client()
    stranger.force_login(make_user(role="Cadre"))
    assert stranger.get(f"/learn/offline/courses/{tree.course.pk}/").status_code == 403


def test_a_quiz_stored_for_the_device_is_still_submitted_only_after_the_lessons(tree, learner):
    """Storing the course starts the quiz's attempt before the lessons; a submission that
    arrives without them is refused, and the same submission after them is graded."""
    user, enrolment, attempt, client = learner
    lessons, rest = [], []
    for item in _work(tree, attempt):
        (lessons if item["kind"] == "lesson" else rest).append(item)
    response = _post(client, user, rest)
    assert QuizAttempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).exists()
    assert response.status_code in (200, 409), response.content
    # Online, the quiz page still says to finish the lessons first.
    page = client.get(f"/learn/courses/{tree.course.pk}/quiz/{tree.quiz.pk}/")
    assert page.status_code == 403
    rest = [{**item, "id": str(uuid.uuid4())} for item in rest]
    assert _post(client, user, lessons + rest).status_code == 200
    assert QuizAttempt.objects.filter(pk=attempt.pk, submitted_at__isnull=False).exists()
