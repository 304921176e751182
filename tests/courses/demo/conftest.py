"""The demo's four courses, small (content.demo makes them with their full text)."""

import pytest

# slug, delivery, post-test: as content/demo_data.py. The courses of the village sessions and
# of the district and commune sessions are blended (studied on a phone, or completed at the
# session): an online-only course can never be completed at a session.
DEMO_COURSES = (
    ("kien-thuc-co-ban-ve-binh-dang-gioi", "blended", False),
    ("ky-nang-phan-tich-gioi", "blended", False),
    ("long-ghep-gioi", "blended", False),
    ("giam-sat-danh-gia-binh-dang-gioi", "in_person", True),
)


def make_demo_courses():
    from tests.builders import course_index, home_page, make_course

    index = course_index(home=home_page(), published=True)
    for slug, delivery, post_test in DEMO_COURSES:
        make_course(index=index, title=slug, slug=slug, delivery=delivery, modules=1,
                    lessons_per_module=2, requires_post_test=post_test, published=True)  # fmt: skip


@pytest.fixture
def demo_courses(db):
    make_demo_courses()
