"""Public verification, and learners downloading their own certificates."""

import re

from certificates.models import VerificationLog
from certificates.services import certificate_revoke
from tests.builders import complete, make_units, make_user
from tests.certificates.conftest import cadre_create

PRIVATE = ["0912345678", "hoa@example.org", "Tày", "Xã 10001", "10001"]


def test_the_verify_page_shows_a_valid_certificate_and_nothing_private(client, issued):
    certificate = issued()
    response = client.get(f"/verify/{certificate.code}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-status="valid"' in html
    for shown in ["Nguyễn Thị Hoà", certificate.course_title, certificate.serial,
                  "Hội Liên hiệp Phụ nữ Việt Nam",
                  certificate.completed_on.strftime("%d/%m/%Y")]:  # fmt: skip
        assert shown in html
    for private in PRIVATE:
        assert private not in html
    # CSP: no inline script or style on the public page.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html and "style=" not in html
    assert "unsafe-inline" not in response["Content-Security-Policy"]


def test_the_json_holds_only_the_public_fields(client, issued):
    certificate = issued()
    data = client.get(f"/verify/{certificate.code}.json").json()
    assert data["status"] == "valid"
    assert data["full_name"] == "Nguyễn Thị Hoà"
    assert data["course"] == certificate.course_title
    assert data["issuing_organisation"] == "Hội Liên hiệp Phụ nữ Việt Nam"
    assert set(data) == {
        "status", "full_name", "course", "completed_on", "completed_on_display", "issued_on",
        "serial", "issuing_organisation",
    }  # fmt: skip
    body = str(data)
    for private in PRIVATE:
        assert private not in body


def test_a_revoked_certificate_shows_as_revoked(client, issued):
    certificate = issued()
    certificate_revoke(certificate=certificate, reason="Cấp nhầm")
    html = client.get(f"/verify/{certificate.code}/").content.decode()
    assert 'data-status="revoked"' in html
    assert "thu hồi" in html  # "đã bị thu hồi"
    assert client.get(f"/verify/{certificate.code}.json").json()["status"] == "revoked"


def test_an_unknown_or_pending_code_is_a_404_that_reveals_nothing(client, course):
    pending = complete(cadre=cadre_create(unit=make_units().commune), course=course).certificate
    unknown = client.get("/verify/khong-ton-tai-abcdefghijklmnopqrstuv/")
    not_yet = client.get(f"/verify/{pending.code}/")
    assert unknown.status_code == not_yet.status_code == 404
    assert "Nguyễn" not in not_yet.content.decode()
    as_json = client.get(f"/verify/{pending.code}.json")
    assert as_json.status_code == 404
    assert set(as_json.json()) == {"error"}


def test_each_check_is_logged_without_the_raw_ip_or_code(client, issued):
    certificate = issued()
    client.get(f"/verify/{certificate.code}/", REMOTE_ADDR="203.0.113.7")
    client.get("/verify/sai-ma-xac-minh-0000000000000000000/", REMOTE_ADDR="203.0.113.7")
    logs = list(VerificationLog.objects.order_by("at", "pk"))
    assert [log.result for log in logs] == ["valid", "unknown"]
    assert logs[0].certificate == certificate
    assert logs[1].certificate is None
    for log in logs:
        assert "203.0.113.7" not in log.ip_hash
        assert certificate.code not in log.code_hash
    assert logs[0].ip_hash == logs[1].ip_hash


def test_checking_is_rate_limited_per_address(client, issued, settings):
    settings.CERTIFICATE_VERIFY_RATE = "5/m"
    certificate = issued()
    for _ in range(5):
        assert (
            client.get(f"/verify/{certificate.code}/", REMOTE_ADDR="198.51.100.1").status_code
            == 200
        )
    limited = client.get(f"/verify/{certificate.code}/", REMOTE_ADDR="198.51.100.1")
    assert limited.status_code == 429
    assert "Bạn đã kiểm tra quá nhiều lần" in limited.content.decode()
    as_json = client.get(f"/verify/{certificate.code}.json", REMOTE_ADDR="198.51.100.1")
    assert as_json.status_code == 429
    # Another address is not held back.
    assert client.get(f"/verify/{certificate.code}/", REMOTE_ADDR="198.51.100.2").status_code == 200


def test_a_learner_lists_and_downloads_only_their_own_certificates(client, issued):
    learner = make_user(role="Cadre")
    mine = issued(user=learner)
    theirs = issued(full_name="Lò Văn Páo", email="pao@example.org")
    client.force_login(learner)
    page = client.get("/certificates/mine/").content.decode()
    assert mine.serial in page
    assert theirs.serial not in page
    response = client.get(f"/certificates/{mine.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert client.get(f"/certificates/{theirs.pk}/download/").status_code == 404


def test_downloads_need_a_login(client, issued):
    certificate = issued()
    response = client.get(f"/certificates/{certificate.pk}/download/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
