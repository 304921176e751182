"""Behind the reverse proxy each client is counted under its own address, and only the
proxy can say what that address is.

Every request through the proxy comes from the proxy's address: without the address the
proxy forwards, one guesser's failed logins would lock every other user out. A client that
reaches the app directly, or puts its own X-Forwarded-For before the proxy's, cannot choose
the address it is counted under.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.builders import make_user

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
PROXY = "10.9.0.5"
LIMITED = "Quá nhiều lần đăng nhập không thành công"


def through_proxy(forwarded_for: str) -> Client:
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)


def wrong_login(client: Client, n: int):
    # A different user name each time: only the limit per address is at stake.
    return client.post(LOGIN, {"username": f"khong-co-{n}", "password": "sai-mat-khau"})


def test_one_guesser_behind_the_proxy_does_not_lock_out_the_others(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.LOGIN_RATE_LIMIT = 3
    settings.LOGIN_CLIENT_RATE_LIMIT = 3  # over all accounts: the limit per address at stake
    make_user("can_bo_that")  # password mat-khau-dai-123
    # The guesser puts an address of its choosing first; the proxy's entry comes last.
    for n in range(3):
        response = wrong_login(through_proxy(f"192.0.2.{n}, 198.51.100.7"), n)
        assert response.status_code == 200
    refused = wrong_login(through_proxy("192.0.2.99, 198.51.100.7"), 99)
    assert refused.status_code == 429
    assert LIMITED in refused.content.decode()
    # Someone else behind the same proxy signs in.
    other = through_proxy("203.0.113.20")
    response = other.post(LOGIN, {"username": "can_bo_that", "password": "mat-khau-dai-123"})
    assert response.status_code == 302
    assert "_auth_user_id" in other.session


def test_a_client_reaching_the_app_directly_cannot_choose_its_address(settings):
    settings.TRUSTED_PROXIES = [PROXY]
    settings.LOGIN_RATE_LIMIT = 3
    settings.LOGIN_CLIENT_RATE_LIMIT = 3  # over all accounts: the limit per address at stake
    for n in range(3):
        client = Client(REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
        assert wrong_login(client, n).status_code == 200
    client = Client(REMOTE_ADDR="198.51.100.8", HTTP_X_FORWARDED_FOR="192.0.2.50")
    assert wrong_login(client, 50).status_code == 429
    # And one from the proxy that names the guesser is the guesser.
    assert wrong_login(through_proxy("198.51.100.8"), 51).status_code == 429


def test_a_mistyped_trusted_proxy_stops_the_web_process_at_start_not_each_request():
    env = dict(os.environ, TRUSTED_PROXIES="10.9.0.5,proxy", DJANGO_SETTINGS_MODULE="lms.settings")
    result = subprocess.run(
        [sys.executable, "-c", "from lms.wsgi import application"],
        cwd=Path(__file__).resolve().parents[2], env=env, capture_output=True, text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode != 0
    assert "TRUSTED_PROXIES phải gồm các địa chỉ IP hoặc mạng" in result.stderr
    assert "'proxy'" in result.stderr
