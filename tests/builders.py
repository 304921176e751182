"""Builders for the whole suite: functions that make objects (fixtures live in conftest.py).

The page tree, quizzes, administrative units, users and cadres, completions, sessions and
attendance, and the small worlds several test folders share, are built here for each test,
never taken from the demo data. A few read-backs that go with them (counter totals, a
learner's enrolment) and a logged-in test client close the module.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client
from django.utils.text import slugify
from wagtail.models import Locale, Page, Site

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
    StoryPage,
    StorySeriesPage,
    StoryVolumePage,
)
from courses.counters.models import Achievement, CounterCell, Indicator
from courses.counters.selectors import counter_figures
from courses.counters.services import indicator_cache_clear
from courses.learning.completion import enrolment_complete
from courses.learning.models import Enrolment
from courses.registry.models import AdminUnit, AdminUnitLineage, Cadre, UnitLevel, UnitStructure
from courses.registry.privacy import notice_accept
from courses.sessions import counting as session_counting
from courses.sessions.models import Attendance, SessionKind, TrainingSession
from courses.sessions.services import session_create
from lms.roles import ADMIN, CADRE, TRAINER

_seq = itertools.count(1)

PASSWORD = "mat-khau-dai-123"  # every built user's; tests/load/cadres.py logs in with it


# --- Pages and quizzes ----------------------------------------------------------------------


def home_page() -> HomePage:
    """The site's HomePage as the default site's root, created on first use (it replaces
    Wagtail's welcome page). The root page and the locale are created if a flush removed
    them."""
    Locale.objects.get_or_create(language_code="vi")
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
        home = root.add_child(instance=HomePage(title="Trang chủ", slug="trang-chu"))
    Site.objects.update_or_create(
        is_default_site=True, defaults={"hostname": "localhost", "port": 80, "root_page": home}
    )
    Page.objects.filter(depth=2).exclude(pk=home.pk).delete()
    return home


def publish(page):
    """Save and publish a revision of the page, as an editor would."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page


def _added(parent, page, *, published: bool):
    page = parent.add_child(instance=page)
    return publish(page) if published else page


def course_index(
    *, home=None, title: str = "Khóa học", slug: str = "khoa-hoc", published: bool = False
) -> CourseIndexPage:
    """The course index with this slug, created under `home` (default: home_page()) if
    missing; `published`: through a published revision."""
    index = CourseIndexPage.objects.filter(slug=slug).first()
    if index is None:
        index = _added(
            home or home_page(), CourseIndexPage(title=title, slug=slug), published=published
        )
    return index


def make_quiz(
    *,
    title: str = "Bài kiểm tra",
    questions: int = 3,
    pass_mark: int = 70,
    attempts_allowed: int | None = 3,
    unlimited_attempts: bool = False,
    shuffle: bool = False,
    marked: bool = False,
    published: bool = True,
    reveal_answers: str = "pass_or_last",
) -> Quiz:
    """A quiz whose questions alternate single choice, multiple choice and true/false. In each
    question the first choice is correct (and, for multiple choice, the second too).

    `published` (the default): through a published revision, as a reviewer's approval leaves
    it, so learners can take it; otherwise a draft never published, as the admin creates one.

    `marked`: single-choice questions "Câu hỏi số N?" of two choices, whose correct answer
    and explanation carry markers (DAP-AN-DUNG-N, GIAI-THICH-BI-MAT-N), so that a page that
    leaks them is caught.
    """
    kinds = (
        [QuestionKind.SINGLE]
        if marked
        else [QuestionKind.SINGLE, QuestionKind.MULTIPLE, QuestionKind.TRUE_FALSE]
    )
    quiz = Quiz(title=title, pass_mark=pass_mark, shuffle=shuffle,
                attempts_allowed=None if unlimited_attempts else attempts_allowed,
                unlimited_attempts=unlimited_attempts, reveal_answers=reveal_answers,
                live=published)  # fmt: skip
    built = []
    for n in range(questions):
        number, kind = n + 1, kinds[n % len(kinds)]
        if marked:
            text, explanation = f"Câu hỏi số {number}?", f"GIAI-THICH-BI-MAT-{number}"
            choices = [(f"DAP-AN-DUNG-{number}", True), (f"Phương án sai {number}", False)]
        else:
            text = f"Câu hỏi {number}: định kiến giới là gì?"
            explanation = f"Giải thích cho câu {number}."
            labels = ["Đúng", "Sai"] if kind == QuestionKind.TRUE_FALSE else ["A", "B", "C", "D"]
            choices = [
                (f"Phương án {label}", i == 0 or (kind == QuestionKind.MULTIPLE and i == 1))
                for i, label in enumerate(labels)
            ]
        built.append(
            QuizQuestion(
                kind=kind, text=text, explanation=explanation, sort_order=n,
                choices=[QuizChoice(text=choice, is_correct=correct, sort_order=i)
                         for i, (choice, correct) in enumerate(choices)],
            )
        )  # fmt: skip
    quiz.questions = built
    quiz.save()
    revision = quiz.save_revision()
    if published:
        revision.publish()
    quiz.refresh_from_db()
    return quiz


def quiz_form_data(quiz: Quiz | None = None, *, action: str | None = None, questions=None,
                   **fields) -> dict:  # fmt: skip
    """What the quiz admin's add or edit form posts: the quiz's latest version (its draft if
    it has one) with `fields` changed (title, pass_mark, attempts_allowed, unlimited_attempts,
    shuffle). `questions` replaces the questions: dicts of kind, text, explanation and
    choices [(text, correct), ...], with the `id` of an existing question (and `ids` of its
    choices) to keep it. `action`: "submit" (for review) or "publish"; none saves a draft."""
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    current = quiz.get_latest_revision_as_object() if quiz is not None else None
    if questions is None:
        questions = [
            {
                "id": q.pk, "kind": q.kind, "text": q.text, "explanation": q.explanation,
                "ids": [c.pk for c in q.choices.all()],
                "choices": [(c.text, c.is_correct) for c in q.choices.all()],
            }
            for q in (current.questions.all() if current is not None else [])
        ]  # fmt: skip
    data = {
        "title": current.title if current else "Bài kiểm tra mới",
        "pass_mark": current.pass_mark if current else 70,
        "attempts_allowed": (current.attempts_allowed if current else 3) or "",
        "unlimited_attempts": current.unlimited_attempts if current else False,
        "shuffle": current.shuffle if current else False,
        "reveal_answers": current.reveal_answers if current else "pass_or_last",
    }
    data.update(fields)
    for name in ("unlimited_attempts", "shuffle"):
        data[name] = "on" if data[name] else ""
    if data["attempts_allowed"] is None:
        data["attempts_allowed"] = ""

    def question_form(n, question):
        ids = question.get("ids") or []
        choices = [
            {"text": text, "is_correct": "on" if correct else "", "ORDER": str(i),
             **({"id": ids[i]} if i < len(ids) else {})}
            for i, (text, correct) in enumerate(question["choices"])
        ]  # fmt: skip
        form = {
            "kind": question.get("kind", QuestionKind.SINGLE),
            "text": question["text"],
            "explanation": question.get("explanation", ""),
            "ORDER": str(n),
            "choices": inline_formset(choices, initial=len(ids), min=2),
        }
        if question.get("id"):
            form["id"] = question["id"]
        return form

    existing = sum(1 for q in questions if q.get("id"))
    data["questions"] = inline_formset(
        [question_form(n, q) for n, q in enumerate(questions)], initial=existing, min=1
    )
    if action:
        data[f"action-{action}"] = "1"
    return nested_form_data(data)


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
    index: CourseIndexPage | None = None,
    title: str | None = None,
    slug: str | None = None,
    modules: int = 2,
    lessons_per_module: int = 2,
    delivery: str = "online",
    quiz: Quiz | None | bool = True,
    requires_post_test: bool = False,
    allow_self_enrolment: bool = True,
    certificate_title: str | None = None,
    published: bool = False,
    **fields,
) -> CourseTree:
    """A course under `index` (default: course_index()) with `modules` modules of
    `lessons_per_module` lessons; `quiz=True` makes a final quiz, a Quiz is used as it is.
    `published`: every page through a published revision. Other CoursePage fields as
    keywords."""
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
        certificate_title=certificate_title or title or f"Khóa học {n}",
        **fields,
    )
    course = _added(index or course_index(published=published), course, published=published)
    tree = CourseTree(course=course, quiz=quiz or None)
    for m in range(modules):
        module = make_module(course=course, title=f"Học phần {m + 1}", slug=f"hoc-phan-{m + 1}",
                             published=published)  # fmt: skip
        tree.modules.append(module)
        for x in range(lessons_per_module):
            lesson = make_lesson(module=module, title=f"Bài {m + 1}.{x + 1}",
                                 slug=f"bai-{m + 1}-{x + 1}", published=published)  # fmt: skip
            tree.lessons.append(lesson)
    return tree


