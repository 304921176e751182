"""Content pages show what other apps register for content's hooks, and render without them."""

import pytest
from django.utils.safestring import mark_safe
from wagtail import hooks

from content.hooks import (
    COURSE_PAGE_PANELS,
    HOME_PAGE_PANELS,
    LESSON_PAGE_PANELS,
    QUIZ_BLOCK_ACTIONS,
)
from tests.builders import make_user

NAMES = (COURSE_PAGE_PANELS, LESSON_PAGE_PANELS, QUIZ_BLOCK_ACTIONS, HOME_PAGE_PANELS)


@pytest.fixture
def cadre(client, django_user_model):
    client.force_login(make_user("can_bo"))


@pytest.fixture
def no_panel_hooks(monkeypatch):
    """As if no app registered for content's hooks (courses not installed)."""
    hooks.search_for_hooks()
    monkeypatch.setattr(hooks, "_hooks", {k: v for k, v in hooks._hooks.items() if k not in NAMES})


def test_pages_render_without_any_panel_hook(client, course_tree, cadre, no_panel_hooks):
    course, lesson = course_tree["course"], course_tree["lessons"][0]
    for page in (course, lesson, course_tree["index"].get_parent()):
        response = client.get(page.url)
        assert response.status_code == 200, page.url
        html = response.content.decode()
        assert "learning-panel" not in html and "public-summary" not in html
    html = client.get(lesson.url).content.decode()
    assert "Ôn tập nhanh" in html  # the quiz block itself is content's


def test_registered_functions_are_called_with_the_context_and_page(
    client, course_tree, cadre, no_panel_hooks
):
    lesson = course_tree["lessons"][0]
    calls = []

    def panel(context, page):
        calls.append((context["request"].path, page.pk))
        return mark_safe('<p class="from-hook">ok</p>')

    def quiz_action(context, quiz, page):
        return "<b>plain</b>"  # not marked safe: escaped

    with hooks.register_temporarily(
        [(LESSON_PAGE_PANELS, panel), (QUIZ_BLOCK_ACTIONS, quiz_action)]
    ):
        html = client.get(lesson.url).content.decode()
    assert calls == [(lesson.url, lesson.pk)]
    assert '<p class="from-hook">ok</p>' in html
    assert "&lt;b&gt;plain&lt;/b&gt;" in html and "<b>plain</b>" not in html
