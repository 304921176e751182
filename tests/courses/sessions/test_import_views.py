"""Session and attendance files through the admin's import pages: upload, preview with the
row errors and warnings, confirm; for admins only, each within their province; the
templates; a file above the inline limit checked by the worker path with its progress."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from courses.counters.services import SESSIONS_DISTRICT_COMMUNE
from courses.registry.models import ImportJob, ImportKind, ImportStatus
from courses.sessions.models import Attendance, SessionStatus, TrainingSession
from tests.builders import cell_total, make_cadre, make_session, make_sessions_world, make_user

pytestmark = pytest.mark.django_db

SESSION_HEADER = (
    "ma_buoi,loai,khoa_hoc,tieu_de,ngay_bat_dau,ngay_ket_thuc,ma_don_vi_hanh_chinh,"
    "dia_diem,trang_thai"
)
ATTENDANCE_HEADER = "ma_buoi,ma_can_bo,so_dien_thoai,co_mat,dat"


@pytest.fixture
def world(db):
    world = make_sessions_world()
    world.central = make_user("trung_uong", role="Admin")
    world.lc_admin = make_user("qt_lao_cai", role="Admin", province_code="15")
    world.tq_admin = make_user("qt_tuyen_quang", role="Admin", province_code="08")
    world.trainer = make_user("giang_vien", role="Trainer")
    world.learner = make_user("hoc_vien", role="Cadre")
    return world


def kind_url(kind):
    return reverse("courses_registry_import_kind", args=[kind])


def upload(client, kind, text, *, name="tep.csv", structure="2025"):
    data = {"file": SimpleUploadedFile(name, text.encode("utf-8"))}
    if kind == ImportKind.SESSIONS:
        data["structure"] = structure
    return client.post(kind_url(kind), data)


def last_job(user) -> ImportJob:
    return ImportJob.objects.filter(created_by=user).latest("pk")


def session_lines(world, *codes):
    commune = world.lao_cai.commune_2025.code
    return "\n".join(
        [SESSION_HEADER]
        + [
            f"{code},can_bo_huyen_xa,long-ghep-gioi,Tập huấn {code},10/03/2026,11/03/2026,"
            f"{commune},Nhà văn hóa,đã tổ chức"
            for code in codes
        ]
    )


@pytest.mark.parametrize("kind", [ImportKind.SESSIONS, ImportKind.ATTENDANCE])
@pytest.mark.parametrize("role", ["anonymous", "learner", "trainer"])
def test_the_pages_are_for_admins_only(client, world, kind, role):
    if role != "anonymous":
        client.force_login(getattr(world, role))
    for url in (
        kind_url(kind),
        reverse("courses_registry_import_kind_template", args=[kind, "csv"]),
    ):
        response = client.get(url)
        if role == "anonymous":
            assert response.status_code == 302 and "login" in response["Location"]
        elif role == "trainer":
            # Wagtail sends a user with admin access back to the dashboard, with a message.
            assert response.status_code == 302 and response["Location"] == reverse(
                "wagtailadmin_home"
            )
        else:
            assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_an_unknown_kind_is_a_404(client, world):
    client.force_login(world.central)
    assert client.get(kind_url("khong-co")).status_code == 404
    # The cadre list has its own page.
    assert client.get(kind_url(ImportKind.CADRES)).status_code == 404


def test_the_session_list_offers_both_imports(client, world):
    client.force_login(world.lc_admin)
    html = client.get(reverse("courses_trainingsession:index")).content.decode()
    assert kind_url(ImportKind.SESSIONS) in html
    assert kind_url(ImportKind.ATTENDANCE) in html
    assert "Nhập buổi tập huấn" in html or "Nhập lớp tập huấn" in html


def test_a_session_file_is_previewed_then_written_only_on_confirm(client, world):
    client.force_login(world.central)
    before = cell_total(SESSIONS_DISTRICT_COMMUNE)
    response = upload(client, ImportKind.SESSIONS, session_lines(world, "LC-01", "LC-02"))
    job = last_job(world.central)
    assert response.status_code == 302 and response["Location"].endswith(f"/{job.pk}/")
    assert job.kind == ImportKind.SESSIONS and job.status == ImportStatus.VALIDATED
    assert not TrainingSession.objects.exists()  # nothing before the confirmation
    page = client.get(response["Location"]).content.decode()
    assert "2 dòng, 2 buổi mới" in page
    assert world.lao_cai.commune_2025.code in page  # the units the codes name
    assert "Xác nhận nhập" in page
    response = client.post(response["Location"])
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert set(TrainingSession.objects.values_list("code", flat=True)) == {"LC-01", "LC-02"}
    # Held sessions count as the rest do.
    assert cell_total(SESSIONS_DISTRICT_COMMUNE) == before + 2
    page = client.get(reverse("courses_registry_import_job", args=[job.pk])).content.decode()
    assert reverse("courses_trainingsession:index") in page


def test_row_errors_are_listed_and_nothing_is_written(client, world):
    client.force_login(world.central)
    text = session_lines(world, "LC-01") + "\nLC-02,khong_ro,long-ghep-gioi,X,31/02/2026,,99999,,"
    upload(client, ImportKind.SESSIONS, text)
    job = last_job(world.central)
    assert job.status == ImportStatus.INVALID
    page = client.get(reverse("courses_registry_import_job", args=[job.pk])).content.decode()
    assert "loai" in page and "ngay_bat_dau" in page and "ma_don_vi_hanh_chinh" in page
    assert "không ghi gì" in page
    assert not TrainingSession.objects.exists()
    report = client.get(reverse("courses_registry_import_report", args=[job.pk]))
    assert report.status_code == 200


def test_a_province_admin_imports_sessions_of_their_province_only(client, world):
    """A Tuyên Quang admin's row in a Lào Cai commune is refused with a message that names
    no other province; the Lào Cai admin's same file imports."""
    client.force_login(world.tq_admin)
    upload(client, ImportKind.SESSIONS, session_lines(world, "LC-01"))
    job = last_job(world.tq_admin)
    assert job.status == ImportStatus.INVALID
    page = client.get(reverse("courses_registry_import_job", args=[job.pk])).content.decode()
    assert "ngoài tỉnh" in page
    assert "Lào Cai" not in page
    assert not TrainingSession.objects.exists()

    client.force_login(world.lc_admin)
    upload(client, ImportKind.SESSIONS, session_lines(world, "LC-01"))
    job = last_job(world.lc_admin)
    assert job.status == ImportStatus.VALIDATED
    client.post(reverse("courses_registry_import_job", args=[job.pk]))
    assert TrainingSession.objects.get(code="LC-01").province_2025 == "15"


