"""The registry's import pages: for admins only, the template downloads (one per structure),
an upload of a stated structure checked, previewed with the units its codes name, then
confirmed (by a real worker above the inline limit), within the admin's province."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from courses.registry.models import Cadre, ImportJob
from tests.builders import make_registry_world
from tests.courses.registry.test_wagtail_hooks import login

HEADER = (
    "ma_can_bo,ho_ten,gioi_tinh,nam_sinh,dan_toc,nhom_doi_tuong,cap,co_quan,"
    "ma_don_vi_hanh_chinh,so_dien_thoai,email\n"
)


def upload(client, content: bytes, name="ds.csv", structure="2023", **fields):
    """Upload a file of `structure` (the registry world's codes are of 2023)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("courses_registry_import"),
        {"file": SimpleUploadedFile(name, content), "structure": structure, **fields},
    )


@pytest.mark.parametrize("role", ["anonymous", "hoa_user", "trainer"])
def test_import_pages_are_for_admins_only(client, world, role):
    login(client, world, role)
    for name, args in [("courses_registry_import", []),
                       ("courses_registry_import_template", ["csv"])]:  # fmt: skip
        response = client.get(reverse(name, args=args))
        assert response.status_code in (302, 403)


def test_template_downloads_have_the_exact_columns(client, world):
    """The import columns, then the optional consent date column (ngay_dong_y)."""
    client.force_login(world.hn_admin)
    template_header = HEADER.strip() + ",ngay_dong_y"
    csv_bytes = client.get(reverse("courses_registry_import_template", args=["csv"])).content
    assert csv_bytes.startswith(b"\xef\xbb\xbf" + template_header.encode() + b"\r\n")
    xlsx = client.get(reverse("courses_registry_import_template", args=["xlsx"])).content
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    assert ",".join(c.value for c in sheet[1]) == template_header


@pytest.mark.parametrize(("structure", "codes"),
                         [("2025", ["00004", "02953"]), ("2023", ["00001", "03160"])])  # fmt: skip
def test_each_template_says_its_structure(client, world, structure, codes):
    """The default template is of 2025; each names its structure in the file name and, in
    the XLSX, on a second sheet, and its examples give codes of that structure."""
    client.force_login(world.hn_admin)
    query = "" if structure == "2025" else f"?structure={structure}"
    url = reverse("courses_registry_import_template", args=["csv"]) + query
    response = client.get(url)
    assert f"co_cau_{structure}.csv" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))[1:]
    assert [row[8] for row in rows] == codes
    url = reverse("courses_registry_import_template", args=["xlsx"]) + query
    response = client.get(url)
    assert f"co_cau_{structure}.xlsx" in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert [row[8].value for row in book.worksheets[0].iter_rows(min_row=2, max_row=3)] == codes
    notes = " ".join(str(c.value) for row in book["huong_dan"].iter_rows() for c in row if c.value)
    assert f"cơ cấu {structure}" in notes
    bad = reverse("courses_registry_import_template", args=["csv"]) + "?structure=2024"
    assert client.get(bad).status_code == 404


def test_the_upload_form_asks_for_the_structure_by_name_2025_first(client, world):
    client.force_login(world.hn_admin)
    html = client.get(reverse("courses_registry_import")).content.decode()
    assert "cơ cấu 2025 (tỉnh, xã)" in html and "cơ cấu 2023 (tỉnh, huyện, xã)" in html
    radios = re.findall(r'<input[^>]*name="structure"[^>]*>', html)
    assert ['value="2025"' in r for r in radios] == [True, False]
    assert "checked" in radios[0] and "checked" not in radios[1]


def test_upload_preview_with_errors_then_nothing_written(client, world):
    client.force_login(world.hn_admin)
    content = (HEADER + ",Người Một,Nữ,1800,,Khác,Xã,,00001,,\n").encode()
    response = upload(client, content)
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("courses_registry_import_job", args=[job.pk])
    html = client.get(response["Location"]).content.decode()
    assert "nam_sinh" in html and "Năm sinh phải là một năm" in html
    assert "Xác nhận nhập dữ liệu" not in html
    assert Cadre.objects.count() == 3


def test_upload_preview_then_confirm_writes_the_rows(client, world):
    client.force_login(world.hn_admin)
    response = upload(client, (HEADER + ",Người Một,Nữ,1980,,Khác,Xã,,00001,,\n").encode())
    page = client.get(response["Location"]).content.decode()
    assert "Tất cả các dòng đều hợp lệ" in page and "Xác nhận nhập dữ liệu" in page
    assert not Cadre.objects.filter(full_name="Người Một").exists()
    response = client.post(response["Location"])
    assert Cadre.objects.filter(full_name="Người Một", province_code="01").exists()
    assert "Đã nhập" in client.get(response["Location"]).content.decode()
    # Another admin cannot open this job.
    client.force_login(world.hg_admin)
    assert client.get(response["Location"]).status_code == 404


