"""What the outside scanner (tests/security/scan.py, wapiti) found and was fixed, each kept here
as the requests that showed it.

The server errors came from requests no browser sends through the site's own pages; a scanner,
a broken client or someone probing the site does. The other findings: the HTTP methods that the
pages announced, and the CSRF cookie open to scripts.
"""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from wagtail.models import get_page_models
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from content.models import CourseIndexPage, LessonPage
from tests.builders import course_index, home_page, logged_in, make_course, make_user

pytestmark = pytest.mark.django_db

# What the scanner sent in place of Draftail's JSON (contentstate): its payloads appended to
# the JSON, or instead of it; and JSON that is not contentstate.
NOT_CONTENTSTATE = [
    '{"blocks": [], "entityMap": {}}\' AND 1=1',
    "<script>alert(1)</script>",
    "1",
    '{"blocks": 1}',
    '{"blocks": [{"text": 1}], "entityMap": []}',
]
UNREADABLE = "Không đọc được nội dung trình soạn thảo gửi lên"


def page_form(page, **fields) -> dict:
    return nested_form_data({"title": page.title, "slug": page.slug, **fields})


def form_errors(response) -> str:
    """The messages of the page form's errors, those of StreamField blocks included (the page
    draws these with JavaScript, from JSON)."""
    errors = response.context["form"].errors.as_data()
    return json.dumps(
        {
            name: [e.as_json_data() if hasattr(e, "as_json_data") else e.messages for e in errs]
            for name, errs in errors.items()
        },
        ensure_ascii=False,
    )


@pytest.fixture
def editor():
    return logged_in(make_user("bien_tap", superuser=True))


@pytest.mark.parametrize("value", NOT_CONTENTSTATE)
def test_a_rich_text_field_that_is_not_contentstate_is_a_form_error(editor, value):
    """Found on /admin/pages/<id>/edit/ (the `intro` of the course catalogue): Wagtail's
    Draftail widget decodes the JSON while reading the form, and a value that is not
    contentstate raised (JSONDecodeError, TypeError...) out of the edit view."""
    index = course_index(published=True)
    revisions = index.revisions.count()
    url = reverse("wagtailadmin_pages:edit", args=(index.pk,))

    response = editor.post(url, page_form(index, intro=value))

    assert response.status_code == 200
    assert UNREADABLE in form_errors(response)
    assert UNREADABLE in response.content.decode()  # shown on the field
    assert index.revisions.count() == revisions  # nothing saved
    # The control: the same form with contentstate is saved.
    response = editor.post(url, page_form(index, intro=rich_text("<p>Giới thiệu</p>")))
    assert response.status_code == 302
    saved = CourseIndexPage.objects.get(pk=index.pk).get_latest_revision_as_object()
    assert "Giới thiệu" in saved.intro


@pytest.mark.parametrize("value", NOT_CONTENTSTATE[:3])
def test_a_rich_text_block_that_is_not_contentstate_is_a_form_error(editor, value):
    """The same widget draws the rich text blocks of a lesson's body (StreamField)."""
    lesson = make_course(modules=1, lessons_per_module=1, published=True).lessons[0]
    revisions = lesson.revisions.count()
    url = reverse("wagtailadmin_pages:edit", args=(lesson.pk,))

    response = editor.post(url, page_form(lesson, body=streamfield([("paragraph", value)])))

    assert response.status_code == 200
    assert UNREADABLE in form_errors(response)
    assert lesson.revisions.count() == revisions
    body = streamfield([("paragraph", rich_text("<p>Định kiến giới là gì?</p>"))])
    assert editor.post(url, page_form(lesson, body=body)).status_code == 302
    saved = LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object().body
    assert [block.block_type for block in saved] == ["paragraph"]


# --- Findings other than server errors -------------------------------------------------------


def test_pages_allow_only_the_methods_that_read_them():
    """Wapiti's `methods` module: OPTIONS on a page announced DELETE, PATCH, PUT (and POST),
    Wagtail's default for any page, which the pages answered like a GET. No page takes a form,
    so every page of the site is read only."""
    models = [model for model in get_page_models() if model._meta.app_label == "content"]
    assert models
    for model in models:
        assert sorted(model.allowed_http_method_names()) == ["GET", "HEAD", "OPTIONS"], model

    home = home_page()
    client = Client()
    assert client.get(home.url).status_code == 200
    assert client.options(home.url)["Allow"] == "GET, HEAD, OPTIONS"
    for method in (client.post, client.put, client.patch, client.delete):
        assert method(home.url).status_code == 405


def test_the_csrf_cookie_is_not_given_to_scripts():
    """Wapiti's `cookieflags` module: the csrftoken cookie lacked HttpOnly. The scripts that
    send the token (the quiz's autosave, Wagtail's admin) read it from the page."""
    response = Client().get(reverse("login"))
    assert response.cookies["csrftoken"]["httponly"] is True
