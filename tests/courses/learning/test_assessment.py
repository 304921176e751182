"""Assessment that cannot be gamed: each way a certificate could be had without studying is
refused (another course's quiz, the answers shown after a failed attempt, lessons in any
order, a blank submission), the answers are shown by the quiz's setting, and the item
analysis that trainers read equals a recomputation from the answers."""

from __future__ import annotations

import random

import pytest
from django.urls import reverse

from courses.learning.analysis import item_analysis
from courses.learning.models import LessonProgress, QuizAnswer, QuizAttempt
from courses.learning.services import (
    NotInCourse,
    NotYet,
    Unanswered,
    enrolment_create,
    lesson_complete,
    quiz_attempt_start,
    quiz_attempt_submit,
)
from tests.builders import (
    correct_answers,
    enrolment_of,
    make_cadre,
    make_course,
    make_learner,
    make_lesson,
    make_quiz,
    make_units,
    make_user,
    study,
    wrong_answers,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def learner(client):
    user, cadre = make_learner("hoc_vien")
    client.force_login(user)
    return cadre


def enrol(client, tree):
    assert client.post(f"/learn/courses/{tree.course.pk}/enrol/").status_code == 302


def study_all(client, tree):
    for lesson in tree.lessons:
        assert client.post(f"/learn/lessons/{lesson.pk}/done/").status_code == 302


def quiz_url(tree, quiz=None):
    return f"/learn/courses/{tree.course.pk}/quiz/{(quiz or tree.quiz).pk}/"


def submit(client, attempt, answers, **extra):
    data = {f"q-{q}": choices for q, choices in answers.items()}
    data.update(extra)
    return client.post(f"/learn/attempts/{attempt.pk}/submit/", data)


def writes() -> tuple:
    return (
        QuizAttempt.objects.count(),
        QuizAttempt.objects.filter(submitted_at__isnull=False).count(),
        QuizAnswer.objects.count(),
        LessonProgress.objects.count(),
    )


# --- Bypass 1: another course's quiz through one's own enrolment --------------------------


def test_another_courses_quiz_does_not_open_through_an_enrolment(client, learner):
    mine = make_course(title="Khóa của tôi", modules=1, lessons_per_module=1)
    other = make_course(title="Khóa khác", modules=1, lessons_per_module=1)
    enrol(client, mine)
    study_all(client, mine)
    before = writes()
    # The other course's final quiz, through my course's URL: not there for me.
    assert client.get(quiz_url(mine, other.quiz)).status_code == 404
    # Nor through the other course without an enrolment in it... (403: enrol first; it is
    # that course's quiz)
    assert client.get(quiz_url(other)).status_code == 403
    assert writes() == before
    # The service refuses it too, whoever calls it: nothing written.
    with pytest.raises(NotInCourse):
        quiz_attempt_start(enrolment=enrolment_of(learner, mine.course), quiz=other.quiz)
    assert writes() == before


def test_an_attempt_at_another_courses_quiz_is_gone_for_the_learner(client, learner):
    """An attempt made through the wrong course before this was refused: its result page,
    its autosave and its submission are 404, and submitting writes nothing."""
    mine = make_course(modules=1, lessons_per_module=1)
    other = make_course(quiz=make_quiz(marked=True, questions=2))
    enrol(client, mine)
    stray = QuizAttempt.objects.create(
        enrolment=enrolment_of(learner, mine.course), quiz=other.quiz, number=1,
        quiz_revision_id=other.quiz.live_revision_id,
        question_order=list(other.quiz.questions.values_list("pk", flat=True)),
    )  # fmt: skip
    before = writes()
    response = submit(client, stray, correct_answers(other.quiz), confirm_unanswered="1")
    assert response.status_code == 404
    question = other.quiz.questions.first()
    response = client.post(
        f"/learn/attempts/{stray.pk}/answer/",
        {"question": question.pk, "choices": [question.choices.first().pk]},
    )
    assert response.status_code == 404
    assert writes() == before
    QuizAttempt.objects.filter(pk=stray.pk).update(submitted_at="2026-01-01T00:00Z", score=0)
    response = client.get(f"/learn/attempts/{stray.pk}/")
    assert response.status_code == 404
    assert "DAP-AN-DUNG" not in response.content.decode()


def test_a_quiz_placed_in_a_lesson_opens_through_its_course_only(client, learner):
    tree = make_course(modules=1, lessons_per_module=0)
    review = make_quiz(title="Ôn tập giữa khóa", questions=1)
    module = tree.modules[0]
    first = make_lesson(module=module, title="Bài 1", slug="bai-1")
    second = make_lesson(module=module, title="Bài 2", slug="bai-2",
                         body=[("quiz", {"quiz": review, "intro": ""})])  # fmt: skip
    tree.lessons = [first, second]
    enrol(client, tree)
    # In order: the quiz of lesson 2 waits for lesson 1, and says so.
    response = client.get(quiz_url(tree, review))
    assert response.status_code == 403
    assert "Hãy học xong bài “Bài 1” trước" in response.content.decode()
    client.post(f"/learn/lessons/{first.pk}/done/")
    assert client.get(quiz_url(tree, review)).status_code == 200
    # Another course does not use it.
    elsewhere = make_course(modules=1, lessons_per_module=1)
    enrol(client, elsewhere)
    assert client.get(quiz_url(elsewhere, review)).status_code == 404


# --- Bypass 2: the answers after a failed attempt ---------------------------------------------


def marked_course():
    """A course whose final quiz carries markers on its correct answers and explanations."""
    return make_course(modules=1, lessons_per_module=1,
                       quiz=make_quiz(title="Kiểm tra", questions=3, marked=True,
                                      attempts_allowed=2))  # fmt: skip


def take(client, tree, answers, **extra):
    client.get(quiz_url(tree))
    attempt = QuizAttempt.objects.get(submitted_at__isnull=True)
    response = submit(client, attempt, answers, **extra)
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response["Location"]).content.decode()


