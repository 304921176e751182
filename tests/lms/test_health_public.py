"""/healthz for the public and for operators.

Anyone gets a cheap liveness answer that asks neither the broker nor the workers and names
no host and no database vendor, so clients polling it cannot slow the site. Operators (staff
and admins, by session or API token, or a request made on the host itself) get the detailed
readiness, checked at most once every few seconds however often they ask.

A local TCP listener stands in for the broker's address: it only counts the connections it
receives (and closes them), which shows whether an answer went to the broker.
"""

from __future__ import annotations

import socket
import threading

import pytest
from django.test import Client
from wagtail.models import APIToken

from tests.builders import make_user

pytestmark = pytest.mark.django_db

REMOTE = "203.0.113.9"  # a client on the internet


class BrokerAddress:
    """A listening socket on a free loopback port that counts the connections made to it."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while True:
            try:
                conn, _addr = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def close(self):
        self.sock.close()


@pytest.fixture
def broker(settings):
    """Tasks go to a broker at a local address that counts who calls it."""
    address = BrokerAddress()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.REDIS_URL = address.url
    yield address
    address.close()


def signed_in(user, **extra) -> Client:
    client = Client(**extra)
    client.force_login(user)
    return client


def public_callers() -> dict:
    return {
        "anonymous on the internet": lambda: Client(REMOTE_ADDR=REMOTE),
        # The reverse proxy on the same host: its request is local, the client behind it is not.
        "anonymous through a local proxy": lambda: Client(
            REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=REMOTE
        ),
        "a cadre": lambda: signed_in(make_user(role="Cadre"), REMOTE_ADDR=REMOTE),
        "a trainer": lambda: signed_in(make_user(role="Trainer"), REMOTE_ADDR=REMOTE),
    }


def operator_callers() -> dict:
    def token_client(user) -> Client:
        _row, token = APIToken.create_token(user=user, name="Giám sát")
        return Client(REMOTE_ADDR=REMOTE, HTTP_AUTHORIZATION=f"Bearer {token}")

    def staff() -> Client:
        user = make_user()
        user.is_staff = True
        user.save()
        return signed_in(user, REMOTE_ADDR=REMOTE)

    return {
        "the host itself": lambda: Client(REMOTE_ADDR="127.0.0.1"),
        "staff": staff,
        "a central admin": lambda: signed_in(make_user(role="Admin"), REMOTE_ADDR=REMOTE),
        "a central admin's token": lambda: token_client(make_user(role="Admin")),
        "a province admin's token": lambda: token_client(
            make_user(role="Admin", province_code="15")
        ),
    }


@pytest.mark.parametrize("caller", list(public_callers()))
def test_the_public_answer_asks_no_broker_and_names_no_host_or_database(broker, caller):
    client = public_callers()[caller]()
    for _n in range(3):
        response = client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok"}
    assert broker.connections == 0
    body = response.content.decode()
    assert "sqlite" not in body and "postgresql" not in body
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.parametrize("caller", list(operator_callers()))
def test_operators_get_the_readiness_checked_once_per_few_seconds(broker, caller):
    client = operator_callers()[caller]()
    first = client.get("/healthz")
    assert first.status_code == 200
    body = first.json()
    assert body["status"] == "degraded"  # the address answers, but no Redis speaks there
    assert body["broker"]["status"] == "degraded"
    assert body["database"]["status"] == "ok"
    assert body["database"]["vendor"] in {"sqlite", "postgresql"}
    asked = broker.connections
    assert asked > 0
    for _n in range(5):
        again = client.get("/healthz").json()
        assert again["checked_at"] == body["checked_at"]
        assert again["broker"] == body["broker"]
    assert broker.connections == asked  # the repeated looks did not ask the broker again


def test_a_wrong_api_token_is_refused_not_answered(broker):
    client = Client(REMOTE_ADDR=REMOTE, HTTP_AUTHORIZATION="Bearer wagtail_sai-ma-truy-cap")
    response = client.get("/healthz")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json() == {"detail": "Mã truy cập API không hợp lệ hoặc đã bị thu hồi."}
    assert broker.connections == 0
