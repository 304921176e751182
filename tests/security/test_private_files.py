"""Private files (certificate PDFs, bulk exports, uploaded imports) are never in the public media
that the reverse proxy serves at /media/, never under a name that can be guessed, and reach
people only through the views that check who is asking.

The proxy is played by a URLconf that serves the whole of MEDIA_ROOT at /media/, as a proxy
configured without care would: even then no private file comes out.
"""

from __future__ import annotations

import importlib
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import include, path, re_path, reverse
from django.utils import timezone
from django.views.static import serve

from certificates.models import BulkExport, Certificate, ExportStatus
from certificates.services import bulk_export_request, certificate_reissue
from content.models import CoursePage
from courses.learning.models import Enrolment
from courses.registry.models import Cadre, ImportJob, ImportStatus
from tests.builders import make_certificate, make_registry_world
from tests.security.world import seed_indicators


def proxy_media(request, path):
    return serve(request, path, document_root=django_settings.MEDIA_ROOT)


# The site behind a proxy that serves MEDIA_ROOT at /media/ (the project's URLs after it).
urlpatterns = [
    re_path(r"^media/(?P<path>.*)$", proxy_media),
    path("", include("lms.urls")),
]
behind_the_proxy = override_settings(ROOT_URLCONF=__name__)

SERIAL_AND_TOKEN = re.compile(r"certificates/\d{4}/DA8-01-\d{4}-\d{6}-[0-9a-f]{32}\.pdf")


@pytest.fixture
def world(db, settings, tmp_path):
    settings.DEBUG = False
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_indicators()
    return make_registry_world()


@pytest.fixture(autouse=True)
def _tasks_inline():
    """Certificates and exports are built in the test's process, even with REDIS_URL set."""
    from lms.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def issued_certificate(cadre) -> Certificate:
    course = CoursePage.objects.get(title="Bình đẳng giới")
    enrolment = Enrolment.objects.create(
        cadre=cadre, course=course, completed_at=timezone.now(), completed_via="online"
    )
    return make_certificate(enrolment=enrolment, issue=True)


def files_under(root) -> list[str]:
    root = Path(root)
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_a_certificate_is_served_only_to_its_learner_never_under_media(client, world):
    from wagtail.images.models import Image
    from wagtail.images.tests.utils import get_test_image_file

    certificate = issued_certificate(world.hoa)
    assert certificate.status == "issued" and certificate.serial.startswith("DA8-01-")
    name = certificate.pdf.name
    # The serial alone is not enough to find the file, and the file has no public address.
    assert SERIAL_AND_TOKEN.fullmatch(name), name
    with pytest.raises(ValueError):
        certificate.pdf.url  # noqa: B018
    guessable = f"certificates/{certificate.issued_on.year}/{certificate.serial}.pdf"
    assert not any(p.endswith(".pdf") for p in files_under(settings_media()))

    image = Image.objects.create(title="Ảnh bài học", file=get_test_image_file("bai-hoc.png"))
    rendition = image.get_rendition("width-100")

    # With DEBUG off, Django itself serves nothing under /media/ ...
    for url in (f"/media/{name}", f"/media/{guessable}"):
        assert client.get(url).status_code == 404, url
    # ... and the proxy serves the public images, but no certificate.
    with behind_the_proxy:
        assert client.get(rendition.url).status_code == 200
        assert client.get(f"/media/{image.file.name}").status_code == 200
        for url in (f"/media/{name}", f"/media/{guessable}"):
            assert client.get(url).status_code == 404, url

    download = reverse("certificates:download", args=[certificate.pk])
    client.force_login(world.hoa_user)
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(world.mai_user)  # another learner
    assert client.get(download).status_code == 404
    admin_download = reverse("certificate_download", args=[certificate.pk])
    client.force_login(world.hn_admin)
    assert client.get(admin_download).status_code == 200
    client.force_login(world.hg_admin)  # an admin of another province
    assert client.get(admin_download).status_code == 404


def settings_media() -> Path:
    return Path(django_settings.MEDIA_ROOT)


def test_a_bulk_export_is_private_and_reaches_only_the_admin_who_asked(
    client, world, django_capture_on_commit_callbacks
):
    issued_certificate(world.hoa)
    with django_capture_on_commit_callbacks(execute=True):
        export = bulk_export_request(
            format="zip", by=world.hn_admin, commune_code="00001", province_code="01"
        )
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE, export.error
    assert re.fullmatch(rf"exports/{export.pk}-[0-9a-f]{{32}}\.zip", export.file.name)
    assert files_under(settings_media()) == []
    assert files_under(django_settings.PRIVATE_MEDIA_ROOT).count(export.file.name) == 1

    with behind_the_proxy:
        for url in (f"/media/{export.file.name}", f"/media/exports/{export.pk}.zip"):
            assert client.get(url).status_code == 404, url
    url = reverse("certificate_export_file", args=[export.pk])
    client.force_login(world.hn_admin)
    response = client.get(url)
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert len(archive.namelist()) == 1
    client.force_login(world.hg_admin)
    assert client.get(url).status_code == 404


HEADER = (
    "ma_can_bo,ho_ten,gioi_tinh,nam_sinh,dan_toc,nhom_doi_tuong,cap,co_quan,"
    "ma_don_vi_hanh_chinh,so_dien_thoai,email\n"
)


