"""The periodic clean-up: uploaded import files (names, phones, ethnicity) and the log of
certificate checks are not kept for ever.

Beat runs the two tasks every hour; here they are called as beat would (inline). Files and rows
older than the limits go, newer ones stay, and a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from certificates.models import VerificationLog
from courses.registry.models import Cadre, ImportJob, ImportStatus
from tests.builders import make_registry_world

HEADER = (
    "ma_can_bo,ho_ten,gioi_tinh,nam_sinh,dan_toc,nhom_doi_tuong,cap,co_quan,"
    "ma_don_vi_hanh_chinh,so_dien_thoai,email\n"
)


@pytest.fixture
def world(db):
    return make_registry_world()


@pytest.fixture(autouse=True)
def _tasks_inline():
    from lms.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def private_files() -> list[str]:
    root = Path(django_settings.PRIVATE_MEDIA_ROOT)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def uploaded(client, admin, name: str, full_name: str) -> ImportJob:
    """A file uploaded in the admin and checked: waiting for the admin to confirm it."""
    client.force_login(admin)
    content = f"{HEADER},{full_name},Nữ,1980,,Khác,Xã,,00001,,\n".encode()
    client.post(
        reverse("courses_registry_import"),
        {"file": SimpleUploadedFile(name, content), "structure": "2023"},
    )
    job = ImportJob.objects.get(original_name=name)
    assert job.status == ImportStatus.VALIDATED and job.file
    return job


def age(job: ImportJob, hours: float) -> None:
    """The job was last touched `hours` ago, and so was its file."""
    then = timezone.now() - dt.timedelta(hours=hours)
    ImportJob.objects.filter(pk=job.pk).update(created_at=then, updated_at=then)
    if job.file:
        os.utime(job.file.path, (then.timestamp(), then.timestamp()))


def stray(name: str, hours: float) -> str:
    """A file of the imports folder that no import names (its row was rolled back)."""
    storage = ImportJob._meta.get_field("file").storage
    name = storage.save(name, ContentFile(HEADER.encode()))
    then = (timezone.now() - dt.timedelta(hours=hours)).timestamp()
    os.utime(storage.path(name), (then, then))
    return name


def purge_import_files() -> int:
    from courses.tasks import purge_import_files

    return purge_import_files.delay().get()


def test_import_files_past_a_day_are_deleted_and_newer_ones_kept(client, world):
    old = uploaded(client, world.hn_admin, "cu.csv", "Người Cũ")
    new = uploaded(client, world.hn_admin, "moi.csv", "Người Mới")
    done = uploaded(client, world.central, "xong.csv", "Người Xong")
    client.post(reverse("courses_registry_import_job", args=[done.pk]))  # confirmed
    done.refresh_from_db()
    assert done.status == ImportStatus.DONE and not done.file
    # A finished import whose file was left behind (its deletion failed at the time).
    leftover = uploaded(client, world.central, "sot.csv", "Người Sót")
    ImportJob.objects.filter(pk=leftover.pk).update(status=ImportStatus.INVALID)
    age(old, 25)
    age(new, 23)
    age(leftover, 25)
    old_stray = stray("imports/2026/01/lac.csv", 25)
    new_stray = stray("imports/2026/01/moi-lac.csv", 1)
    assert len(private_files()) == 5

    assert purge_import_files() == 3
    for job in (old, new, leftover):
        job.refresh_from_db()
    assert (old.status, old.file.name) == (ImportStatus.EXPIRED, "")
    assert (new.status, bool(new.file)) == (ImportStatus.VALIDATED, True)
    assert (leftover.status, leftover.file.name) == (ImportStatus.INVALID, "")
    assert private_files() == sorted([new.file.name, new_stray])
    assert old_stray not in private_files()

    assert purge_import_files() == 0  # a second run deletes nothing more
    assert private_files() == sorted([new.file.name, new_stray])
    assert ImportJob.objects.get(pk=new.pk).status == ImportStatus.VALIDATED

    # The admin who comes back to the expired import is told why, and cannot confirm it.
    client.force_login(world.hn_admin)
    page = client.get(reverse("courses_registry_import_job", args=[old.pk])).content.decode()
    assert "không được xác nhận trong vòng 24 giờ" in page
    assert "Xác nhận nhập dữ liệu" not in page
    response = client.post(reverse("courses_registry_import_job", args=[old.pk]), follow=True)
    assert response.status_code == 200
    assert not Cadre.objects.filter(full_name="Người Cũ").exists()
    # The newer one is still confirmed as usual.
    client.post(reverse("courses_registry_import_job", args=[new.pk]))
    assert Cadre.objects.filter(full_name="Người Mới").exists()
    assert ImportJob.objects.get(pk=new.pk).status == ImportStatus.DONE


def test_the_import_file_retention_is_a_setting(client, world, settings):
    settings.IMPORT_FILE_RETENTION_HOURS = 2
    job = uploaded(client, world.hn_admin, "ds.csv", "Người Một")
    age(job, 3)
    assert purge_import_files() == 1
    assert ImportJob.objects.get(pk=job.pk).status == ImportStatus.EXPIRED
    assert private_files() == []


def checks(*, months_ago: float, count: int = 1) -> list[int]:
    at = timezone.now() - dt.timedelta(days=30.44 * months_ago)
    rows = [
        VerificationLog.objects.create(code_hash="c", ip_hash="i", result="unknown")
        for _ in range(count)
    ]
    VerificationLog.objects.filter(pk__in=[r.pk for r in rows]).update(at=at)
    return [r.pk for r in rows]


def purge_verification_logs() -> int:
    from certificates.tasks import purge_verification_logs

    return purge_verification_logs.delay().get()


def test_verification_checks_older_than_twelve_months_are_deleted(db, client):
    old = checks(months_ago=13, count=3) + checks(months_ago=12.1)
    kept = checks(months_ago=11.9) + checks(months_ago=0)
    client.get("/verify/khong-co-ma-nay/")  # a check made now, by the real view
    assert VerificationLog.objects.count() == 7

    assert purge_verification_logs() == len(old)
    remaining = set(VerificationLog.objects.values_list("pk", flat=True))
    assert remaining.isdisjoint(old) and set(kept) <= remaining
    assert len(remaining) == 3
    assert purge_verification_logs() == 0  # a second run deletes nothing more
    assert VerificationLog.objects.count() == 3


def test_the_verification_log_retention_is_a_setting(db, settings):
    settings.VERIFICATION_LOG_RETENTION_MONTHS = 1
    old = checks(months_ago=2)
    kept = checks(months_ago=0.5)
    assert purge_verification_logs() == 1
    assert list(VerificationLog.objects.values_list("pk", flat=True)) == kept
    assert not VerificationLog.objects.filter(pk__in=old).exists()


def test_beat_runs_the_clean_up_every_hour():
    from lms.celery import app

    app.loader.import_default_modules()
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    for task in ("courses.registry.tasks.purge_import_files",
                 "certificates.tasks.purge_verification_logs"):  # fmt: skip
        assert task in app.tasks, f"{task} is scheduled but no worker knows it"
        assert schedule.get(task, 0) and schedule[task] <= 3600, task


# --- Retention set in one place (settings.PERSONAL_DATA_RETENTION) ---------------------------


def test_every_retention_has_a_default_in_one_place():
    assert django_settings.PERSONAL_DATA_RETENTION == {
        "import_file_hours": 24,
        "import_job_days": 180,
        "verification_log_months": 12,
        "access_log_days": 365,
        "session_days": 14,
    }
    assert django_settings.IMPORT_FILE_RETENTION_HOURS == 24
    assert django_settings.VERIFICATION_LOG_RETENTION_MONTHS == 12
    assert django_settings.SESSION_COOKIE_AGE == 14 * 24 * 3600


def finished_job(admin, *, status, days_ago: float) -> ImportJob:
    storage = ImportJob._meta.get_field("file").storage
    name = storage.save("imports/xong.csv", ContentFile(HEADER.encode()))
    job = ImportJob.objects.create(kind="cadres", original_name="xong.csv", created_by=admin,
                                   status=status, file=name)  # fmt: skip
    then = timezone.now() - dt.timedelta(days=days_ago)
    ImportJob.objects.filter(pk=job.pk).update(created_at=then, updated_at=then)
    return job


def test_finished_imports_past_their_retention_are_deleted(world):
    from courses.tasks import purge_import_jobs

    old = [finished_job(world.central, status=s, days_ago=181)
           for s in (ImportStatus.DONE, ImportStatus.EXPIRED, ImportStatus.FAILED)]  # fmt: skip
    recent = finished_job(world.central, status=ImportStatus.DONE, days_ago=179)
    waiting = finished_job(world.central, status=ImportStatus.VALIDATED, days_ago=400)
    files_before = set(private_files())
    assert purge_import_jobs.delay().get() == 3
    remaining = set(ImportJob.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, waiting.pk}
    assert not {job.file.name for job in old} & set(private_files())
    assert {recent.file.name, waiting.file.name} <= files_before & set(private_files())
    assert purge_import_jobs.delay().get() == 0


def test_the_finished_import_retention_is_a_setting(world, settings):
    from courses.registry.services import import_jobs_purge

    settings.PERSONAL_DATA_RETENTION = {**settings.PERSONAL_DATA_RETENTION, "import_job_days": 7}
    old = finished_job(world.central, status=ImportStatus.DONE, days_ago=8)
    kept = finished_job(world.central, status=ImportStatus.DONE, days_ago=6)
    assert import_jobs_purge() == 1
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not ImportJob.objects.filter(pk=old.pk).exists()


def audit_entry(days_ago: float):
    from lms.access_audit import access_record
    from lms.models import AccessLogEntry

    entry = access_record(user=None, action="list", target="courses.cadre", scope="national")
    AccessLogEntry.objects.filter(pk=entry.pk).update(
        at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return entry.pk


def purge_access_log_and_sessions() -> dict:
    from lms.tasks import purge_access_log_and_sessions

    return purge_access_log_and_sessions.delay().get()


def test_access_audit_entries_past_a_year_are_deleted(world, client):
    from lms.models import AccessLogEntry

    old = [audit_entry(366), audit_entry(400)]
    kept = [audit_entry(364)]
    client.force_login(world.hn_admin)
    client.get("/admin/registry/cadres/")  # an entry written now, by the real view
    assert purge_access_log_and_sessions()["access_log"] == 2
    remaining = set(AccessLogEntry.objects.values_list("pk", flat=True))
    assert remaining.isdisjoint(old) and set(kept) <= remaining and len(remaining) == 2
    assert purge_access_log_and_sessions()["access_log"] == 0


def test_the_access_audit_retention_is_a_setting(db, settings):
    from lms.access_audit import access_log_purge

    settings.PERSONAL_DATA_RETENTION = {**settings.PERSONAL_DATA_RETENTION, "access_log_days": 30}
    old, kept = audit_entry(31), audit_entry(29)
    assert access_log_purge() == 1
    from lms.models import AccessLogEntry

    assert list(AccessLogEntry.objects.values_list("pk", flat=True)) == [kept]
    assert old != kept


def test_expired_login_sessions_are_deleted(world, client):
    from django.contrib.sessions.models import Session

    client.force_login(world.hn_admin)  # a live session
    live = Session.objects.get()
    now = timezone.now()
    stale = Session.objects.create(
        session_key="a" * 32, session_data="", expire_date=now - dt.timedelta(seconds=1)
    )
    too_far = Session.objects.create(
        session_key="b" * 32, session_data="", expire_date=now + dt.timedelta(days=60)
    )
    assert purge_access_log_and_sessions()["sessions"] == 2
    assert list(Session.objects.values_list("pk", flat=True)) == [live.pk]
    assert not Session.objects.filter(pk__in=[stale.pk, too_far.pk]).exists()
    assert client.get("/admin/registry/cadres/").status_code == 200  # still logged in


def test_the_session_retention_is_a_setting(db, settings):
    from django.contrib.sessions.models import Session

    from lms.sessions_purge import sessions_purge

    settings.PERSONAL_DATA_RETENTION = {**settings.PERSONAL_DATA_RETENTION, "session_days": 1}
    Session.objects.create(session_key="c" * 32, session_data="",
                           expire_date=timezone.now() + dt.timedelta(days=2))  # fmt: skip
    kept = Session.objects.create(session_key="d" * 32, session_data="",
                                  expire_date=timezone.now() + dt.timedelta(hours=12))  # fmt: skip
    assert sessions_purge() == 1
    assert list(Session.objects.values_list("pk", flat=True)) == [kept.pk]


def test_beat_runs_the_personal_data_clean_up_every_hour():
    from lms.celery import app

    app.loader.import_default_modules()
    schedule = {entry["task"]: entry["schedule"] for entry in app.conf.beat_schedule.values()}
    for task in ("courses.registry.tasks.purge_import_jobs",
                 "lms.tasks.purge_access_log_and_sessions"):  # fmt: skip
        assert task in app.tasks, f"{task} is scheduled but no worker knows it"
        assert schedule.get(task, 0) and schedule[task] <= 3600, task
