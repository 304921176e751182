"""The learning services: a quiz attempt started twice is the same open attempt."""

import pytest

from courses.learning.services import enrolment_create, quiz_attempt_start
from tests.builders import make_cadre, study

pytestmark = pytest.mark.django_db


def test_concurrent_start_gives_one_open_attempt(tree):
    cadre = make_cadre()
    enrolment, _ = enrolment_create(cadre=cadre, course=tree.course)
    study(enrolment)
    first = quiz_attempt_start(enrolment=enrolment, quiz=tree.quiz)
    again = quiz_attempt_start(enrolment=enrolment, quiz=tree.quiz)
    assert first.pk == again.pk