def test_a_failed_attempt_with_attempts_left_shows_the_score_and_the_wrong_questions_only(
    client, learner
):
    tree = marked_course()
    enrol(client, tree)
    study_all(client, tree)
    answers = wrong_answers(tree.quiz)
    first_question = tree.quiz.questions.order_by("sort_order").first()
    answers[first_question.pk] = correct_answers(tree.quiz)[first_question.pk]
    html = take(client, tree, answers)
    assert "Điểm của bạn: 33% (đúng 1 trên 3 câu)" in html
    assert html.count("chưa đúng") >= 2  # which questions were wrong
    assert "DAP-AN-DUNG-1" in html  # the learner's own (right) answer is theirs to see
    assert "DAP-AN-DUNG-2" not in html and "DAP-AN-DUNG-3" not in html
    assert "GIAI-THICH-BI-MAT" not in html and "(đáp án đúng)" not in html
    assert "Đáp án đúng sẽ hiện khi bạn đạt hoặc đã dùng lượt làm bài cuối cùng" in html


def test_the_answers_show_after_the_last_allowed_attempt(client, learner):
    tree = marked_course()
    enrol(client, tree)
    study_all(client, tree)
    take(client, tree, wrong_answers(tree.quiz))
    html = take(client, tree, wrong_answers(tree.quiz))  # the second of two
    assert "(đáp án đúng)" in html and "GIAI-THICH-BI-MAT-1" in html
    # The first attempt's page now shows them too (nothing left to protect).
    first = QuizAttempt.objects.get(number=1)
    assert "(đáp án đúng)" in client.get(f"/learn/attempts/{first.pk}/").content.decode()


@pytest.mark.parametrize(
    ("policy", "after_fail", "after_pass"),
    [("each", True, True), ("never", False, False), ("pass_or_last", False, True)],
)
def test_the_quiz_setting_decides_when_the_answers_show(
    client, learner, policy, after_fail, after_pass
):
    quiz = make_quiz(questions=2, marked=True, attempts_allowed=3, reveal_answers=policy)
    tree = make_course(modules=1, lessons_per_module=1, quiz=quiz)
    enrol(client, tree)
    study_all(client, tree)
    html = take(client, tree, wrong_answers(quiz))
    assert ("GIAI-THICH-BI-MAT-1" in html) is after_fail
    assert ("(đáp án đúng)" in html) is after_fail
    html = take(client, tree, correct_answers(quiz))
    assert ("GIAI-THICH-BI-MAT-1" in html) is after_pass
    assert "đạt" in html


def test_the_setting_reaches_learners_through_review_only(client):
    """A trainer's change of the setting is a draft: learners keep the published one until a
    reviewer approves it."""
    from tests.builders import quiz_form_data

    tree = marked_course()
    quiz = tree.quiz
    trainer = make_user("giang_vien", role="Trainer")
    client.force_login(trainer)
    url = reverse("wagtailsnippets_content_quiz:edit", args=[quiz.pk])
    response = client.post(url, quiz_form_data(quiz, reveal_answers="each", action="submit"))
    assert response.status_code == 302, response.content.decode()[:2000]
    quiz.refresh_from_db()
    assert quiz.reveal_answers == "pass_or_last"  # the rows hold the published version
    assert quiz.get_latest_revision_as_object().reveal_answers == "each"
    # A learner fails once: the answers stay hidden.
    user, _cadre = make_learner("hoc_vien_2")
    client.force_login(user)
    enrol(client, tree)
    study_all(client, tree)
    assert "GIAI-THICH-BI-MAT-1" not in take(client, tree, wrong_answers(quiz))
    # Published: the new setting applies.
    quiz.get_latest_revision().publish()
    attempt = QuizAttempt.objects.get()
    assert "GIAI-THICH-BI-MAT-1" in client.get(f"/learn/attempts/{attempt.pk}/").content.decode()


