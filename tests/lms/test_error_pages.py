"""Vietnamese error pages with the site's navigation (lms/errors.py, templates 403/404/500),
JSON errors for JSON endpoints, and the 403 page for a person without admin access who
opens /admin/ (lms.middleware.AdminAccessMiddleware)."""

import pytest
from django.db import connection
from django.test import Client, RequestFactory

from lms.errors import server_error
from tests.builders import logged_in, make_user

pytestmark = pytest.mark.django_db

NAVIGATION = ('class="site-nav"', 'href="/search/"', 'href="/"')


def _assert_site_page(html: str) -> None:
    for marker in NAVIGATION:
        assert marker in html, marker
    assert 'lang="vi"' in html
    assert "Về trang chủ" in html


def test_a_missing_page_is_the_vietnamese_404_with_the_sites_navigation():
    response = Client().get("/khong-co-trang-nay/")
    assert response.status_code == 404
    html = response.content.decode()
    _assert_site_page(html)
    assert "Không tìm thấy trang" in html
    assert "Not Found" not in html and "The requested resource" not in html


def test_a_cadre_who_opens_the_admin_gets_the_403_page_with_a_way_back():
    cadre = make_user("cb_vao_quan_tri", role="Cadre")
    client = logged_in(cadre)
    for path in ("/admin/", "/admin/pages/", "/admin/images/"):
        response = client.get(path)
        # Not the redirect to the login page, which sent a signed-in person back to /admin/.
        assert response.status_code == 403, path
        html = response.content.decode()
        _assert_site_page(html)
        assert "Không có quyền truy cập" in html
        assert 'href="/learn/"' in html  # their courses
        assert "cb_vao_quan_tri" in html
        # The security headers of every page (the middleware answers inside them).
        assert response["X-Frame-Options"] == "DENY"
        assert "Content-Security-Policy" in response
    # Asked for JSON (the admin's scripts), the refusal is JSON.
    response = client.get("/admin/api/main/pages/", HTTP_ACCEPT="application/json")
    assert response.status_code == 403
    assert "quyền" in response.json()["error"]


def test_people_not_signed_in_are_still_sent_to_log_in_and_staff_get_the_admin():
    response = Client().get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    trainer = make_user("gv_vao_quan_tri", role="Trainer")
    assert logged_in(trainer).get("/admin/").status_code == 200
    # The admin's public views stay public for everyone.
    cadre = logged_in(make_user("cb_quen_mat_khau", role="Cadre"))
    assert cadre.get("/admin/password_reset/").status_code == 200
    assert cadre.get("/admin/jsi18n/").status_code == 200


def test_json_endpoints_answer_errors_in_json():
    response = Client().get("/api/khong-co/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"error": "Trang này không tồn tại hoặc đã được chuyển đi."}
    cadre = logged_in(make_user("cb_api", role="Cadre"))
    response = cadre.get("/api/counters/")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert "quản trị" in response.json()["detail"]  # the counters API's own refusal, in JSON
    # A client that asks for JSON gets JSON anywhere.
    response = Client().get("/khong-co-trang-nay/", HTTP_ACCEPT="application/json")
    assert response.status_code == 404 and "error" in response.json()


def test_the_500_page_renders_without_a_database_or_request_context(django_assert_num_queries):
    request = RequestFactory().get("/bai-hoc/")
    # What failed may be the database itself: the page makes no query and reads no session.
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    _assert_site_page(html)
    assert "Lỗi máy chủ" in html and "Server Error" not in html


def test_a_view_that_crashes_shows_the_vietnamese_500_page(settings):
    from django.urls import path

    def broken(request):
        raise RuntimeError("hỏng")

    import lms.urls

    settings.ROOT_URLCONF = type(
        "BrokenUrls",
        (),
        {
            "urlpatterns": [path("hong/", broken), *lms.urls.urlpatterns],
            "handler500": lms.urls.handler500,
            "handler404": lms.urls.handler404,
            "handler403": lms.urls.handler403,
        },
    )
    response = Client(raise_request_exception=False).get("/hong/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Lỗi máy chủ" in html and 'class="site-nav"' in html
    assert "hỏng" not in html and "RuntimeError" not in html
    response = Client(raise_request_exception=False).get("/hong/", HTTP_ACCEPT="application/json")
    assert response.status_code == 500 and "error" in response.json()
    assert connection.is_usable()
