"""Fixtures of the certificate tests: a course (built by tests/builders.py, which also
creates the root page, the locale, the role groups and the indicators a flush may have
removed), issued certificates of HOA, the learner whose private details no public page may
show, and tasks run inline."""

from __future__ import annotations

import unicodedata

import pytest

from courses.registry.models import Cadre
from tests.builders import complete, make_cadre, make_course, make_units, seed_indicators

COURSE_TITLE = "Lồng ghép giới trong xây dựng chính sách"

# The learner of the certificate tests, with the private details no public page may show.
HOA = {"full_name": "Nguyễn Thị Hoà", "email": "hoa@example.org", "phone": "0912345678",
       "ethnicity": "02"}  # fmt: skip


def cadre_create(**fields) -> Cadre:
    """make_cadre with HOA's details unless told otherwise."""
    return make_cadre(**{**HOA, **fields})


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
    seed_indicators()
    return make_course(modules=1, lessons_per_module=1, quiz=False,
                       certificate_title=COURSE_TITLE).course  # fmt: skip


@pytest.fixture
def issued(course, django_capture_on_commit_callbacks, mailoutbox):
    """A completed enrolment whose certificate was issued (tasks inline, callbacks run)."""

    def make(**cadre_fields):
        cadre_fields.setdefault("unit", make_units(commune_code="10001").commune)
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
    from tests.conftest import celery_inline

    with celery_inline():
        yield
