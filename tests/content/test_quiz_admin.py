"""Quizzes in the admin: reviewed like pages, checked before saving, never deleted while used."""

import pytest
from django.urls import reverse
from wagtail.models import WorkflowState

from content.models import Quiz
from tests.builders import make_quiz, make_user, quiz_form_data

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"wagtailsnippets_content_quiz:{name}", args=args)


@pytest.fixture
def trainer():
    return make_user("giang_vien", role="Trainer")


@pytest.fixture
def reviewer():
    return make_user("duyet", role="Admin")


def test_quizzes_go_through_the_pages_review_workflow(quiz, course_tree):
    workflow = quiz.get_workflow()
    assert workflow is not None and workflow.name == "Duyệt nội dung"
    assert workflow == course_tree["lessons"][0].get_workflow()


def test_a_trainer_saves_drafts_and_submits_but_cannot_publish(client, quiz, trainer, reviewer):
    client.force_login(trainer)
    live_revision = quiz.live_revision_id
    # A trainer's "publish" is not one of their actions: nothing reaches learners.
    client.post(url("edit", quiz.pk), quiz_form_data(quiz, pass_mark=1, action="publish"))
    quiz.refresh_from_db()
    assert quiz.pass_mark == 70 and quiz.live_revision_id == live_revision

    response = client.post(
        url("edit", quiz.pk), quiz_form_data(quiz, pass_mark=80, action="submit")
    )
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert quiz.pass_mark == 70  # the live rows keep the published version
    assert quiz.has_unpublished_changes
    assert quiz.get_latest_revision_as_object().pass_mark == 80
    state = quiz.current_workflow_state
    assert state is not None and state.status == WorkflowState.STATUS_IN_PROGRESS
    # While it waits for review the quiz is locked for its author.
    assert quiz.get_lock() is not None and quiz.get_lock().for_user(trainer)

    client.force_login(reviewer)
    task_state = state.current_task_state
    response = client.post(
        url("workflow_action", quiz.pk, "approve", task_state.pk), {"comment": "Đồng ý"}
    )
    assert response.status_code in (200, 302)
    quiz.refresh_from_db()
    assert quiz.pass_mark == 80 and not quiz.has_unpublished_changes
    assert quiz.live_revision_id != live_revision


def test_a_province_admin_does_not_publish_quizzes(client, quiz):
    province_admin = make_user("tinh", role="Admin", province_code="15")
    client.force_login(province_admin)
    client.post(url("edit", quiz.pk), quiz_form_data(quiz, pass_mark=1, action="publish"))
    quiz.refresh_from_db()
    assert quiz.pass_mark == 70
    response = client.post(url("unpublish", quiz.pk))
    quiz.refresh_from_db()
    assert quiz.live and response.status_code in (302, 403)


def test_publishing_keeps_question_ids_so_answers_keep_their_question(client, quiz, reviewer):
    """A question added to a live quiz is created on publishing; a later publish keeps it."""
    client.force_login(reviewer)
    questions = [
        {"id": q.pk, "kind": q.kind, "text": q.text, "ids": [c.pk for c in q.choices.all()],
         "choices": [(c.text, c.is_correct) for c in q.choices.all()]}
        for q in quiz.questions.all()
    ]  # fmt: skip
    questions.append(question("Câu hỏi thêm?", choices=[("Có", True), ("Không", False)]))
    data = quiz_form_data(quiz, action="publish", questions=questions)
    assert client.post(url("edit", quiz.pk), data).status_code == 302
    added = quiz.questions.get(text="Câu hỏi thêm?")
    again = quiz_form_data(Quiz.objects.get(pk=quiz.pk), action="publish", title="Tên mới")
    assert client.post(url("edit", quiz.pk), again).status_code == 302
    assert quiz.questions.filter(pk=added.pk, text="Câu hỏi thêm?").exists()
    assert quiz.questions.count() == 6


# --- Validation ------------------------------------------------------------------------------


def question(text="Câu hỏi?", kind="single", choices=(("Đúng", True), ("Sai", False))):
    return {"kind": kind, "text": text, "choices": list(choices)}


def add(client, **kwargs):
    return client.post(url("add"), quiz_form_data(**kwargs))


@pytest.fixture
def author(client, trainer):
    client.force_login(trainer)
    return trainer


def test_a_question_without_a_correct_choice_is_refused(client, author):
    response = add(client, questions=[question(choices=[("A", False), ("B", False)])])
    assert response.status_code == 200
    assert "Hãy đánh dấu ít nhất một phương án đúng cho câu hỏi này." in response.content.decode()
    assert not Quiz.objects.exists()


def test_a_single_answer_question_takes_exactly_one_correct_choice(client, author):
    for kind in ("single", "true_false"):
        response = add(client, questions=[question(kind=kind, choices=[("A", True), ("B", True)])])
        assert "Câu hỏi một đáp án phải có đúng một phương án đúng." in response.content.decode()
    assert not Quiz.objects.exists()
    response = add(
        client,
        questions=[question(kind="multiple", choices=[("A", True), ("B", True), ("C", False)])],
    )
    assert response.status_code == 302
    assert Quiz.objects.get().questions.get().kind == "multiple"