def test_a_province_admin_cannot_overwrite_another_provinces_session(client, world):
    make_session(course=world.in_person, unit=world.ha_giang.commune_2025, code="HG-01")
    client.force_login(world.lc_admin)
    upload(client, ImportKind.SESSIONS, session_lines(world, "HG-01"))
    job = last_job(world.lc_admin)
    assert job.status == ImportStatus.INVALID
    assert any(column == "ma_buoi" for _row, column, _message in job.errors)
    page = client.get(reverse("courses_registry_import_job", args=[job.pk])).content.decode()
    assert "Tuyên Quang" not in page and "Hà Giang" not in page
    session = TrainingSession.objects.get(code="HG-01")
    assert session.province_2025 == "08"  # untouched


def test_someone_elses_import_is_a_404(client, world):
    client.force_login(world.lc_admin)
    upload(client, ImportKind.SESSIONS, session_lines(world, "LC-01"))
    job = last_job(world.lc_admin)
    client.force_login(world.tq_admin)
    assert client.get(reverse("courses_registry_import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("courses_registry_import_job", args=[job.pk])).status_code == 404
    assert not TrainingSession.objects.exists()


@pytest.fixture
def attendance_world(world):
    commune = world.lao_cai.commune
    world.held = make_session(course=world.in_person, unit=commune, code="B001",
                              status=SessionStatus.HELD)  # fmt: skip
    world.cancelled = make_session(course=world.in_person, unit=commune, code="B003",
                                   status=SessionStatus.CANCELLED)  # fmt: skip
    world.other = make_session(course=world.in_person, unit=world.ha_giang.commune, code="H001",
                               status=SessionStatus.HELD)  # fmt: skip
    world.an = make_cadre(unit=commune, full_name="Lò Văn An", ma_can_bo="CB01",
                          phone="0912000001")  # fmt: skip
    world.binh = make_cadre(unit=commune, full_name="Giàng Thị Bình", phone="0912000002")
    return world


def test_an_attendance_file_previews_its_warnings_then_imports(client, attendance_world):
    world = attendance_world
    client.force_login(world.lc_admin)
    text = "\n".join([ATTENDANCE_HEADER, "B001,CB01,,1,", "B001,,0912000002,có,", "B003,CB01,,1,"])
    response = upload(client, ImportKind.ATTENDANCE, text)
    job = last_job(world.lc_admin)
    assert job.status == ImportStatus.VALIDATED, job.errors
    assert job.warning_count == 1  # the cancelled session's row, left out
    page = client.get(response["Location"]).content.decode()
    assert "3 dòng, 2 lượt điểm danh mới" in page and "1 bỏ qua" in page
    assert not Attendance.objects.exists()
    client.post(response["Location"])
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    present = Attendance.objects.filter(session=world.held, present=True)
    assert set(present.values_list("cadre__full_name", flat=True)) == {
        "Lò Văn An",
        "Giàng Thị Bình",
    }
    assert not Attendance.objects.filter(session=world.cancelled).exists()


def test_attendance_of_another_provinces_session_gets_the_out_of_scope_answer(
    client, attendance_world
):
    world = attendance_world
    client.force_login(world.lc_admin)
    upload(client, ImportKind.ATTENDANCE, "\n".join([ATTENDANCE_HEADER, "H001,CB01,,1,"]))
    job = last_job(world.lc_admin)
    assert job.status == ImportStatus.INVALID
    page = client.get(reverse("courses_registry_import_job", args=[job.pk])).content.decode()
    assert "Tuyên Quang" not in page and "Hà Giang" not in page
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("kind", "header"),
    [(ImportKind.SESSIONS, SESSION_HEADER), (ImportKind.ATTENDANCE, ATTENDANCE_HEADER)],
)
def test_the_templates_have_the_exact_columns(client, world, kind, header):
    client.force_login(world.lc_admin)
    url = reverse("courses_registry_import_kind_template", args=[kind, "csv"])
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))
    assert ",".join(rows[0]) == header and len(rows) > 1
    url = reverse("courses_registry_import_kind_template", args=[kind, "xlsx"])
    sheet = load_workbook(io.BytesIO(client.get(url).content)).worksheets[0]
    assert ",".join(c.value for c in sheet[1]) == header
    page = client.get(kind_url(kind)).content.decode()
    assert "Tải mẫu XLSX" in page or "XLSX" in page


