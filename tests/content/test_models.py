"""Page-tree rules, volume numbers, outlines and the quiz snippet admin."""

import pytest
from django.core.exceptions import ValidationError

from content.models import (
    CourseIndexPage,
    CoursePage,
    HomePage,
    LessonPage,
    ModulePage,
    StandardPage,
    StoryPage,
    StorySeriesPage,
    StoryVolumePage,
)
from lms.text import text_fold

ALLOWED = {
    HomePage: {StandardPage, CourseIndexPage, StorySeriesPage},
    StandardPage: {StandardPage},
    CourseIndexPage: {CoursePage},
    CoursePage: {ModulePage},
    ModulePage: {LessonPage},
    LessonPage: set(),
    StorySeriesPage: {StoryVolumePage},
    StoryVolumePage: {StoryPage},
    StoryPage: set(),
}


@pytest.mark.parametrize("parent", list(ALLOWED), ids=lambda m: m.__name__)
def test_each_page_type_only_accepts_its_declared_children(parent):
    assert set(parent.allowed_subpage_models()) == ALLOWED[parent]


def test_trainers_cannot_put_a_lesson_straight_under_a_course(course_tree):
    course = course_tree["course"]
    module = course_tree["modules"][0]
    assert not LessonPage.can_create_at(course)
    assert LessonPage.can_create_at(module)
    assert not CoursePage.can_create_at(module)
    assert not StoryPage.can_create_at(course)


def test_only_one_home_page(home):
    from wagtail.models import Page

    assert not HomePage.can_create_at(Page.get_first_root_node())


def test_volume_number_is_unique_within_the_series(series):
    volume = StoryVolumePage(title="Tập trùng", slug="tap-trung", volume_number=2)
    with pytest.raises(ValidationError) as error:
        series.add_child(instance=volume)
    assert "volume_number" in error.value.message_dict


def test_volume_number_may_repeat_in_another_series(home, series):
    other = home.add_child(instance=StorySeriesPage(title="Bộ khác", slug="bo-khac"))
    volume = other.add_child(instance=StoryVolumePage(title="Tập 1", slug="tap-1", volume_number=1))
    assert volume.pk


def test_admin_form_refuses_a_duplicate_volume_number(client, series, django_user_model):
    from django.urls import reverse

    admin = django_user_model.objects.create_superuser("admin", password="x")
    client.force_login(admin)
    url = reverse("wagtailadmin_pages:add", args=("content", "storyvolumepage", series.pk))
    response = client.post(
        url, {"title": "Tập 1 bis", "slug": "tap-1-bis", "volume_number": "1", "year": "2023"}
    )
    assert response.status_code == 200
    assert "Bộ truyện này đã có một tập mang số này." in response.content.decode()
    assert not StoryVolumePage.objects.filter(slug="tap-1-bis").exists()


def test_course_outline_lists_modules_and_lessons_in_tree_order(course_tree):
    outline = course_tree["course"].outline()
    assert [m["page"].title for m in outline] == ["Học phần 1", "Học phần 2"]
    assert [[lesson.title for lesson in m["lessons"]] for m in outline] == [
        ["Bình đẳng giới là gì?", "Khuôn mẫu giới"],
        ["Phân công lao động"],
    ]
    assert [p.title for p in course_tree["course"].lesson_pages()] == [
        "Bình đẳng giới là gì?",
        "Khuôn mẫu giới",
        "Phân công lao động",
    ]


@pytest.mark.parametrize(
    "text",
    ["Bình đẳng giới", "BINH DANG GIOI", "binh dang gioi", "Bi\u0300nh đă\u0309ng giơ\u0301i"],
)
def test_text_fold_gives_one_spelling(text):
    assert text_fold(text) == "binh dang gioi"


def test_text_fold_turns_d_with_stroke_into_d():
    assert text_fold("Định kiến") == "dinh kien"


def test_trainer_can_write_a_quiz_with_nested_questions_and_choices(client, home):
    from django.contrib.auth.models import Group
    from django.urls import reverse
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    from content.models import Quiz
    from lms.models import User

    trainer = User.objects.create_user("giang_vien", password="x")
    trainer.groups.add(Group.objects.get(name="Trainer"))
    client.force_login(trainer)
    assert client.get(reverse("wagtailsnippets_content_quiz:list")).status_code == 200
    data = nested_form_data(
        {
            "title": "Kiểm tra nhanh",
            "pass_mark": 80,
            "attempts_allowed": 2,
            "questions": inline_formset(
                [
                    {
                        "kind": "single",
                        "text": "Giới tính là gì?",
                        "explanation": "Đặc điểm sinh học.",
                        "choices": inline_formset(
                            [
                                {"text": "Đặc điểm sinh học", "is_correct": "on"},
                                {"text": "Vai trò xã hội"},
                            ]
                        ),
                    }
                ]
            ),
        }
    )
    response = client.post(reverse("wagtailsnippets_content_quiz:add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    quiz = Quiz.objects.get(title="Kiểm tra nhanh")
    question = quiz.questions.get()
    assert question.text == "Giới tính là gì?"
    assert [(c.text, c.is_correct) for c in question.choices.order_by("sort_order")] == [
        ("Đặc điểm sinh học", True),
        ("Vai trò xã hội", False),
    ]


def test_admin_edit_forms_open_for_every_page_type(client, course_tree, series, django_user_model):
    from django.urls import reverse

    client.force_login(django_user_model.objects.create_superuser("admin", password="x"))
    pages = [
        course_tree["index"],
        course_tree["course"],
        course_tree["modules"][0],
        course_tree["lessons"][0],
        series,
        *series.get_descendants()[:2],
    ]
    for page in pages:
        response = client.get(reverse("wagtailadmin_pages:edit", args=(page.pk,)))
        assert response.status_code == 200, page
    html = client.get(
        reverse("wagtailadmin_pages:edit", args=(course_tree["course"].pk,))
    ).content.decode()
    assert 'value="village_heads"' in html  # target groups are checkboxes