def test_the_pass_mark_is_between_1_and_100(client, author):
    for mark in (0, 101):
        html = add(client, pass_mark=mark, questions=[question()]).content.decode()
        assert "Điểm đạt phải từ 1 đến 100." in html
    assert not Quiz.objects.exists()


def test_attempts_are_at_least_one_or_explicitly_unlimited(client, author):
    for attempts in (0, ""):
        html = add(client, attempts_allowed=attempts, questions=[question()]).content.decode()
        assert "Cho phép ít nhất 1 lần làm bài, hoặc chọn “Không giới hạn số lần làm”." in html
    assert not Quiz.objects.exists()
    response = add(client, attempts_allowed="", unlimited_attempts=True, questions=[question()])
    assert response.status_code == 302
    quiz = Quiz.objects.get()
    assert quiz.unlimited_attempts and quiz.attempt_limit is None
    assert not quiz.live  # a new quiz is a draft until it is published


def test_the_migration_publishes_existing_quizzes_and_makes_unlimited_explicit(db):
    """A quiz from before revisions (no revision, 0 attempts meaning "no limit", pass mark 0)
    comes out published with a revision of its rows, unlimited, pass mark 1."""
    import importlib

    from django.apps import apps

    from content.models import QuizChoice, QuizQuestion

    migration = importlib.import_module(
        "content.migrations.0005_quiz_revisions_workflow_and_attempt_rules"
    )
    old = Quiz.objects.create(title="Bài cũ", pass_mark=0, attempts_allowed=0)
    question = QuizQuestion.objects.create(quiz=old, text="Câu cũ?", sort_order=0)
    right = QuizChoice.objects.create(question=question, text="Đúng", is_correct=True)
    QuizChoice.objects.create(question=question, text="Sai", sort_order=1)
    migration.forwards(apps, None)
    old.refresh_from_db()
    assert old.is_published and old.unlimited_attempts and old.attempt_limit is None
    assert old.pass_mark == 1
    version = old.live_revision.as_object()
    assert [q.pk for q in version.questions.all()] == [question.pk]
    assert right.pk in [c.pk for c in version.questions.all()[0].choices.all()]
    assert Quiz.get_default_workflow().name == "Duyệt nội dung"


def test_demo_quizzes_are_published_and_valid(db):
    from content.demo import load_courses

    list(load_courses())
    assert Quiz.objects.count() == 4
    for quiz in Quiz.objects.all():
        assert quiz.is_published, quiz
        assert quiz.live_revision.as_object().questions.count() == quiz.questions.count()
        assert quiz.question_problems() == []


# --- Deleting -------------------------------------------------------------------------------


def test_deleting_a_quiz_used_by_a_course_is_refused_and_says_where(client, course_tree, author):
    quiz = course_tree["quiz"]
    page = client.get(url("delete", quiz.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Không thể xóa bài kiểm tra" in html
    assert "Bài kiểm tra cuối khóa của khóa học “Kiến thức cơ bản về bình đẳng giới”" in html
    assert (
        "Được đặt trong bài học “Bình đẳng giới là gì?” của khóa học "
        "“Kiến thức cơ bản về bình đẳng giới”" in html
    )
    assert f'action="{url("delete", quiz.pk)}"' not in html  # no confirmation form
    response = client.post(url("delete", quiz.pk))
    assert response.status_code == 409
    assert Quiz.objects.filter(pk=quiz.pk).exists()
    # The bulk action of the listing refuses as well.
    bulk = reverse("wagtail_bulk_action", args=("content", "quiz", "delete"))
    response = client.post(f"{bulk}?id={quiz.pk}", {})
    assert response.status_code == 409
    assert Quiz.objects.filter(pk=quiz.pk).exists()


def test_an_unused_quiz_can_be_deleted(client, author):
    quiz = make_quiz(title="Nháp bỏ đi")
    response = client.post(url("delete", quiz.pk))
    assert response.status_code == 302
    assert not Quiz.objects.filter(pk=quiz.pk).exists()


def test_the_database_protects_a_final_quiz(course_tree):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        course_tree["quiz"].delete()


# --- Preview --------------------------------------------------------------------------------


def test_reviewer_previews_the_version_waiting_for_review(client, quiz, trainer, reviewer):
    client.force_login(trainer)
    data = quiz_form_data(quiz, action="submit")
    data["questions-0-text"] = "Câu hỏi đã sửa?"
    client.post(url("edit", quiz.pk), data)
    client.force_login(reviewer)
    preview_url = url("preview_on_edit", quiz.pk)
    client.post(preview_url, quiz_form_data(Quiz.objects.get(pk=quiz.pk)))
    html = client.get(preview_url).content.decode()
    assert "Câu hỏi đã sửa?" in html
    assert "(đáp án đúng)" in html


def test_deleting_a_courses_pre_test_is_refused_and_says_where(client, course_tree, author):
    pre = make_quiz(title="Bài kiểm tra đầu vào")
    course = course_tree["course"]
    course.pre_test = pre
    course.save()
    page = client.get(url("delete", pre.pk)).content.decode()
    assert f"Bài kiểm tra đầu vào của khóa học “{course.title}”" in page
    assert client.post(url("delete", pre.pk)).status_code == 409
    assert Quiz.objects.filter(pk=pre.pk).exists()