# --- Bypass 3: lessons in any order ----------------------------------------------------------


def test_a_later_lesson_is_refused_before_the_earlier_ones(client, learner):
    tree = make_course(modules=2, lessons_per_module=2)
    enrol(client, tree)
    before = writes()
    response = client.post(f"/learn/lessons/{tree.lessons[3].pk}/done/")
    assert response.status_code == 403
    html = response.content.decode()
    assert f"hãy học xong bài “{tree.lessons[0].title}” trước" in html
    assert tree.lessons[0].url in html
    assert writes() == before
    # The lesson page says so instead of offering the button.
    page = client.get(tree.lessons[2].url).content.decode()
    assert "Khóa học này học theo thứ tự" in page
    assert f"/learn/lessons/{tree.lessons[2].pk}/done/" not in page
    # In order, each is accepted.
    study_all(client, tree)
    assert LessonProgress.objects.count() == 4


def test_reverse_order_a_blank_attempt_then_full_marks_no_longer_certifies(learner):
    """The reported shortcut, through the services: refused at its first step."""
    tree = make_course(modules=1, lessons_per_module=5)
    enrolment, _ = enrolment_create(cadre=learner, course=tree.course)
    with pytest.raises(NotYet):
        lesson_complete(enrolment=enrolment, lesson_id=tree.lessons[-1].pk)
    lesson_complete(enrolment=enrolment, lesson_id=tree.lessons[0].pk)
    with pytest.raises(NotYet):
        quiz_attempt_start(enrolment=enrolment, quiz=tree.quiz)
    assert not QuizAttempt.objects.exists()
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None


def test_a_course_may_let_lessons_be_done_in_any_order(client, learner):
    tree = make_course(modules=1, lessons_per_module=3, require_lessons_in_order=False)
    enrol(client, tree)
    assert client.post(f"/learn/lessons/{tree.lessons[2].pk}/done/").status_code == 302
    # The final quiz still waits for every lesson.
    assert client.get(quiz_url(tree)).status_code == 403


def test_the_course_outline_ticks_the_lessons_done(client, learner):
    tree = make_course(modules=2, lessons_per_module=2)
    enrol(client, tree)
    client.post(f"/learn/lessons/{tree.lessons[0].pk}/done/")
    client.post(f"/learn/lessons/{tree.lessons[1].pk}/done/")
    html = client.get(tree.course.url).content.decode()
    outline = html[html.index('id="outline-title"') :]
    assert outline.count("✓ đã học xong") == 2
    first, third = outline.index(tree.lessons[0].title), outline.index(tree.lessons[2].title)
    assert "✓" in outline[first:third] and "✓" not in outline[third:]


# --- Bypass 4: a blank submission --------------------------------------------------------------


def test_unanswered_questions_ask_for_confirmation_first(client, learner):
    tree = make_course(modules=1, lessons_per_module=1)
    enrol(client, tree)
    study_all(client, tree)
    client.get(quiz_url(tree))
    attempt = QuizAttempt.objects.get()
    questions = list(tree.quiz.questions.order_by("sort_order"))
    answers = {questions[0].pk: correct_answers(tree.quiz)[questions[0].pk]}

    response = submit(client, attempt, answers)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nộp bài khi còn câu chưa trả lời?" in html
    assert "Còn 2/3 câu hỏi chưa trả lời" in html
    assert f"Câu 2: {questions[1].text}" in html and f"Câu 3: {questions[2].text}" in html
    assert f"Câu 1: {questions[0].text}" not in html
    assert quiz_url(tree) in html  # go back
    assert 'name="confirm_unanswered" value="1"' in html  # submit anyway
    attempt.refresh_from_db()
    assert attempt.submitted_at is None  # no attempt used up
    # The answer given is kept: going back finds it checked.
    page = client.get(quiz_url(tree)).content.decode()
    assert f'value="{answers[questions[0].pk][0]}" checked' in page

    # A blank one too; then "submit anyway" grades it.
    response = submit(client, attempt, {})
    assert "Còn 2/3 câu hỏi chưa trả lời" in response.content.decode()
    response = submit(client, attempt, {}, confirm_unanswered="1")
    assert response.status_code == 302
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and attempt.correct_count == 1


def test_the_service_refuses_an_unconfirmed_blank_submission(learner):
    tree = make_course(modules=1, lessons_per_module=1)
    enrolment, _ = enrolment_create(cadre=learner, course=tree.course)
    study(enrolment)
    attempt = quiz_attempt_start(enrolment=enrolment, quiz=tree.quiz)
    with pytest.raises(Unanswered) as refused:
        quiz_attempt_submit(attempt=attempt, cadre=learner, answers={})
    assert refused.value.question_ids == attempt.question_order
    attempt.refresh_from_db()
    assert attempt.submitted_at is None and not QuizAnswer.objects.exists()