def test_the_preview_names_the_units_then_the_rows_land_in_the_stated_structure(client, world):
    """A 2025 file: the job keeps its structure, the preview shows what each code means,
    and the confirmed rows are in the 2025 unit (no 2023 codes)."""
    client.force_login(world.hn_admin)
    content = (HEADER + ",Người Một,Nữ,1980,,Khác,Xã,,00004,,\n"
               ",Người Hai,Nữ,1981,,Lãnh đạo,Tỉnh,,01,,\n").encode()  # fmt: skip
    response = upload(client, content, structure="2025")
    job = ImportJob.objects.get()
    assert job.structure == "2025" and job.summary["structure"] == "2025"
    page = client.get(response["Location"]).content.decode()
    assert "Xác nhận nhập dữ liệu" in page
    assert "Mã đơn vị được đọc theo cơ cấu 2025 (tỉnh, xã)." in page
    assert "Phường Ba Đình — Thành phố Hà Nội (2025)" in page
    assert "Thành phố Hà Nội (2025)" in page
    client.post(response["Location"])
    one = Cadre.objects.get(full_name="Người Một")
    assert one.unit == world.units["2025:00004"]
    assert (one.province_code, one.province_2025, one.commune_2025) == ("", "01", "00004")


def test_the_same_codes_as_a_2023_file_preview_the_2023_units(client, world):
    client.force_login(world.hn_admin)
    response = upload(client, (HEADER + ",Người Một,Nữ,1980,,Khác,Xã,,00004,,\n").encode())
    page = client.get(response["Location"]).content.decode()
    assert "Phường Trúc Bạch — Thành phố Hà Nội (2023), nay thuộc Thành phố Hà Nội" in page
    assert ImportJob.objects.get().structure == "2023"


def test_the_worker_reads_the_codes_in_the_job_structure(world, tmp_path):
    """The Celery task checks the stored file in the structure stored on the job."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from courses.registry.models import ImportStatus
    from courses.registry.services import import_job_create
    from courses.registry.tasks import import_job_validate_task

    content = (HEADER + ",Người Một,Nữ,1980,,Khác,Xã,,00001,,\n").encode()
    jobs = {
        structure: import_job_create(
            user=world.central, uploaded=SimpleUploadedFile("ds.csv", content),
            structure=structure,
        )
        for structure in ("2023", "2025")
    }  # fmt: skip
    for job in jobs.values():
        import_job_validate_task(job.pk)
        job.refresh_from_db()
    assert jobs["2023"].status == ImportStatus.VALIDATED
    assert jobs["2025"].status == ImportStatus.INVALID
    assert "Không có đơn vị mã “00001” trong cơ cấu 2025" in jobs["2025"].errors[0][2]


def test_province_admin_import_refuses_rows_of_another_province(client, world):
    client.force_login(world.hn_admin)
    response = upload(client, (HEADER + ",Người Hai,Nữ,1980,,Khác,Xã,,00688,,\n").encode())
    html = client.get(response["Location"]).content.decode()
    assert "Không thể nhập người này ở đây; xin liên hệ quản trị trung ương." in html


def test_too_large_files_are_refused_with_a_vietnamese_message(client, world, settings):
    settings.MAX_IMPORT_UPLOAD_BYTES = 1024 * 1024
    client.force_login(world.central)
    response = upload(client, HEADER.encode() + b"x" * (1024 * 1024 + 10))
    assert response.status_code == 200
    assert "vượt quá mức cho phép 1 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_running_job_page_refreshes_itself_and_shows_a_progress_bar(client, world):
    from courses.registry.models import ImportStatus

    client.force_login(world.central)
    job = ImportJob.objects.create(
        kind="cadres", original_name="lon.csv", created_by=world.central,
        status=ImportStatus.VALIDATING, processed_rows=20, total_rows=50,
    )  # fmt: skip
    html = client.get(reverse("courses_registry_import_job", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in html
    assert '<progress id="import-progress" max="100" value="40">' in html
    assert "20 trên khoảng 50 dòng" in html


@pytest.mark.worker
def test_large_file_is_checked_and_imported_by_a_real_worker(
    client, celery_worker_process, monkeypatch
):
    """Above the inline limit the upload only queues the work: a real Celery worker checks
    the file, then (after the confirmation) writes it."""
    from courses.registry import services as registry
    from courses.registry.models import ImportStatus
    from tests.conftest import wait_for

    world = make_registry_world()
    monkeypatch.setattr(registry, "IMPORT_INLINE_MAX_BYTES", 10)
    client.force_login(world.central)
    rows = "".join(f",Người Số {n},Nữ,1980,,Khác,Xã,,00001,,\n" for n in range(300))
    response = upload(client, (HEADER + rows).encode())
    job = ImportJob.objects.get()
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.VALIDATED,
             timeout=60, message="the worker did not check the file")  # fmt: skip
    assert "Tất cả các dòng đều hợp lệ" in client.get(response["Location"]).content.decode()
    client.post(response["Location"])
    wait_for(lambda: ImportJob.objects.get(pk=job.pk).status == ImportStatus.DONE,
             timeout=60, message="the worker did not write the file")  # fmt: skip
    assert Cadre.objects.filter(full_name__startswith="Người Số").count() == 300


# --- Warnings, the report and consent in the admin ----------------------------------------------

NAMESAKES = (
    HEADER + ",Vàng Thị Dua,Nữ,1988,Thái,Khác,Xã,,00001,0912000101,\n"
    ",Vang Thi Dua,Nữ,1988,Thái,Trưởng thôn bản,Xã,,00001,0912000102,\n"
)


def test_namesakes_preview_with_a_warning_then_confirm_writes_both(client, world):
    """The two namesakes (different phones) are two people: the preview lists the warning,
    with each row's name, and offers the confirmation and the report."""
    client.force_login(world.hn_admin)
    response = upload(client, NAMESAKES.encode())
    job = ImportJob.objects.get()
    assert job.status == "validated" and job.warning_count == 3  # 1 namesake, 2 ethnicities
    page = client.get(response["Location"]).content.decode()
    assert "Xác nhận nhập dữ liệu" in page
    assert "Hai người có thể trùng: dòng 2 và dòng 3" in page
    assert "Vang Thi Dua" in page  # the row's name next to the reason
    assert "2 dòng có ghi dân tộc của người chưa đồng ý: dân tộc không được lưu." in page
    assert reverse("courses_registry_import_report", args=[job.pk]) in page
    client.post(response["Location"])
    assert Cadre.objects.filter(name_key="vang thi dua").count() == 2
    page = client.get(response["Location"]).content.decode()
    assert "Đã nhập" in page and "Hai người có thể trùng" in page


