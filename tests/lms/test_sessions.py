"""Login sessions read through the cache (the engine used with Redis): requests of a signed-in
person do not read the session table, the database stays the record, and ending a session,
or changing the password, ends it at once."""

import datetime as dt

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.sessions import SESSION_CACHE_SECONDS, SessionStore
from lms.sessions_purge import sessions_purge
from tests.builders import PASSWORD, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("cached_sessions")]


@pytest.fixture
def cached_sessions():
    with override_settings(SESSION_ENGINE="lms.sessions"):
        yield


def login(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client.cookies["sessionid"].value


def test_a_signed_in_request_reads_no_session_row(client):
    user = make_user("can_bo")
    key = login(client, user)
    assert Session.objects.filter(session_key=key).exists()  # the record
    client.get("/learn/")  # the first page records the privacy notice accepted (a write)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/learn/").status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"]]


def test_a_session_missing_from_the_cache_is_read_from_the_database(client):
    user = make_user("can_bo")
    key = login(client, user)
    SessionStore(key)._cache.delete(SessionStore(key).cache_key)
    assert client.get("/learn/").status_code == 200  # still signed in
    assert client.get("/learn/").status_code == 200


def test_logging_out_ends_the_session_everywhere(client):
    user = make_user("can_bo")
    key = login(client, user)
    client.post("/accounts/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    assert SessionStore(key).load() == {}
    client.cookies["sessionid"] = key  # the old cookie, replayed
    response = client.get("/learn/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_password_changed_elsewhere_ends_the_cached_session(client):
    user = make_user("can_bo")
    login(client, user)
    assert client.get("/learn/").status_code == 200
    user.set_password("mat-khau-moi-dai-456")
    user.save()
    response = client.get("/learn/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_cache_keeps_a_session_no_longer_than_it_may_or_lives():
    store = SessionStore()
    store["x"] = 1
    store.save()
    assert store._cache_seconds() == SESSION_CACHE_SECONDS
    store.set_expiry(60)
    assert 0 < store._cache_seconds() <= 60


def test_the_retention_clean_up_works_on_the_rows():
    Session.objects.create(session_key="e" * 32, session_data="",
                           expire_date=timezone.now() - dt.timedelta(hours=1))  # fmt: skip
    assert sessions_purge() == 1
