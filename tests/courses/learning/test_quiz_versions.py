"""Learners take the published version of a quiz while a change waits for review, and each
attempt records the revision it answered."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import Quiz
from courses.learning.models import QuizAttempt
from tests.builders import (
    correct_answers,
    enrolment_of,
    make_course,
    make_learner,
    make_quiz,
    make_user,
    quiz_form_data,
    study,
)

pytestmark = pytest.mark.django_db


def admin_url(name, *args):
    return reverse(f"wagtailsnippets_content_quiz:{name}", args=args)


@pytest.fixture
def tree():
    """A course whose final quiz has five single-choice questions, pass mark 70."""
    return make_course(quiz=make_quiz(title="Kiểm tra cuối khóa", questions=5, marked=True))


def learner_in(client, tree, name):
    user, cadre = make_learner(name)
    client.force_login(user)
    client.post(f"/learn/courses/{tree.course.pk}/enrol/")
    study(enrolment_of(cadre, tree.course))  # the final quiz opens after the lessons
    return cadre


def quiz_url(tree):
    return f"/learn/courses/{tree.course.pk}/quiz/{tree.quiz.pk}/"


def submit(client, attempt, answers):
    data = {f"q-{qid}": ids for qid, ids in answers.items()}
    return client.post(f"/learn/attempts/{attempt.pk}/submit/", data)


def four_of_five(quiz) -> dict:
    """80 %: above the published pass mark (70), below the one waiting for review (90)."""
    answers = correct_answers(quiz)
    first = min(answers)
    wrong = quiz.questions.get(pk=first).choices.exclude(pk__in=answers[first]).first()
    answers[first] = [wrong.pk]
    return answers


def trainer_submits_a_change(client, quiz):
    """A trainer raises the pass mark to 90 and rewrites the first question, and submits the
    change for review through the admin."""
    client.force_login(make_user("giang_vien", role="Trainer"))
    data = quiz_form_data(quiz, pass_mark=90, action="submit")
    data["questions-0-text"] = "Câu hỏi số 1 (bản sửa)?"
    response = client.post(admin_url("edit", quiz.pk), data)
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert quiz.workflow_in_progress


def reviewer_approves(client, quiz):
    client.force_login(make_user("duyet", role="Admin"))
    task_state = quiz.current_workflow_state.current_task_state
    response = client.post(
        admin_url("workflow_action", quiz.pk, "approve", task_state.pk), {"comment": ""}
    )
    assert response.status_code in (200, 302)
    quiz.refresh_from_db()


def test_learners_keep_the_published_version_while_a_change_waits_for_review(client, tree):
    quiz = tree.quiz
    published = quiz.live_revision
    trainer_submits_a_change(client, quiz)

    # A learner opens the quiz: the published question and pass mark.
    learner_in(client, tree, "hoc_vien_1")
    html = client.get(quiz_url(tree)).content.decode()
    assert "Câu hỏi số 1?" in html and "bản sửa" not in html
    assert "70%" in html and "90%" not in html
    attempt = QuizAttempt.objects.get()
    assert attempt.quiz_revision == published
    # Graded by the published version: 80 % passes at 70.
    response = submit(client, attempt, four_of_five(quiz))
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.score == 80 and attempt.passed
    assert attempt.quiz_revision == published
    result = client.get(f"/learn/attempts/{attempt.pk}/").content.decode()
    assert "Câu hỏi số 1?" in result and "bản sửa" not in result

    # The reviewer approves: the next learner gets the new version, graded at 90.
    reviewer_approves(client, quiz)
    assert quiz.pass_mark == 90 and quiz.live_revision != published
    learner_in(client, tree, "hoc_vien_2")
    html = client.get(quiz_url(tree)).content.decode()
    assert "Câu hỏi số 1 (bản sửa)?" in html and "90%" in html
    second = QuizAttempt.objects.get(enrolment__cadre__user__username="hoc_vien_2")
    assert second.quiz_revision == quiz.live_revision
    submit(client, second, four_of_five(quiz))
    second.refresh_from_db()
    assert second.score == 80 and not second.passed
    assert second.quiz_revision == quiz.live_revision

    # The first learner's result still shows what they were asked.
    client.force_login(attempt.enrolment.cadre.user)
    result = client.get(f"/learn/attempts/{attempt.pk}/").content.decode()
    assert "Câu hỏi số 1?" in result and "bản sửa" not in result


def test_an_open_attempt_follows_a_version_published_meanwhile(client, tree):
    quiz = tree.quiz
    learner = learner_in(client, tree, "hoc_vien")
    client.get(quiz_url(tree))
    attempt = QuizAttempt.objects.get()
    answers = correct_answers(quiz)
    old_revision = attempt.quiz_revision_id

    trainer_submits_a_change(client, quiz)
    reviewer_approves(client, quiz)

    client.force_login(learner.user)
    response = submit(client, attempt, answers)
    assert response.status_code == 302 and response["Location"] == quiz_url(tree)
    attempt.refresh_from_db()
    assert not attempt.is_submitted  # nothing graded against a version no longer published
    assert attempt.quiz_revision_id == quiz.live_revision_id != old_revision
    page = client.get(quiz_url(tree)).content.decode()
    assert "Bài kiểm tra vừa được cập nhật" in page
    submit(client, attempt, correct_answers(quiz))
    attempt.refresh_from_db()
    assert attempt.passed and attempt.score == 100
    assert attempt.quiz_revision_id == quiz.live_revision_id


def test_a_quiz_never_published_cannot_be_taken(client):
    draft = make_quiz(title="Bản nháp chưa duyệt", published=False)
    tree = make_course(quiz=draft)
    learner_in(client, tree, "hoc_vien")
    assert client.get(quiz_url(tree)).status_code == 404
    assert not QuizAttempt.objects.exists()
    course_html = client.get(tree.course.url).content.decode()
    assert "Bản nháp chưa duyệt" not in course_html
    assert "Bài kiểm tra sẽ có ở đây khi được xuất bản." in course_html


def test_an_unpublished_quiz_refuses_a_submission(client, tree):
    learner = learner_in(client, tree, "hoc_vien")
    client.get(quiz_url(tree))
    attempt = QuizAttempt.objects.get()
    client.force_login(make_user("duyet", role="Admin"))
    assert client.post(admin_url("unpublish", tree.quiz.pk)).status_code == 302
    client.force_login(learner.user)
    response = submit(client, attempt, correct_answers(tree.quiz))
    assert response.status_code == 403
    attempt.refresh_from_db()
    assert not attempt.is_submitted


def test_unlimited_attempts_are_explicit(client):
    tree = make_course(quiz=make_quiz(questions=1, unlimited_attempts=True))
    assert tree.quiz.attempt_limit is None
    learner_in(client, tree, "hoc_vien")
    for _ in range(4):  # more than the default limit of 3
        client.get(quiz_url(tree))
        attempt = QuizAttempt.objects.get(submitted_at__isnull=True)
        # Blank, confirmed on the page that asks about unanswered questions.
        client.post(f"/learn/attempts/{attempt.pk}/submit/", {"confirm_unanswered": "1"})
    assert QuizAttempt.objects.filter(submitted_at__isnull=False).count() == 4


def test_a_quiz_with_attempts_cannot_be_deleted(client):
    quiz = make_quiz(title="Đã có người làm")
    tree = make_course(quiz=quiz)
    learner_in(client, tree, "hoc_vien")
    client.get(quiz_url(tree))
    # The course no longer uses it, but a learner answered it.
    tree.course.final_quiz = None
    tree.course.save()
    client.force_login(make_user("giang_vien", role="Trainer"))
    response = client.post(admin_url("delete", quiz.pk))
    assert response.status_code == 409
    assert "Học viên đã làm 1 lượt bài kiểm tra này" in response.content.decode()
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def count_queries(client, fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_quiz_page_and_submission_queries_do_not_depend_on_a_pending_draft(client):
    """Reading the published version costs nothing extra: the same queries with a change
    waiting for review as without, and as many for 20 questions as for 5."""
    counts = {}
    # The first round warms the caches (content types, the workflow); the second replaces it.
    for n, (questions, draft) in enumerate(((5, False), (5, False), (20, False), (20, True))):
        tree = make_course(quiz=make_quiz(questions=questions))
        if draft:
            trainer_submits_a_change(client, tree.quiz)
        learner_in(client, tree, f"hoc_vien_{n}")
        client.get(quiz_url(tree))  # starts the attempt
        attempt = QuizAttempt.objects.get(quiz=tree.quiz)
        page = count_queries(client, lambda tree=tree: client.get(quiz_url(tree)))
        answers = correct_answers(tree.quiz)
        sent = count_queries(client, lambda a=attempt, x=answers: submit(client, a, x))
        counts[questions, draft] = (page, sent)
    assert counts[5, False] == counts[20, False] == counts[20, True], counts


def test_grading_follows_a_corrected_answer_key_at_once(client, tree):
    """The key that grades answers is kept between changes of the quiz: a trainer who finds
    the first question's key wrong and publishes the correction has the next attempt graded
    by it."""
    quiz = tree.quiz
    learner_in(client, tree, "hoc_vien_1")
    client.get(quiz_url(tree))
    first = QuizAttempt.objects.get()
    submit(client, first, correct_answers(quiz))
    first.refresh_from_db()
    assert first.score == 100

    question = quiz.questions.order_by("sort_order").first()
    wrong_before = question.choices.filter(is_correct=False).first()
    for choice in question.choices.all():
        choice.is_correct = choice.pk == wrong_before.pk
        choice.save()
    quiz.refresh_from_db()
    quiz.save_revision().publish()

    learner_in(client, tree, "hoc_vien_2")
    client.get(quiz_url(tree))
    second = QuizAttempt.objects.get(enrolment__cadre__user__username="hoc_vien_2")
    answers = correct_answers(quiz)
    assert answers[question.pk] == [wrong_before.pk]
    submit(client, second, answers)
    second.refresh_from_db()
    assert second.score == 100 and second.passed
