"""Bad input and web hygiene: CSRF on every POST, security headers, HTML in names escaped
everywhere, CSV/formula injection neutralised in every export, oversized uploads refused with a
clear Vietnamese message, login brute force throttled.

(`check --deploy` is covered by tests/lms/test_site.py.)
"""

from __future__ import annotations

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from certificates.models import Certificate
from courses.models import Cadre
from tests.security.test_authz_matrix import cases_for
from tests.security.urlconf import url_patterns
from tests.security.world import World

XSS = "<script>alert(1)</script>"
XSS_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
FORMULA_STARTS = ("=", "+", "-", "@")

# --- CSRF --------------------------------------------------------------------------------------

# Views that skip Django's CSRF middleware, each with its reason. A POST to them without a
# token must still have no effect (no 2xx): they are checked for that instead.
CSRF_EXEMPT_PREFIXES: dict[str, str] = {
    "admin/api/main/": "Wagtail's admin API (Django REST framework, read-only GET endpoints; "
    "DRF checks CSRF itself for session users); outsiders are sent to the login page",
}


def _pattern_paths(world: World) -> list[tuple[str, str]]:
    paths = []
    for pattern in url_patterns():
        for case in cases_for(pattern, world) or []:
            paths.append((pattern.route, case.url(world)))
    return paths


def test_every_post_without_a_csrf_token_is_refused(world):
    """Found through the URLconf: a new POST view is checked without anyone listing it."""
    refused_not = []
    for role in ("anonymous", "cadre", "central"):
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        if role != "anonymous":
            client.force_login(world.users[role])
        for route, path in _pattern_paths(world):
            response = client.post(path, {"q": "x"})
            if route.startswith(tuple(CSRF_EXEMPT_PREFIXES)):
                if 200 <= response.status_code < 300:
                    refused_not.append(f"POST {path} as {role}: {response.status_code} [{route}]")
                continue
            if response.status_code != 403:
                refused_not.append(f"POST {path} as {role}: {response.status_code} [{route}]")
    assert not refused_not, "POST accepted without a CSRF token:\n" + "\n".join(refused_not)