# --- Item analysis ---------------------------------------------------------------------------


def recompute(attempts, answers, key):
    """The figures from the rows, the slow way: p and the upper-lower 27 % index."""
    ranked = sorted(attempts, key=lambda a: (a["right"], a["pk"]))
    size = max(1, round(0.27 * len(ranked)))
    lower, upper = ranked[:size], ranked[-size:]

    def ok(attempt, qid):
        return frozenset(answers.get((attempt["pk"], qid), [])) == key[qid]

    figures = {}
    for qid in key:
        p = sum(ok(a, qid) for a in ranked) / len(ranked)
        d = (sum(ok(a, qid) for a in upper) - sum(ok(a, qid) for a in lower)) / size
        figures[qid] = (p, d)
    return figures


def test_item_analysis_equals_a_recomputation_from_the_answers():
    rng = random.Random(16)
    quiz = make_quiz(questions=4, attempts_allowed=None, unlimited_attempts=True)
    tree = make_course(modules=1, lessons_per_module=1, quiz=quiz)
    key = {qid: frozenset(ids) for qid, ids in correct_answers(quiz).items()}
    wrong = wrong_answers(quiz)
    # Question 4 is missed by most; the others are answered right more often by the better.
    chance = dict(zip(sorted(key), [0.9, 0.7, 0.6, 0.2], strict=True))
    for n in range(30):
        cadre = make_cadre()
        enrolment, _ = enrolment_create(cadre=cadre, course=tree.course)
        study(enrolment)
        skill = n / 30
        for _try in range(2):  # a second attempt, which the analysis leaves out
            attempt = quiz_attempt_start(enrolment=enrolment, quiz=quiz)
            answers = {
                qid: (
                    sorted(key[qid]) if rng.random() < chance[qid] * (0.5 + skill) else wrong[qid]
                )
                for qid in key
            }
            if n % 7 == 0:
                answers.pop(sorted(key)[1])  # left blank
            quiz_attempt_submit(attempt=attempt, cadre=cadre, answers=answers,
                                unanswered_confirmed=True)  # fmt: skip

    firsts = [{"pk": a.pk, "right": a.correct_count} for a in QuizAttempt.objects.filter(number=1)]
    answers = {
        (a, q): ids
        for a, q, ids in QuizAnswer.objects.filter(attempt__number=1).values_list(
            "attempt_id", "question_id", "choice_ids"
        )
    }
    expected = recompute(firsts, answers, key)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        (analysis,) = item_analysis(course=tree.course)
    attempt_queries = [
        q["sql"] for q in queries if "courses_quizattempt" in q["sql"] or "quizanswer" in q["sql"]
    ]
    assert len(attempt_queries) == 2, attempt_queries
    assert analysis.attempts == 30
    for item in analysis.items:
        p, d = expected[item.question_id]
        assert item.attempts == 30
        assert item.p == pytest.approx(p)
        assert item.discrimination == pytest.approx(d)
        assert item.hard is (p < 0.40)
        assert item.low_discrimination is (d < 0.20)
    hardest = min(analysis.items, key=lambda i: i.p)
    assert hardest.question_id == sorted(key)[3] and hardest.hard


def test_the_item_analysis_page_is_for_trainers_and_admins_within_their_scope(client):
    units = make_units()
    other_units = make_units(province_code="20", province_name="Tỉnh Lạng Sơn")
    quiz = make_quiz(questions=2)
    tree = make_course(modules=1, lessons_per_module=1, quiz=quiz)
    for unit, answers in ((units.commune, correct_answers(quiz)),
                          (other_units.commune, wrong_answers(quiz))):  # fmt: skip
        cadre = make_cadre(unit=unit)
        enrolment, _ = enrolment_create(cadre=cadre, course=tree.course)
        study(enrolment)
        attempt = quiz_attempt_start(enrolment=enrolment, quiz=quiz)
        quiz_attempt_submit(attempt=attempt, cadre=cadre, answers=answers)
    url = reverse("courses_learning_item_analysis") + f"?course={tree.course.pk}"

    client.force_login(make_user("hv", role="Cadre"))
    assert client.get(url).status_code in (302, 403)

    client.force_login(make_user("trung_uong", role="Admin"))
    html = client.get(url).content.decode()
    assert "Phân tích câu hỏi" in html
    assert "2 lượt làm bài" in html and "50 % (1/2)" in html

    client.force_login(make_user("tinh", role="Admin", province_code=units.scope))
    html = client.get(url).content.decode()
    assert "1 lượt làm bài" in html and "100 % (1/1)" in html
    assert "50 %" not in html
