"""ASCII page addresses for pages created in the admin (content/slugs.py): a Vietnamese
title such as "Bình đẳng giới" gets the slug "binh-dang-gioi", "đ" included, whether the
browser fills the slug in (the slug widget's formatters, checked here by applying them as the
browser does, and in tests/browser/test_media_journey.py in Chromium; the admin's slug
field is required, so it is the browser that fills it) or a page is saved without one (in
code: imports, the demo)."""

import re

import pytest
from django.urls import reverse
from django.utils.text import slugify
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from content.models import LessonPage
from content.slugs import VIETNAMESE_SLUG_FORMATTERS, slug_from_title
from tests.builders import logged_in, make_course, make_lesson, make_user

TITLES = {
    "Bình đẳng giới": "binh-dang-gioi",
    "ĐỊNH KIẾN GIỚI TRONG GIA ĐÌNH": "dinh-kien-gioi-trong-gia-dinh",
    "Phân công việc nhà: ai làm gì?": "phan-cong-viec-nha-ai-lam-gi",
    "Người có uy tín ở thôn, bản": "nguoi-co-uy-tin-o-thon-ban",
    # Decomposed (NFD) text, as some keyboards type it.
    "Bi\u0300nh \u0111a\u0306\u0309ng gio\u031b\u0301i": "binh-dang-gioi",
}


def test_the_server_folds_vietnamese_titles_to_ascii_slugs():
    for title, slug in TITLES.items():
        assert slug_from_title(title) == slug, title
    # Django's own slugify drops the đ: why the project folds first.
    assert slugify("Bình đẳng giới") == "binh-ang-gioi"


def test_the_slug_widgets_formatters_fold_as_the_browser_applies_them():
    """The browser applies each formatter (JS RegExp with the "gu" flags, plus "i"), then
    Wagtail's slug rules (lower case; anything but letters, digits, spaces and hyphens
    removed; spaces to hyphens)."""
    for title, slug in TITLES.items():
        value = title
        for pattern, replacement in VIETNAMESE_SLUG_FORMATTERS:
            value = pattern.sub(replacement, value)
        value = re.sub(r"[^-\w\s]", "", value.lower(), flags=re.ASCII)
        value = re.sub(r"[-\s]+", "-", value).strip("-")
        assert value == slug, title


@pytest.mark.django_db
def test_the_admins_slug_field_carries_the_formatters_and_no_diacritics_are_stored():
    tree = make_course(modules=1, lessons_per_module=0, quiz=False)
    module = tree.modules[0]
    client = logged_in(make_user("gv_dia_chi", role="Trainer"))
    add_url = reverse("wagtailadmin_pages:add", args=("content", "lessonpage", module.pk))
    html = client.get(add_url).content.decode()
    assert 'data-controller="w-slug"' in html
    # The formatters, as JSON in the attribute ("ẳ" written \u1eb3).
    assert "data-w-slug-formatters-value=" in html and "\\u1eb3" in html
    # WAGTAIL_ALLOW_UNICODE_SLUGS = False: the attribute is left out, the controller's
    # default (no Unicode) applies.
    assert "data-w-slug-allow-unicode-value" not in html

    def form(title: str, slug: str) -> dict:
        return nested_form_data(
            {
                "title": title,
                "slug": slug,
                "summary": "",
                "body": streamfield([("paragraph", rich_text("<p>Nội dung.</p>"))]),
                "action-submit": "1",
            }
        )

    # A slug typed with diacritics is folded to ASCII (Wagtail's form takes it as it is,
    # whatever WAGTAIL_ALLOW_UNICODE_SLUGS says: /phân-công-việc-nhà-…/ was the bug).
    response = client.post(add_url, form("Phân công việc nhà", "phân-công-việc-nhà"))
    assert response.status_code == 302
    assert LessonPage.objects.get(title="Phân công việc nhà").slug == "phan-cong-viec-nha"
    # The ASCII slug the browser fills in is accepted.
    response = client.post(add_url, form("Bình đẳng giới", "binh-dang-gioi"))
    assert response.status_code == 302
    assert LessonPage.objects.get(title="Bình đẳng giới").slug == "binh-dang-gioi"


@pytest.mark.django_db
def test_a_page_saved_without_a_slug_gets_an_ascii_one_unique_among_its_siblings():
    tree = make_course(modules=1, lessons_per_module=0, quiz=False)
    module = tree.modules[0]
    first = module.add_child(instance=LessonPage(title="Bình đẳng giới"))
    second = module.add_child(instance=LessonPage(title="Bình đẳng giới"))
    assert first.slug == "binh-dang-gioi"
    assert second.slug == "binh-dang-gioi-2"
    assert make_lesson(module=module, title="Khác", slug="da-co").slug == "da-co"
