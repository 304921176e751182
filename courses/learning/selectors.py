"""Reads of the online path: a learner's courses and progress, a course's outline."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from content.caching import pages_cached
from content.models import PAGE_LINK_FIELDS, CoursePage, LessonPage
from content.selectors import course_names_quiz, course_quizzes
from courses.learning.models import Enrolment, LessonProgress, QuizAttempt
from courses.registry.models import Cadre


@dataclass
class CourseProgress:
    enrolment: Enrolment
    course: CoursePage
    lessons_total: int
    lessons_done: int
    next_lesson: LessonPage | None
    done_ids: frozenset[int] = frozenset()

    @property
    def percent(self) -> int:
        if self.enrolment.completed_at:
            return 100
        if not self.lessons_total:
            return 0
        return round(100 * self.lessons_done / self.lessons_total)


def lesson_course(lesson_id: int) -> tuple[CoursePage, list[LessonPage]] | None:
    """The live course a live lesson is part of, and the course's live lessons in tree
    order (with what a link needs of them); None if there is no such lesson or course.
    Read once per change of the page tree (content/caching.py)."""

    def read():
        lesson = LessonPage.objects.live().only("pk", "path", "depth").filter(pk=lesson_id).first()
        course = CoursePage.objects.ancestor_of(lesson).live().first() if lesson else None
        if course is None:
            return None
        return course, lesson_links(course)

    return pages_cached(f"lesson-course:{int(lesson_id)}", read)


def cadre_for_user(user) -> Cadre | None:
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_cadre_cache", "unset")
    if cached == "unset":
        cached = Cadre.objects.filter(user=user).first()
        user._cadre_cache = cached
    return cached


def course_lessons(*, courses: list[CoursePage]) -> dict[int, list[LessonPage]]:
    """Live lessons of several courses, in tree order (with what a link needs of them), in
    one query, read once per change of the page tree (content/caching.py)."""
    if not courses:
        return {}
    key = ",".join(str(pk) for pk in sorted({course.pk for course in courses}))
    return pages_cached(f"course-lessons:{key}", lambda: _course_lessons_read(courses))


def lesson_links(course: CoursePage) -> list[LessonPage]:
    """The course's live lessons in tree order, with what a link needs of them."""
    return course_lessons(courses=[course]).get(course.pk, [])


def _course_lessons_read(courses: list[CoursePage]) -> dict[int, list[LessonPage]]:
    by_path = {course.path: course.pk for course in courses}
    depth = courses[0].depth
    lessons = (
        LessonPage.objects.live()
        .filter(path__regex=r"^(%s)" % "|".join(by_path))  # noqa: UP031 - paths are [0-9A-Z]
        .only(*PAGE_LINK_FIELDS)
        .order_by("path")
    )
    result: dict[int, list[LessonPage]] = defaultdict(list)
    steplen = LessonPage.steplen
    for lesson in lessons:
        course_id = by_path.get(lesson.path[: depth * steplen])
        if course_id:
            result[course_id].append(lesson)
    return dict(result)


def enrolments_with_progress(*, cadre: Cadre) -> list[CourseProgress]:
    """'Khóa học của tôi': each enrolment with its progress, in a fixed number of queries.
    Of each course, what the page shows: its link and title, and its final quiz."""
    own = [field.name for field in Enrolment._meta.concrete_fields]
    enrolments = list(
        Enrolment.objects.filter(cadre=cadre)
        .select_related("course")
        .only(*own, *(f"course__{name}" for name in (*PAGE_LINK_FIELDS, "final_quiz")))
        .order_by("-enrolled_at")
    )
    courses = [e.course for e in enrolments]
    if courses and len({c.depth for c in courses}) > 1:
        lessons = {}
        for course in courses:
            lessons.update(course_lessons(courses=[course]))
    else:
        lessons = course_lessons(courses=courses)
    done: dict[int, set[int]] = defaultdict(set)
    for enrolment_id, lesson_id in LessonProgress.objects.filter(
        enrolment__in=enrolments
    ).values_list("enrolment_id", "lesson_id"):
        done[enrolment_id].add(lesson_id)
    result = []
    for enrolment in enrolments:
        course_lesson_list = lessons.get(enrolment.course_id, [])
        ids_done = done[enrolment.pk]
        next_lesson = next((x for x in course_lesson_list if x.pk not in ids_done), None)
        result.append(
            CourseProgress(
                enrolment=enrolment,
                course=enrolment.course,
                lessons_total=len(course_lesson_list),
                lessons_done=sum(1 for x in course_lesson_list if x.pk in ids_done),
                next_lesson=next_lesson,
                done_ids=frozenset(ids_done),
            )
        )
    return result


def enrolment_for(*, cadre: Cadre | None, course_id: int) -> Enrolment | None:
    if cadre is None:
        return None
    return Enrolment.objects.filter(cadre=cadre, course_id=course_id).first()