def test_a_post_with_the_token_gets_past_the_csrf_check(world):
    """The control: the same client with a valid token is not refused by CSRF."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["cadre"])
    client.get("/learn/profile/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/learn/courses/{world.tree.course.pk}/enrol/", {"csrfmiddlewaretoken": token}
    )
    assert response.status_code != 403


# --- Security headers --------------------------------------------------------------------------


def _directives(policy: str) -> dict[str, str]:
    out = {}
    for part in policy.split(";"):
        words = part.strip().split(None, 1)
        if words:
            out[words[0]] = words[1] if len(words) > 1 else ""
    return out


@pytest.mark.parametrize(
    ("role", "path"),
    [
        ("anonymous", "/"),
        ("anonymous", "/accounts/login/"),
        ("anonymous", "/search/?q=gioi"),
        ("cadre", "/learn/"),
        ("cadre", "/certificates/mine/"),
        ("trainer", "/trainer/sessions/"),
    ],
)
def test_public_pages_send_a_strict_csp_and_the_other_security_headers(world, role, path):
    response = world.client(role).get(path)
    assert response.status_code == 200
    csp = _directives(response["Content-Security-Policy"])
    for directive in ("script-src", "style-src", "default-src"):
        assert "'unsafe-inline'" not in csp.get(directive, ""), directive
        assert "'unsafe-eval'" not in csp.get(directive, ""), directive
    assert csp["default-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert "frame-ancestors" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_verification_page_has_the_strict_csp_too(world):
    response = Client().get(f"/verify/{world.certificate.code}/")
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_the_admin_allows_no_other_host_even_with_its_looser_policy(world):
    response = world.client("central").get("/admin/")
    csp = _directives(response["Content-Security-Policy"])
    for value in csp.values():
        assert "http:" not in value and "https:" not in value and "*" not in value


def test_hsts_is_sent_over_https_when_the_settings_ask_for_it(world, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    settings.SECURE_HSTS_SECONDS = 0
    assert "Strict-Transport-Security" not in Client().get("/", secure=True)


# --- HTML in names ------------------------------------------------------------------------------


@pytest.fixture
def xss_world(world):
    """Cadre A, their user and their certificate are named <script>alert(1)</script>."""
    cadre = world.cadres["A"]
    Cadre.objects.filter(pk=cadre.pk).update(full_name=XSS, agency=XSS)
    Certificate.objects.filter(pk=world.certificate.pk).update(full_name=XSS)
    user = world.users["cadre"]
    user.first_name, user.last_name = XSS, XSS
    user.save()
    # Places and sessions are named by admins and imports: the same rule holds for them.
    from courses.models import AdminUnit, TrainingSession
    from courses.selectors.counters import unit_maps_clear

    AdminUnit.objects.filter(pk__in=[world.p10.province.pk, world.p10.district.pk]).update(name=XSS)
    TrainingSession.objects.filter(pk=world.session.pk).update(title=XSS, venue=XSS)
    unit_maps_clear()
    return world


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("m_root", password="mat-khau-dai-123")


NAME_PAGES = [
    ("anonymous", lambda w: f"/verify/{w.certificate.code}/"),
    ("cadre", lambda w: "/learn/profile/"),
    ("trainer", lambda w: f"/trainer/sessions/{w.session.pk}/"),
    ("central", lambda w: "/admin/registry/cadres/"),
    ("central", lambda w: f"/admin/registry/cadres/inspect/{w.cadres['A'].pk}/"),
    ("central", lambda w: f"/admin/registry/cadres/edit/{w.cadres['A'].pk}/"),
    ("central", lambda w: "/admin/certificates/"),
    ("central", lambda w: f"/admin/certificate/{w.certificate.pk}/"),
    ("superuser", lambda w: "/admin/users/"),
    ("trainer", lambda w: "/trainer/sessions/"),
    ("admin_same", lambda w: "/admin/counters/"),
    ("central", lambda w: "/admin/counters/?province=10"),
    ("central", lambda w: "/admin/registry/units/"),
    ("central", lambda w: "/admin/sessions/"),
]


def test_html_in_names_is_escaped_on_every_page_that_shows_names(xss_world):
    w = xss_world
    problems = []
    superuser = Client()
    superuser.force_login(_superuser())
    for role, path_of in NAME_PAGES:
        path = path_of(w)
        response = (superuser if role == "superuser" else w.client(role)).get(path)
        body = response.content.decode()
        if response.status_code != 200:
            problems.append(f"{path} as {role}: {response.status_code}")
        elif XSS in body:
            problems.append(f"{path} as {role}: the name is rendered as HTML")
        elif XSS_ESCAPED not in body and "\\u003Cscript\\u003E" not in body:
            problems.append(f"{path} as {role}: the name is not shown (check the page list)")
    # The learner enrolment preview in the admin lists names too.
    response = w.client("central").post(
        "/admin/learning/enrol/", {"course": w.tree.course.pk, "level": "commune"}
    )
    if XSS in response.content.decode():
        problems.append("/admin/learning/enrol/ preview renders the name as HTML")
    assert not problems, "\n".join(problems)


def test_the_verification_json_carries_the_name_as_data_not_html(xss_world):
    response = Client().get(f"/verify/{xss_world.certificate.code}.json")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["full_name"] == XSS
    assert response["X-Content-Type-Options"] == "nosniff"


# --- CSV / formula injection ----------------------------------------------------------------


def _csv_cells(content: bytes) -> list[str]:
    text = content.decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def _xlsx_cells(content: bytes) -> list:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content))
    cells = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cells.append(("FORMULA", cell.value))
                elif isinstance(cell.value, str):
                    cells.append(cell.value)
    return cells


def _dangerous(cells) -> list:
    bad = []
    for cell in cells:
        if isinstance(cell, tuple):
            bad.append(cell)
            continue
        if cell.startswith(FORMULA_STARTS):
            try:
                float(cell.replace(",", "."))
            except ValueError:
                bad.append(cell)
    return bad


INJECTIONS = {
    "full_name": '=HYPERLINK("http://evil.example","bấm vào")',
    "agency": "+SUM(1+1)*cmd|' /C calc'!A0",
    "ma_can_bo": "@SUM(A1:A9)",
    "phone": "-2+3",
}


@pytest.fixture
def injected_world(world):
    from courses.models import AdminUnit, Indicator

    Cadre.objects.filter(pk=world.cadres["A"].pk).update(**INJECTIONS)
    AdminUnit.objects.filter(pk=world.p10.province.pk).update(name="=1+2 Tỉnh")
    AdminUnit.objects.filter(pk=world.p10.district.pk).update(name="@Huyện")
    Indicator.objects.filter(code="CADRES_TRAINED").update(name="-Cán bộ =1+1")
    from courses.selectors.counters import unit_maps_clear

    unit_maps_clear()
    return world


EXPORTS = [
    ("central", "/admin/registry/cadres/?export=csv", "csv"),
    ("central", "/admin/registry/cadres/?export=xlsx", "xlsx"),
    ("admin_same", "/admin/registry/cadres/?export=csv", "csv"),
    ("central", "/admin/counters/export.csv", "csv"),
    ("central", "/admin/counters/export.xlsx", "xlsx"),
    ("central", "/admin/counters/export.csv?province=10", "csv"),
    ("central", "/admin/counters/export.xlsx?province=10", "xlsx"),
    ("admin_same", "/admin/counters/export.csv", "csv"),
]


@pytest.mark.parametrize(("role", "path", "kind"), EXPORTS)
def test_exports_neutralise_cells_that_a_spreadsheet_would_run(injected_world, role, path, kind):
    response = injected_world.client(role).get(path)
    assert response.status_code == 200, path
    content = b"".join(response.streaming_content) if response.streaming else response.content
    cells = _csv_cells(content) if kind == "csv" else _xlsx_cells(content)
    assert cells, "the export is empty"
    assert not _dangerous(cells), f"cells a spreadsheet would run: {_dangerous(cells)}"


def test_the_registry_export_still_carries_the_neutralised_text(injected_world):
    content = b"".join(
        injected_world.client("central").get("/admin/registry/cadres/?export=csv").streaming_content
    )
    cells = _csv_cells(content)
    assert "'" + INJECTIONS["full_name"] in cells


# --- Oversized uploads ------------------------------------------------------------------------


def test_an_oversized_import_file_is_refused_with_a_clear_vietnamese_message(world, settings):
    settings.MAX_IMPORT_UPLOAD_BYTES = 1024 * 1024  # 1 MB; the file below is 1.5 MB
    big = SimpleUploadedFile(
        "can_bo.csv", b"ma_can_bo,ho_ten\n" + b"x,y\n" * 400_000, content_type="text/csv"
    )
    from courses.models import ImportJob

    jobs = ImportJob.objects.count()  # the world has one import already
    client = world.client("central")
    response = client.post("/admin/registry/import/", {"file": big}, follow=True)
    body = response.content.decode()
    assert "vượt quá mức cho phép 1 MB" in body, body[-2000:]
    assert ImportJob.objects.count() == jobs


def test_the_default_import_limit_is_twenty_megabytes(settings):
    assert settings.MAX_IMPORT_UPLOAD_BYTES == 20 * 1024 * 1024


def _post_oversized_image(settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 100 * 1024
    from wagtail.images.tests.utils import get_test_image_file

    image = get_test_image_file(size=(1200, 1200))
    data = image.file.getvalue() + b"\0" * (200 * 1024)
    upload = SimpleUploadedFile("anh.png", data, content_type="image/png")
    client = Client()
    client.force_login(_superuser())
    return client.post("/admin/images/add/", {"title": "Ảnh lớn", "file": upload, "collection": 1})


def test_an_oversized_image_is_refused_with_its_size_and_the_limit(world, settings):
    from wagtail.images.models import Image

    response = _post_oversized_image(settings)
    assert response.status_code == 200
    assert not Image.objects.filter(title="Ảnh lớn").exists()
    assert "100,0\xa0KB" in response.content.decode()


def test_the_oversized_image_message_is_vietnamese(world, settings):
    body = _post_oversized_image(settings).content.decode()
    assert "This file is too big" not in body


def test_a_request_body_over_the_django_limit_is_refused(world, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = world.client("cadre").post(
        "/learn/profile/", {"full_name": "x" * 5000}, raise_request_exception=False
    )
    assert response.status_code == 400


# --- Login brute force -------------------------------------------------------------------------


def test_login_is_throttled_after_the_allowed_failures_even_with_the_right_password(
    world, settings
):
    settings.LOGIN_RATE_LIMIT = 5
    client = Client()
    for _ in range(5):
        response = client.post(
            "/accounts/login/", {"username": "m_cadre_a", "password": "sai-mat-khau"}
        )
        assert response.status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "m_cadre_a", "password": "mat-khau-dai-123"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Quá nhiều lần đăng nhập không thành công" in response.content.decode()


def test_login_throttling_counts_per_user_name_across_addresses(world, settings):
    settings.LOGIN_RATE_LIMIT = 3
    for n in range(3):
        Client(REMOTE_ADDR=f"127.0.0.{n + 10}").post(
            "/accounts/login/", {"username": "m_central", "password": "sai"}
        )
    response = Client(REMOTE_ADDR="127.0.0.99").post(
        "/accounts/login/", {"username": "m_central", "password": "mat-khau-dai-123"}
    )
    assert response.status_code == 429


def test_the_admin_login_goes_through_the_throttled_login(world):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_wagtails_private_page_login_is_throttled_too(world, settings):
    settings.LOGIN_RATE_LIMIT = 3
    client = Client()
    for _ in range(3):
        client.post("/_util/login/", {"username": "m_cadre_a", "password": "sai"})
    response = client.post("/_util/login/", {"username": "m_cadre_a", "password": "sai"})
    assert response.status_code == 429
