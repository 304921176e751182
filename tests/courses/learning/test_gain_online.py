"""The online path of the knowledge gain: the first attempt at the course's pre-test, taken
before any lesson, is the pre-test score; the best final-quiz attempt the post-test score; an
attempt at another course's quiz is refused and nothing is written."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses.counters.gain import knowledge_gain_drift
from courses.counters.models import KnowledgeScore
from courses.learning.models import QuizAttempt
from courses.learning.services import (
    NotInCourse,
    enrolment_create,
    knowledge_score_from_attempt,
    lesson_complete,
    quiz_attempt_start,
    quiz_attempt_submit,
)
from tests.builders import (
    correct_answers,
    make_cadre,
    make_course,
    make_quiz,
    wrong_answers,
)

pytestmark = pytest.mark.django_db


def attempt(enrolment, quiz, answers):
    started = quiz_attempt_start(enrolment=enrolment, quiz=quiz)
    return quiz_attempt_submit(attempt=started, cadre=enrolment.cadre, answers=answers)


@pytest.fixture
def course():
    pre = make_quiz(title="Bài kiểm tra đầu vào", questions=4)
    tree = make_course(modules=1, lessons_per_module=2, published=True, pre_test=pre)
    tree.pre = pre
    return tree


def test_first_pre_test_attempt_and_best_final_quiz_attempt(course):
    enrolment, _ = enrolment_create(cadre=make_cadre(), course=course.course)
    attempt(enrolment, course.pre, wrong_answers(course.pre))  # 0 %
    attempt(enrolment, course.pre, correct_answers(course.pre))  # a second try does not count
    score = KnowledgeScore.objects.get()
    assert (score.pre, score.post) == (0, None)
    lesson_complete(enrolment=enrolment, lesson_id=course.lessons[0].pk)
    lesson_complete(enrolment=enrolment, lesson_id=course.lessons[1].pk)
    attempt(enrolment, course.quiz, wrong_answers(course.quiz))
    score.refresh_from_db()
    assert (score.pre, score.post) == (0, 0)
    attempt(enrolment, course.quiz, correct_answers(course.quiz))
    score.refresh_from_db()
    assert (score.pre, score.post) == (0, 100)
    assert knowledge_gain_drift() == []


def test_a_pre_test_taken_after_a_lesson_does_not_count(course):
    enrolment, _ = enrolment_create(cadre=make_cadre(), course=course.course)
    lesson_complete(enrolment=enrolment, lesson_id=course.lessons[0].pk)
    attempt(enrolment, course.pre, correct_answers(course.pre))
    lesson_complete(enrolment=enrolment, lesson_id=course.lessons[1].pk)
    attempt(enrolment, course.quiz, correct_answers(course.quiz))
    score = KnowledgeScore.objects.get()
    assert (score.pre, score.post) == (None, 100)  # reported as a missing pre-test


def test_an_attempt_at_another_courses_quiz_is_refused(course):
    other = make_course(modules=0, published=True)
    enrolment, _ = enrolment_create(cadre=make_cadre(), course=course.course)
    # The course does not use that quiz: no attempt can even start.
    with pytest.raises(NotInCourse):
        quiz_attempt_start(enrolment=enrolment, quiz=other.quiz)
    assert not QuizAttempt.objects.exists()
    # An attempt that exists all the same (made before quizzes were tied to their courses)
    # gives no score either.
    stray = QuizAttempt.objects.create(
        enrolment=enrolment,
        quiz=other.quiz,
        number=1,
        submitted_at=timezone.now(),
        score=100,
        passed=True,
    )
    assert not KnowledgeScore.objects.exists()
    with pytest.raises(ValidationError) as caught:
        knowledge_score_from_attempt(attempt=stray)
    assert caught.value.code == "other_course"
    assert not KnowledgeScore.objects.exists()


def test_the_course_page_asks_for_the_pre_test_before_the_first_lesson(course, client):
    from tests.builders import make_learner

    user, cadre = make_learner()
    enrolment, _ = enrolment_create(cadre=cadre, course=course.course)
    client.force_login(user)
    link = f"/learn/courses/{course.course.pk}/quiz/{course.pre.pk}/"
    page = client.get(course.course.url).content.decode()
    assert "Làm bài kiểm tra đầu vào" in page and link in page
    attempt(enrolment, course.pre, wrong_answers(course.pre))
    page = client.get(course.course.url).content.decode()
    assert "Làm bài kiểm tra đầu vào" not in page and link not in page