def test_the_report_downloads_as_xlsx_with_names_and_units_for_its_uploader_only(client, world):
    client.force_login(world.hn_admin)
    content = NAMESAKES + ",Người Ba,Nữ,1800,,Khác,Xã,,00001,,\n"
    upload(client, content.encode())
    job = ImportJob.objects.get()
    assert job.status == "invalid"
    url = reverse("courses_registry_import_report", args=[job.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="bao_cao_ds.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    lines = [[c.value for c in row] for row in sheet.iter_rows()]
    assert lines[0] == ["Loại", "Dòng", "Cột", "Họ tên", "Đơn vị", "Lý do"]
    by_row = {(line[0], line[1], line[2]): line for line in lines[1:]}
    assert by_row[("lỗi", 4, "nam_sinh")][3:5] == [
        "Người Ba", "00001 — Phường Phúc Xá — Thành phố Hà Nội (2023), nay thuộc Thành phố Hà Nội",
    ]  # fmt: skip
    assert by_row[("cảnh báo", 3, "ho_ten")][3] == "Vang Thi Dua"
    # Another province's admin cannot download it; the names go with the retention period.
    client.force_login(world.hg_admin)
    assert client.get(url).status_code == 404
    import datetime

    from django.utils import timezone

    from courses.registry.services import import_files_purge

    import_files_purge(now=timezone.now() + datetime.timedelta(hours=25))
    job.refresh_from_db()
    assert job.row_labels == {} and job.error_count == 1 and job.warning_count == 3


def test_the_upload_shows_the_notice_version_and_records_the_attested_consent(client, world):
    from courses.registry.models import CONSENT_NOTICE_VERSION

    client.force_login(world.hn_admin)
    html = client.get(reverse("courses_registry_import")).content.decode()
    assert f"giấy đồng ý theo thông báo phiên bản {CONSENT_NOTICE_VERSION}" in html
    assert 'name="consent_attested"' in html
    content = (
        HEADER.strip() + ",ngay_dong_y\n"
        ",Vàng Thị Dua,Nữ,1988,Thái,Khác,Xã,,00001,0912000101,,01/03/2026\n"
    )
    response = upload(client, content.encode(), consent_attested="on")
    job = ImportJob.objects.get()
    assert job.consent_notice_version == CONSENT_NOTICE_VERSION
    page = client.get(response["Location"]).content.decode()
    assert f"Đã xác nhận ngày đồng ý theo thông báo phiên bản {CONSENT_NOTICE_VERSION}" in page
    assert "được ghi nhận cho 1 người" in page
    client.post(response["Location"])
    mai = Cadre.objects.get(name_key="vang thi dua")
    assert (mai.ethnicity, mai.consent_method, mai.consent_attested_by) == (
        "03", "paper", world.hn_admin,
    )  # fmt: skip