def make_module(
    *, course, title: str = "Học phần 1", slug: str | None = None, published: bool = False
) -> ModulePage:
    return _added(course, ModulePage(title=title, slug=slug or slugify(title)),
                  published=published)  # fmt: skip


def make_lesson(
    *, module, title: str = "Bài học", slug: str | None = None, body=None, summary: str = "",
    published: bool = False,
) -> LessonPage:  # fmt: skip
    lesson = LessonPage(title=title, slug=slug or slugify(title), summary=summary, body=body or [])
    return _added(module, lesson, published=published)


def make_story_tree(*, home=None, volumes: int = 4, stories_per_volume: int = 1):
    """The story series with `volumes` volumes (created in reverse order) and their stories,
    all published."""
    series = _added(home or home_page(), StorySeriesPage(title="Các câu chuyện", slug="cau-chuyen"),
                    published=True)  # fmt: skip
    for number in range(volumes, 0, -1):
        volume = _added(
            series,
            StoryVolumePage(title=f"Tập {number}", slug=f"tap-{number}", volume_number=number,
                            print_run=10400, year=2023),
            published=True,
        )  # fmt: skip
        for n in range(stories_per_volume):
            _added(
                volume,
                StoryPage(title=f"Câu chuyện {number}.{n + 1}", slug=f"cau-chuyen-{number}-{n + 1}",
                          community="Bản Mường, Sơn La"),
                published=True,
            )  # fmt: skip
    return series


