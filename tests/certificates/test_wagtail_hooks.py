"""Admins in the Wagtail admin: scoped list and search, revoke, re-issue, bulk downloads."""

import io
import zipfile

import pytest
from pypdf import PdfReader

from certificates.models import BulkExport, CertificateStatus
from courses.sessions.models import Attendance, TrainingSession
from tests.builders import make_units, make_user


@pytest.fixture
def province_admin(db):
    user = make_user(role="Admin", province_code="15")
    from django.contrib.auth.models import Permission

    user.groups.get(name="Admin").permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return user


def test_a_province_admin_sees_and_finds_only_their_province(client, issued, province_admin):
    ours = issued(unit=make_units(province_code="10").commune)
    theirs = issued(unit=make_units(province_code="26").commune, full_name="Lò Văn Páo")
    client.force_login(province_admin)
    page = client.get("/admin/certificates/").content.decode()
    assert ours.serial in page
    assert theirs.serial not in page
    found = client.get("/admin/certificates/", {"q": ours.serial}).content.decode()
    assert ours.serial in found
    by_code = client.get("/admin/certificates/", {"q": ours.code}).content.decode()
    assert ours.serial in by_code
    assert client.get(f"/admin/certificate/{theirs.pk}/").status_code == 404
    assert client.get(f"/admin/certificate/{ours.pk}/").status_code == 200


def test_a_learner_cannot_open_the_certificate_admin(client, issued):
    certificate = issued()
    learner = make_user(role="Cadre")
    client.force_login(learner)
    assert client.get(f"/admin/certificate/{certificate.pk}/").status_code in (302, 403, 404)


def test_an_admin_revokes_with_a_reason(client, issued, province_admin):
    certificate = issued(unit=make_units(province_code="10").commune)
    client.force_login(province_admin)
    client.post(f"/admin/certificate/{certificate.pk}/revoke/", {"reason": ""})
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    client.post(f"/admin/certificate/{certificate.pk}/revoke/", {"reason": "Trùng hồ sơ"})
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.REVOKED
    event = certificate.events.get(kind="revoked")
    assert event.by == province_admin
    page = client.get(f"/admin/certificate/{certificate.pk}/").content.decode()
    assert "Trùng hồ sơ" in page


def test_an_admin_reissues_after_correcting_the_name(
    client, issued, province_admin, django_capture_on_commit_callbacks
):
    certificate = issued(unit=make_units(province_code="10").commune, full_name="Nguyen Thi Hoa")
    client.force_login(province_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/certificate/{certificate.pk}/reissue/", {"full_name": "Nguyễn Thị Hoà"}
        )
    certificate.refresh_from_db()
    assert certificate.status == CertificateStatus.ISSUED
    assert certificate.full_name == "Nguyễn Thị Hoà"
    pdf = client.get(f"/admin/certificate/{certificate.pk}/pdf/")
    assert pdf.status_code == 200


@pytest.mark.parametrize("fmt", ["zip", "pdf"])
def test_an_admin_downloads_all_certificates_of_a_session(
    client, issued, province_admin, course, fmt, django_capture_on_commit_callbacks
):
    unit = make_units(province_code="10").commune
    attended = [issued(unit=unit, full_name=f"Học viên {n}") for n in range(3)]
    issued(unit=unit, full_name="Không dự lớp")
    session = TrainingSession.objects.create(
        kind="can_bo_huyen_xa", course=course, title="Lớp tập huấn xã",
        start_date="2026-11-01", end_date="2026-11-02", unit=unit, status="held",
    )  # fmt: skip
    for certificate in attended:
        Attendance.objects.create(session=session, cadre=certificate.enrolment.cadre, present=True)
    client.force_login(province_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/certificate-exports/", {"session": session.pk, "format": fmt}
        )
    export = BulkExport.objects.get()
    assert response["Location"] == f"/admin/certificate-exports/{export.pk}/"
    status = client.get(response["Location"]).content.decode()
    assert 'data-export-status="done"' in status
    export.refresh_from_db()
    assert (export.total, export.done, export.percent) == (3, 3, 100)
    file = client.get(f"/admin/certificate-exports/{export.pk}/file/")
    content = b"".join(file.streaming_content)
    if fmt == "zip":
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
        assert sorted(names) == sorted(f"{c.serial}.pdf" for c in attended)
    else:
        reader = PdfReader(io.BytesIO(content))
        assert len(reader.pages) == 3
        text = "\n".join(page.extract_text() for page in reader.pages)
        assert all(f"Học viên {n}" in text for n in range(3))
        assert "Không dự lớp" not in text


def test_a_running_export_page_refreshes_itself(client, province_admin):
    export = BulkExport.objects.create(
        format="zip", commune_code="10001", requested_by=province_admin
    )
    client.force_login(province_admin)
    page = client.get(f"/admin/certificate-exports/{export.pk}/").content.decode()
    assert 'http-equiv="refresh"' in page
