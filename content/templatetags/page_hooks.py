"""Template tags that show on a page what other apps registered for it (see content.hooks).

`{% load page_hooks %}` then `{% course_page_panels page %}`, `{% lesson_page_panels page %}`,
`{% quiz_block_actions quiz page %}`, `{% course_outline_lesson_marks page lesson %}` or
`{% home_page_panels page %}`.
"""

from django import template
from django.utils.html import format_html_join
from wagtail import hooks

from content.hooks import (
    COURSE_OUTLINE_LESSON_MARKS,
    COURSE_PAGE_PANELS,
    HOME_PAGE_PANELS,
    LESSON_PAGE_PANELS,
    QUIZ_BLOCK_ACTIONS,
)

register = template.Library()


def _hook_html(hook_name: str, context, *args) -> str:
    """What every function registered for the hook returns, joined; plain strings escaped."""
    parts = (fn(context, *args) for fn in hooks.get_hooks(hook_name))
    return format_html_join("", "{}", ((part,) for part in parts if part))


@register.simple_tag(takes_context=True)
def course_page_panels(context, page):
    return _hook_html(COURSE_PAGE_PANELS, context, page)


@register.simple_tag(takes_context=True)
def lesson_page_panels(context, page):
    return _hook_html(LESSON_PAGE_PANELS, context, page)


@register.simple_tag(takes_context=True)
def quiz_block_actions(context, quiz, page):
    return _hook_html(QUIZ_BLOCK_ACTIONS, context, quiz, page)


@register.simple_tag(takes_context=True)
def home_page_panels(context, page):
    return _hook_html(HOME_PAGE_PANELS, context, page)


@register.simple_tag(takes_context=True)
def course_outline_lesson_marks(context, page, lesson):
    return _hook_html(COURSE_OUTLINE_LESSON_MARKS, context, page, lesson)
