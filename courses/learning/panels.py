"""What content pages show of a learner's progress: the course and lesson panels, the quiz link.

Registered for content's hooks (content.hooks) in courses/learning/wagtail_hooks.py, so that
content never imports courses. Each panel makes a fixed number of queries, whatever the
course size: the course is looked up once per page and the enrolment once per request.
"""

from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext as _
from wagtail.models import Page

from content.models import CoursePage
from courses.learning.selectors import course_progress, enrolment_of_user, pre_test_due

# What the panels read of a course they did not get as a CoursePage (a lesson's context holds
# it as a plain Page): its link and title, and the settings that decide the next step.
PANEL_COURSE_FIELDS = (
    "title", "slug", "url_path", "path", "depth", "live",
    "final_quiz", "pre_test", "require_lessons_in_order", "allow_self_enrolment",
)  # fmt: skip


def _course_for(page):
    if isinstance(page, CoursePage):
        return page
    if not isinstance(page, Page):
        return None  # a block rendered outside a page (preview, tests): no learning panel
    cache = getattr(page, "_course_cache", None)
    if cache is None:
        cache = CoursePage.objects.ancestor_of(page).live().first()
        page._course_cache = cache
    return cache


def _learning_state(context, page):
    request = context.get("request")
    user = getattr(request, "user", None)
    # The page's context may hold its course as a plain Page (title, URL and id are enough
    # here; the enrolment query brings the CoursePage itself).
    course = context.get("course") if isinstance(context.get("course"), Page) else None
    course = course or _course_for(page)
    # A page may show several panels (the lesson panel and one per quiz block): the state is
    # read once per request and course.
    cache = getattr(request, "_learning_state", None) if request is not None else None
    if cache is None:
        cache = {}
        if request is not None:
            request._learning_state = cache
    key = course.pk if course is not None else None
    if key not in cache:
        cache[key] = _enrolment_state(context, user, course)
    enrolment, progress = cache[key]
    if enrolment is not None:
        course = enrolment.course
    return {
        "request": request,
        "user": user,
        "course": course,
        "enrolment": enrolment,
        "progress": progress,
        "csrf_token": context.get("csrf_token"),
    }


def _enrolment_state(context, user, course):
    if course is None or user is None or not user.is_authenticated:
        return None, None
    if isinstance(course, CoursePage):
        enrolment = enrolment_of_user(user=user, course_id=course.pk, course=course)
    else:
        enrolment = enrolment_of_user(
            user=user, course_id=course.pk, course_fields=PANEL_COURSE_FIELDS
        )
    if enrolment is None:
        return None, None
    # The lesson page's context already lists the course's lessons: reuse it.
    return enrolment, course_progress(enrolment=enrolment, lessons=context.get("course_lessons"))


def course_panel(context, page) -> str:
    """The course page's panel: log in, enrol, or progress and the next step (the pre-test
    first, when the course names one)."""
    state = _learning_state(context, page)
    enrolment, progress = state["enrolment"], state["progress"]
    state["pre_test_due"] = enrolment is not None and pre_test_due(
        enrolment=enrolment, lessons_done=progress.lessons_done if progress else 0
    )
    return render_to_string("courses/learning/panel_course.html", state)


def lesson_panel(context, page) -> str:
    """The lesson page's panel: progress and "mark as done", or a pointer to enrol."""
    state = _learning_state(context, page)
    state["lesson"] = page
    progress = state["progress"]
    state["lesson_done"] = bool(progress and page.pk in progress.done_ids)
    # In a course studied in order, a lesson after the first one not done waits for it;
    # except in the copy stored on the device for offline study, where the lessons before it
    # are done first and arrive first (the server checks the order again when they do).
    course = state["course"]
    next_lesson = progress.next_lesson if progress else None
    request = context.get("request")
    for_device = request is not None and request.headers.get("X-Offline-Store") == "1"
    state["blocked_by"] = (
        next_lesson
        if not for_device
        and not state["lesson_done"]
        and next_lesson is not None
        and next_lesson.pk != page.pk
        and getattr(course, "require_lessons_in_order", False)
        and _comes_before(next_lesson, page)
        else None
    )
    return render_to_string("courses/learning/panel_lesson.html", state)


def _comes_before(one, other) -> bool:
    return one.path < other.path


def outline_mark(context, page, lesson) -> str:
    """After a lesson's title in the course outline: a tick when the learner has done it."""
    progress = _learning_state(context, page)["progress"]
    if progress is None or lesson.pk not in progress.done_ids:
        return ""
    return format_html(' <span class="done" title="{0}">✓ {0}</span>', _("lesson done"))


def quiz_link(context, quiz, page) -> str:
    """Below a quiz block: the link to take the quiz, for an enrolled learner."""
    state = _learning_state(context, page)
    state["quiz"] = quiz
    return render_to_string("courses/learning/panel_quiz.html", state)