# --- The registry: administrative units, users, cadres --------------------------------------


@dataclass
class Units:
    province: AdminUnit
    district: AdminUnit
    commune: AdminUnit
    # The 2025 units they went into (see make_units), and the 2025 province's code: the scope
    # of that province's admins.
    province_2025: AdminUnit | None = None
    commune_2025: AdminUnit | None = None

    @property
    def scope(self) -> str:
        return self.province_2025.code


# The real 2023 -> 2025 province lineage of the codes the tests use (Lào Cai 10 and Yên Bái 15
# became Lào Cai 15, Hà Giang 02 went into Tuyên Quang 08); other test codes keep their code.
PROVINCE_2025 = {"01": "01", "02": "08", "08": "08", "10": "15", "15": "15", "11": "11"}
PROVINCE_2025_NAMES = {"01": "Thành phố Hà Nội", "08": "Tỉnh Tuyên Quang", "15": "Tỉnh Lào Cai"}


def make_unit(structure, level, code, name, parent=None, **fields) -> AdminUnit:
    """One administrative unit (get or create by structure and code)."""
    unit, _ = AdminUnit.objects.get_or_create(
        structure=structure,
        code=code,
        defaults={"level": level, "name": name, "parent": parent, **fields},
    )
    return unit


def make_units(
    *, province_code: str = "10", province_name: str | None = None, district_code=None,
    commune_code=None,
) -> Units:  # fmt: skip
    """A 2023-structure province with one district and one commune (get or create), and the
    2025 province and commune they went into, with the lineage.

    Default codes: province 10 (Tỉnh Lào Cai) > district 100 > commune 10000; another
    province P is named "Tỉnh P", its district P0 (3 digits), its commune P000. In 2025: the
    province of PROVINCE_2025 (Lào Cai 15 for 10) and a commune of the same code as the 2023
    one, which went wholly into it.
    """
    if province_name is None:
        province_name = "Tỉnh Lào Cai" if province_code == "10" else f"Tỉnh {province_code}"
    district_code = district_code or f"{int(province_code) * 10 % 1000:03d}"
    commune_code = commune_code or f"{int(district_code) * 100 % 100000:05d}"
    s23 = UnitStructure.S2023
    province = make_unit(s23, UnitLevel.PROVINCE, province_code, province_name,
                         province_code=province_code)  # fmt: skip
    district = make_unit(s23, UnitLevel.DISTRICT, district_code, f"Huyện {district_code}",
                         province, province_code=province_code,
                         district_code=district_code)  # fmt: skip
    commune = make_unit(s23, UnitLevel.COMMUNE, commune_code, f"Xã {commune_code}", district,
                        province_code=province_code, district_code=district_code,
                        commune_code=commune_code)  # fmt: skip
    s25 = UnitStructure.S2025
    code_2025 = PROVINCE_2025.get(province_code, province_code)
    name_2025 = PROVINCE_2025_NAMES.get(code_2025, f"Tỉnh {code_2025} (2025)")
    province_2025 = make_unit(s25, UnitLevel.PROVINCE, code_2025, name_2025,
                              province_code=code_2025)  # fmt: skip
    commune_2025 = make_unit(s25, UnitLevel.COMMUNE, commune_code, f"Xã {commune_code} (2025)",
                             province_2025, province_code=code_2025,
                             commune_code=commune_code)  # fmt: skip
    AdminUnitLineage.objects.get_or_create(old=province, new=province_2025)
    AdminUnitLineage.objects.get_or_create(old=commune, new=commune_2025)
    return Units(province=province, district=district, commune=commune,
                 province_2025=province_2025, commune_2025=commune_2025)  # fmt: skip


