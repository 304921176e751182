"""Corrections of a cadre record that keep the counters exact (courses/registry/corrections.py
and its admin pages): a record with anything recorded for it is not deleted; two records of
one person are merged, enrolments, progress, attempts, attendance, achievements and
certificates moving to the kept one; a person's personal data is erased while what they
counted for stays. After each, the counters agree with a recount."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from wagtail.models import ModelLogEntry

from certificates.models import CertificateStatus
from courses.counters.models import Achievement
from courses.counters.recount import counters_drift
from courses.counters.services import CADRES_TRAINED, CERTIFIED_LEARNERS, ME_PARTICIPANTS
from courses.learning.models import Enrolment, LessonProgress, QuizAttempt
from courses.registry.corrections import (
    ERASE_ACTION,
    ERASED_NAME,
    MERGE_ACTION,
    CadreInUse,
    cadre_delete,
    cadre_erase,
    cadre_merge,
)
from courses.registry.models import Cadre
from courses.sessions.models import Attendance, SessionKind, SessionStatus
from courses.sessions.services import attendance_mark
from lms.roles import ADMIN
from tests.builders import (
    cell_total,
    complete,
    enrolment_of,
    logged_in,
    make_cadre,
    make_certificate,
    make_counters_world,
    make_course,
    make_learner,
    make_session,
    make_user,
    seed_indicators,
)
from tests.conftest import require_postgres

MARCH_2026 = timezone.make_aware(dt.datetime(2026, 3, 5, 9, 0))
MAY_2025 = timezone.make_aware(dt.datetime(2025, 5, 20, 9, 0))


def assert_counters_exact():
    assert counters_drift() == []
    call_command("recount_counters", "--check")


@pytest.fixture
def world(db):
    seed_indicators()
    w = make_counters_world()
    w.central = make_user("central", role=ADMIN)
    w.lc_admin = make_user("lc_admin", role=ADMIN, province_code="15")  # Lào Cai (2025)
    w.hg_admin = make_user("hg_admin", role=ADMIN, province_code="08")  # Tuyên Quang (2025)
    return w


def namesakes(world):
    """Two records of one woman in a Lào Cai commune: the kept one has her phone, the
    duplicate her e-mail and cadre id."""
    kept = make_cadre(unit=world.lao_cai.commune, full_name="Lò Thị Mai", birth_year=1985,
                      phone="0912000111")  # fmt: skip
    duplicate = make_cadre(unit=world.lao_cai.commune, full_name="Lo Thi Mai", birth_year=1985,
                           email="mai@example.org", ma_can_bo="LC-0042")  # fmt: skip
    return kept, duplicate


# --- Merging ---------------------------------------------------------------------------------


def overlapping_records(world):
    """Both records completed the blended course and hold an issued certificate for it (the
    duplicate earlier, in May 2025); the duplicate also attended a held M&E session, and
    studied an online course the kept record is enrolled in too."""
    kept, duplicate = namesakes(world)
    online = make_course(title="Học trực tuyến", slug="hoc-truc-tuyen-gop", modules=1,
                         lessons_per_module=2, quiz=True).course  # fmt: skip
    lessons = list(online.lesson_pages())
    first = complete(duplicate, world.course, at=MAY_2025)
    certificate_first = make_certificate(enrolment=first, issue=True)
    second = complete(kept, world.course, at=MARCH_2026)
    certificate_second = make_certificate(enrolment=second, issue=True)
    session = make_session(course=world.me_course, unit=world.lao_cai.commune,
                           kind=SessionKind.MONITORING, status=SessionStatus.HELD,
                           start_date=dt.date(2025, 9, 10))  # fmt: skip
    attendance_mark(session=session, cadre=duplicate, present=True)
    mine = Enrolment.objects.create(cadre=kept, course=online)
    theirs = Enrolment.objects.create(cadre=duplicate, course=online)
    LessonProgress.objects.create(enrolment=mine, lesson=lessons[0])
    LessonProgress.objects.create(enrolment=theirs, lesson=lessons[0])
    LessonProgress.objects.create(enrolment=theirs, lesson=lessons[1])
    quiz = online.final_quiz
    for enrolment, at, score in ((mine, MARCH_2026, 40), (theirs, MAY_2025, 30)):
        attempt = QuizAttempt.objects.create(
            enrolment=enrolment, quiz=quiz, number=1, submitted_at=at, score=score, passed=False
        )
        QuizAttempt.objects.filter(pk=attempt.pk).update(started_at=at)
    return kept, duplicate, online, session, certificate_first, certificate_second


def check_merged(world, kept, duplicate, online, session, certificate_first, certificate_second):
    assert not Cadre.objects.filter(pk=duplicate.pk).exists()
    kept.refresh_from_db()
    # Details the kept record lacked come from the duplicate; its own stay.
    assert (kept.phone, kept.email, kept.ma_can_bo) == ("0912000111", "mai@example.org", "LC-0042")
    assert kept.full_name == "Lò Thị Mai"
    # One enrolment per course: the earlier completion stays, with its certificate.
    blended = enrolment_of(kept, world.course)
    assert blended.pk == certificate_first.enrolment_id
    assert blended.completed_at == MAY_2025
    certificate_first.refresh_from_db()
    certificate_second.refresh_from_db()
    assert certificate_first.status == CertificateStatus.ISSUED
    assert certificate_first.enrolment_id == blended.pk
    # The second certificate keeps its serial and code, revoked as a duplicate, apart.
    assert certificate_second.status == CertificateStatus.REVOKED
    assert certificate_second.enrolment_id is None
    assert certificate_second.serial and certificate_first.serial in (
        certificate_second.status_reason
    )
    # The online course: the lessons and attempts of both records, renumbered in order.
    study = enrolment_of(kept, online)
    assert Enrolment.objects.filter(course=online).count() == 1
    assert LessonProgress.objects.filter(enrolment=study).count() == 2
    attempts = list(QuizAttempt.objects.filter(enrolment=study).order_by("number"))
    assert [(a.number, a.score) for a in attempts] == [(1, 30), (2, 40)]
    # The attendance moved, and the in-person M&E course it completes now belongs to kept.
    assert Attendance.objects.get(session=session).cadre_id == kept.pk
    assert enrolment_of(kept, world.me_course).is_complete
    # Counted once per indicator, in the month first counted, at the kept record's place.
    trained = Achievement.objects.get(cadre=kept, indicator__code=CADRES_TRAINED)
    assert trained.month == dt.date(2025, 5, 1)
    assert cell_total(CADRES_TRAINED) == 1
    assert cell_total(CERTIFIED_LEARNERS) == 1
    assert cell_total(ME_PARTICIPANTS) == 1
    assert not Achievement.objects.filter(cadre_id=duplicate.pk).exists()
    assert_counters_exact()
    # The certificate set aside still has its admin page, and verifies as revoked.
    detail = logged_in(world.central).get(f"/admin/certificate/{certificate_second.pk}/")
    assert detail.status_code == 200 and certificate_first.serial in detail.content.decode()
    assert logged_in(world.central).get(f"/verify/{certificate_second.code}/").status_code == 200
    # History on both records.
    actions = ModelLogEntry.objects.filter(action=MERGE_ACTION).values_list("object_id", flat=True)
    assert sorted(actions) == sorted([str(kept.pk), str(duplicate.pk)])


def test_merge_moves_everything_and_keeps_the_counts_exact(world):
    records = overlapping_records(world)
    kept, duplicate = records[0], records[1]
    before = cell_total(CADRES_TRAINED)
    assert before == 2  # the same person counted twice: what the merge corrects
    cadre_merge(kept=kept, duplicate=duplicate, by=world.lc_admin)
    check_merged(world, *records)


@pytest.mark.postgres
def test_merge_on_postgresql_locks_both_and_keeps_the_counts_exact(world):
    require_postgres("the merge under PostgreSQL's row locks")
    assert connection.vendor == "postgresql"
    records = overlapping_records(world)
    cadre_merge(kept=records[0], duplicate=records[1], by=world.central)
    check_merged(world, *records)


def test_merge_moves_a_certificate_the_kept_record_lacks_with_its_serial_and_code(world):
    kept, duplicate = namesakes(world)
    certificate = make_certificate(enrolment=complete(duplicate, world.course), issue=True)
    serial, code = certificate.serial, certificate.code
    cadre_merge(kept=kept, duplicate=duplicate)
    certificate.refresh_from_db()
    assert certificate.enrolment.cadre_id == kept.pk
    assert (certificate.serial, certificate.code, certificate.status) == (
        serial, code, CertificateStatus.ISSUED,
    )  # fmt: skip
    assert cell_total(CERTIFIED_LEARNERS) == 1
    assert_counters_exact()


def test_a_merge_refused_changes_nothing(world):
    kept, duplicate = namesakes(world)
    complete(duplicate, world.course, at=MAY_2025)
    cadre_erase(cadre=kept)
    with pytest.raises(Exception) as exc:
        cadre_merge(kept=kept, duplicate=duplicate)
    assert "erased" in str(exc.value) or "xóa" in str(exc.value)
    assert Cadre.objects.filter(pk=duplicate.pk).exists()
    assert enrolment_of(duplicate, world.course).is_complete
    assert_counters_exact()


def test_merge_pages_find_namesakes_without_showing_the_phone_and_merge(world):
    kept, duplicate = namesakes(world)
    duplicate.phone = "0987654321"
    duplicate.save()
    complete(duplicate, world.course, at=MAY_2025)
    client = logged_in(world.lc_admin)
    inspect = client.get(f"/admin/registry/cadres/inspect/{kept.pk}/").content.decode()
    assert f"/admin/registry/cadres/merge/{kept.pk}/" in inspect
    assert f"/admin/registry/cadres/erase/{kept.pk}/" in inspect
    search = client.get(f"/admin/registry/cadres/merge/{kept.pk}/")
    assert search.status_code == 200
    page = search.content.decode()
    assert "Lo Thi Mai" in page and "1985" in page and "…321" in page
    assert "0987654321" not in page
    confirm = client.get(f"/admin/registry/cadres/merge/{kept.pk}/?duplicate={duplicate.pk}")
    assert confirm.status_code == 200
    assert "Lò Thị Mai" in confirm.content.decode() and "Lo Thi Mai" in confirm.content.decode()
    response = client.post(f"/admin/registry/cadres/merge/{kept.pk}/",
                           {"duplicate": str(duplicate.pk)})  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == f"/admin/registry/cadres/inspect/{kept.pk}/"
    assert not Cadre.objects.filter(pk=duplicate.pk).exists()
    assert enrolment_of(kept, world.course).is_complete
    assert_counters_exact()


def test_a_record_of_another_province_is_answered_like_a_missing_one(world):
    kept, _duplicate = namesakes(world)
    elsewhere = make_cadre(unit=world.ha_giang.commune, full_name="Lò Thị Mai", birth_year=1985)
    complete(elsewhere, world.course, at=MAY_2025)
    client = logged_in(world.lc_admin)
    url = f"/admin/registry/cadres/merge/{kept.pk}/"
    # The search does not list her.
    assert "Tỉnh Hà Giang" not in client.get(url).content.decode()
    outside = client.get(f"{url}?duplicate={elsewhere.pk}")
    missing = client.get(f"{url}?duplicate=999999")
    assert outside.status_code == missing.status_code == 404
    assert client.post(url, {"duplicate": str(elsewhere.pk)}).status_code == 404
    assert Cadre.objects.filter(pk=elsewhere.pk).exists()
    # Nor may the other province's admin start from the kept record.
    other = logged_in(world.hg_admin)
    assert other.get(url).status_code == 404
    assert_counters_exact()


# --- Erasing ---------------------------------------------------------------------------------


def test_erase_removes_the_personal_data_and_keeps_the_counts(world, client):
    user, cadre = make_learner(unit=world.lao_cai.commune, full_name="Hoàng Thị Sinh",
                               birth_year=1979, phone="0912333444", email="sinh@example.org",
                               ethnicity="08")  # fmt: skip
    certificate = make_certificate(enrolment=complete(cadre, world.course, at=MAY_2025),
                                   issue=True)  # fmt: skip
    pending = make_certificate(enrolment=complete(cadre, world.me_course, at=MARCH_2026))
    # A duplicate merged into her before: its log entries carry the name too.
    twice = make_cadre(unit=world.lao_cai.commune, full_name="Hoàng Thi Sinh", birth_year=1979)
    cadre_merge(kept=cadre, duplicate=twice, by=world.lc_admin)
    trained, certified = cell_total(CADRES_TRAINED), cell_total(CERTIFIED_LEARNERS)
    admin = logged_in(world.lc_admin)
    confirm = admin.get(f"/admin/registry/cadres/erase/{cadre.pk}/")
    assert "Hoàng Thị Sinh" in confirm.content.decode()
    response = admin.post(f"/admin/registry/cadres/erase/{cadre.pk}/")
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.full_name == ERASED_NAME and cadre.erased_at is not None
    assert (cadre.phone, cadre.email, cadre.birth_year, cadre.ethnicity) == ("", "", None, "")
    assert cadre.user_id is None
    user.refresh_from_db()
    assert not user.is_active and not user.has_usable_password()
    assert "Sinh" not in f"{user.username}{user.first_name}{user.last_name}{user.email}"
    # Counts unchanged, and the recount agrees.
    assert (cell_total(CADRES_TRAINED), cell_total(CERTIFIED_LEARNERS)) == (trained, certified)
    assert_counters_exact()
    # The issued certificate stays valid without the name; the one not issued is withdrawn.
    certificate.refresh_from_db()
    pending.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.full_name == "" and not certificate.pdf
    assert pending.status == CertificateStatus.REVOKED
    page = client.get(f"/verify/{certificate.code}/").content.decode()
    assert "Hoàng Thị Sinh" not in page
    assert "Tên người nhận đã được xóa theo yêu cầu của họ." in page
    # Nothing in the history names her.
    labels = list(ModelLogEntry.objects.values_list("label", flat=True))
    assert ERASE_ACTION in ModelLogEntry.objects.values_list("action", flat=True)
    assert len(labels) >= 3 and all("Sinh" not in label for label in labels)
    # Running it again changes nothing.
    assert cadre_erase(cadre=cadre).erased_at == cadre.erased_at
    # Nor can the record be edited back: the edit page sends the admin to the record.
    edit = f"/admin/registry/cadres/edit/{cadre.pk}/"
    for response in (admin.get(edit), admin.post(edit, {"full_name": "Hoàng Thị Sinh"})):
        assert response.status_code == 302 and "/inspect/" in response["Location"]
    cadre.refresh_from_db()
    assert cadre.full_name == ERASED_NAME


def test_erase_is_scoped(world):
    cadre = make_cadre(unit=world.lao_cai.commune, full_name="Hoàng Thị Sinh")
    response = logged_in(world.hg_admin).post(f"/admin/registry/cadres/erase/{cadre.pk}/")
    assert response.status_code == 404
    cadre.refresh_from_db()
    assert cadre.full_name == "Hoàng Thị Sinh" and cadre.erased_at is None


# --- Deleting --------------------------------------------------------------------------------


def test_delete_is_refused_for_a_record_the_counters_count(world):
    cadre = make_cadre(unit=world.lao_cai.commune, full_name="Lò Văn Páo")
    make_certificate(enrolment=complete(cadre, world.course, at=MAY_2025), issue=True)
    client = logged_in(world.lc_admin)
    url = f"/admin/registry/cadres/delete/{cadre.pk}/"
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Không thể xóa người này" in text
    assert f"/admin/registry/cadres/merge/{cadre.pk}/" in text
    assert f"/admin/registry/cadres/erase/{cadre.pk}/" in text
    response = client.post(url)
    assert response.status_code == 200  # the refusal again, never a 500
    assert Cadre.objects.filter(pk=cadre.pk).exists()
    with pytest.raises(CadreInUse):
        cadre_delete(cadre=cadre)
    assert cell_total(CADRES_TRAINED) == 1
    assert_counters_exact()


def test_a_record_with_nothing_recorded_is_deleted_with_its_history(world):
    cadre = make_cadre(unit=world.lao_cai.commune, full_name="Nhập Nhầm")
    response = logged_in(world.lc_admin).post(f"/admin/registry/cadres/delete/{cadre.pk}/")
    assert response.status_code == 302
    assert not Cadre.objects.filter(pk=cadre.pk).exists()
    assert ModelLogEntry.objects.filter(object_id=str(cadre.pk), action="wagtail.delete").exists()
    assert_counters_exact()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_opposite_merges_at_once_merge_once_without_deadlock():
    """A into B and B into A at the same moment: both lock the rows in primary-key order, so
    the second waits for the first, then finds its record gone; no deadlock, one merge."""
    require_postgres("concurrent merges")
    seed_indicators()
    world = make_counters_world()
    kept, duplicate = namesakes(world)
    complete(kept, world.course, at=MARCH_2026)
    complete(duplicate, world.course, at=MAY_2025)
    barrier = threading.Barrier(2)
    outcomes = []

    def merge(a, b):
        try:
            barrier.wait()
            cadre_merge(kept=a, duplicate=b)
            outcomes.append("merged")
        except Cadre.DoesNotExist:
            outcomes.append("gone")
        except Exception as exc:  # noqa: BLE001 - reported below
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=merge, args=pair)
               for pair in ((kept, duplicate), (duplicate, kept))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["gone", "merged"]
    assert Cadre.objects.count() == 1
    assert cell_total(CADRES_TRAINED) == 1
    assert Achievement.objects.get(indicator__code=CADRES_TRAINED).month == dt.date(2025, 5, 1)
    assert_counters_exact()
