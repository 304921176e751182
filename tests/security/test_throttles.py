"""Throttles that hold and cannot be turned against a person (lms/throttle.py).

Sign-in is limited per (account, client) and per client, never per account alone: failures
from one device never lock the owner out of another. User names count as the login reads
them (full-width letters are the same name), the client is the address the trusted proxies
saw, the wait grows with each failure past the limit, and a dead Redis leaves every throttle
counting in the web process. Password resets are limited per client and per e-mail address,
and their e-mails are sent by a Celery task.
"""

from __future__ import annotations

import pytest
from celery.signals import task_prerun
from django.contrib.auth.signals import user_login_failed
from django.test import Client, override_settings
from wagtail.models import APIToken

from tests.builders import make_user
from tests.conftest import wait_for

pytestmark = pytest.mark.django_db

PASSWORD = "mat-khau-dai-123"  # tests.builders.make_user
LOGIN = "/accounts/login/"
RESET = "/accounts/password/reset/"
ADMIN_RESET = "/admin/password_reset/"

DEAD_REDIS = {
    "default": {
        "BACKEND": "lms.cache.ResilientRedisCache",
        # Port 9 on loopback: nothing listens, the connection is refused at once.
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture(autouse=True)
def _fresh_process_counters():
    """The per-process counters that stand in for a dead Redis start empty in each test."""
    from lms.throttle import fallback_store

    fallback_store().clear()
    yield
    fallback_store().clear()


@pytest.fixture
def limits(settings):
    settings.LOGIN_RATE_LIMIT = 3
    settings.LOGIN_RATE_WINDOW = 300
    settings.LOGIN_CLIENT_RATE_LIMIT = 100
    settings.TRUSTED_PROXIES = []
    return settings


def login(username: str, password: str, **meta):
    return Client(**meta).post(LOGIN, {"username": username, "password": password})


def signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.client.session


# --- Keys normalised like the login ---------------------------------------------------------


@pytest.mark.parametrize(
    ("failed_as", "then_as"),
    [
        ("quantri", "ｑｕａｎｔｒｉ"),
        ("ｑｕａｎｔｒｉ", "quantri"),
        ("Ｑｕａｎｔｒｉ\u3000", "ｑｕａｎｔｒｉ"),  # capitals, an ideographic space
    ],
)
def test_a_full_width_user_name_does_not_get_round_the_limit_of_its_account(
    limits, failed_as, then_as
):
    make_user("quantri")
    make_user("giangvien")
    device = {"REMOTE_ADDR": "203.0.113.10"}
    for _n in range(3):
        assert login(failed_as, "sai-mat-khau", **device).status_code == 200
    # Django's login reads ｑｕａｎｔｒｉ as quantri: the same account, the same limit.
    refused = login(then_as, PASSWORD, **device)
    assert refused.status_code == 429
    assert "_auth_user_id" not in refused.client.session
    assert "Quá nhiều lần đăng nhập không thành công" in refused.content.decode()
    # Only that account is held back on that device: someone else signs in from it.
    assert signed_in(login("giangvien", PASSWORD, **device))


# --- Limits per (account, client), not per account -------------------------------------------


def test_failures_from_one_client_do_not_lock_the_owner_out_from_another(limits):
    make_user("quantri")
    attacker = {"REMOTE_ADDR": "203.0.113.66"}
    checked = []

    def password_checked(sender, **kwargs):
        checked.append(kwargs["credentials"]["username"])

    user_login_failed.connect(password_checked, weak=False, dispatch_uid="checked")
    try:
        for _n in range(3):
            assert login("quantri", "doan-mo", **attacker).status_code == 200
        assert login("quantri", "doan-tiep", **attacker).status_code == 429
        assert login("quantri", PASSWORD, **attacker).status_code == 429
    finally:
        user_login_failed.disconnect(dispatch_uid="checked")
    # Refused attempts were not even checked: three passwords tried, not five.
    assert len(checked) == 3
    # The owner, at their own desk, is not locked out by someone else's guesses.
    assert signed_in(login("quantri", PASSWORD, REMOTE_ADDR="198.51.100.20"))


def test_one_client_trying_many_accounts_is_limited_over_all_of_them(limits):
    limits.LOGIN_CLIENT_RATE_LIMIT = 4
    for n in range(4):
        make_user(f"can_bo_{n}")
    sprayer = {"REMOTE_ADDR": "203.0.113.77"}
    for n in range(4):
        assert login(f"can_bo_{n}", "123456", **sprayer).status_code == 200
    assert login("can_bo_0", PASSWORD, **sprayer).status_code == 429
    assert signed_in(login("can_bo_0", PASSWORD, REMOTE_ADDR="198.51.100.21"))


def test_the_wait_grows_with_each_failure_past_the_limit(limits, monkeypatch):
    from lms import throttle

    clock = [1_800_000_000.0]
    monkeypatch.setattr(throttle, "_now", lambda: clock[0])
    make_user("quantri")
    device = {"REMOTE_ADDR": "203.0.113.11"}
    for _n in range(3):
        assert login("quantri", "sai", **device).status_code == 200
    waits = []
    for _round in range(3):
        refused = login("quantri", PASSWORD, **device)
        assert refused.status_code == 429
        waits.append(int(refused["Retry-After"]))
        clock[0] += waits[-1]
        # After the wait, one more try; a wrong one doubles the next wait.
        assert login("quantri", "van-sai", **device).status_code == 200
    assert waits == [300, 600, 1200]
    refused = login("quantri", PASSWORD, **device)
    assert refused["Retry-After"] == "2400"
    assert "Vui lòng thử lại sau 40 phút" in refused.content.decode()
    # The right password after the wait signs in, and the account starts afresh there.
    clock[0] += 2400
    assert signed_in(login("quantri", PASSWORD, **device))
    for _n in range(3):
        assert login("quantri", "sai", **device).status_code == 200


# --- The client behind trusted proxies -------------------------------------------------------


def test_behind_a_trusted_proxy_the_real_client_is_limited_and_a_forged_entry_ignored(limits):
    limits.TRUSTED_PROXIES = ["10.0.0.1"]  # every request reaches the web process from it
    make_user("quantri")
    make_user("giangvien")
    proxy = "10.0.0.1"

    def via_proxy(client: str, forged: str = "") -> dict:
        forwarded = f"{forged}, {client}" if forged else client
        return {"REMOTE_ADDR": proxy, "HTTP_X_FORWARDED_FOR": forwarded}

    # The guesser writes a new address in front of the header each time: it changes nothing.
    for n in range(3):
        guess = via_proxy("203.0.113.5", forged=f"192.0.2.{n}")
        assert login("quantri", "sai", **guess).status_code == 200
    refused = login("quantri", PASSWORD, **via_proxy("203.0.113.5", forged="192.0.2.99"))
    assert refused.status_code == 429
    # Everyone else comes through the same proxy and is not held back by the guesser.
    assert signed_in(login("quantri", PASSWORD, **via_proxy("198.51.100.30")))
    assert signed_in(login("giangvien", PASSWORD, **via_proxy("198.51.100.31")))


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(limits):
    make_user("quantri")
    make_user("giangvien")
    for n in range(3):
        forged = {"REMOTE_ADDR": "203.0.113.6", "HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}
        assert login("quantri", "sai", **forged).status_code == 200
    forged = {"REMOTE_ADDR": "203.0.113.6", "HTTP_X_FORWARDED_FOR": "192.0.2.200"}
    assert login("quantri", PASSWORD, **forged).status_code == 429
    # Another account from that client is not held back.
    assert signed_in(login("giangvien", PASSWORD, **forged))


# --- With the shared cache down, limits still hold -----------------------------------------


@override_settings(CACHES=DEAD_REDIS)
def test_with_redis_down_failed_logins_are_still_limited(limits):
    make_user("quantri")
    device = {"REMOTE_ADDR": "203.0.113.12"}
    for _n in range(3):
        assert login("quantri", "sai", **device).status_code == 200
    assert login("quantri", PASSWORD, **device).status_code == 429
    assert signed_in(login("quantri", PASSWORD, REMOTE_ADDR="198.51.100.40"))


@override_settings(CACHES=DEAD_REDIS, CERTIFICATE_VERIFY_RATE="3/m")
def test_with_redis_down_certificate_checks_are_still_limited():
    checker = Client(REMOTE_ADDR="203.0.113.13")
    for n in range(3):
        assert checker.get(f"/verify/khong-co-ma-nay-{n:020d}/").status_code == 404
    limited = checker.get("/verify/khong-co-ma-nay-99999999999999999999/")
    assert limited.status_code == 429
    assert int(limited["Retry-After"]) >= 1
    assert "Bạn đã kiểm tra quá nhiều lần" in limited.content.decode()


@override_settings(CACHES=DEAD_REDIS)
def test_with_redis_down_failed_api_tokens_are_still_limited(limits):
    for _n in range(3):
        guess = Client(
            REMOTE_ADDR="203.0.113.14", HTTP_AUTHORIZATION=f"Bearer {APIToken.generate_token()}"
        )
        assert guess.get("/api/counters/").status_code == 401
    assert guess.get("/api/counters/").status_code == 429


# --- Password reset -------------------------------------------------------------------------


@pytest.fixture
def reset_limits(settings, tasks_inline):
    settings.PASSWORD_RESET_RATE_LIMIT = 2
    settings.PASSWORD_RESET_CLIENT_RATE_LIMIT = 3
    settings.PASSWORD_RESET_RATE_WINDOW = 3600
    return settings


def reset(email: str, path: str = RESET, **meta):
    return Client(**meta).post(path, {"email": email})


def with_email(username: str, email: str):
    user = make_user(username)
    user.email = email
    user.save(update_fields=["email"])
    return user


def test_password_reset_is_limited_per_email_address(reset_limits, mailoutbox):
    with_email("hoa", "hoa@example.org")
    assert reset("hoa@example.org", REMOTE_ADDR="203.0.113.20").status_code == 302
    assert reset("hoa@example.org", REMOTE_ADDR="203.0.113.21").status_code == 302
    # A third from yet another address, in another case: her mailbox is not flooded.
    refused = reset("HOA@Example.org", REMOTE_ADDR="203.0.113.22")
    assert refused.status_code == 429
    assert "Quá nhiều yêu cầu đặt lại mật khẩu" in refused.content.decode()
    assert int(refused["Retry-After"]) >= 1
    assert len(mailoutbox) == 2
    # An address nobody uses is limited the same way: a refusal tells nothing.
    for n in range(2):
        assert reset("khong-ai@example.org", REMOTE_ADDR=f"203.0.113.3{n}").status_code == 302
    assert reset("khong-ai@example.org", REMOTE_ADDR="203.0.113.39").status_code == 429


def test_password_reset_is_limited_per_client(reset_limits, mailoutbox):
    device = {"REMOTE_ADDR": "203.0.113.23"}
    for n in range(3):
        assert reset(f"nguoi{n}@example.org", **device).status_code == 302
    assert reset("nguoi9@example.org", **device).status_code == 429
    assert reset("nguoi9@example.org", REMOTE_ADDR="198.51.100.50").status_code == 302


def test_the_admin_password_reset_shares_the_limits(reset_limits, mailoutbox):
    with_email("duyet", "duyet@example.org")
    assert reset("duyet@example.org", REMOTE_ADDR="203.0.113.24").status_code == 302
    assert reset("duyet@example.org", ADMIN_RESET, REMOTE_ADDR="203.0.113.25").status_code == 302
    refused = reset("duyet@example.org", ADMIN_RESET, REMOTE_ADDR="203.0.113.26")
    assert refused.status_code == 429
    assert "Quá nhiều yêu cầu đặt lại mật khẩu" in refused.content.decode()
    assert len(mailoutbox) == 2


def test_the_reset_email_is_sent_by_the_task_with_a_link_to_the_site(
    reset_limits, mailoutbox, settings
):
    settings.ALLOWED_HOSTS = ["*"]
    settings.SITE_URL = "https://lms.example.org"
    with_email("hoa", "hoa@example.org")
    ran = []

    def record(sender=None, **kwargs):
        ran.append(sender.name)

    task_prerun.connect(record, weak=False)
    try:
        # A forged Host header must not end up in the link.
        response = reset("hoa@example.org", HTTP_HOST="tan-cong.example")
        unknown = reset("khong-ai@example.org")
    finally:
        task_prerun.disconnect(record)
    assert response.status_code == 302
    assert unknown.status_code == 302
    assert ran == ["lms.tasks.email_password_reset"]
    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["hoa@example.org"]
    assert "https://lms.example.org/accounts/password/reset/" in mail.body
    assert "tan-cong.example" not in mail.body
    assert mail.subject == "Đặt lại mật khẩu của bạn"


@pytest.mark.worker
def test_a_worker_process_sends_the_reset_email(celery_worker_process, mailoutbox):
    with_email("hoa", "hoa.worker@example.org")
    response = reset("hoa.worker@example.org")
    assert response.status_code == 302
    # The web request sent nothing itself; the worker's mail (console backend) is in its log.
    assert mailoutbox == []
    log = wait_for(
        lambda: (
            (text := celery_worker_process.log_path.read_text(errors="replace"))
            and "hoa.worker@example.org" in text
            and text
        ),
        timeout=30,
        message="the worker did not send the reset e-mail",
    )
    assert "lms.tasks.email_password_reset" in log
    assert "/accounts/password/reset/" in log
