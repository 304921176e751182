"""Personal API tokens (Wagtail's own `wagtailcore.APIToken`): /api/counters/ answers a token
exactly as it answers its user's session, and a token opens nothing else; only a digest is
stored; Wagtail's token admin (Settings > API tokens) and its `api_tokens` command manage
only what they should."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.models import APIToken, ModelLogEntry
from wagtail.users.utils import get_manageable_token_owners

from tests.builders import complete, logged_in, make_cadre, make_counters_world, make_user

pytestmark = pytest.mark.django_db

API = "/api/counters/"
INVALID = "Mã truy cập API không hợp lệ hoặc đã bị thu hồi."
INDEX = "wagtailusers_api_tokens:index"


@pytest.fixture
def two_provinces(db):
    world = make_counters_world()
    for _n in range(3):
        complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03"), world.course)
    for _n in range(5):
        complete(make_cadre(unit=world.ha_giang.commune, ethnicity="03"), world.course)
    return world


def token_make(user, name: str = "x") -> tuple[APIToken, str]:
    return APIToken.create_token(user=user, name=name)


def bearer(token: str, **extra) -> Client:
    """A client that sends the token and has no session."""
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", **extra)


def cadres_trained(data: list[dict]) -> dict:
    return next(row for row in data if row["code"] == "CADRES_TRAINED")


def url(name: str, row: APIToken) -> str:
    return reverse(f"wagtailusers_api_tokens:{name}", args=[row.pk])


# --- The API answers a token as it answers the session ---------------------------------------


@pytest.mark.parametrize("province_code", ["", "10"])
@pytest.mark.parametrize("query", ["", "?by=province", "?by=sex", "?structure=2025"])
def test_a_token_gets_the_same_json_as_its_users_session(two_provinces, province_code, query):
    user = make_user(role="Admin", province_code=province_code)
    _row, token = token_make(user, "Bảng tính báo cáo")
    by_session = logged_in(user).get(API + query)
    by_token = bearer(token).get(API + query)
    assert by_session.status_code == by_token.status_code == 200
    assert by_token.json() == by_session.json()
    assert "Authorization" in by_token["Vary"]  # caches must not mix up two callers


def test_a_province_admins_token_is_limited_to_their_province(two_provinces):
    _row, token = token_make(make_user(role="Admin", province_code="15"), "Lào Cai")
    client = bearer(token)
    figures = cadres_trained(client.get(API + "?by=province").json())
    assert figures["value"] == 3 and figures["by"] == {"15": 3}
    assert client.get(API + "?province=08").status_code == 403
    assert client.get(API + "?province=02&structure=2023").status_code == 403
    # Asking for its own province explicitly changes nothing, in either structure.
    assert cadres_trained(client.get(API + "?province=15").json())["value"] == 3
    assert cadres_trained(client.get(API + "?province=10&structure=2023").json())["value"] == 3


def test_a_central_admins_token_sees_the_whole_country(two_provinces):
    _row, token = token_make(make_user(role="Admin"), "Trung ương")
    figures = cadres_trained(bearer(token).get(API + "?by=province").json())
    assert figures["value"] == 8 and figures["by"] == {"08": 5, "15": 3}


@pytest.mark.parametrize("role", ["Cadre", "Trainer", None])
def test_a_token_of_someone_who_may_not_read_the_figures_gets_403(two_provinces, role):
    _row, token = token_make(make_user(role=role))
    response = bearer(token).get(API)
    assert response.status_code == 403
    assert "value" not in response.content.decode()


def test_the_token_decides_who_asks_even_with_a_session(two_provinces):
    """A central admin's browser session plus a province admin's token: the token's scope."""
    _row, token = token_make(make_user(role="Admin", province_code="15"), "Lào Cai")
    client = bearer(token)
    client.force_login(make_user(role="Admin"))
    assert cadres_trained(client.get(API + "?by=province").json())["by"] == {"15": 3}


# --- Refusals: 401 with a Bearer challenge -----------------------------------------------------


def _revoked(user) -> str:
    row, token = token_make(user, "thu hồi")
    row.revoke()
    return token


def _of_inactive_user(user) -> str:
    _row, token = token_make(user, "nghỉ")
    user.is_active = False
    user.save()
    return token


