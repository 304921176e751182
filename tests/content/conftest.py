"""The content page tree, built here (not from the demo data)."""

import pytest
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page

from tests.builders import (
    course_index,
    home_page,
    make_course,
    make_lesson,
    make_module,
    make_quiz,
    make_story_tree,
)


@pytest.fixture
def home(db):
    return home_page()


@pytest.fixture
def quiz(db):
    return make_quiz(title="Kiểm tra cuối khoá", questions=5, marked=True)


@pytest.fixture
def series(home):
    return make_story_tree(home=home, volumes=4, stories_per_volume=2)


@pytest.fixture
def story(series):
    from content.models import StoryPage

    return StoryPage.objects.live().descendant_of(series).order_by("path").first()


@pytest.fixture
def image(db):
    from wagtail.images.models import Image

    return Image.objects.create(title="Ảnh minh hoạ", file=get_test_image_file())


@pytest.fixture
def course_tree(home, quiz, story):
    """A course with two modules: lesson 1 and 2 in the first, lesson 3 in the second."""
    index = course_index(home=home, published=True)
    course = make_course(
        index=index,
        title="Kiến thức cơ bản về bình đẳng giới",
        slug="kien-thuc-co-ban",
        summary="Khoá học nhập môn.",
        target_groups=["leaders", "village_heads"],
        quiz=quiz,
        modules=0,
        published=True,
    ).course
    module_1 = make_module(course=course, title="Học phần 1", slug="hoc-phan-1", published=True)
    module_2 = make_module(course=course, title="Học phần 2", slug="hoc-phan-2", published=True)
    lesson_1 = make_lesson(
        module=module_1,
        title="Bình đẳng giới là gì?",
        slug="binh-dang-gioi-la-gi",
        summary="Khái niệm giới và giới tính.",
        body=[
            (
                "paragraph",
                "<p>Định kiến giới là nhận thức thiên lệch về vai trò của nam và nữ.</p>",
            ),
            ("quiz", {"quiz": quiz, "intro": "Ôn tập nhanh"}),
            ("story", {"page": story, "note": "Đọc câu chuyện"}),
        ],
        published=True,
    )
    lesson_2 = make_lesson(
        module=module_1, title="Khuôn mẫu giới", slug="khuon-mau-gioi", published=True
    )
    lesson_3 = make_lesson(
        module=module_2, title="Phân công lao động", slug="phan-cong", published=True
    )
    return {
        "index": index,
        "course": course,
        "modules": [module_1, module_2],
        "lessons": [lesson_1, lesson_2, lesson_3],
        "quiz": quiz,
    }


@pytest.fixture
def root_page(db):
    return Page.get_first_root_node()
