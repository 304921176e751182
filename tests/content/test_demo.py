"""The demo content: four courses, the four-volume series, and idempotent loading."""

import json

from django.db.models import Count
from wagtail.models import Page, PageViewRestriction

from content import demo
from content.models import (
    Competency,
    CoursePage,
    LessonPage,
    ModulePage,
    Quiz,
    StandardPage,
    StoryPage,
    StorySeriesPage,
    StoryVolumePage,
)
from content.selectors import page_search
from tests.builders import make_user


def load():
    for step in (demo.load_site, demo.load_pages, demo.load_stories, demo.load_courses):
        list(step())


def counts() -> dict:
    return {
        "pages": Page.objects.count(),
        "quizzes": Quiz.objects.count(),
        "questions": Quiz.objects.aggregate(n=Count("questions"))["n"],
        "restrictions": PageViewRestriction.objects.count(),
    }


def test_loading_twice_gives_the_same_content(db):
    load()
    first = counts()
    load()
    assert counts() == first


def test_demo_has_one_course_per_competency_with_modules_lessons_and_a_final_quiz(db):
    load()
    courses = CoursePage.objects.live()
    assert {c.competency for c in courses} == set(Competency.values)
    assert {c.slug for c in courses} >= {
        "kien-thuc-co-ban-ve-binh-dang-gioi",
        "ky-nang-phan-tich-gioi",
        "long-ghep-gioi",
        "giam-sat-danh-gia-binh-dang-gioi",
    }
    for course in courses:
        modules = ModulePage.objects.child_of(course)
        assert 2 <= modules.count() <= 4, course.title
        assert course.lesson_pages().count() >= modules.count()
        quiz = course.final_quiz
        assert quiz is not None and quiz.questions.count() >= 5
        assert len(set(quiz.questions.values_list("kind", flat=True))) == 3
    assert courses.get(slug="ky-nang-phan-tich-gioi").delivery == "blended"
    # The courses of the village sessions and of the district and commune sessions can be
    # completed at a session (they were online only, so those sessions completed nothing).
    assert courses.get(slug="kien-thuc-co-ban-ve-binh-dang-gioi").delivery == "blended"
    assert courses.get(slug="long-ghep-gioi").delivery == "blended"
    in_person = courses.get(slug="giam-sat-danh-gia-binh-dang-gioi")
    assert in_person.delivery == "in_person" and in_person.requires_post_test
    assert LessonPage.objects.filter(title="Bình đẳng giới là gì?").exists()
    assert all(
        "Nội dung mẫu" in json.dumps(list(lesson.body.raw_data), ensure_ascii=False)
        for lesson in LessonPage.objects.all()
    )


def test_demo_story_series_has_four_volumes_of_three_stories(db):
    load()
    series = StorySeriesPage.objects.get()
    assert series.title == ("Các câu chuyện truyền thông thay đổi định kiến giới và khuôn mẫu giới")
    volumes = list(series.volumes())
    assert [v.volume_number for v in volumes] == [1, 2, 3, 4]
    assert sum(v.print_run for v in volumes) == 41_600
    assert {v.year for v in volumes} == {2023}
    for volume in volumes:
        assert StoryPage.objects.child_of(volume).count() >= 3


def test_demo_standard_pages_and_public_catalogue_rules(client, db):
    load()
    assert set(StandardPage.objects.values_list("title", flat=True)) >= {
        "Giới thiệu",
        "Hướng dẫn",
        "Liên hệ",
    }
    home = client.get("/").content.decode()
    assert "Danh mục khóa học" in home and "Câu chuyện" in home
    catalogue = client.get("/khoa-hoc/")
    assert catalogue.status_code == 200
    assert "Kiến thức cơ bản về bình đẳng giới" in catalogue.content.decode()
    assert client.get("/cau-chuyen-truyen-thong/").status_code == 200
    lesson = LessonPage.objects.live().first()
    assert client.get(lesson.url).status_code == 302
    course = client.get("/khoa-hoc/kien-thuc-co-ban-ve-binh-dang-gioi/").content.decode()
    assert "Nêu được những quy định chính của Luật Bình đẳng giới." in course


def test_an_anonymous_search_for_the_theme_finds_the_demo_courses(client, db):
    load()
    response = client.get("/search/", {"q": "bình đẳng giới"})
    found = response.context["results"]
    assert "Kiến thức cơ bản về bình đẳng giới" in [page.title for page in found]
    assert not any(type(page).__name__ == "LessonPage" for page in found)


def test_demo_content_is_searchable(db, django_user_model):
    load()
    cadre = make_user("can_bo")
    titles = [p.title for p in page_search(query="dinh kien", user=cadre)]
    assert "Nhận diện định kiến giới trong đời sống hằng ngày" in titles
    assert "Bình đẳng giới là gì?" in [
        p.title for p in page_search(query="binh dang gioi", user=cadre)
    ]
    assert StoryVolumePage.objects.count() == 4


def test_demo_lessons_are_light(client, db, django_user_model):
    load()
    client.force_login(make_user("can_bo"))
    for lesson in LessonPage.objects.live():
        response = client.get(lesson.url)
        assert response.status_code == 200
        assert len(response.content) <= 30 * 1024, lesson.title