def make_split_commune(
    units: Units, *, code: str, name: str, successors: tuple[tuple[str, str], ...]
) -> tuple[AdminUnit, list[AdminUnit]]:
    """A 2023 commune in the district of `units` that was split between several 2025 communes
    (code, name) of its 2025 province, a lineage "partly" to each (get or create): a record
    there has no 2025 commune until an admin picks one. Returns the 2023 commune and the 2025
    ones, in the order given."""
    s23, s25 = UnitStructure.S2023, UnitStructure.S2025
    old = make_unit(s23, UnitLevel.COMMUNE, code, name, units.district,
                    province_code=units.province.code, district_code=units.district.code,
                    commune_code=code)  # fmt: skip
    new = []
    for new_code, new_name in successors:
        unit = make_unit(s25, UnitLevel.COMMUNE, new_code, new_name, units.province_2025,
                         province_code=units.province_2025.code,
                         commune_code=new_code)  # fmt: skip
        AdminUnitLineage.objects.get_or_create(old=old, new=unit, defaults={"partial": True})
        new.append(unit)
    return old, new


def make_unit_tree() -> dict[str, AdminUnit]:
    """A small unit tree in both structures, enough for the registry tests:

    2023: province 01 (Hà Nội) > district 001 (Ba Đình) > communes 00001, 00004;
          province 02 (Hà Giang) > district 024 > commune 00688.
    2025: province 01 > commune 00004, with lineage 00001 -> 00004 (partly) and 00004 -> 00004.
    Returns a dict code -> unit (2023) plus "2025:<code>" keys.
    """
    s23, s25 = UnitStructure.S2023, UnitStructure.S2025
    end, start = dt.date(2025, 6, 30), dt.date(2025, 7, 1)
    units = {}

    def unit(structure, level, code, name, parent=None):
        obj = make_unit(
            structure, level, code, name, parent,
            province_code=parent.province_code if parent else code,
            district_code=code if level == UnitLevel.DISTRICT
            else (parent.district_code if parent else ""),
            commune_code=code if level == UnitLevel.COMMUNE else "",
            valid_to=end if structure == s23 else None,
            valid_from=start if structure == s25 else None,
        )  # fmt: skip
        units[code if structure == s23 else f"2025:{code}"] = obj
        return obj

    hn = unit(s23, UnitLevel.PROVINCE, "01", "Thành phố Hà Nội")
    bd = unit(s23, UnitLevel.DISTRICT, "001", "Quận Ba Đình", hn)
    unit(s23, UnitLevel.COMMUNE, "00001", "Phường Phúc Xá", bd)
    unit(s23, UnitLevel.COMMUNE, "00004", "Phường Trúc Bạch", bd)
    hg = unit(s23, UnitLevel.PROVINCE, "02", "Tỉnh Hà Giang")
    dv = unit(s23, UnitLevel.DISTRICT, "024", "Thành phố Hà Giang", hg)
    unit(s23, UnitLevel.COMMUNE, "00688", "Phường Quang Trung", dv)
    hn25 = unit(s25, UnitLevel.PROVINCE, "01", "Thành phố Hà Nội")
    ba_dinh = unit(s25, UnitLevel.COMMUNE, "00004", "Phường Ba Đình", hn25)
    tq25 = unit(s25, UnitLevel.PROVINCE, "08", "Tỉnh Tuyên Quang")
    AdminUnitLineage.objects.get_or_create(old=hn, new=hn25)
    AdminUnitLineage.objects.get_or_create(old=hg, new=tq25)
    AdminUnitLineage.objects.get_or_create(
        old=units["00001"], new=ba_dinh, defaults={"partial": True}
    )
    AdminUnitLineage.objects.get_or_create(old=units["00004"], new=ba_dinh)
    return units


