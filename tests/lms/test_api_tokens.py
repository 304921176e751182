"""Personal API tokens: /api/counters/ answers a token exactly as it answers its user's
session, and a token opens nothing else; only a hash is stored; the admin page and the
command manage only what they should."""

from __future__ import annotations

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from lms.api_tokens import api_token_create, api_token_revoke
from lms.models import ApiToken
from tests.courses.counters_world import cadre_make, complete, user_make, world_build

pytestmark = pytest.mark.django_db

API = "/api/counters/"
INVALID = "Mã truy cập API không hợp lệ, đã hết hạn hoặc đã bị thu hồi."


@pytest.fixture
def two_provinces(db):
    world = world_build()
    for _n in range(3):
        complete(cadre_make(world.lao_cai), world.course)
    for _n in range(5):
        complete(cadre_make(world.ha_giang), world.course)
    return world


def bearer(token: str, **extra) -> Client:
    """A client that sends the token and has no session."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", **extra)


def cadres_trained(data: list[dict]) -> dict:
    return next(row for row in data if row["code"] == "CADRES_TRAINED")


# --- The API answers a token as it answers the session ---------------------------------------


@pytest.mark.parametrize("province_code", ["", "10"])
@pytest.mark.parametrize("query", ["", "?by=province", "?by=sex", "?structure=2025"])
def test_a_token_gets_the_same_json_as_its_users_session(two_provinces, province_code, query):
    user = user_make(province_code=province_code)
    _row, token = api_token_create(user=user, name="Bảng tính báo cáo")
    session = Client()
    session.force_login(user)
    by_session = session.get(API + query)
    by_token = bearer(token).get(API + query)
    assert by_session.status_code == by_token.status_code == 200
    assert by_token.json() == by_session.json()
    assert "Authorization" in by_token["Vary"]  # caches must not mix up two callers


def test_a_province_admins_token_is_limited_to_their_province(two_provinces):
    _row, token = api_token_create(user=user_make(province_code="10"), name="Lào Cai")
    client = bearer(token)
    figures = cadres_trained(client.get(API + "?by=province").json())
    assert figures["value"] == 3 and figures["by"] == {"10": 3}
    assert client.get(API + "?province=02").status_code == 403
    # Asking for its own province explicitly changes nothing.
    assert cadres_trained(client.get(API + "?province=10").json())["value"] == 3


def test_a_central_admins_token_sees_the_whole_country(two_provinces):
    _row, token = api_token_create(user=user_make(), name="Trung ương")
    figures = cadres_trained(bearer(token).get(API + "?by=province").json())
    assert figures["value"] == 8 and figures["by"] == {"02": 5, "10": 3}


@pytest.mark.parametrize("role", ["Cadre", "Trainer", None])
def test_a_token_of_someone_who_may_not_read_the_figures_gets_403(two_provinces, role):
    _row, token = api_token_create(user=user_make(role=role), name="x")
    response = bearer(token).get(API)
    assert response.status_code == 403
    assert "value" not in response.content.decode()


def test_the_token_decides_who_asks_even_with_a_session(two_provinces):
    """A central admin's browser session plus a province admin's token: the token's scope."""
    _row, token = api_token_create(user=user_make(province_code="10"), name="Lào Cai")
    client = bearer(token)
    client.force_login(user_make())
    assert cadres_trained(client.get(API + "?by=province").json())["by"] == {"10": 3}


# --- Refusals: 401 with a Bearer challenge -----------------------------------------------------