@pytest.mark.parametrize(
    "make_header",
    [
        pytest.param(lambda user: f"Bearer {_revoked(user)}", id="revoked"),
        pytest.param(lambda user: f"Bearer {_of_inactive_user(user)}", id="inactive-user"),
        # Well formed (right checksum) but never stored: the database is asked and says no.
        pytest.param(lambda user: f"Bearer {APIToken.generate_token()}", id="unknown"),
        pytest.param(lambda user: "Bearer wagtail_khongphaimatruycap", id="garbage"),
        pytest.param(lambda user: "Bearer da8_" + "A" * 43, id="old-format"),
        pytest.param(lambda user: "Bearer " + "x" * 5000, id="very-long"),
    ],
)
def test_a_bad_token_gets_401_with_a_bearer_challenge(two_provinces, make_header):
    header = make_header(make_user(role="Admin"))
    response = Client(HTTP_AUTHORIZATION=header).get(API)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json() == {"detail": INVALID}


def test_a_malformed_token_is_refused_without_a_query(two_provinces):
    """The format check (prefix, length, checksum) refuses a guess before the database."""
    _row, token = token_make(make_user(role="Admin"))
    typo = token[:-1] + ("A" if token[-1] != "A" else "B")  # the checksum no longer matches
    with CaptureQueriesContext(connection) as queries:
        response = bearer(typo).get(API)
    assert response.status_code == 401
    assert not [q for q in queries if "apitoken" in q["sql"]]


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
    client = Client(HTTP_AUTHORIZATION=f"Bearer {APIToken.generate_token()}")
    client.force_login(make_user(role="Admin"))
    assert client.get(API).status_code == 401


def test_a_revoked_token_stops_working_at_once(two_provinces):
    row, token = token_make(make_user(role="Admin"))
    assert bearer(token).get(API).status_code == 200
    row.revoke()
    assert bearer(token).get(API).status_code == 401


def test_tokens_survive_a_secret_key_rotation_only_while_the_old_key_is_a_fallback(
    two_provinces, settings
):
    _row, token = token_make(make_user(role="Admin"))
    old_key = settings.SECRET_KEY
    settings.SECRET_KEY = "a-new-secret-key-" + "x" * 40
    settings.SECRET_KEY_FALLBACKS = [old_key]
    assert bearer(token).get(API).status_code == 200
    settings.SECRET_KEY_FALLBACKS = []
    assert bearer(token).get(API).status_code == 401


def test_failed_token_attempts_are_throttled_per_address(two_provinces, settings):
    settings.LOGIN_RATE_LIMIT = 3
    _row, token = token_make(make_user(role="Admin"))
    guesser = {"REMOTE_ADDR": "10.0.0.7"}
    for _n in range(3):
        assert bearer(APIToken.generate_token(), **guesser).get(API).status_code == 401
    limited = bearer(APIToken.generate_token(), **guesser).get(API)
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "Quá nhiều lần" in limited.json()["detail"]
    # Once limited, even a right token from that address waits; other addresses do not.
    assert bearer(token, **guesser).get(API).status_code == 429
    assert bearer(token, REMOTE_ADDR="10.0.0.8").get(API).status_code == 200


def test_token_requests_do_not_count_as_failed_logins(two_provinces, settings):
    settings.LOGIN_RATE_LIMIT = 2
    for _n in range(3):
        bearer(APIToken.generate_token()).get(API)
    response = Client().post(reverse("login"), {"username": "nobody", "password": "sai"})
    assert response.status_code == 200  # a form error, not 429


# --- A token opens nothing but the JSON API ---------------------------------------------------


HTML_PAGES = [
    "/admin/",
    "/admin/counters/",
    "/admin/api-tokens/",
    "/learn/",
    "/certificates/mine/",
]


@pytest.mark.parametrize("path", HTML_PAGES)
def test_a_valid_token_does_not_open_html_pages_or_the_admin(two_provinces, path):
    _row, token = token_make(make_user(superuser=True))
    client = bearer(token)
    assert client.get(API).status_code == 200  # the token itself is good
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_api_sets_no_session_for_a_token(two_provinces):
    _row, token = token_make(make_user(role="Admin"))
    client = bearer(token)
    response = client.get(API)
    assert response.status_code == 200
    assert "sessionid" not in response.cookies
    assert client.get("/learn/").status_code == 302


# --- Storage ------------------------------------------------------------------------------------


