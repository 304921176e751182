"""The number of queries per page does not grow with blocks, lessons or volumes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.documents.models import Document

from content.models import StoryVolumePage
from tests import builders
from tests.builders import (
    course_index,
    make_lesson,
    make_module,
    make_story_tree,
    make_user,
    publish,
)


@pytest.fixture
def cadre(client, django_user_model):
    client.force_login(make_user("can_bo"))


def count_queries(client, url: str) -> int:
    client.get(url)  # warm up: renditions are generated on the first view
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def body_of(n: int, *, images, quiz, story, document) -> list:
    kinds = [
        ("paragraph", "<p>Định kiến giới hạn chế cơ hội của phụ nữ.</p>"),
        ("heading", "Ghi nhớ"),
        ("image", {"image": None, "caption": "Buổi sinh hoạt chi hội"}),
        ("key_points", {"title": "Ý chính", "points": ["Một", "Hai"]}),
        ("callout", {"title": "Lưu ý", "text": "<p>Nội dung mẫu.</p>"}),
        ("story", {"page": story, "note": "Đọc thêm"}),
        ("document", {"document": document, "title": "Tài liệu", "description": ""}),
        ("discussion", {"title": "", "questions": ["Vì sao?", "Làm gì?"]}),
        ("quiz", {"quiz": quiz, "intro": ""}),
    ]
    body = []
    for i in range(n):
        kind, value = kinds[i % len(kinds)]
        if kind == "image":
            value = {**value, "image": images[i % len(images)]}
        body.append((kind, value))
    return body


@pytest.fixture
def media(db):
    from django.core.files.base import ContentFile
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    images = [
        Image.objects.create(title=f"Ảnh {n}", file=get_test_image_file(f"anh-{n}.png"))
        for n in range(6)
    ]
    document = Document.objects.create(title="Tài liệu", file=ContentFile(b"%PDF-1.4", "t.pdf"))
    return images, document


def test_lesson_queries_do_not_grow_with_blocks(
    client, course_tree, cadre, media, quiz, story, django_assert_max_num_queries
):
    images, document = media
    module = course_tree["modules"][1]
    small = make_lesson(
        module=module,
        title="Bài ngắn",
        slug="bai-ngan",
        body=body_of(9, images=images[:2], quiz=quiz, story=story, document=document),
        published=True,
    )
    large = make_lesson(
        module=module,
        title="Bài dài",
        slug="bai-dai",
        body=body_of(54, images=images, quiz=quiz, story=story, document=document),
        published=True,
    )
    bound = count_queries(client, small.url)
    client.get(large.url)
    with django_assert_max_num_queries(bound):
        assert client.get(large.url).status_code == 200
    assert len(client.get(large.url).content) <= 60 * 1024


def make_course(index, *, slug: str, lessons: int):
    course = builders.make_course(
        index=index, title=f"Khoá {slug}", slug=slug, modules=0, quiz=False, published=True
    ).course
    modules = [
        make_module(course=course, title=f"Học phần {m}", slug=f"hp-{m}", published=True)
        for m in (1, 2, 3)
    ]
    made = [
        make_lesson(module=modules[n % 3], title=f"Bài {n}", slug=f"bai-{n}", published=True)
        for n in range(lessons)
    ]
    return course, made


def test_course_and_lesson_queries_do_not_grow_with_lessons(
    client, home, cadre, django_assert_max_num_queries
):
    index = course_index(home=home, published=True)
    small, small_lessons = make_course(index, slug="nho", lessons=3)
    large, large_lessons = make_course(index, slug="lon", lessons=30)
    course_bound = count_queries(client, small.url)
    lesson_bound = count_queries(client, small_lessons[1].url)
    # Each page seen once before, as the bounds were: what a page reads of the tree is
    # cached after its first view (content/caching.py).
    client.get(large.url)
    client.get(large_lessons[15].url)
    with django_assert_max_num_queries(course_bound):
        html = client.get(large.url).content.decode()
    assert "Bài 29" in html
    with django_assert_max_num_queries(lesson_bound):
        client.get(large_lessons[15].url)
    index_bound = count_queries(client, index.url)
    for n in range(10):
        builders.make_course(
            index=index,
            title=f"Khoá thêm {n}",
            slug=f"them-{n}",
            modules=0,
            quiz=False,
            published=True,
        )
    client.get(index.url)
    with django_assert_max_num_queries(index_bound):
        client.get(index.url)


def test_series_queries_do_not_grow_with_volumes(
    client, home, media, django_assert_max_num_queries
):
    images, _ = media
    series = make_story_tree(home=home, volumes=2, stories_per_volume=0)
    for volume in StoryVolumePage.objects.child_of(series):
        volume.cover_image = images[volume.volume_number]
        publish(volume)
    bound = count_queries(client, series.url)
    for number in range(3, 11):
        volume = series.add_child(
            instance=StoryVolumePage(
                title=f"Tập {number}",
                slug=f"tap-{number}",
                volume_number=number,
                cover_image=images[number % len(images)],
            )
        )
        publish(volume)
    client.get(series.url)
    with django_assert_max_num_queries(bound):
        html = client.get(series.url).content.decode()
    assert "Tập 10" in html
