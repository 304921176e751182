"""Page tree, registry rows and users for the certificate tests, built here (not demo data).

Works in transactional tests too, where the flush between tests also removes Wagtail's root
page, the default locale, the role groups and the seeded indicators: each is created if
missing.
"""

from __future__ import annotations

import itertools
import unicodedata

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from wagtail.models import Locale, Page, Site

from content.models import CourseIndexPage, CoursePage, HomePage, LessonPage, ModulePage
from courses.counters.models import Indicator
from courses.counters.services import CERTIFIED_LEARNERS, indicator_cache_clear
from courses.learning.completion import enrolment_complete
from courses.learning.models import Enrolment
from courses.registry.models import AdminUnit, Cadre, UnitLevel, UnitStructure

_seq = itertools.count(1)

COURSE_TITLE = "Lồng ghép giới trong xây dựng chính sách"


def course_tree(*, title: str = COURSE_TITLE) -> CoursePage:
    """HomePage -> CourseIndexPage -> CoursePage -> ModulePage -> LessonPage."""
    Locale.objects.get_or_create(language_code="vi")
    root = Page.get_first_root_node() or Page.add_root(title="Root", slug="root")
    home = HomePage.objects.first()
    if home is None:
        home = root.add_child(instance=HomePage(title="Trang chủ", slug="trang-chu"))
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home},
        )
    index = CourseIndexPage.objects.first() or home.add_child(
        instance=CourseIndexPage(title="Khoá học", slug="khoa-hoc")
    )
    n = next(_seq)
    course = index.add_child(
        instance=CoursePage(title=f"Khoá {n}", slug=f"khoa-{n}", certificate_title=title)
    )
    module = course.add_child(instance=ModulePage(title="Học phần 1", slug="hoc-phan-1"))
    module.add_child(instance=LessonPage(title="Bài 1", slug="bai-1"))
    return course


def commune(province_code: str = "10", commune_code: str | None = None) -> AdminUnit:
    commune_code = commune_code or f"{province_code}001"
    district_code = f"{province_code}0"
    province, _ = AdminUnit.objects.get_or_create(
        structure=UnitStructure.S2023, code=province_code,
        defaults={"level": UnitLevel.PROVINCE, "name": f"Tỉnh {province_code}",
                  "province_code": province_code},
    )  # fmt: skip
    district, _ = AdminUnit.objects.get_or_create(
        structure=UnitStructure.S2023, code=district_code,
        defaults={"level": UnitLevel.DISTRICT, "name": f"Huyện {district_code}",
                  "parent": province, "province_code": province_code,
                  "district_code": district_code},
    )  # fmt: skip
    unit, _ = AdminUnit.objects.get_or_create(
        structure=UnitStructure.S2023, code=commune_code,
        defaults={"level": UnitLevel.COMMUNE, "name": f"Xã {commune_code}",
                  "parent": district, "province_code": province_code,
                  "district_code": district_code, "commune_code": commune_code},
    )  # fmt: skip
    return unit


def user_create(*, role: str | None = None, province_code: str = "", **fields):
    user = get_user_model().objects.create_user(
        f"user{next(_seq)}", password="mat-khau-dai-123", province_code=province_code, **fields
    )
    if role:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def cadre_create(*, full_name: str = "Nguyễn Thị Hoà", unit=None, user=None, **fields) -> Cadre:
    defaults = {
        "sex": "female",
        "level": "commune",
        "target_group": "key_cadre",
        "email": "hoa@example.org",
        "phone": "0912345678",
        "ethnicity": "02",
    }
    defaults.update(fields)
    return Cadre.objects.create(full_name=full_name, unit=unit, user=user, **defaults)


def seed_indicator() -> None:
    Indicator.objects.get_or_create(
        code=CERTIFIED_LEARNERS, defaults={"name": "Học viên có chứng nhận", "unit": "people"}
    )
    indicator_cache_clear()


def complete(*, cadre: Cadre, course: CoursePage) -> Enrolment:
    enrolment, _ = Enrolment.objects.get_or_create(cadre=cadre, course=course)
    enrolment_complete(enrolment=enrolment, via="online")
    return enrolment


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def private_media(settings):
    """Where certificate PDFs and exports are stored (never under MEDIA_ROOT)."""
    from pathlib import Path

    return Path(settings.PRIVATE_MEDIA_ROOT)


@pytest.fixture
def course(db, media):
    seed_indicator()
    return course_tree()


@pytest.fixture
def issued(course, django_capture_on_commit_callbacks, mailoutbox):
    """A completed enrolment whose certificate was issued (tasks inline, callbacks run)."""

    def make(**cadre_fields):
        cadre_fields.setdefault("unit", commune())
        cadre = cadre_create(**cadre_fields)
        with django_capture_on_commit_callbacks(execute=True):
            enrolment = complete(cadre=cadre, course=course)
        enrolment.certificate.refresh_from_db()
        return enrolment.certificate

    return make


def pdf_text(certificate) -> str:
    import io

    from pypdf import PdfReader

    with certificate.pdf.storage.open(certificate.pdf.name, "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(autouse=True)
def _tasks_inline(request):
    """Outside the real-worker tests, tasks run inline in the test process, even with
    REDIS_URL set (as in CI), so the test sees their effect without a worker."""
    if request.node.get_closest_marker("worker"):
        yield
        return
    from lms.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved
