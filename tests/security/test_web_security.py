"""Bad input and web hygiene: CSRF on every POST, security headers, HTML in names escaped
everywhere, CSV/formula injection neutralised in every export, oversized uploads refused with a
clear Vietnamese message, login brute force throttled.

The headers, escaping and export checks read the matrix's walk (tests/security/conftest.py:
`matrix_walk`): every GET case of every URL pattern, as every role and as the superuser, in a
world whose people, places, sessions, titles and files carry an HTML marker and formula
markers (tests/security/world.py: world_mark). No list of pages or exports is written by hand:
a new page or export is checked without anyone listing it.

(`check --deploy` is covered by tests/lms/test_site.py.)
"""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.builders import make_user
from tests.security.test_authz_matrix import cases_for
from tests.security.urlconf import url_patterns
from tests.security.world import XSS

# Database tests, though most only read the session's walk: pytest-django runs them with the
# other database tests, before the transactional ones, which leave the tables empty behind
# them (found by CI: run last, the walk found no root page to build its world on).
# The walk requests every URL pattern as every role, once per module: its time grows with the
# site. The limit is there to stop a hung test, not to measure speed (benchmarks do that).
pytestmark = [pytest.mark.django_db, pytest.mark.timeout(1500)]

# --- CSRF --------------------------------------------------------------------------------------

# Views that skip Django's CSRF middleware, each with its reason. A POST to them without a
# token must still have no effect (no 2xx): they are checked for that instead.
CSRF_EXEMPT_PREFIXES: dict[str, str] = {
    "admin/api/main/": "Wagtail's admin API (Django REST framework, read-only GET endpoints; "
    "DRF checks CSRF itself for session users); outsiders are sent to the login page",
}


def test_every_post_without_a_csrf_token_is_refused(world):
    """Found through the URLconf: a new POST view is checked without anyone listing it. The
    token is checked before the view runs, so one path per pattern is enough."""
    refused_not = []
    for role in ("anonymous", "cadre", "central"):
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        if role != "anonymous":
            client.force_login(world.users[role])
        for pattern in url_patterns():
            cases = cases_for(pattern, world) or []
            if not cases:
                continue
            path = cases[0].url(world)
            response = client.post(path, {"q": "x"})
            if pattern.route.startswith(tuple(CSRF_EXEMPT_PREFIXES)):
                if 200 <= response.status_code < 300:
                    refused_not.append(f"POST {path} as {role}: {response.status_code}")
                continue
            if response.status_code != 403:
                refused_not.append(f"POST {path} as {role}: {response.status_code}")
    assert not refused_not, "POST accepted without a CSRF token:\n" + "\n".join(refused_not)

    # The control: the same client with a valid token is not refused by CSRF.
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["cadre"])
    client.get("/learn/profile/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        f"/learn/courses/{world.tree.course.pk}/enrol/", {"csrfmiddlewaretoken": token}
    )
    assert response.status_code != 403


# --- Security headers, on every page the walk saw ------------------------------------------------


def _directives(policy: str) -> dict[str, str]:
    out = {}
    for part in policy.split(";"):
        words = part.strip().split(None, 1)
        if words:
            out[words[0]] = words[1] if len(words) > 1 else ""
    return out


# Pages that may be framed by the site itself, each with the reason.
PREVIEW = (
    "Wagtail's live preview is shown in an iframe of the page editor, on the same origin "
    "(its views are xframe_options_sameorigin)"
)
SAMEORIGIN_FRAMING: dict[str, str] = {
    "admin/pages/add/<slug:content_type_app_name>/<slug:content_type_model_name>"
    "/<int:parent_page_id>/preview/": PREVIEW,
    "admin/pages/<int:page_id>/edit/preview/": PREVIEW,
    # Quizzes are previewable snippets (their authors and reviewers check a version).
    "admin/snippets/content/quiz/preview/": PREVIEW,
    "admin/snippets/content/quiz/preview/<int:pk>/": PREVIEW,
}


def test_every_page_sends_the_security_headers(matrix_walk):
    missing, framed = [], set()
    for rec in matrix_walk.records:
        if "text/html" not in rec.content_type:
            continue
        h = rec.headers
        framing = "DENY"
        if rec.route in SAMEORIGIN_FRAMING and rec.outcome == 200:
            framing = "SAMEORIGIN"
            framed.add(rec.route)
        expected = {
            "X-Frame-Options": framing,
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
        }
        if any(h.get(k) != v for k, v in expected.items()) or "Content-Security-Policy" not in h:
            missing.append(f"{rec.path} as {rec.role}: {h}")
    assert not missing, "\n".join(missing[:50])
    assert framed == set(SAMEORIGIN_FRAMING), "a framing exception names no page any more"


def test_pages_outside_the_admin_send_a_strict_csp(matrix_walk):
    """No unsafe-inline or unsafe-eval, nothing but the site itself, no plugins, no framing."""
    loose, seen = [], 0
    for rec in matrix_walk.records:
        if "text/html" not in rec.content_type or rec.path.startswith("/admin/"):
            continue
        seen += 1
        csp = _directives(rec.headers.get("Content-Security-Policy", ""))
        problems = [
            d for d in ("script-src", "style-src", "default-src")
            if "'unsafe-inline'" in csp.get(d, "") or "'unsafe-eval'" in csp.get(d, "")
        ]  # fmt: skip
        if csp.get("default-src") != "'self'" or csp.get("object-src") != "'none'":
            problems.append("default-src/object-src")
        if "frame-ancestors" not in csp:
            problems.append("frame-ancestors")
        if problems:
            loose.append(f"{rec.path} as {rec.role}: {problems}")
    assert seen > 100, seen
    assert not loose, "\n".join(loose[:50])


def test_the_admin_allows_no_other_host_even_with_its_looser_policy(matrix_walk):
    other = []
    for rec in matrix_walk.records:
        if "text/html" not in rec.content_type or not rec.path.startswith("/admin/"):
            continue
        for value in _directives(rec.headers.get("Content-Security-Policy", "")).values():
            if "http:" in value or "https:" in value or "*" in value:
                other.append(f"{rec.path} as {rec.role}: {value}")
    assert not other, "\n".join(other[:50])


