"""The plain-statement row writes of lms.rows, on the database the suite runs on."""

import pytest

from certificates.models import Certificate, CertificateStatus
from lms.rows import row_insert_new, row_lock, row_update
from tests.builders import make_course, make_learner

pytestmark = pytest.mark.django_db


def _enrolment():
    from courses.learning.models import Enrolment

    course = make_course(modules=1, lessons_per_module=1).course
    return Enrolment.objects.create(cadre=make_learner("hoc_vien")[1], course=course)


def test_a_new_row_is_inserted_with_its_defaults_and_key():
    enrolment = _enrolment()
    certificate = Certificate(enrolment=enrolment, province_code="10")

    assert row_insert_new(certificate, conflict="enrolment") is True
    stored = Certificate.objects.get(pk=certificate.pk)
    assert stored.enrolment_id == enrolment.pk
    assert stored.status == CertificateStatus.PENDING
    assert stored.code == certificate.code and len(stored.code) >= 20
    assert stored.created_at is not None and stored.updated_at is not None
    assert not certificate._state.adding


def test_a_row_with_the_same_unique_value_is_left_as_it_is():
    enrolment = _enrolment()
    first = Certificate(enrolment=enrolment, province_code="10")
    row_insert_new(first, conflict="enrolment")
    second = Certificate(enrolment=enrolment, province_code="20")

    assert row_insert_new(second, conflict="enrolment") is False
    assert second.pk is None
    assert list(Certificate.objects.values_list("pk", "province_code")) == [(first.pk, "10")]


def test_a_unique_constraint_of_several_fields_is_the_conflict_too():
    from courses.learning.models import LessonProgress

    enrolment = _enrolment()
    lesson = enrolment.course.lesson_pages().first()
    first = LessonProgress(enrolment=enrolment, lesson_id=lesson.pk)

    assert row_insert_new(first, conflict=("enrolment", "lesson")) is True
    assert first.completed_at is not None
    again = LessonProgress(enrolment=enrolment, lesson_id=lesson.pk)
    assert row_insert_new(again, conflict=("enrolment", "lesson")) is False
    assert LessonProgress.objects.filter(enrolment=enrolment).count() == 1


def test_a_row_is_updated_by_its_key_only_while_the_field_named_is_empty():
    import datetime as dt

    from courses.learning.models import Enrolment

    enrolment = _enrolment()
    other = Enrolment.objects.create(cadre=make_learner("hoc_vien_2")[1], course=enrolment.course)
    at = dt.datetime(2023, 5, 4, 3, 2, 1, tzinfo=dt.UTC)
    values = {"completed_at": at, "completed_via": "online", "completed_session_id": None}

    assert row_update(Enrolment, enrolment.pk, values, where_null="completed_at") == 1
    later = {**values, "completed_at": at + dt.timedelta(days=1), "completed_via": "in_person"}
    assert row_update(Enrolment, enrolment.pk, later, where_null="completed_at") == 0
    enrolment.refresh_from_db()
    assert (enrolment.completed_at, enrolment.completed_via) == (at, "online")
    other.refresh_from_db()
    assert other.completed_at is None  # only the row of that key
    assert row_update(Enrolment, enrolment.pk, {"completed_via": "blended"}) == 1
    enrolment.refresh_from_db()
    assert enrolment.completed_via == "blended"


def test_a_row_lock_says_whether_the_row_exists():
    from django.db import transaction

    from courses.registry.models import Cadre

    cadre = make_learner("hoc_vien")[1]
    with transaction.atomic():
        assert row_lock(Cadre, cadre.pk) is True
        assert row_lock(Cadre, cadre.pk + 10_000) is False