def make_reform_units() -> dict[str, AdminUnit]:
    """Real units on both sides of the 2025 reform, keyed "<structure>:<code>":

    2023: 10 Tỉnh Lào Cai > 087 Huyện Bảo Yên > 02953 Xã Nghĩa Đô;
          15 Tỉnh Yên Bái > 136 Huyện Văn Yên > 04378 Xã Lang Thíp;
          01 Thành phố Hà Nội > 001 Quận Ba Đình > 00001 Phường Phúc Xá.
    2025: 15 Tỉnh Lào Cai > 02953 Xã Nghĩa Đô, 04375 Xã Mậu A;
          01 Thành phố Hà Nội > 00004 Phường Ba Đình.
    Lineage: 10 -> 15 and 15 -> 15 (Lào Cai and Yên Bái became Lào Cai), 01 -> 01,
    02953 -> 02953, 04378 -> 04375, 00001 -> 00004. Code 15 is Yên Bái in 2023 and Lào Cai
    in 2025; code 02953 is Nghĩa Đô in both.
    """
    s23, s25 = UnitStructure.S2023, UnitStructure.S2025
    units: dict[str, AdminUnit] = {}

    def unit(structure, level, code, name, parent=None):
        units[f"{structure}:{code}"] = make_unit(
            structure, level, code, name, parent,
            province_code=parent.province_code if parent else code,
            district_code=code if level == UnitLevel.DISTRICT
            else (parent.district_code if parent else ""),
            commune_code=code if level == UnitLevel.COMMUNE else "",
        )  # fmt: skip
        return units[f"{structure}:{code}"]

    lao_cai = unit(s23, UnitLevel.PROVINCE, "10", "Tỉnh Lào Cai")
    bao_yen = unit(s23, UnitLevel.DISTRICT, "087", "Huyện Bảo Yên", lao_cai)
    unit(s23, UnitLevel.COMMUNE, "02953", "Xã Nghĩa Đô", bao_yen)
    yen_bai = unit(s23, UnitLevel.PROVINCE, "15", "Tỉnh Yên Bái")
    van_yen = unit(s23, UnitLevel.DISTRICT, "136", "Huyện Văn Yên", yen_bai)
    unit(s23, UnitLevel.COMMUNE, "04378", "Xã Lang Thíp", van_yen)
    ha_noi = unit(s23, UnitLevel.PROVINCE, "01", "Thành phố Hà Nội")
    ba_dinh = unit(s23, UnitLevel.DISTRICT, "001", "Quận Ba Đình", ha_noi)
    unit(s23, UnitLevel.COMMUNE, "00001", "Phường Phúc Xá", ba_dinh)
    lao_cai_25 = unit(s25, UnitLevel.PROVINCE, "15", "Tỉnh Lào Cai")
    unit(s25, UnitLevel.COMMUNE, "02953", "Xã Nghĩa Đô", lao_cai_25)
    unit(s25, UnitLevel.COMMUNE, "04375", "Xã Mậu A", lao_cai_25)
    ha_noi_25 = unit(s25, UnitLevel.PROVINCE, "01", "Thành phố Hà Nội")
    unit(s25, UnitLevel.COMMUNE, "00004", "Phường Ba Đình", ha_noi_25)
    for old, new in (("10", "15"), ("15", "15"), ("01", "01"), ("02953", "02953"),
                     ("04378", "04375"), ("00001", "00004")):  # fmt: skip
        AdminUnitLineage.objects.get_or_create(old=units[f"2023:{old}"], new=units[f"2025:{new}"])
    return units


def make_user(
    username: str | None = None, *, role: str | None = None, province_code: str = "",
    superuser: bool = False, notice_accepted: bool = True, **fields,
):  # fmt: skip
    """A user with the password PASSWORD, in the role's group ("Cadre", "Trainer", "Admin")
    if given, with an optional province; `superuser`: a Django superuser. The user has
    accepted the current privacy notice unless `notice_accepted` is False (a learner who
    has not is sent to the notice before any page)."""
    User = get_user_model()
    create = User.objects.create_superuser if superuser else User.objects.create_user
    user = create(username or f"user{next(_seq)}", password=PASSWORD,
                  province_code=province_code, **fields)  # fmt: skip
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if notice_accepted:
        notice_accept(user=user)
    return user


