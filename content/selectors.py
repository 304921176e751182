"""Reads over the content tree (no writes here)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from wagtail.models import Page, PageViewRestriction, ReferenceIndex

from content.models import CoursePage, LessonPage, Quiz, StoryPage
from lms.text import text_fold

SEARCHABLE_TYPES = (CoursePage, LessonPage, StoryPage)
# What a visitor without an account finds: the public catalogue and the stories (lessons ask
# for a login, so listing them would only lead to the login page).
PUBLIC_SEARCHABLE_TYPES = (CoursePage, StoryPage)


def page_restricted_q(*, user) -> Q | None:
    """Pages this user may not see: under a view restriction they do not satisfy.

    Anonymous visitors are kept out of every restricted subtree; a logged-in user passes
    "login" restrictions and "groups" restrictions for their groups. Password-protected pages
    never appear in search (the password is asked on the page itself).
    """
    restrictions = PageViewRestriction.objects.select_related("page").prefetch_related("groups")
    blocked = Q()
    any_blocked = False
    group_ids = set()
    if user is not None and user.is_authenticated:
        group_ids = set(user.groups.values_list("id", flat=True))
    for restriction in restrictions:
        if user is not None and user.is_authenticated:
            if user.is_superuser and restriction.restriction_type != PageViewRestriction.PASSWORD:
                continue
            if restriction.restriction_type == PageViewRestriction.LOGIN:
                continue
            if restriction.restriction_type == PageViewRestriction.GROUPS and group_ids & {
                group.id for group in restriction.groups.all()
            }:
                continue
        blocked |= Q(path__startswith=restriction.page.path)
        any_blocked = True
    return blocked if any_blocked else None


def page_search(*, query: str, user):
    """Live courses, lessons and stories matching `query`, accent-insensitively (courses and
    stories only for an anonymous visitor).

    The query is folded like the indexed `search_folded` field, so "binh dang gioi",
    "Bình đẳng giới", "BINH DANG GIOI" and decomposed Unicode all give the same results.
    Returns Wagtail search results (sliceable, countable) of specific pages.
    """
    folded = text_fold(query)
    if not folded:
        return Page.objects.none()
    authenticated = user is not None and user.is_authenticated
    pages = Page.objects.live().type(
        *(SEARCHABLE_TYPES if authenticated else PUBLIC_SEARCHABLE_TYPES)
    )
    blocked = page_restricted_q(user=user)
    if blocked is not None:
        pages = pages.exclude(blocked)
    return pages.specific().search(folded, operator="and")


@dataclass(frozen=True)
class QuizUse:
    """One place that uses a quiz: a course whose final quiz (or pre-test) it is, or a lesson
    that places it in its body (`course` is then the lesson's course, if it has one)."""

    page: Page
    as_final_quiz: bool
    course: Page | None = None
    as_pre_test: bool = False


def quiz_usage(*, quiz: Quiz) -> list[QuizUse]:
    """Where the curriculum uses a quiz, courses first then lessons, in tree order.

    Courses are found by their final-quiz column, lessons through Wagtail's reference index
    (which records the quizzes chosen in a lesson's body, as the usage view shows them). Both
    cover the pages' saved content, live or not; a reference only in an unpublished draft of
    a live page is not counted.
    """
    uses = [
        QuizUse(page=course, as_final_quiz=True)
        for course in CoursePage.objects.filter(final_quiz=quiz).order_by("path")
    ]
    uses += [
        QuizUse(page=course, as_final_quiz=False, as_pre_test=True)
        for course in CoursePage.objects.filter(pre_test=quiz).order_by("path")
    ]
    lesson_ids = ReferenceIndex.objects.filter(
        to_content_type=ContentType.objects.get_for_model(Quiz),
        to_object_id=str(quiz.pk),
        base_content_type=ContentType.objects.get_for_model(Page),
    ).values_list("object_id", flat=True)
    lessons = list(
        LessonPage.objects.filter(pk__in=[int(pk) for pk in lesson_ids]).order_by("path")
    )
    courses = {
        course.path: course
        for course in CoursePage.objects.filter(
            path__in={lesson.path[: lesson.steplen * (lesson.depth - 2)] for lesson in lessons}
        )
    }
    for lesson in lessons:
        course = courses.get(lesson.path[: lesson.steplen * (lesson.depth - 2)])
        uses.append(QuizUse(page=lesson, as_final_quiz=False, course=course))
    return uses


@dataclass(frozen=True)
class CourseQuizzes:
    """The quizzes a course uses: its final quiz, any other quiz the course names in a field
    of its own (a pre-test), and the quizzes placed in its live lessons (`in_lessons`: quiz
    id -> ids of the lessons placing it, in tree order). A learner opens a quiz only through
    a course that uses it."""

    final_quiz_id: int | None
    field_quiz_ids: frozenset[int]
    in_lessons: dict[int, list[int]]

    def ids(self) -> frozenset[int]:
        return self.field_quiz_ids | frozenset(self.in_lessons)

    def uses(self, quiz_id: int) -> bool:
        return quiz_id in self.ids()


# The course's own fields that name a quiz a learner of the course takes.
COURSE_QUIZ_FIELDS = ("final_quiz_id", "pre_test_id")


def course_names_quiz(*, course: CoursePage, quiz_id: int) -> bool:
    """Whether the course names the quiz in a field of its own (its final quiz, a pre-test)."""
    return any(getattr(course, name, None) == quiz_id for name in COURSE_QUIZ_FIELDS)


def course_uses_quiz(
    *, course: CoursePage, quiz_id: int, lesson_ids: list[int] | None = None
) -> bool:
    """Whether `course` uses the quiz, as `course_quizzes(...).uses(quiz_id)` says, without
    reading the lessons and the reference index when one of the course's own fields names it
    (the final quiz every learner of the course takes)."""
    if course_names_quiz(course=course, quiz_id=quiz_id):
        return True
    return course_quizzes(course=course, lesson_ids=lesson_ids).uses(quiz_id)


def course_quizzes(*, course: CoursePage, lesson_ids: list[int] | None = None) -> CourseQuizzes:
    """The quizzes `course` uses (see CourseQuizzes), in one query (two without the ids of
    the course's live lessons in tree order, `lesson_ids`).

    Lessons are read through Wagtail's reference index, which records the quizzes chosen in
    a lesson's saved body (the live content of a published page)."""
    field_ids = frozenset(
        value for name in COURSE_QUIZ_FIELDS if (value := getattr(course, name, None))
    )
    if lesson_ids is None:
        lesson_ids = list(course.lesson_pages().values_list("pk", flat=True))
    position = {str(pk): n for n, pk in enumerate(lesson_ids)}
    rows = ReferenceIndex.objects.filter(
        to_content_type=ContentType.objects.get_for_model(Quiz),
        base_content_type=ContentType.objects.get_for_model(Page),
        object_id__in=list(position),
    ).values_list("to_object_id", "object_id")
    in_lessons: dict[int, set[str]] = {}
    for quiz_id, lesson_id in rows:
        if quiz_id.isdigit():
            in_lessons.setdefault(int(quiz_id), set()).add(lesson_id)
    return CourseQuizzes(
        final_quiz_id=course.final_quiz_id,
        field_quiz_ids=field_ids,
        in_lessons={
            quiz_id: [int(pk) for pk in sorted(lessons, key=position.__getitem__)]
            for quiz_id, lessons in in_lessons.items()
        },
    )
