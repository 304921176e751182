"""A completion is dated by the event it records: in person, the end of the session (history
entered years later stays history); online, the moment the last requirement was met. The
certificate prints that completion date beside its own issue date, and the counters put the
person in the completion's month, in agreement with a recount."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from certificates.models import Certificate
from certificates.services import certificate_issue
from courses.counters.models import Achievement, CounterCell
from courses.counters.recount import counters_drift
from courses.counters.services import CADRES_TRAINED, CERTIFIED_LEARNERS, ME_PARTICIPANTS
from courses.learning.completion import enrolment_evaluate
from courses.learning.models import CompletionPath, Enrolment, LessonProgress, QuizAttempt
from courses.sessions.models import SessionKind, SessionStatus
from courses.sessions.services import attendance_mark
from tests.builders import cell_total, complete, enrolment_of, make_cadre, make_session
from tests.certificates.conftest import pdf_text

pytestmark = pytest.mark.django_db

MARCH_2023 = dt.date(2023, 3, 14)


def months(code: str) -> dict[dt.date, int]:
    """An indicator's fine cells summed by month."""
    totals: dict[dt.date, int] = {}
    for month, value in CounterCell.objects.filter(indicator__code=code).values_list(
        "month", "value"
    ):
        totals[month] = totals.get(month, 0) + value
    return {month: value for month, value in totals.items() if value}


def assert_no_drift():
    assert counters_drift() == []
    call_command("recount_counters", "--check")


def held_2023(world, **fields):
    return make_session(
        course=world.in_person, unit=world.lao_cai.commune, status=SessionStatus.HELD,
        start_date=dt.date(2023, 3, 13), end_date=MARCH_2023, **fields,
    )  # fmt: skip


def test_attendance_of_2023_entered_today_completes_in_2023_and_the_certificate_says_so(world):
    session = held_2023(world)
    cadre = make_cadre(
        unit=world.lao_cai.commune, full_name="Hoàng Thị Dung", level="commune",
        target_group="key_cadre",
    )  # fmt: skip
    attendance_mark(session=session, cadre=cadre, present=True)  # entered in December 2026

    enrolment = enrolment_of(cadre, world.in_person)
    assert enrolment.completed_via == CompletionPath.IN_PERSON
    assert timezone.localdate(enrolment.completed_at) == MARCH_2023
    assert months(CADRES_TRAINED) == {dt.date(2023, 3, 1): 1}

    certificate = Certificate.objects.get(enrolment=enrolment)
    certificate_issue(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert certificate.completed_on == MARCH_2023
    assert certificate.issued_on == timezone.localdate()
    text = " ".join(pdf_text(certificate).split())
    assert "Hoàn thành ngày 14 tháng 3 năm 2023 (14/03/2023)" in text
    issued = timezone.localdate()
    assert f"năm {issued.year}" in text.split("Hoàn thành")[-1]  # the issue date, apart
    # Certified in the month of the completion it certifies, like the trained count.
    assert months(CERTIFIED_LEARNERS) == {dt.date(2023, 3, 1): 1}
    assert_no_drift()


def test_an_m_and_e_participant_of_2023_counts_in_2023(world):
    session = make_session(
        course=world.post_test, unit=world.lao_cai.commune, kind=SessionKind.MONITORING,
        status=SessionStatus.HELD, start_date=MARCH_2023, end_date=MARCH_2023,
    )  # fmt: skip
    attendance_mark(session=session, cadre=make_cadre(unit=world.lao_cai.commune), present=True)
    assert months(ME_PARTICIPANTS) == {dt.date(2023, 3, 1): 1}
    achievement = Achievement.objects.get(indicator__code=ME_PARTICIPANTS)
    assert timezone.localdate(achievement.achieved_at) == MARCH_2023


def test_online_completion_is_dated_by_the_last_requirement_met(world):
    """The online course of the world has one lesson and a final quiz: done in May, passed in
    June (say, answered offline and sent later), it completes at the pass."""
    course = world.online
    assert course.final_quiz_id
    cadre = make_cadre(unit=world.lao_cai.commune, level="commune", target_group="key_cadre")
    enrolment = Enrolment.objects.create(cadre=cadre, course=course)
    progress = LessonProgress.objects.create(enrolment=enrolment, lesson=course.lesson_pages()[0])
    may = timezone.make_aware(dt.datetime(2026, 5, 20, 9, 30))
    LessonProgress.objects.filter(pk=progress.pk).update(completed_at=may)
    assert not enrolment_evaluate(enrolment=enrolment)  # the quiz is not passed yet

    june = timezone.make_aware(dt.datetime(2026, 6, 2, 8, 0))
    QuizAttempt.objects.create(
        enrolment=enrolment, quiz_id=course.final_quiz_id, number=1, submitted_at=june,
        score=100, passed=True,
    )  # fmt: skip
    assert enrolment_evaluate(enrolment=enrolment)
    enrolment.refresh_from_db()
    assert enrolment.completed_at == june
    assert months(CADRES_TRAINED) == {dt.date(2026, 6, 1): 1}


def test_history_entered_late_moves_a_person_to_the_month_they_were_first_trained(world):
    cadre = make_cadre(unit=world.lao_cai.commune, level="commune", target_group="key_cadre")
    complete(cadre, world.online)  # online, now
    now_month = timezone.localdate().replace(day=1)
    assert months(CADRES_TRAINED) == {now_month: 1}

    attendance_mark(session=held_2023(world), cadre=cadre, present=True)
    assert months(CADRES_TRAINED) == {dt.date(2023, 3, 1): 1}  # moved, not counted twice
    assert cell_total(CADRES_TRAINED) == 1
    assert_no_drift()


def test_the_migration_redates_completions_entered_before_and_the_recount_agrees(world):
    session = held_2023(world)
    cadre = make_cadre(unit=world.lao_cai.commune, level="commune", target_group="key_cadre")
    attendance_mark(session=session, cadre=cadre, present=True)
    enrolment = enrolment_of(cadre, world.in_person)
    certificate = Certificate.objects.get(enrolment=enrolment)
    certificate_issue(certificate_id=certificate.pk)
    # As the system dated it before: the day the attendance was entered.
    entered = timezone.make_aware(dt.datetime(2026, 12, 1, 15, 0))
    Enrolment.objects.filter(pk=enrolment.pk).update(completed_at=entered)
    Certificate.objects.filter(pk=certificate.pk).update(completed_on=entered.date())
    Achievement.objects.filter(cadre=cadre).update(month=dt.date(2026, 12, 1), achieved_at=entered)
    call_command("recount_counters")
    assert months(CADRES_TRAINED) == {dt.date(2026, 12, 1): 1}

    migration = importlib.import_module("courses.migrations.0014_completions_dated_by_the_event")
    migration.redate(apps, type("Editor", (), {"connection": connection})())
    # As the migrations run in order: the national month rollup gets its provinces later.
    later = importlib.import_module("courses.migrations.0026_counter_national_month_by_province")
    later.national_month_rebuild(apps, None)

    enrolment.refresh_from_db()
    certificate.refresh_from_db()
    assert timezone.localdate(enrolment.completed_at) == MARCH_2023
    assert certificate.completed_on == MARCH_2023
    assert months(CADRES_TRAINED) == {dt.date(2023, 3, 1): 1}
    assert months(CERTIFIED_LEARNERS) == {dt.date(2023, 3, 1): 1}
    assert_no_drift()
