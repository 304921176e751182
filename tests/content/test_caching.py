"""Which page a URL leads to and whether it is restricted are read from the cache between
changes of the page tree, and every change is seen by the next request."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from tests.builders import make_lesson, make_user
from tests.lms.test_cache import DEAD_REDIS

pytestmark = pytest.mark.django_db


@pytest.fixture
def cadre(client):
    client.force_login(make_user("can_bo"))


def tree_queries(client, url: str) -> list[str]:
    """The statements of a second view of `url` that look a page up by its URL path or read
    view restrictions."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [
        q["sql"] for q in queries if "pageviewrestriction" in q["sql"] or '"url_path" =' in q["sql"]
    ]


# Committed for real: the tree's pages were written by earlier requests, whose commits moved
# the cache on (a transaction that has changed pages reads the tree afresh, see lms.cache).
@pytest.mark.django_db(transaction=True)
def test_a_page_seen_before_is_found_without_reading_the_tree(client, course_tree, cadre):
    for page in [course_tree["course"], course_tree["lessons"][0]]:
        assert tree_queries(client, page.url) == []


def test_a_restriction_set_or_lifted_applies_to_the_next_request(client, course_tree, cadre):
    lesson, course = course_tree["lessons"][0], course_tree["course"]
    assert client.get(lesson.url).status_code == 200
    trainers_only = PageViewRestriction.objects.create(
        page=course, restriction_type=PageViewRestriction.GROUPS
    )
    trainers_only.groups.add(Group.objects.create(name="Chỉ giảng viên"))
    assert client.get(lesson.url).status_code == 302
    assert client.get(course.url).status_code == 302
    trainers_only.delete()
    assert client.get(lesson.url).status_code == 200


def test_an_unpublished_renamed_or_moved_page_is_found_where_it_is_now(client, course_tree, cadre):
    first, second, third = course_tree["lessons"]
    old_url = first.url
    assert client.get(old_url).status_code == 200
    first.slug = "khai-niem-gioi"
    first.save_revision().publish()
    first.refresh_from_db()
    assert client.get(old_url).status_code == 404
    assert client.get(first.url).status_code == 200
    third_url = third.url
    assert client.get(third_url).status_code == 200
    third.move(second.get_parent(), pos="last-child")
    third.refresh_from_db()
    moved = client.get(third_url)  # Wagtail's redirects app may point the old address on
    assert moved.status_code == 404 or moved["Location"] == third.url
    assert client.get(third.url).status_code == 200
    second_url = second.url
    assert client.get(second_url).status_code == 200
    second.unpublish()
    assert client.get(second_url).status_code == 404


def test_a_lesson_published_later_joins_the_course_outline_and_the_lessons_pager(
    client, course_tree, cadre
):
    course, third = course_tree["course"], course_tree["lessons"][2]
    assert "Bài mới thêm" not in client.get(course.url).content.decode()
    assert "Bài mới thêm" not in client.get(third.url).content.decode()
    make_lesson(module=third.get_parent(), title="Bài mới thêm", slug="bai-moi", published=True)
    assert "Bài mới thêm" in client.get(course.url).content.decode()
    assert "Bài mới thêm" in client.get(third.url).content.decode()  # the next lesson


def test_with_redis_down_pages_are_found_and_restricted_from_the_database(client, course_tree):
    lesson = course_tree["lessons"][0]
    with override_settings(CACHES=DEAD_REDIS):
        assert client.get(lesson.url).status_code == 302  # lessons ask for a login
        client.force_login(make_user("can_bo"))
        assert client.get(lesson.url).status_code == 200