def make_cadre(
    *,
    user=None,
    unit: AdminUnit | None = ...,  # ... (the default): a commune of make_units()
    full_name: str | None = None,
    sex: str = "female",
    level: str = "commune",
    target_group: str = "key_cadre",
    ethnicity: str = "",
    **extra,
) -> Cadre:
    """A registry record, in a commune of make_units() unless `unit` is given (None: no unit);
    other Cadre fields (birth_year, phone, email, ma_can_bo, agency...) as keywords."""
    if unit is ...:
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


# --- Learning and sessions: indicators, completions, sessions, attendance -------------------

SESSION_DAY = dt.date(2026, 3, 10)


def seed_indicators() -> None:
    """The indicators completions and certificates count for, if a flush removed the ones the
    migrations seeded."""
    for code, name in (
        ("CADRES_TRAINED", "Cán bộ được tập huấn"),
        ("CERTIFIED_LEARNERS", "Học viên có chứng nhận"),
    ):
        Indicator.objects.get_or_create(code=code, defaults={"name": name, "unit": "people"})
    indicator_cache_clear()


def complete(cadre: Cadre, course, at: dt.datetime | None = None) -> Enrolment:
    """The cadre's enrolment on the course (created if missing), completed online."""
    enrolment, _ = Enrolment.objects.get_or_create(cadre=cadre, course=course)
    enrolment_complete(enrolment=enrolment, via="online", at=at)
    return enrolment


def study(enrolment: Enrolment, at: dt.datetime | None = None) -> Enrolment:
    """Every live lesson of the enrolment's course marked done, in order, as the learner does
    before the final quiz opens."""
    from courses.learning.services import lesson_complete

    for lesson_id in enrolment.course.lesson_pages().values_list("pk", flat=True):
        lesson_complete(enrolment=enrolment, lesson_id=lesson_id, at=at)
    return enrolment


def make_certificate(*, enrolment, issue: bool = False):
    """The certificate of a completed enrolment; rendered and issued inline if `issue`."""
    from certificates.services import certificate_create_pending, certificate_issue

    certificate = certificate_create_pending(enrolment=enrolment)
    if issue:
        certificate_issue(certificate_id=certificate.pk)
        certificate.refresh_from_db()
    return certificate


def make_session(
    *, course, unit, kind=SessionKind.DISTRICT_COMMUNE, trainers=(), **fields
) -> TrainingSession:
    """A session through the session service (so a session created as held is counted);
    title, start_date (SESSION_DAY), end_date (the start date), status, code and venue as
    keywords."""
    return session_create(
        kind=kind,
        course=course,
        title=fields.pop("title", f"Tập huấn {course.title}"),
        start_date=fields.pop("start_date", SESSION_DAY),
        end_date=fields.pop("end_date", None),
        unit=unit,
        trainers=trainers,
        **fields,
    )


def session_status(session: TrainingSession, status: str) -> None:
    """Save the session with this status and count it, as the session services do, without
    asking the completion engine about its participants."""
    with transaction.atomic():
        session.status = status
        session.save()
        session_counting.achievements_for_session(session=session)


def attend(session: TrainingSession, cadre: Cadre, present: bool = True) -> None:
    """Record the cadre's attendance and count it, without the completion engine."""
    with transaction.atomic():
        Attendance.objects.update_or_create(
            session=session, cadre=cadre, defaults={"present": present}
        )
        session_counting.achievements_for_attendance(session=session, cadre=cadre, present=present)


# --- Worlds shared by several test folders --------------------------------------------------


def make_registry_world():
    """Units (make_unit_tree), users of every role and three cadres: Hoa and Lan in Hà Nội
    (01), Mai in Hà Giang (02), who attends a session of `trainer`."""
    units = make_unit_tree()
    w = type("World", (), {})()
    w.units = units
    w.central = make_user("central", role=ADMIN)
    w.hn_admin = make_user("hn_admin", role=ADMIN, province_code="01")
    w.hg_admin = make_user("hg_admin", role=ADMIN, province_code="08")
    w.trainer = make_user("trainer", role=TRAINER)
    w.other_trainer = make_user("trainer2", role=TRAINER)
    w.hoa_user = make_user("hoa", role=CADRE)
    w.mai_user = make_user("mai", role=CADRE)
    w.hoa = make_cadre(unit=units["00001"], full_name="Nguyễn Thị Hoa", birth_year=1980,
                       user=w.hoa_user, ethnicity="02")  # fmt: skip
    w.mai = make_cadre(unit=units["00688"], full_name="Lò Thị Mai", birth_year=1980,
                       user=w.mai_user, ethnicity="08")  # fmt: skip
    w.lan = make_cadre(unit=units["00004"], full_name="Trần Thị Lan", birth_year=1980)
    course = make_course(
        index=course_index(published=True), title="Bình đẳng giới", slug="binh-ang-gioi",
        modules=0, quiz=False, published=True,
    ).course  # fmt: skip
    session = TrainingSession.objects.create(
        kind="can_bo_huyen_xa", course=course, title="Lớp 1", unit=units["00688"],
        start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 3, 2),
    )  # fmt: skip
    session.trainers.add(w.trainer)
    Attendance.objects.create(session=session, cadre=w.mai)
    return w


