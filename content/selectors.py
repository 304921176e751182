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
    """One place that uses a quiz: a course whose final quiz it is, or a lesson that places it
    in its body (`course` is then the lesson's course, if it has one)."""

    page: Page
    as_final_quiz: bool
    course: Page | None = None


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