def _stored_text() -> str:
    """Every row of the token, session and admin log tables, as text."""
    with connection.cursor() as cursor:
        rows = []
        for table in ("wagtailcore_apitoken", "django_session", "wagtailcore_modellogentry"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608 - fixed table names
            rows += cursor.fetchall()
    return repr(rows)


def test_only_a_keyed_digest_of_the_token_is_stored(two_provinces):
    user = make_user(role="Admin")
    response = logged_in(user).post(
        reverse("wagtailusers_api_tokens:add"), {"name": "Báo cáo", "user": user.pk}
    )
    token = response.context["token"]
    row = APIToken.objects.get(user=user)
    assert row.key_hash == APIToken.hash_token(token)
    # HMAC keyed by SECRET_KEY: a bare SHA-256 of the token (a dictionary) does not match it.
    assert row.key_hash != hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(row.prefix) and len(row.prefix) == len("wagtail_") + 4
    secret = token[len(row.prefix) :]
    assert len(secret) >= 27  # 160 random bits in base 62, plus a checksum
    stored = _stored_text()
    assert secret not in stored and token not in stored
    assert row.key_hash in stored  # the check above did read the rows


def test_last_used_is_written_at_most_once_a_minute(two_provinces):
    row, token = token_make(make_user(role="Admin"))
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
    APIToken.objects.filter(pk=row.pk).update(last_used_at=a_while_ago)
    client.get(API)
    row.refresh_from_db()
    assert row.last_used_at > a_while_ago


def test_last_used_follows_wagtails_interval_setting(two_provinces, settings):
    row, token = token_make(make_user(role="Admin"))
    settings.WAGTAILAPI_TOKEN_LAST_USED_INTERVAL = None  # Wagtail's switch: never recorded
    assert bearer(token).get(API).status_code == 200
    row.refresh_from_db()
    assert row.last_used_at is None
    settings.WAGTAILAPI_TOKEN_LAST_USED_INTERVAL = 3600
    a_while_ago = timezone.now() - dt.timedelta(minutes=2)
    APIToken.objects.filter(pk=row.pk).update(last_used_at=a_while_ago)
    bearer(token).get(API)
    row.refresh_from_db()
    assert row.last_used_at == a_while_ago  # within the hour: not written again


# --- Wagtail's token admin: one's own tokens only --------------------------------------------


def test_admins_may_manage_their_own_tokens_and_nobody_elses():
    """The Admin group holds Wagtail's token permissions but not auth.change_user, which
    would let it manage other people's tokens (wagtail.users.utils)."""
    admin = Group.objects.get(name="Admin")
    held = set(admin.permissions.values_list("content_type__app_label", "codename"))
    assert {
        ("wagtailcore", "add_apitoken"),
        ("wagtailcore", "change_apitoken"),
        ("wagtailcore", "delete_apitoken"),
    } <= held
    assert ("lms", "change_user") not in held
    for role in ("Trainer", "Cadre"):
        others = Group.objects.get(name=role).permissions.filter(codename__endswith="apitoken")
        assert not others.exists()
    for province_code in ("", "10"):
        user = make_user(role="Admin", province_code=province_code)
        assert list(get_manageable_token_owners(user)) == [user]


def test_a_province_admin_creates_a_token_that_is_shown_once_and_works(two_provinces):
    user = make_user(role="Admin", province_code="15")
    client = logged_in(user)
    form = client.get(reverse("wagtailusers_api_tokens:add"))
    assert form.status_code == 200
    # The owner list offers the caller only.
    assert list(form.context["form"].fields["user"].queryset) == [user]
    response = client.post(
        reverse("wagtailusers_api_tokens:add"), {"name": "Báo cáo tháng", "user": user.pk}
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    token = response.context["token"]
    page = response.content.decode()
    assert token in page and "Sao chép mã" in page  # Wagtail's page, in Vietnamese
    row = APIToken.objects.get(user=user)
    assert row.name == "Báo cáo tháng"
    assert ModelLogEntry.objects.filter(action="wagtail.apitoken.create", user=user).exists()
    assert cadres_trained(bearer(token).get(API).json())["value"] == 3
    listing = client.get(reverse(INDEX)).content.decode()
    assert row.prefix in listing and token not in listing
    assert "Báo cáo tháng" in listing and "Mã truy cập API" in listing


def test_nobody_makes_a_token_for_someone_else(two_provinces):
    other = make_user(role="Admin", province_code="15")
    client = logged_in(make_user(role="Admin", province_code="15"))
    response = client.post(
        reverse("wagtailusers_api_tokens:add"), {"name": "Của người khác", "user": other.pk}
    )
    assert response.status_code == 200  # the form again, with an error
    assert response.context["form"].errors["user"]
    assert not APIToken.objects.exists()


def test_the_listing_shows_only_the_callers_tokens(two_provinces):
    mine, _t = token_make(make_user(role="Admin", province_code="15"), "Của tôi")
    theirs, _t = token_make(make_user(role="Admin"), "Của người khác")  # a central admin's
    html = logged_in(mine.user).get(reverse(INDEX)).content.decode()
    assert mine.prefix in html and "Của tôi" in html
    assert "Của người khác" not in html


def test_an_admin_revokes_their_own_token(two_provinces):
    row, token = token_make(make_user(role="Admin", province_code="15"))
    client = logged_in(row.user)
    confirm = client.get(url("delete", row))
    assert confirm.status_code == 200
    assert "Có, thu hồi" in confirm.content.decode()
    assert bearer(token).get(API).status_code == 200
    response = client.post(url("delete", row))
    assert response.status_code == 302 and response["Location"] == reverse(INDEX)
    row.refresh_from_db()
    assert row.revoked_at is not None  # a soft delete: the row stays for the record
    assert bearer(token).get(API).status_code == 401
    entry = ModelLogEntry.objects.get(action="wagtail.apitoken.revoke")
    assert entry.user == row.user
    assert client.get(url("history", row)).status_code == 200


@pytest.mark.parametrize("owner_province", ["", "10", "02"])
def test_another_users_token_is_404_everywhere_and_stays_valid(two_provinces, owner_province):
    """A province admin cannot see, rename, revoke or read the history of anyone else's
    token, a central admin's included (nor can a central admin a province admin's)."""
    theirs, token = token_make(
        make_user(role="Admin", province_code=owner_province), "Của người khác"
    )
    callers = [make_user(role="Admin", province_code="15"), make_user(role="Admin")]
    for caller in callers:
        client = logged_in(caller)
        for name in ("edit", "delete", "history", "history_results", "usage"):
            assert client.get(url(name, theirs)).status_code == 404, name
        assert client.post(url("delete", theirs)).status_code == 404
        assert client.post(url("edit", theirs), {"name": "đổi tên"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None and theirs.name == "Của người khác"
    assert bearer(token).get(API).status_code == 200


@pytest.mark.parametrize("role", ["Trainer", "Cadre"])
def test_people_who_may_not_read_the_figures_get_no_token_admin(two_provinces, role):
    user = make_user(role=role)
    client = logged_in(user)
    assert client.get(reverse(INDEX)).status_code in {302, 403}
    response = client.post(reverse("wagtailusers_api_tokens:add"), {"name": "x", "user": user.pk})
    assert response.status_code in {302, 403}
    assert not APIToken.objects.exists()


def test_the_settings_menu_shows_the_token_admin_to_counters_readers_only(two_provinces):
    admin = logged_in(make_user(role="Admin", province_code="15")).get("/admin/").content.decode()
    trainer = logged_in(make_user(role="Trainer")).get("/admin/").content.decode()
    # The sidebar is JSON in the page, with non-ASCII letters escaped.
    assert reverse(INDEX) in admin and json.dumps("Mã truy cập API") in admin
    assert reverse(INDEX) not in trainer


# --- Wagtail's management command -------------------------------------------------------------


def _command(*args) -> str:
    out = io.StringIO()
    call_command("api_tokens", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_a_token_that_works(two_provinces):
    user = make_user(role="Admin", province_code="15")
    token = _command("create", "--user", user.username, "--name", "Kịch bản").strip()
    assert "\n" not in token and APIToken.validate_token_format(token)
    assert cadres_trained(bearer(token).get(API).json())["value"] == 3
    made = json.loads(_command("create", "--user", user.username, "--name", "JSON", "--json"))
    assert made["user"] == user.username and made["token"].startswith(made["prefix"])
    assert bearer(made["token"]).get(API).status_code == 200


def test_the_command_lists_and_revokes_by_prefix(two_provinces):
    user = make_user(role="Admin")
    row, token = token_make(user, "Kịch bản")
    other, _t = token_make(make_user(role="Admin"), "Khác")
    out = _command("list", "--user", user.username)
    assert row.prefix in out and "Kịch bản" in out
    assert "Khác" not in out and token[len(row.prefix) :] not in out
    out = _command("revoke", "--user", user.username, "--prefix", row.prefix)
    assert row.prefix in out
    assert bearer(token).get(API).status_code == 401
    assert "Kịch bản" not in _command("list")  # revoked tokens are hidden by default
    assert "Kịch bản" in _command("list", "--include-revoked")
    assert "Khác" in _command("list")


def test_the_command_refuses_an_unknown_user_or_token(two_provinces):
    with pytest.raises(CommandError):
        _command("create", "--user", "khong-co", "--name", "x")
    with pytest.raises(CommandError):
        _command("revoke", "--id", "999999")
    assert not APIToken.objects.exists()
