"""With Redis down, the cache degrades instead of failing requests."""

import pytest
from django.core.cache import cache
from django.test import override_settings

from lms.cache import UNAVAILABLE

DEAD_REDIS = {
    "default": {
        "BACKEND": "lms.cache.ResilientRedisCache",
        # Port 9 on loopback: nothing listens, the connection is refused at once.
        "LOCATION": "redis://127.0.0.1:9/0",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@override_settings(CACHES=DEAD_REDIS)
def test_cache_operations_degrade_when_redis_is_down():
    assert cache.get("figures", "missing") == "missing"
    assert cache.add("counter", 1, 60) is False
    assert cache.incr("counter") == 0
    cache.set("figures", [1, 2, 3])
    assert cache.get_many(["a", "b"]) == {}
    cache.delete("figures")


@pytest.mark.django_db
@override_settings(CACHES=DEAD_REDIS)
def test_login_still_works_when_redis_is_down(client, django_user_model):
    django_user_model.objects.create_user("can_bo", password="mat-khau-dai-1")
    response = client.post("/accounts/login/", {"username": "can_bo", "password": "mat-khau-dai-1"})
    assert response.status_code == 302


def test_operations_share_one_redis_client_per_pool():
    from django.conf import settings

    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    backend = cache._cache
    client = backend.get_client(write=True)
    cache.set("figures", [1, 2, 3], 60)
    cache.set("visits", 1, 60)
    assert cache.get("figures") == [1, 2, 3]
    assert cache.incr("visits") == 2
    cache.delete("figures")
    assert cache.get("figures") is None
    assert backend.get_client(write=True) is client
    assert backend.get_client() is backend.get_client()


@override_settings(CACHES=DEAD_REDIS)
def test_a_generation_bump_and_the_strict_cache_with_redis_down():
    from lms.cache import generation_bump, strict_cache

    generation_bump("figures-generation")  # degrades: no exception for the caller
    with pytest.raises(UNAVAILABLE):
        strict_cache().add("flag", 1, 60)


def test_a_generation_moves_on_in_one_command_and_a_missing_one_starts_past_one():
    from django.conf import settings

    from lms.cache import generation, generation_bump

    if not settings.REDIS_URL:
        pytest.skip("needs REDIS_URL")
    cache.delete("test-generation")
    generation_bump("test-generation")
    assert generation("test-generation") == 2  # never 1, which a reader may have cached under
    generation_bump("test-generation")
    assert generation("test-generation") == 3
    cache.delete("test-generation")
    assert generation("test-generation") == 1
    generation_bump("test-generation")
    assert generation("test-generation") == 2
    cache.delete("test-generation")


@pytest.mark.django_db(transaction=True)
def test_a_change_in_a_transaction_moves_the_generation_once_at_its_commit():
    from django.db import transaction

    from lms.cache import generation, generation_bump, generation_cached, generation_moved

    generation_bump("moved-generation")
    before = generation("moved-generation")
    with transaction.atomic():
        generation_moved("moved-generation")
        generation_moved("moved-generation")
        # Other connections still read the committed generation.
        assert cache.get("moved-generation") == before
        # The transaction's own readers have a token of theirs, new after each change.
        first = generation("moved-generation")
        assert first != before and first == generation("moved-generation")
        generation_moved("moved-generation")
        assert generation("moved-generation") not in (first, before)
        # What it computes from its uncommitted writes is not kept for others.
        assert generation_cached("moved-generation", "moved-entry", lambda: "mine", 60) == "mine"
        assert cache.get("moved-entry") is None
    assert generation("moved-generation") == before + 1  # one bump for the three changes
    assert generation_cached("moved-generation", "moved-entry", lambda: "shared", 60) == "shared"
    assert generation_cached("moved-generation", "moved-entry", lambda: "again", 60) == "shared"


@pytest.mark.django_db(transaction=True)
def test_a_change_rolled_back_moves_no_generation():
    from django.db import transaction

    from lms.cache import generation, generation_bump, generation_moved

    generation_bump("rolled-generation")
    before = generation("rolled-generation")
    with pytest.raises(RuntimeError), transaction.atomic():
        generation_moved("rolled-generation")
        raise RuntimeError
    assert generation("rolled-generation") == before
    with transaction.atomic():
        try:
            with transaction.atomic():
                generation_moved("rolled-generation")
                raise RuntimeError
        except RuntimeError:
            pass
        # The savepoint's change went with it: the transaction reads the shared generation.
        assert generation("rolled-generation") == before
    assert generation("rolled-generation") == before
    generation_moved("rolled-generation")  # outside a transaction: committed, moved at once
    assert generation("rolled-generation") == before + 1