def enrolment_of_user(
    *, user, course_id: int, course: CoursePage | None = None,
    course_fields: tuple[str, ...] | None = None,
) -> Enrolment | None:  # fmt: skip
    """The user's enrolment in a course, in one query. `course`: the course page when the
    caller has it, which the enrolment then takes instead of reading it again; otherwise the
    course comes with the enrolment (only `course_fields` of it, if given)."""
    enrolments = Enrolment.objects.filter(cadre__user=user, course_id=course_id)
    if course is not None:
        enrolment = enrolments.first()
        if enrolment is not None:
            enrolment.course = course
        return enrolment
    enrolments = enrolments.select_related("course")
    if course_fields is not None:
        own = [field.name for field in Enrolment._meta.concrete_fields]
        enrolments = enrolments.only(*own, *(f"course__{name}" for name in course_fields))
    return enrolments.first()


def course_progress(
    *, enrolment: Enrolment, lessons: list[LessonPage] | None = None,
    done: set[int] | None = None,
) -> CourseProgress:  # fmt: skip
    """Progress in one course; pass the course's live lessons, and the ids of the lessons
    done, if the caller has them."""
    course = enrolment.course
    if lessons is None:
        lessons = lesson_links(course)
    if done is None:
        done = set(
            LessonProgress.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True)
        )
    return CourseProgress(
        enrolment=enrolment,
        course=course,
        lessons_total=len(lessons),
        lessons_done=sum(1 for x in lessons if x.pk in done),
        next_lesson=next((x for x in lessons if x.pk not in done), None),
        done_ids=frozenset(done),
    )


def attempts_for(*, enrolment: Enrolment, quiz_id: int) -> QuerySet[QuizAttempt]:
    return QuizAttempt.objects.filter(enrolment=enrolment, quiz_id=quiz_id).order_by("number")


def lesson_blocked_by(
    *, course: CoursePage, lessons: list[LessonPage], done: set[int] | frozenset[int],
    lesson_id: int,
) -> LessonPage | None:  # fmt: skip
    """The first lesson before `lesson_id` not done yet, when the course requires its
    lessons in order (None if the lesson is open). `lessons`: the course's live lessons in
    tree order."""
    if not course.require_lessons_in_order:
        return None
    for lesson in lessons:
        if lesson.pk == lesson_id:
            return None
        if lesson.pk not in done:
            return lesson
    return None


@dataclass(frozen=True)
class QuizGate:
    """Whether a learner may open a quiz through their enrolment: `used` if the course uses
    the quiz (otherwise the quiz does not exist for them: 404); `open` if they may take it
    now; `message` says why not, and `next_lesson` where to go first."""

    used: bool
    open: bool
    message: str = ""
    next_lesson: LessonPage | None = None


def quiz_gate(*, enrolment: Enrolment, quiz_id: int) -> QuizGate:
    """The gate of one quiz for one enrolment. The final quiz opens when every live lesson of
    the course is done; a quiz placed in lessons opens when one of those lessons may be
    studied (the lessons before it are done, if the course requires its lessons in order);
    any other quiz the course uses (a pre-test) is open. A few queries, whatever the size of
    the course; the reference index is read only for a quiz the course does not name in a
    field of its own."""
    course = enrolment.course
    lessons = lesson_links(course)
    named = course_names_quiz(course=course, quiz_id=quiz_id)
    placed = None
    if not named:
        quizzes = course_quizzes(course=course, lesson_ids=[x.pk for x in lessons])
        if not quizzes.uses(quiz_id):
            return QuizGate(used=False, open=False)
        placed = quizzes.in_lessons.get(quiz_id)
    elif quiz_id != course.final_quiz_id:
        return QuizGate(used=True, open=True)  # a pre-test: open
    done = set(
        LessonProgress.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True)
    )
    if quiz_id == course.final_quiz_id:
        missing = [x for x in lessons if x.pk not in done]
        if missing:
            message = _(
                "Finish every lesson of the course before the final quiz: "
                "%(done)s of %(total)s lessons done."
            ) % {"done": len(lessons) - len(missing), "total": len(lessons)}
            return QuizGate(used=True, open=False, message=message, next_lesson=missing[0])
        return QuizGate(used=True, open=True)
    if placed:
        blockers = [
            lesson_blocked_by(course=course, lessons=lessons, done=done, lesson_id=lesson_id)
            for lesson_id in placed
        ]
        if all(blocker is not None for blocker in blockers):
            message = _("Finish the lesson “%(lesson)s” first: the lessons are taken in order.") % {
                "lesson": blockers[0].title
            }
            return QuizGate(used=True, open=False, message=message, next_lesson=blockers[0])
    return QuizGate(used=True, open=True)


def pre_test_due(*, enrolment: Enrolment, lessons_done: int) -> bool:
    """Whether the learner should take the course's pre-test now: the course names one, they
    have not submitted it, and they have not started studying (a pre-test taken after a
    lesson does not count for the knowledge gain)."""
    course = enrolment.course
    if not course.pre_test_id or lessons_done or enrolment.completed_at:
        return False
    return not QuizAttempt.objects.filter(
        enrolment=enrolment, quiz_id=course.pre_test_id, submitted_at__isnull=False
    ).exists()
