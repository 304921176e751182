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
    # Started an hour ago by work done on the quiz page stored with the course.
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
    """Work on the stored quiz page starts its attempt before the lessons are done on the
    server; a submission that arrives without them is refused, and the same submission after
    them is graded."""
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


# --- The quiz stored with a course ---------------------------------------------------------


def _enrolled(course):
    user, cadre = make_learner()
    enrolment, _ = enrolment_create(cadre=cadre, course=course)
    Enrolment.objects.filter(pk=enrolment.pk).update(
        enrolled_at=timezone.now() - dt.timedelta(days=1)
    )
    enrolment.refresh_from_db()
    client = Client()
    client.force_login(user)
    return user, enrolment, client


def _device_work(tree, *, at, answers=None):
    """What the quiz page stored with the course queues: its answers and its submission name
    the course and the quiz, not an attempt."""
    stamp = at.isoformat()
    answers = correct_answers(tree.quiz) if answers is None else answers
    where = {"course": tree.course.pk, "quiz": tree.quiz.pk}
    items = [{"id": str(uuid.uuid4()), "kind": "lesson", "lesson": lesson.pk, "at": stamp}
             for lesson in tree.lessons]  # fmt: skip
    for qid, choices in answers.items():
        items.append({"id": str(uuid.uuid4()), "kind": "answer", **where, "question": qid,
                      "choices": choices, "at": stamp})  # fmt: skip
    items.append({"id": str(uuid.uuid4()), "kind": "submit", **where,
                  "answers": {str(k): v for k, v in answers.items()}, "at": stamp})  # fmt: skip
    return items


def _store(client, tree):
    """What the device fetches to store the course: the list, then each page in it."""
    package = client.get(f"/learn/offline/courses/{tree.course.pk}/")
    assert package.status_code == 200
    urls = [item["url"] for item in package.json()["items"]]
    for url in urls:
        if not url.startswith(("/media/", "/static/")):
            assert client.get(url, HTTP_X_OFFLINE_STORE="1").status_code == 200, url
    return urls


def test_storing_a_course_starts_no_attempt_at_its_quiz(tree, tasks_inline):
    seed_indicators()
    _user, enrolment, client = _enrolled(tree.course)
    quiz_url = f"/learn/courses/{tree.course.pk}/quiz/{tree.quiz.pk}/"
    for _visit in range(3):  # the course page asks for the size on every visit
        urls = _store(client, tree)
        assert quiz_url in urls
    # The quiz's script, which not every page uses, is stored with the course.
    assert "/static/courses/js/quiz-autosave.js" in urls
    assert not QuizAttempt.objects.filter(enrolment=enrolment).exists()
    page = client.get(quiz_url, HTTP_X_OFFLINE_STORE="1").content.decode()
    # The stored page's answers and submission go to the course's quiz, not to an attempt.
    assert f'action="{quiz_url}submit/"' in page
    assert f'data-autosave-url="{quiz_url}answer/"' in page
    assert "/learn/attempts/" not in page
    assert "Lần làm bài thứ 1." in page
    assert not QuizAttempt.objects.filter(enrolment=enrolment).exists()


def test_the_stored_quiz_starts_its_attempt_when_its_work_arrives_and_only_once(tasks_inline):
    """One attempt left: the learner stores the course, does it offline, and the attempt the
    work starts is their last one, dated by the first answer, graded once however often the
    queue is sent."""
    from tests.builders import make_course, make_quiz, wrong_answers

    seed_indicators()
    tree = make_course(title="Giới và phát triển", quiz=make_quiz(attempts_allowed=2))
    user, enrolment, client = _enrolled(tree.course)
    for lesson in tree.lessons:
        client.post(f"/learn/lessons/{lesson.pk}/done/")
    first = quiz_attempt_start(enrolment=enrolment, quiz=tree.quiz)
    response = client.post(f"/learn/attempts/{first.pk}/submit/", {
        f"q-{q}": c for q, c in wrong_answers(tree.quiz).items()})  # fmt: skip
    assert response.status_code == 302
    _store(client, tree)
    assert QuizAttempt.objects.filter(enrolment=enrolment).count() == 1

    at = timezone.now() - dt.timedelta(minutes=20)
    items = [i for i in _device_work(tree, at=at) if i["kind"] != "lesson"]
    for _copy in range(2):
        results = _post(client, user, items).json()["results"]
        assert {r["status"] for r in results} == {"applied"}
    attempts = QuizAttempt.objects.filter(enrolment=enrolment).order_by("number")
    assert [a.number for a in attempts] == [1, 2]
    second = attempts[1]
    assert second.passed is True and second.submitted_at is not None
    assert abs((second.started_at - at).total_seconds()) < 1
    assert QuizAnswer.objects.filter(attempt=second).count() == tree.quiz.questions.count()
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_a_learner_who_used_every_attempt_still_stores_the_course_and_is_told(tasks_inline):
    """At the attempt limit, storing keeps the lessons (the quiz, closed, is not stored) and
    uses nothing up; work sent from a quiz page stored before is refused with the reason."""
    from tests.builders import make_course, make_quiz, wrong_answers

    seed_indicators()
    tree = make_course(title="Giới và lãnh đạo", quiz=make_quiz(attempts_allowed=1))
    user, enrolment, client = _enrolled(tree.course)
    for lesson in tree.lessons:
        client.post(f"/learn/lessons/{lesson.pk}/done/")
    only = quiz_attempt_start(enrolment=enrolment, quiz=tree.quiz)
    client.post(f"/learn/attempts/{only.pk}/submit/",
                {f"q-{q}": c for q, c in wrong_answers(tree.quiz).items()})  # fmt: skip
    urls = _store(client, tree)
    assert all(lesson.url in urls for lesson in tree.lessons)
    assert f"/learn/courses/{tree.course.pk}/quiz/{tree.quiz.pk}/" not in urls
    results = _post(client, user, _device_work(tree, at=timezone.now())[-1:]).json()["results"]
    assert results[0]["status"] == "rejected"
    assert "đã dùng hết số lần làm bài" in results[0]["message"]
    assert QuizAttempt.objects.filter(enrolment=enrolment).count() == 1


