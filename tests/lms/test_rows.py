"""The plain-statement row writes of lms.rows, on the database the suite runs on."""

import pytest

from certificates.models import Certificate, CertificateStatus
from lms.rows import row_insert_new
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
