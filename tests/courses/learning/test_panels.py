"""Content pages show the learner's progress through the panels that learning registers as
content hooks, cheaply."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.learning.services import enrolment_create, lesson_complete
from tests.builders import make_course, make_learner

pytestmark = pytest.mark.django_db


def lesson_queries(client, size: tuple[int, int]) -> tuple[int, str]:
    tree = make_course(modules=size[0], lessons_per_module=size[1])
    user, cadre = make_learner()
    enrolment, _ = enrolment_create(cadre=cadre, course=tree.course)
    lesson_complete(enrolment=enrolment, lesson_id=tree.lessons[0].pk)
    client.force_login(user)
    lesson = tree.lessons[1]
    client.get(lesson.url)  # warm per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(lesson.url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_lesson_page_takes_at_most_12_queries_whatever_the_course_size(client):
    small, html = lesson_queries(client, (2, 2))
    large, _ = lesson_queries(client, (6, 8))
    assert small <= 12, small
    assert large == small
    assert "Đánh dấu đã học xong bài này" in html  # the lesson panel is there
    assert 'value="25"' in html  # 1 of 4 lessons done


def test_course_page_offers_enrolment_then_progress(client):
    tree = make_course()
    user, _cadre = make_learner()
    client.force_login(user)
    html = client.get(tree.course.url).content.decode()
    assert f'action="/learn/courses/{tree.course.pk}/enrol/"' in html
    client.post(f"/learn/courses/{tree.course.pk}/enrol/")
    html = client.get(tree.course.url).content.decode()
    assert "enrol/" not in html
    assert "Học tiếp" in html  # continue


def test_anonymous_visitors_are_asked_to_log_in_for_courses(client):
    tree = make_course()
    response = client.get(tree.course.url)
    assert response.status_code in (302, 200)
    if response.status_code == 200:  # a public course: the panel asks to log in
        assert "/accounts/login/" in response.content.decode()