def _expired(user) -> str:
    row, token = api_token_create(user=user, name="cũ", days=1)
    ApiToken.objects.filter(pk=row.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    return token


def _revoked(user) -> str:
    row, token = api_token_create(user=user, name="thu hồi")
    api_token_revoke(token=row)
    return token


def _of_inactive_user(user) -> str:
    _row, token = api_token_create(user=user, name="nghỉ")
    user.is_active = False
    user.save()
    return token


@pytest.mark.parametrize(
    "make_header",
    [
        pytest.param(lambda user: f"Bearer {_revoked(user)}", id="revoked"),
        pytest.param(lambda user: f"Bearer {_expired(user)}", id="expired"),
        pytest.param(lambda user: f"Bearer {_of_inactive_user(user)}", id="inactive-user"),
        pytest.param(lambda user: "Bearer da8_khongphaimatruycap", id="garbage"),
        pytest.param(lambda user: "Bearer " + "x" * 5000, id="very-long"),
    ],
)
def test_a_bad_token_gets_401_with_a_bearer_challenge(two_provinces, make_header):
    header = make_header(user_make())
    response = Client(HTTP_AUTHORIZATION=header).get(API)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json() == {"detail": INVALID}


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer a b", "Token abc"])
def test_an_authorization_header_that_is_not_a_bearer_token_gets_401(two_provinces, header):
    response = Client(HTTP_AUTHORIZATION=header).get(API)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_request"'
    assert "Authorization: Bearer" in response.json()["detail"]


def test_no_token_and_no_session_gets_401_with_a_bearer_challenge(two_provinces):
    response = Client().get(API)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["detail"].startswith("Hãy đăng nhập")


def test_a_bad_token_is_refused_even_with_a_valid_session(two_provinces):
    """Explicit credentials that fail are not silently replaced by the session."""
    client = Client(HTTP_AUTHORIZATION="Bearer da8_sai")
    client.force_login(user_make())
    assert client.get(API).status_code == 401


def test_a_revoked_token_stops_working_at_once(two_provinces):
    row, token = api_token_create(user=user_make(), name="x")
    assert bearer(token).get(API).status_code == 200
    api_token_revoke(token=row)
    assert bearer(token).get(API).status_code == 401


def test_failed_token_attempts_are_throttled_per_address(two_provinces, settings):
    settings.LOGIN_RATE_LIMIT = 3
    _row, token = api_token_create(user=user_make(), name="x")
    guesser = {"REMOTE_ADDR": "10.0.0.7"}
    for n in range(3):
        assert bearer(f"da8_doan{n}", **guesser).get(API).status_code == 401
    limited = bearer(f"da8_doan{n + 1}", **guesser).get(API)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "Quá nhiều lần" in limited.json()["detail"]
    # Once limited, even a right token from that address waits; other addresses do not.
    assert bearer(token, **guesser).get(API).status_code == 429
    assert bearer(token, REMOTE_ADDR="10.0.0.8").get(API).status_code == 200


def test_token_requests_do_not_count_as_failed_logins(two_provinces, settings):
    settings.LOGIN_RATE_LIMIT = 2
    for n in range(3):
        bearer(f"da8_doan{n}").get(API)
    response = Client().post(reverse("login"), {"username": "nobody", "password": "sai"})
    assert response.status_code == 200  # a form error, not 429


# --- A token opens nothing but the JSON API ---------------------------------------------------


HTML_PAGES = [
    "/admin/",
    "/admin/counters/",
    "/admin/my-api-tokens/",
    "/learn/",
    "/certificates/mine/",
]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_a_valid_token_does_not_open_html_pages_or_the_admin(two_provinces, path):
    _row, token = api_token_create(user=user_make(superuser=True), name="x")
    client = bearer(token)
    assert client.get(API).status_code == 200  # the token itself is good
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_api_sets_no_session_for_a_token(two_provinces):
    _row, token = api_token_create(user=user_make(), name="x")
    client = bearer(token)
    response = client.get(API)
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert client.get("/learn/").status_code == 302


# --- Storage ------------------------------------------------------------------------------------


def _stored_text() -> str:
    """Every row of the token and session tables, as text."""
    with connection.cursor() as cursor:
        rows = []
        for table in ("lms_apitoken", "django_session"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            rows += cursor.fetchall()
    return repr(rows)


def test_only_a_hash_of_the_token_is_stored(two_provinces):
    user = user_make()
    client = Client()
    client.force_login(user)
    response = client.post(reverse("lms_api_tokens"), {"name": "Báo cáo", "days": "90"})
    token = response.context["token"]
    row = ApiToken.objects.get(user=user)
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(row.prefix) and len(row.prefix) == 12
    secret = token[len(row.prefix) :]
    assert len(token) >= 40
    stored = _stored_text()
    assert secret not in stored and token not in stored
    assert row.key_hash in stored  # the check above did read the rows


def test_last_used_is_written_at_most_once_a_minute(two_provinces):
    row, token = api_token_create(user=user_make(), name="x")
    client = bearer(token)
    client.get(API)
    row.refresh_from_db()
    first = row.last_used_at
    assert first is not None
    with CaptureQueriesContext(connection) as queries:
        assert client.get(API).status_code == 200
    assert not [q for q in queries if q["sql"].startswith("UPDATE") and "apitoken" in q["sql"]]
    row.refresh_from_db()
    assert row.last_used_at == first
    a_while_ago = timezone.now() - dt.timedelta(minutes=2)
    ApiToken.objects.filter(pk=row.pk).update(last_used_at=a_while_ago)
    client.get(API)
    row.refresh_from_db()
    assert row.last_used_at > a_while_ago


# --- The admin page: one's own tokens only -------------------------------------------------------


def test_a_counters_reader_creates_a_token_that_is_shown_once_and_works(two_provinces):
    user = user_make(province_code="10")
    client = Client()
    client.force_login(user)
    assert client.get(reverse("lms_api_tokens")).status_code == 200
    response = client.post(reverse("lms_api_tokens"), {"name": "Báo cáo tháng", "days": "30"})
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = response.context["token"]
    assert token in response.content.decode()
    row = ApiToken.objects.get(user=user)
    assert row.name == "Báo cáo tháng"
    assert dt.timedelta(days=29) < row.expires_at - timezone.now() <= dt.timedelta(days=30)
    assert cadres_trained(bearer(token).get(API).json())["value"] == 3
    listing = client.get(reverse("lms_api_tokens")).content.decode()
    assert row.prefix in listing and token not in listing
    assert "Báo cáo tháng" in listing and "Đang hiệu lực" in listing


def test_a_token_that_never_expires_can_be_made(two_provinces):
    user = user_make()
    client = Client()
    client.force_login(user)
    client.post(reverse("lms_api_tokens"), {"name": "Mãi mãi", "days": ""})
    assert ApiToken.objects.get(user=user).expires_at is None


def test_the_admin_page_lists_only_the_callers_tokens(two_provinces):
    mine, _t = api_token_create(user=user_make(), name="Của tôi")
    theirs, _t = api_token_create(user=user_make(), name="Của người khác")
    client = Client()
    client.force_login(mine.user)
    html = client.get(reverse("lms_api_tokens")).content.decode()
    assert mine.prefix in html and "Của tôi" in html
    assert theirs.prefix not in html and "Của người khác" not in html


def test_the_admin_page_revokes_the_callers_own_token(two_provinces):
    row, token = api_token_create(user=user_make(), name="x")
    client = Client()
    client.force_login(row.user)
    url = reverse("lms_api_token_revoke", args=[row.pk])
    assert client.get(url).status_code == 200  # the confirmation
    assert bearer(token).get(API).status_code == 200
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("lms_api_tokens")
    row.refresh_from_db()
    assert row.revoked_at is not None
    assert bearer(token).get(API).status_code == 401


def test_another_users_token_id_is_404_and_stays_valid(two_provinces):
    theirs, token = api_token_create(user=user_make(), name="Của người khác")
    client = Client()
    client.force_login(user_make())  # a central admin too: still not their token
    url = reverse("lms_api_token_revoke", args=[theirs.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert bearer(token).get(API).status_code == 200


@pytest.mark.parametrize("role", ["Trainer", "Cadre"])
def test_people_who_may_not_read_the_figures_get_no_token_page(two_provinces, role):
    client = Client()
    client.force_login(user_make(role=role))
    response = client.post(reverse("lms_api_tokens"), {"name": "x", "days": "30"})
    assert response.status_code in {302, 403}
    assert not ApiToken.objects.exists()


def test_the_menu_shows_the_token_page_to_counters_readers_only(two_provinces):
    admin, trainer = Client(), Client()
    admin.force_login(user_make(province_code="10"))
    trainer.force_login(user_make(role="Trainer"))
    assert reverse("lms_api_tokens") in admin.get("/admin/").content.decode()
    assert reverse("lms_api_tokens") not in trainer.get("/admin/").content.decode()


# --- The management command ---------------------------------------------------------------------


def _command(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("api_token", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_prints_a_token_that_works(two_provinces):
    user = user_make(province_code="10")
    out, err = _command("create", "--user", user.username, "--name", "Kịch bản", "--days", "7")
    token = out.strip()
    assert "\n" not in token and token.startswith("da8_")
    row = ApiToken.objects.get(user=user)
    assert row.prefix in err and token not in err
    assert dt.timedelta(days=6) < row.expires_at - timezone.now() <= dt.timedelta(days=7)
    assert cadres_trained(bearer(token).get(API).json())["value"] == 3


def test_the_command_lists_and_revokes_by_prefix(two_provinces):
    user = user_make()
    row, token = api_token_create(user=user, name="Kịch bản")
    other, _t = api_token_create(user=user_make(), name="Khác")
    out, _err = _command("list", "--user", user.username)
    assert row.prefix in out and "Kịch bản" in out and "active" in out
    assert other.prefix not in out and token[len(row.prefix) :] not in out
    out, _err = _command("revoke", row.prefix)
    assert row.prefix in out
    assert bearer(token).get(API).status_code == 401
    out, _err = _command("list")
    assert "revoked" in out and other.prefix in out


def test_the_command_refuses_what_would_not_work(two_provinces):
    with pytest.raises(CommandError):
        _command("create", "--user", "khong-co", "--name", "x")
    with pytest.raises(CommandError):
        _command("create", "--user", user_make().username, "--name", "x", "--days", "0")
    with pytest.raises(CommandError):
        _command("revoke", "da8_khongco")
    assert not ApiToken.objects.exists()


def test_the_command_warns_when_the_user_may_not_read_the_figures(two_provinces):
    out, err = _command("create", "--user", user_make(role="Cadre").username, "--name", "x")
    assert "403" in err
    assert bearer(out.strip()).get(API).status_code == 403
