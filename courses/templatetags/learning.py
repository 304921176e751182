"""What content pages show of a learner's progress, without content importing courses.

Content templates load this library: `{% load learning %}` then
`{% course_learning_panel page %}`, `{% lesson_learning_panel page %}` or
`{% quiz_link quiz page %}`. Each makes a fixed number of queries, whatever the course size.
"""

from django import template

from content.models import CoursePage
from courses.selectors.learning import cadre_for_user, course_progress, enrolment_for

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
    course = _course_for(page)
    cadre = cadre_for_user(user) if user is not None else None
    enrolment = enrolment_for(cadre=cadre, course_id=course.pk) if course and cadre else None
    progress = course_progress(enrolment=enrolment) if enrolment else None
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