@dataclass
class CountersWorld:
    """Two provinces (Lào Cai 10 > 080 > 02647, Hà Giang 02 > 024 > 00688) and two courses:
    a blended one and an in-person M&E one."""

    lao_cai: Units
    ha_giang: Units
    course: CoursePage
    me_course: CoursePage


def make_counters_world() -> CountersWorld:
    indicator_cache_clear()
    index = course_index(home=home_page(), published=True)
    return CountersWorld(
        lao_cai=make_units(province_code="10", province_name="Tỉnh Lào Cai",
                           district_code="080", commune_code="02647"),
        ha_giang=make_units(province_code="02", province_name="Tỉnh Hà Giang",
                            district_code="024", commune_code="00688"),
        course=make_course(index=index, title="Lồng ghép giới", slug="long-ghep-gioi",
                           delivery="blended", modules=0, quiz=False, published=True).course,
        me_course=make_course(index=index, title="Giám sát đánh giá", slug="giam-sat-anh-gia",
                              delivery="in_person", modules=0, quiz=False,
                              published=True).course,
    )  # fmt: skip


@dataclass
class SessionsWorld:
    """Two provinces (make_units: Lào Cai 10 > 100 > 10000, Hà Giang 02 > 020 > 02000) and a
    course of each delivery: in person, blended, online, and in person with a post-test."""

    lao_cai: Units
    ha_giang: Units
    in_person: CoursePage
    blended: CoursePage
    online: CoursePage
    post_test: CoursePage


def make_sessions_world() -> SessionsWorld:
    indicator_cache_clear()
    return SessionsWorld(
        lao_cai=make_units(province_code="10", province_name="Tỉnh Lào Cai"),
        ha_giang=make_units(province_code="02", province_name="Tỉnh Hà Giang"),
        in_person=make_course(
            title="Lồng ghép giới", slug="long-ghep-gioi", delivery="in_person",
            modules=0, quiz=False,
        ).course,
        blended=make_course(
            title="Bình đẳng giới cơ bản", slug="binh-dang-gioi", delivery="blended",
            modules=1, lessons_per_module=1,
        ).course,
        online=make_course(
            title="Học trực tuyến", slug="hoc-truc-tuyen", delivery="online",
            modules=1, lessons_per_module=1,
        ).course,
        post_test=make_course(
            title="Giám sát đánh giá", slug="giam-sat", delivery="in_person",
            modules=0, quiz=False, requires_post_test=True,
        ).course,
    )  # fmt: skip


# --- Spreadsheet files, hostile ones included ---------------------------------------------

_XLSX_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_XLSX_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_XLSX_PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def xlsx_text_row(cells, row: int | None = None) -> bytes:
    """One <row> of inline-string cells for write_xlsx_stream. Without `row` the cells carry
    no reference (each the next column; None an empty cell); with it, each is placed by its
    reference and None is left out."""
    from xml.sax.saxutils import escape

    parts = []
    for index, value in enumerate(cells, start=1):
        where = f' r="{_column_letters(index)}{row}"' if row else ""
        if value is None:
            parts.append("" if row else "<c/>")
        else:
            parts.append(f'<c{where} t="inlineStr"><is><t>{escape(str(value))}</t></is></c>')
    return ("<row>" + "".join(parts) + "</row>").encode("utf-8")


