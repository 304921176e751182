"""What content pages show of a learner's progress, without content importing courses.

Content templates load this library: `{% load learning %}` then
`{% course_learning_panel page %}`, `{% lesson_learning_panel page %}` or
`{% quiz_link quiz page %}`. Each makes a fixed number of queries, whatever the course size.
"""

from django import template

from content.models import CoursePage
from courses.selectors.learning import course_progress, enrolment_of_user

register = template.Library()


def _course_for(page):
    if isinstance(page, CoursePage):
        return page
    cache = getattr(page, "_course_cache", None)
    if cache is None:
        cache = CoursePage.objects.ancestor_of(page).live().first()
        page._course_cache = cache
    return cache


def _learning_state(context, page):
    request = context.get("request")
    user = getattr(request, "user", None)
    course = context.get("course") if isinstance(context.get("course"), CoursePage) else None
    course = course or _course_for(page)
    enrolment = None
    if course is not None and user is not None and user.is_authenticated:
        enrolment = enrolment_of_user(user=user, course_id=course.pk)
    cadre = enrolment.cadre if enrolment else None
    progress = None
    if enrolment is not None:
        # The lesson page's context already lists the course's lessons: reuse it.
        progress = course_progress(enrolment=enrolment, lessons=context.get("course_lessons"))
    return {
        "request": request,
        "user": user,
        "course": course,
        "cadre": cadre,
        "enrolment": enrolment,
        "progress": progress,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("courses/learning/panel_course.html", takes_context=True)
def course_learning_panel(context, page):
    return _learning_state(context, page)


@register.inclusion_tag("courses/learning/panel_lesson.html", takes_context=True)
def lesson_learning_panel(context, page):
    state = _learning_state(context, page)
    state["lesson"] = page
    progress = state["progress"]
    state["lesson_done"] = bool(progress and page.pk in progress.done_ids)
    return state


@register.inclusion_tag("courses/learning/panel_quiz.html", takes_context=True)
def quiz_link(context, quiz, page):
    state = _learning_state(context, page)
    state["quiz"] = quiz
    return state
