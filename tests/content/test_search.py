"""/search/: accent-insensitive over courses, lessons and stories, on SQLite and PostgreSQL."""

import unicodedata

import pytest

from tests.builders import make_lesson, make_user
from tests.conftest import require_postgres

LESSON = "Bình đẳng giới là gì?"


@pytest.fixture
def cadre(client, django_user_model):
    user = make_user("can_bo")
    client.force_login(user)
    return user


def titles(response) -> list[str]:
    return [result.title for result in response.context["results"]]


@pytest.mark.parametrize(
    "query",
    [
        "binh dang gioi",
        "Bình đẳng giới",
        "BINH DANG GIOI",
        unicodedata.normalize("NFD", "Bình đẳng giới"),
        unicodedata.normalize("NFD", "BÌNH ĐẲNG GIỚI"),
    ],
)
def test_every_spelling_finds_the_lesson(client, course_tree, cadre, query):
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert LESSON in titles(response)


@pytest.mark.parametrize("query", ["dinh kien", "Định kiến", "DINH KIEN"])
def test_d_with_stroke_counts_as_d(client, course_tree, cadre, query):
    # "định kiến" is in the lesson's body, not in its title.
    assert LESSON in titles(client.get("/search/", {"q": query}))


def test_stories_are_found_by_the_community_they_are_set_in(client, series):
    response = client.get("/search/", {"q": "ban muong son la"})
    assert response.context["results"]
    assert {type(result).__name__ for result in response.context["results"]} == {"StoryPage"}


def test_anonymous_visitors_find_courses_and_stories_but_no_lesson(client, course_tree, series):
    response = client.get("/search/", {"q": "bình đẳng giới"})
    assert response.status_code == 200
    found = response.context["results"]
    assert "Kiến thức cơ bản về bình đẳng giới" in [page.title for page in found]
    assert LESSON not in titles(response)
    assert {type(page).__name__ for page in found} <= {"CoursePage", "StoryPage"}
    story = client.get("/search/", {"q": "ban muong son la"})
    assert {type(page).__name__ for page in story.context["results"]} == {"StoryPage"}


def test_pages_behind_a_restriction_stay_hidden_from_anonymous_visitors(client, course_tree):
    from wagtail.models import PageViewRestriction

    PageViewRestriction.objects.create(
        page=course_tree["course"], restriction_type=PageViewRestriction.LOGIN
    )
    response = client.get("/search/", {"q": "binh dang gioi"})
    assert "Kiến thức cơ bản về bình đẳng giới" not in [
        r.title for r in response.context["results"]
    ]


def test_drafts_are_not_found(client, course_tree, cadre):
    from content.models import LessonPage

    module = course_tree["modules"][0]
    draft = module.add_child(
        instance=LessonPage(title="Bản nháp bình đẳng giới", slug="ban-nhap", live=False)
    )
    assert draft.pk
    assert "Bản nháp bình đẳng giới" not in titles(client.get("/search/", {"q": "ban nhap"}))


def test_no_result_shows_an_empty_state(client, course_tree, cadre):
    response = client.get("/search/", {"q": "khong co trang nao nhu the nay"})
    assert response.status_code == 200
    assert "Không tìm thấy kết quả" in response.content.decode()


def test_the_search_page_without_query_shows_the_form(client, home):
    response = client.get("/search/")
    assert response.status_code == 200
    assert 'name="q"' in response.content.decode()


def test_results_are_paginated(client, course_tree, cadre):
    module = course_tree["modules"][1]
    for n in range(12):
        make_lesson(
            module=module, title=f"Phân tích giới số {n}", slug=f"phan-tich-{n}", published=True
        )
    first = client.get("/search/", {"q": "phan tich gioi"})
    assert len(first.context["results"]) == 10
    assert first.context["page_obj"].paginator.count == 12
    second = client.get("/search/", {"q": "phan tich gioi", "page": 2})
    assert len(second.context["results"]) == 2
    assert not set(titles(first)) & set(titles(second))


def test_search_on_postgresql_gives_the_same_results(client, course_tree, cadre):
    """The examples above run on whichever database is configured; CI runs them on PostgreSQL."""
    require_postgres("accent-insensitive search on PostgreSQL")
    for query in ["binh dang gioi", "Bình đẳng giới", "BINH DANG GIOI", "dinh kien"]:
        assert LESSON in titles(client.get("/search/", {"q": query})), query