def _column_letters(index: int) -> str:
    name = ""
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def write_xlsx_stream(path, rows, *, shared_strings=None):
    """A minimal XLSX workbook written part by part: `rows` (an iterable of bytes, the XML
    inside <sheetData>) and `shared_strings` (bytes inside <sst>) are streamed into the zip,
    so that a test builds a sheet of millions of rows, or a string of hundreds of megabytes,
    in a few hundred kilobytes and without holding it. Returns the path."""
    import zipfile

    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats'
            '.org/package/2006/content-types"><Default Extension="rels" ContentType="applicat'
            'ion/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" Conte'
            'ntType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="app'
            'lication/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_XLSX_PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{_XLSX_RELS}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_XLSX_MAIN}" '
            f'xmlns:r="{_XLSX_RELS}"><sheets><sheet name="import" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_XLSX_PACKAGE_RELS}">'
            f'<Relationship Id="rId1" Type="{_XLSX_RELS}/worksheet" '
            'Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_XLSX_RELS}/sharedStrings" '
            'Target="sharedStrings.xml"/></Relationships>'
        ),
    }
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_XLSX_MAIN}">'
                        "<sheetData>".encode())  # fmt: skip
            for chunk in rows:
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w") as table:
            table.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_XLSX_MAIN}">'
                        .encode())  # fmt: skip
            for chunk in shared_strings or ():
                table.write(chunk)
            table.write(b"</sst>")
    return path


def xlsx_many_rows(path, count: int, header):
    """The header, then `count` rows of one short cell: 600,000 of them zip to under 100 KB,
    3,000,000 to under 500 KB."""

    def rows():
        yield xlsx_text_row(header)
        one = xlsx_text_row(["x"])
        for start in range(0, count, 10_000):
            yield one * min(10_000, count - start)

    return write_xlsx_stream(path, rows())


def xlsx_long_shared_string(path, chars: int, header):
    """One shared string of `chars` letters, used by the cell below the header (a million
    letters zip to about a kilobyte)."""

    def table():
        yield b"<si><t>"
        for start in range(0, chars, 1_000_000):
            yield b"A" * min(1_000_000, chars - start)
        yield b"</t></si>"

    return write_xlsx_stream(path, [xlsx_text_row(header), b'<row><c t="s"><v>0</v></c></row>'],
                             shared_strings=table())  # fmt: skip


def xlsx_zip_bomb(path, unpacked: int, header, *, declared: int | None = None):
    """A sheet part that unpacks to about `unpacked` bytes (blank space between the header and
    one row) in about a thousandth of that; with `declared`, the zip's headers claim that
    size for the part instead."""

    def rows():
        yield xlsx_text_row(header)
        for start in range(0, unpacked, 1_000_000):
            yield b" " * min(1_000_000, unpacked - start)
        yield xlsx_text_row(["x"])

    write_xlsx_stream(path, rows())
    if declared is not None:
        zip_declare_size(path, "xl/worksheets/sheet1.xml", declared)
    return path


def zip_declare_size(path, member: str, size: int) -> None:
    """Rewrite the unpacked size that the zip's local and central headers give for `member`
    (its data and its CRC stay as they are)."""
    import struct
    import zipfile
    from pathlib import Path

    path = Path(path)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        offset = archive.getinfo(member).header_offset
    struct.pack_into("<I", data, offset + 22, size)  # local file header
    name = member.encode()
    at = data.find(b"PK\x01\x02")
    while at != -1:
        length = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46 : at + 46 + length] == name:
            struct.pack_into("<I", data, at + 24, size)  # central directory entry
            break
        at = data.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(data))


# --- Reading back, and a logged-in client ---------------------------------------------------


def counter_value(code: str, **kwargs) -> int:
    """The national figure of one indicator (counter_figures' keywords: filters...)."""
    figures = counter_figures(scope_province=None, **kwargs)
    return next(f.value for f in figures if f.code == code)


def cell_total(code: str) -> int:
    """The sum of an indicator's counter cells."""
    return sum(CounterCell.objects.filter(indicator__code=code).values_list("value", flat=True))


def session_achievements(session: TrainingSession) -> int:
    return Achievement.objects.filter(session=session).count()


def enrolment_of(cadre, course) -> Enrolment | None:
    return Enrolment.objects.filter(cadre=cadre, course=course).first()


def logged_in(user) -> Client:
    """A test client logged in as the user."""
    client = Client()
    client.force_login(user)
    return client


@contextlib.contextmanager
def held_in_another_transaction(work):
    """Run `work()` in a transaction on another thread's connection, and keep that
    transaction open (its row locks held) until the block ends; then it commits. Inside the
    block, this thread's statements meet the other's locks as a second request would. Each
    statement of the block runs under a 2 s lock timeout, so waiting for the other fails
    instead of hanging."""
    import threading

    from django.db import connection

    holding, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def hold():
        try:
            with transaction.atomic():
                work()
                holding.set()
                release.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 (raised below, in the test's thread)
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(timeout=30), errors
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '2s'")
            yield
    finally:
        release.set()
        thread.join(timeout=60)
    assert not errors, errors