def test_the_session_templates_give_codes_of_the_structure_asked_for(client, world):
    client.force_login(world.central)
    codes = {}
    for structure in ("2023", "2025"):
        url = reverse("courses_registry_import_kind_template", args=[ImportKind.SESSIONS, "csv"])
        response = client.get(f"{url}?structure={structure}")
        assert f"co_cau_{structure}.csv" in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
        codes[structure] = {row[6] for row in rows}
    assert codes == {"2023": {"03160"}, "2025": {"02953"}}
    url = reverse("courses_registry_import_kind_template", args=[ImportKind.SESSIONS, "csv"])
    assert client.get(f"{url}?structure=2024").status_code == 404


def test_a_large_file_goes_to_the_worker_path_and_reports_its_progress(
    client, world, tasks_inline, django_capture_on_commit_callbacks
):
    """Above the inline size the check is queued (run inline here); the job's progress
    reaches every row read."""
    client.force_login(world.central)
    codes = [f"LC-{n:05d}" for n in range(3200)]
    text = session_lines(world, *codes)
    assert len(text.encode()) > 256 * 1024
    with django_capture_on_commit_callbacks(execute=True):
        upload(client, ImportKind.SESSIONS, text, name="lon.csv")
    job = last_job(world.central)
    assert job.status == ImportStatus.VALIDATED, job.errors[:3]
    assert job.total_rows == job.processed_rows == 3200
    assert job.summary["created"] == 3200
    assert not TrainingSession.objects.exists()
