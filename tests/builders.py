"""Builders for the learning, session, certificate and counter tests: the page tree, quizzes,
administrative units, users and cadres.

The page tree is built here for each test, never taken from the demo data.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Page, Site

from content.models import (
    CourseIndexPage,
    CoursePage,
    HomePage,
    LessonPage,
    ModulePage,
    QuestionKind,
    Quiz,
    QuizChoice,
    QuizQuestion,
)
from courses.registry.models import AdminUnit, Cadre, UnitLevel, UnitStructure

_seq = itertools.count(1)


def home_page() -> HomePage:
    """The site's HomePage, created (and made the default site's root) on first use."""
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    home = HomePage(title="Trang chủ", slug="trang-chu")
    root.add_child(instance=home)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    else:
        site.root_page = home
        site.save()
    return home


def course_index() -> CourseIndexPage:
    index = CourseIndexPage.objects.first()
    if index is None:
        index = CourseIndexPage(title="Khóa học", slug="khoa-hoc")
        home_page().add_child(instance=index)
    return index


def make_quiz(
    *,
    title: str = "Bài kiểm tra",
    questions: int = 3,
    pass_mark: int = 70,
    attempts_allowed: int = 3,
    shuffle: bool = False,
) -> Quiz:
    """A quiz whose questions alternate single choice, multiple choice and true/false.

    In each question the first choice is correct (and, for multiple choice, the second too).
    """
    quiz = Quiz.objects.create(
        title=title, pass_mark=pass_mark, attempts_allowed=attempts_allowed, shuffle=shuffle
    )
    kinds = [QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE]
    for n in range(questions):
        kind = kinds[n % 3]
        question = QuizQuestion.objects.create(
            quiz=quiz,
            kind=kind,
            text=f"Câu hỏi {n + 1}: định kiến giới là gì?",
            explanation=f"Giải thích cho câu {n + 1}.",
            sort_order=n,
        )
        labels = ["Đúng", "Sai"] if kind == QuestionKind.TRUE_FALSE else ["A", "B", "C", "D"]
        for i, label in enumerate(labels):
            correct = i == 0 or (kind == QuestionKind.MULTIPLE and i == 1)
            QuizChoice.objects.create(
                question=question, text=f"Phương án {label}", is_correct=correct, sort_order=i
            )
    return quiz


def correct_answers(quiz: Quiz) -> dict[int, list[int]]:
    return {
        q.pk: [c.pk for c in q.choices.all() if c.is_correct]
        for q in quiz.questions.prefetch_related("choices")
    }


def wrong_answers(quiz: Quiz) -> dict[int, list[int]]:
    return {
        q.pk: [next(c.pk for c in q.choices.all() if not c.is_correct)]
        for q in quiz.questions.prefetch_related("choices")
    }


@dataclass
class CourseTree:
    course: CoursePage
    modules: list[ModulePage] = field(default_factory=list)
    lessons: list[LessonPage] = field(default_factory=list)
    quiz: Quiz | None = None


def make_course(
    *,
    title: str | None = None,
    modules: int = 2,
    lessons_per_module: int = 2,
    delivery: str = "online",
    quiz: Quiz | None | bool = True,
    requires_post_test: bool = False,
    allow_self_enrolment: bool = True,
    slug: str | None = None,
) -> CourseTree:
    n = next(_seq)
    if quiz is True:
        quiz = make_quiz(title=f"Bài kiểm tra cuối khóa {n}")
    course = CoursePage(
        title=title or f"Khóa học {n}",
        slug=slug or f"khoa-hoc-{n}",
        delivery=delivery,
        final_quiz=quiz or None,
        requires_post_test=requires_post_test,
        allow_self_enrolment=allow_self_enrolment,
        certificate_title=title or f"Khóa học {n}",
    )
    course_index().add_child(instance=course)
    tree = CourseTree(course=course, quiz=quiz or None)
    for m in range(modules):
        module = ModulePage(title=f"Học phần {m + 1}", slug=f"hoc-phan-{m + 1}")
        course.add_child(instance=module)
        tree.modules.append(module)
        for x in range(lessons_per_module):
            lesson = LessonPage(title=f"Bài {m + 1}.{x + 1}", slug=f"bai-{m + 1}-{x + 1}")
            module.add_child(instance=lesson)
            tree.lessons.append(lesson)
    return tree


@dataclass
class Units:
    province: AdminUnit
    district: AdminUnit
    commune: AdminUnit


def make_units(
    *, province_code: str = "10", province_name: str = "Tỉnh Lào Cai", district_code=None,
    commune_code=None,
) -> Units:  # fmt: skip
    """A 2023-structure province with one district and one commune (get or create)."""
    district_code = district_code or f"{int(province_code) * 10 % 1000:03d}"
    commune_code = commune_code or f"{int(district_code) * 100 % 100000:05d}"
    province, _ = AdminUnit.objects.get_or_create(
        structure=UnitStructure.S2023,
        code=province_code,
        defaults={"level": UnitLevel.PROVINCE, "name": province_name,
                  "province_code": province_code},
    )  # fmt: skip
    district, _ = AdminUnit.objects.get_or_create(
        structure=UnitStructure.S2023,
        code=district_code,
        defaults={"level": UnitLevel.DISTRICT, "name": f"Huyện {district_code}",
                  "parent": province, "province_code": province_code,
                  "district_code": district_code},
    )  # fmt: skip
    commune, _ = AdminUnit.objects.get_or_create(
        structure=UnitStructure.S2023,
        code=commune_code,
        defaults={"level": UnitLevel.COMMUNE, "name": f"Xã {commune_code}",
                  "parent": district, "province_code": province_code,
                  "district_code": district_code, "commune_code": commune_code},
    )  # fmt: skip
    return Units(province=province, district=district, commune=commune)


def make_user(username: str | None = None, *, role: str | None = None, province_code: str = ""):
    User = get_user_model()
    user = User.objects.create_user(
        username or f"user{next(_seq)}", password="mat-khau-dai-123", province_code=province_code
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_cadre(
    *,
    user=None,
    unit: AdminUnit | None = None,
    full_name: str | None = None,
    sex: str = "female",
    level: str = "commune",
    target_group: str = "key_cadre",
    ethnicity: str = "",
    **extra,
) -> Cadre:
    if unit is None:
        unit = make_units().commune
    return Cadre.objects.create(
        user=user,
        unit=unit,
        full_name=full_name or f"Nguyễn Thị Học Viên {next(_seq)}",
        sex=sex,
        level=level,
        target_group=target_group,
        ethnicity=ethnicity,
        **extra,
    )


def make_learner(username: str | None = None, **cadre_fields):
    """A user in the Cadre group with a registry record."""
    user = make_user(username, role="Cadre")
    return user, make_cadre(user=user, **cadre_fields)
