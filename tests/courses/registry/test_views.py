"""The registry's import pages: for admins only, the template downloads, an upload checked
then confirmed (by a real worker above the inline limit), within the admin's province."""

from __future__ import annotations

import io

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


def upload(client, content: bytes, name="ds.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("courses_registry_import"), {"file": SimpleUploadedFile(name, content)}
    )


@pytest.mark.parametrize("role", ["anonymous", "hoa_user", "trainer"])
def test_import_pages_are_for_admins_only(client, world, role):
    login(client, world, role)
    for name, args in [("courses_registry_import", []),
                       ("courses_registry_import_template", ["csv"])]:  # fmt: skip
        response = client.get(reverse(name, args=args))
        assert response.status_code in (302, 403)


def test_template_downloads_have_the_exact_columns(client, world):
    client.force_login(world.hn_admin)
    csv_bytes = client.get(reverse("courses_registry_import_template", args=["csv"])).content
    assert csv_bytes.startswith(b"\xef\xbb\xbf" + HEADER.strip().encode())
    xlsx = client.get(reverse("courses_registry_import_template", args=["xlsx"])).content
    sheet = load_workbook(io.BytesIO(xlsx)).active
    assert ",".join(c.value for c in sheet[1]) + "\n" == HEADER


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