def test_the_stored_quiz_page_continues_an_open_attempt_without_a_second(tree, tasks_inline):
    seed_indicators()
    user, enrolment, client = _enrolled(tree.course)
    attempt = quiz_attempt_start(enrolment=enrolment, quiz=tree.quiz, for_device=True)
    question, choices = next(iter(correct_answers(tree.quiz).items()))
    client.post(f"/learn/attempts/{attempt.pk}/answer/",
                json.dumps({"question": question, "choices": choices}),
                content_type="application/json")  # fmt: skip
    page = client.get(f"/learn/courses/{tree.course.pk}/quiz/{tree.quiz.pk}/",
                      HTTP_X_OFFLINE_STORE="1").content.decode()  # fmt: skip
    assert f'value="{choices[0]}" checked' in page
    assert _post(client, user, _device_work(tree, at=timezone.now())).status_code == 200
    attempts = QuizAttempt.objects.filter(enrolment=enrolment)
    assert attempts.count() == 1 and attempts.get().pk == attempt.pk
    assert attempts.get().passed is True


def test_the_stored_quiz_page_posts_online_too_without_javascript(tree, tasks_inline):
    """The stored page is shown when the network fails; if it is back when the learner
    submits, the form reaches the server, which starts the attempt and grades it (asking
    first about unanswered questions, as online)."""
    seed_indicators()
    _user, enrolment, client = _enrolled(tree.course)
    for lesson in tree.lessons:
        client.post(f"/learn/lessons/{lesson.pk}/done/")
    submit = f"/learn/courses/{tree.course.pk}/quiz/{tree.quiz.pk}/submit/"
    answers = correct_answers(tree.quiz)
    some = dict(list(answers.items())[:1])
    asked = client.post(submit, {f"q-{q}": c for q, c in some.items()})
    assert asked.status_code == 200
    assert "Nộp bài khi còn câu chưa trả lời?" in asked.content.decode()
    done = client.post(submit, {f"q-{q}": c for q, c in answers.items()})
    attempt = QuizAttempt.objects.get(enrolment=enrolment)
    assert done.status_code == 302 and done["Location"] == f"/learn/attempts/{attempt.pk}/"
    assert attempt.passed is True


def test_an_offline_submission_with_unanswered_questions_is_graded_only_if_confirmed(
    tree, tasks_inline
):
    seed_indicators()
    user, enrolment, client = _enrolled(tree.course)
    some = dict(list(correct_answers(tree.quiz).items())[:2])
    items = _device_work(tree, at=timezone.now() - dt.timedelta(minutes=5), answers=some)
    unconfirmed = _post(client, user, items).json()["results"][-1]
    assert unconfirmed["status"] == "rejected"
    assert "chưa trả lời" in unconfirmed["message"]
    assert not QuizAttempt.objects.filter(submitted_at__isnull=False).exists()
    confirmed = {**items[-1], "id": str(uuid.uuid4()), "confirm_unanswered": True}
    assert _post(client, user, [confirmed]).json()["results"][0]["status"] == "applied"
    attempt = QuizAttempt.objects.get(enrolment=enrolment)
    assert attempt.submitted_at is not None and attempt.score == 67


def test_a_course_package_lists_its_documents_and_recordings_but_no_video(tasks_inline, settings,
                                                                           tmp_path):  # fmt: skip
    from django.core.files.base import ContentFile
    from wagtail.documents.models import Document

    from content.models import LessonPage
    from tests.builders import make_course

    settings.MEDIA_ROOT = tmp_path
    tree = make_course(title="Tài liệu khóa học", modules=1, lessons_per_module=1, quiz=False)
    handout = Document.objects.create(
        title="Phiếu học tập", file=ContentFile(b"%PDF-1.4 phieu", name="phieu.pdf")
    )
    extra = Document.objects.create(
        title="Bảng số liệu", file=ContentFile(b"PK\x03\x04 so lieu", name="so-lieu.xlsx")
    )
    video = Document.objects.create(title="Phim", file=ContentFile(b"\x00" * 64, name="phim.mp4"))
    lesson = LessonPage.objects.get(pk=tree.lessons[0].pk)
    lesson.handout = handout
    lesson.body = [("document", {"document": extra, "title": "", "description": ""}),
                   ("video", {"file": video, "embed": None, "caption": ""})]  # fmt: skip
    lesson.save()
    _user, _enrolment, client = _enrolled(tree.course)
    items = {i["url"]: i["bytes"] for i in client.get(
        f"/learn/offline/courses/{tree.course.pk}/").json()["items"]}  # fmt: skip
    assert items[handout.url] == len(b"%PDF-1.4 phieu")
    assert items[extra.url] == len(b"PK\x03\x04 so lieu")
    assert video.url not in items