def test_hsts_is_sent_over_https_when_the_settings_ask_for_it(db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    settings.SECURE_HSTS_SECONDS = 0
    assert "Strict-Transport-Security" not in Client().get("/", secure=True)


# --- HTML in names --------------------------------------------------------------------------------

# HTML responses allowed to carry the marker as markup, each with the reason. None: an HTML
# page that renders a name, a place or a title unescaped is a failure wherever it is.
RAW_HTML_ALLOWED: dict[str, str] = {}

# The positive control: pages that show the marked names, so the check above can see. (path
# prefix, role) -> the escaped marker must be there.
SHOWS_NAMES = [
    ("/verify/", "anonymous"),  # the holder's name
    ("/learn/profile/", "cadre"),
    ("/trainer/sessions/", "trainer"),  # session titles and places
    ("/admin/registry/cadres/", "central"),
    ("/admin/registry/cadres/inspect/", "admin_same"),
    ("/admin/registry/cadres/edit/", "admin_other"),
    ("/admin/registry/units/", "central"),
    ("/admin/sessions/", "central"),
    ("/admin/certificates/", "central"),
    ("/admin/certificate/", "admin_same"),
    ("/admin/counters/", "admin_same"),
    ("/admin/learning/enrol/", "central"),  # the preview of the people to enrol (POST)
    ("/admin/registry/import/", "admin_same"),  # the import's file name
    ("/admin/reports/site-history/", "central"),
    ("/admin/users/", "root"),
    ("/admin/pages/", "trainer"),  # a page title
    ("/admin/snippets/content/quiz/", "trainer"),
]


def test_html_in_names_is_escaped_on_every_page(matrix_walk):
    raw = [
        f"{rec.method.upper()} {rec.path} as {rec.role} ({rec.outcome})"
        for rec in matrix_walk.records
        if rec.raw_html_marker and rec.route not in RAW_HTML_ALLOWED
    ]
    assert not raw, "A name, place or title rendered as HTML:\n" + "\n".join(raw)


def test_the_escaping_check_sees_the_names(matrix_walk):
    """Positive control: the marked names do appear, escaped, where they should."""
    shown = {(rec.path, rec.role) for rec in matrix_walk.records if rec.escaped_html_marker}
    blind = [
        f"{prefix} as {role}"
        for prefix, role in SHOWS_NAMES
        if not any(p.startswith(prefix) and r == role for p, r in shown)
    ]
    assert not blind, "The marker is not shown (check the world or the page):\n" + "\n".join(blind)
    assert len({path for path, _role in shown}) > 100


def test_the_verification_json_carries_the_name_as_data_not_html(matrix_walk):
    records = [
        rec for rec in matrix_walk.records
        if rec.path.startswith("/verify/") and rec.path.endswith(".json") and rec.outcome == 200
    ]  # fmt: skip
    assert records
    for rec in records:
        # JSON, never HTML: the verification record, or the signed credential (JSON-LD).
        media_type = rec.content_type.split(";")[0]
        assert media_type in ("application/json", "application/ld+json"), rec.path
        assert rec.headers.get("X-Content-Type-Options") == "nosniff"
    verification = [rec for rec in records if not rec.path.endswith("/credential.json")]
    data = json.loads(matrix_walk.text(verification[0].path, "anonymous"))
    assert data["full_name"].endswith(XSS)


# --- CSV / formula injection ----------------------------------------------------------------

# Exports allowed to carry a cell a spreadsheet would run, each with the reason. None.
FORMULA_ALLOWED: dict[str, str] = {}


def test_every_export_neutralises_cells_that_a_spreadsheet_would_run(matrix_walk):
    """Every CSV or XLSX response of the walk (by content type), whoever asked."""
    exports = [rec for rec in matrix_walk.records if rec.cells]
    bad = [
        f"{rec.path} as {rec.role}: {rec.formula_cells[:5]}"
        for rec in exports
        if rec.formula_cells and rec.route not in FORMULA_ALLOWED
    ]
    assert not bad, "Cells a spreadsheet would run:\n" + "\n".join(bad)
    # The walk found the exports: the registry's, the counters', the import templates and
    # Wagtail's report downloads, as several roles each.
    routes = {rec.route for rec in exports}
    assert {
        "admin/registry/cadres/", "admin/counters/export.csv", "admin/counters/export.xlsx",
        "admin/reports/site-history/",
    } <= routes, routes  # fmt: skip
    assert len(exports) > 30, len(exports)


def test_the_exports_still_carry_the_neutralised_text(matrix_walk):
    """Positive control: the formula markers reach the exports, with their apostrophe."""
    text = matrix_walk.text("/admin/registry/cadres/?export=csv", "central")
    assert "'=HYPERLINK(" in text and "'@SUM(A1:A9)" in text
    for path in ("/admin/registry/cadres/?export=xlsx", "/admin/counters/export.xlsx"):
        neutralised = [
            rec.neutralised_cells for rec in matrix_walk.records
            if rec.path == path and rec.role == "central"
        ]  # fmt: skip
        assert neutralised and neutralised[0] > 0, path


# --- The people of the tests below ----------------------------------------------------------------


@pytest.fixture
def people(db, settings, tmp_path) -> dict[str, Client]:
    """A cadre and a central admin, logged in (the users are m_cadre_a and m_central)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    clients = {}
    for role, username, group in (
        ("cadre", "m_cadre_a", "Cadre"),
        ("central", "m_central", "Admin"),
    ):
        client = Client(raise_request_exception=False)
        client.force_login(make_user(username, role=group))
        clients[role] = client
    return clients


# --- Oversized uploads ------------------------------------------------------------------------


def test_an_oversized_import_file_is_refused_with_a_clear_vietnamese_message(people, settings):
    settings.MAX_IMPORT_UPLOAD_BYTES = 1024 * 1024  # 1 MB; the file below is 1.5 MB
    big = SimpleUploadedFile(
        "can_bo.csv", b"ma_can_bo,ho_ten\n" + b"x,y\n" * 400_000, content_type="text/csv"
    )
    response = people["central"].post(
        "/admin/registry/import/", {"file": big, "structure": "2023"}, follow=True
    )
    body = response.content.decode()
    assert "vượt quá mức cho phép 1 MB" in body, body[-2000:]
    from courses.registry.models import ImportJob

    assert not ImportJob.objects.exists()


def test_the_default_import_limit_is_twenty_megabytes(settings):
    assert settings.MAX_IMPORT_UPLOAD_BYTES == 20 * 1024 * 1024


def _post_oversized_image(settings):
    settings.WAGTAILIMAGES_MAX_UPLOAD_SIZE = 100 * 1024
    from wagtail.images.tests.utils import get_test_image_file

    image = get_test_image_file(size=(1200, 1200))
    data = image.file.getvalue() + b"\0" * (200 * 1024)
    upload = SimpleUploadedFile("anh.png", data, content_type="image/png")
    client = Client()
    client.force_login(make_user("m_root", superuser=True))
    return client.post("/admin/images/add/", {"title": "Ảnh lớn", "file": upload, "collection": 1})


def test_an_oversized_image_is_refused_with_its_size_and_the_limit(people, settings):
    from wagtail.images.models import Image

    response = _post_oversized_image(settings)
    assert response.status_code == 200
    assert not Image.objects.filter(title="Ảnh lớn").exists()
    assert "100,0\xa0KB" in response.content.decode()


def test_the_oversized_image_message_is_vietnamese(people, settings):
    body = _post_oversized_image(settings).content.decode()
    assert "This file is too big" not in body


def test_a_request_body_over_the_django_limit_is_refused(people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = people["cadre"].post(
        "/learn/profile/", {"full_name": "x" * 5000}, raise_request_exception=False
    )
    assert response.status_code == 400


# --- Login brute force -------------------------------------------------------------------------


def test_login_is_throttled_after_the_allowed_failures_even_with_the_right_password(
    people, settings
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


def test_login_throttling_counts_per_user_name_and_address_never_locking_out_the_owner(
    people, settings
):
    """Failures are counted per (user name, address): a guesser is held back on their own
    address, and no number of guesses from elsewhere locks the owner out of theirs."""
    settings.LOGIN_RATE_LIMIT = 3
    for n in range(3):
        Client(REMOTE_ADDR=f"127.0.0.{n + 10}").post(
            "/accounts/login/", {"username": "m_central", "password": "sai"}
        )
    for _n in range(3):
        Client(REMOTE_ADDR="127.0.0.50").post(
            "/accounts/login/", {"username": "m_central", "password": "sai"}
        )
    response = Client(REMOTE_ADDR="127.0.0.50").post(
        "/accounts/login/", {"username": "m_central", "password": "mat-khau-dai-123"}
    )
    assert response.status_code == 429
    response = Client(REMOTE_ADDR="127.0.0.99").post(
        "/accounts/login/", {"username": "m_central", "password": "mat-khau-dai-123"}
    )
    assert response.status_code == 302


def test_the_admin_login_goes_through_the_throttled_login(db):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_wagtails_private_page_login_is_throttled_too(people, settings):
    settings.LOGIN_RATE_LIMIT = 3
    client = Client()
    for _ in range(3):
        client.post("/_util/login/", {"username": "m_cadre_a", "password": "sai"})
    response = client.post("/_util/login/", {"username": "m_cadre_a", "password": "sai"})
    assert response.status_code == 429