def test_an_uploaded_import_is_kept_privately_until_confirmed_and_then_deleted(client, world):
    client.force_login(world.hn_admin)
    content = (HEADER + ",Người Một,Nữ,1980,,Khác,Xã,,00001,0987654321,\n").encode()
    response = client.post(
        reverse("courses_registry_import"),
        {"file": SimpleUploadedFile("danh-sach-xa-phuc-xa.csv", content), "structure": "2023"},
    )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("courses_registry_import_job", args=[job.pk])
    assert job.status == ImportStatus.VALIDATED
    # Waiting for the confirmation: in the private storage, under a random name.
    assert "phuc-xa" not in job.file.name and job.file.name.endswith(".csv")
    assert files_under(django_settings.PRIVATE_MEDIA_ROOT) == [job.file.name]
    assert files_under(settings_media()) == []
    with behind_the_proxy:
        assert client.get(f"/media/{job.file.name}").status_code == 404

    response = client.post(response["Location"])  # confirm
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert Cadre.objects.filter(full_name="Người Một", phone="0987654321").exists()
    assert not job.file
    assert files_under(django_settings.PRIVATE_MEDIA_ROOT) == []


def run_migration(app_label: str, module: str) -> None:
    migration = importlib.import_module(f"{app_label}.migrations.{module}")
    migration.move(apps, None)


def test_files_stored_before_go_to_the_private_storage_and_keep_working(
    client, world, django_capture_on_commit_callbacks, capsys
):
    """The data migrations move what the public media held: rows follow their files, each
    file gets an unguessable name, downloads keep working, and a second run changes nothing."""
    certificate = issued_certificate(world.hoa)
    year = certificate.issued_on.year
    old_pdf = f"certificates/{year}/{certificate.serial}.pdf"
    pdf = certificate.pdf.storage.open(certificate.pdf.name).read()
    certificate.pdf.storage.delete(certificate.pdf.name)
    default_storage.save(old_pdf, ContentFile(pdf))
    Certificate.objects.filter(pk=certificate.pk).update(pdf=old_pdf)
    export = BulkExport.objects.create(format="zip", requested_by=world.hn_admin,
                                       commune_code="00001", province_code="01",
                                       status=ExportStatus.DONE)  # fmt: skip
    old_export = default_storage.save(f"exports/{export.pk}.zip", ContentFile(b"PK zip"))
    BulkExport.objects.filter(pk=export.pk).update(file=old_export)
    job = ImportJob.objects.create(kind="cadres", original_name="ds.csv", created_by=world.central,
                                   status=ImportStatus.VALIDATED, structure="2023")  # fmt: skip
    row = ",Người Hai,Nữ,1981,,Khác,Xã,,00001,0987654322,\n"
    old_import = default_storage.save(
        "imports/2025/05/ds.csv", ContentFile((HEADER + row).encode())
    )
    ImportJob.objects.filter(pk=job.pk).update(file=old_import)
    stray = default_storage.save("certificates/2024/DA8-01-2024-000009.pdf", ContentFile(b"%P"))

    for _ in range(2):  # the second run finds nothing left to move
        run_migration("certificates", "0003_move_files_to_private_storage")
        run_migration("courses", "0008_move_import_files_to_private_storage")
    out = capsys.readouterr().out
    assert out.count("1 files moved from MEDIA_ROOT/certificates/") == 1
    assert out.count("1 files moved from MEDIA_ROOT/imports/") == 1
    assert "1 files under MEDIA_ROOT/certificates/ are named by no row" in out

    certificate.refresh_from_db()
    export.refresh_from_db()
    job.refresh_from_db()
    private = certificate.pdf.storage
    for moved, old in ((certificate.pdf, old_pdf), (export.file, old_export),
                       (job.file, old_import)):  # fmt: skip
        stem = old.rsplit(".", 1)[0]
        assert re.fullmatch(rf"{re.escape(stem)}-[0-9a-f]{{32}}\.\w+", moved.name), moved.name
        assert private.exists(moved.name) and not default_storage.exists(old)
    assert private.open(certificate.pdf.name).read() == pdf
    assert files_under(settings_media()) == [stray]  # reported, not taken: no row names it

    client.force_login(world.hoa_user)
    response = client.get(reverse("certificates:download", args=[certificate.pk]))
    assert b"".join(response.streaming_content) == pdf
    client.force_login(world.central)
    page = client.post(reverse("courses_registry_import_job", args=[job.pk]))  # confirm
    assert page.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE  # read from its new place
    assert Cadre.objects.filter(full_name="Người Hai").exists()

    # Issued again after a name correction: the standard name, and the moved file goes.
    moved_pdf = certificate.pdf.name
    with django_capture_on_commit_callbacks(execute=True):
        certificate_reissue(certificate=certificate, full_name="Nguyễn Thị Hoà", by=None)
    certificate.refresh_from_db()
    assert SERIAL_AND_TOKEN.fullmatch(certificate.pdf.name)
    assert certificate.pdf.name != moved_pdf and not private.exists(moved_pdf)
    assert private.exists(certificate.pdf.name)
