"""Django's Redis cache, made to degrade instead of fail when Redis is down.

The cache holds only what can be rebuilt: rate-limit counters and cached figures. When Redis
is unreachable, a read misses, a write is skipped and a counter reads as zero, and a warning
is logged; the request goes on. Above all, a completion must never be rolled back because a
cache write failed (the certificate is re-queued from the database when Redis is back).
The throttles must not read zero: they use `strict()` and count in the process's memory
instead (lms/throttle.py).
"""

from __future__ import annotations

import functools
import logging
import time
import uuid

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.db import DEFAULT_DB_ALIAS, connections
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("lms.cache")

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
_WARN_EVERY = 30.0
_last_warning = 0.0


def _warn(operation: str, exc: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning > _WARN_EVERY:
        _last_warning = now
        logger.warning("cache unavailable (%s: %s); carrying on without it", operation, exc)


class _ReusedClients(RedisCacheClient):
    """Django's Redis cache client, keeping one redis-py client per connection pool.

    Django builds a new `redis.Redis` for every cache operation; its constructor copies
    redis-py's table of response callbacks each time, which cost more than the command itself
    on the pages that read the cache a few times per request. A client is only a handle on
    its (thread-safe) pool, so one per pool serves every operation."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


# A missing key is set to 1, then every key moved on by one.
_BUMP = "redis.call('SET', KEYS[1], 1, 'NX') return redis.call('INCR', KEYS[1])"


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusedClients

    def strict(self) -> _Strict:
        """The same cache without the safety net: an unreachable Redis raises. For callers
        that have a fallback of their own (the throttles of lms/throttle.py)."""
        return _Strict(self)

    def get(self, key, default=None, version=None):
        try:
            return super().get(key, default, version)
        except UNAVAILABLE as exc:
            _warn("get", exc)
            return default

    def get_many(self, keys, version=None):
        try:
            return super().get_many(keys, version)
        except UNAVAILABLE as exc:
            _warn("get_many", exc)
            return {}

    def has_key(self, key, version=None):
        try:
            return super().has_key(key, version)
        except UNAVAILABLE as exc:
            _warn("has_key", exc)
            return False

    def add(self, key, value, timeout=None, version=None):
        try:
            return super().add(key, value, timeout, version)
        except UNAVAILABLE as exc:
            _warn("add", exc)
            return False

    def set(self, key, value, timeout=None, version=None):
        try:
            return super().set(key, value, timeout, version)
        except UNAVAILABLE as exc:
            _warn("set", exc)
            return None

    def set_many(self, data, timeout=None, version=None):
        try:
            return super().set_many(data, timeout, version)
        except UNAVAILABLE as exc:
            _warn("set_many", exc)
            return list(data)

    def touch(self, key, timeout=None, version=None):
        try:
            return super().touch(key, timeout, version)
        except UNAVAILABLE as exc:
            _warn("touch", exc)
            return False

    def delete(self, key, version=None):
        try:
            return super().delete(key, version)
        except UNAVAILABLE as exc:
            _warn("delete", exc)
            return False

    def delete_many(self, keys, version=None):
        try:
            return super().delete_many(keys, version)
        except UNAVAILABLE as exc:
            _warn("delete_many", exc)
            return None

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except UNAVAILABLE as exc:
            _warn("incr", exc)
            return 0

    def bump(self, key, version=None) -> int:
        """Move the number under `key` on by one, in one command (Django's incr asks whether
        the key exists first); a missing key starts at 2, past the 1 that generation() reads
        for it. Returns the new number, or 0 when Redis is unreachable."""
        key = self.make_and_validate_key(key, version=version)
        try:
            return self._cache.get_client(key, write=True).eval(_BUMP, 1, key)
        except UNAVAILABLE as exc:
            _warn("incr", exc)
            return 0

    def clear(self):
        try:
            return super().clear()
        except UNAVAILABLE as exc:
            _warn("clear", exc)
            return False


class _Strict:
    """RedisCache's own operations on a ResilientRedisCache: same keys and connections."""

    def __init__(self, cache: ResilientRedisCache):
        self._cache = cache

    def __getattr__(self, name: str):
        return functools.partial(getattr(RedisCache, name), self._cache)


def strict_cache():
    """The default cache without the safety net where it has one (an unreachable Redis
    raises), for callers with a fallback of their own. It is looked up in `caches`:
    `django.core.cache.cache` is a proxy, which isinstance does not see through."""
    default = caches["default"]
    return default.strict() if isinstance(default, ResilientRedisCache) else default


def generation(key: str) -> int | str:
    """A number that moves on whenever `generation_bump(key)` is called: part of the cache key
    of anything computed from data that changes, so that a change makes old entries unused.

    Inside a transaction that has changed the data (generation_moved), a token of that
    transaction's own instead: what it computes from its uncommitted writes is kept under a
    key no other connection reads, and a later change in it makes a new token."""
    moved = _moved_here(key)
    if moved is not None:
        return moved.token()
    value = cache.get(key)
    if value is None:
        cache.add(key, 1, timeout=None)
        value = cache.get(key) or 1
    return value


def generation_cached(generation_key: str, key: str, compute, timeout: int):
    """`compute()`, kept under `key` with the generation of `generation_key` it was computed
    at, and computed again once that generation has moved on (or the entry expired): one
    round trip to read the generation and the entry together. Inside a transaction that has
    changed the data, computed and not kept."""
    if _moved_here(generation_key) is not None:
        return compute()
    found = cache.get_many([generation_key, key])
    current, entry = found.get(generation_key), found.get(key)
    if current is not None and entry is not None and entry[0] == current:
        return entry[1]
    if current is None:
        current = generation(generation_key)
    value = compute()
    cache.set(key, (current, value), timeout)
    return value


class _MoveAtCommit:
    """The bump of one generation once the transaction that changed its data commits (a
    callback of that transaction's on_commit list), and how many changes it has made."""

    __slots__ = ("key", "changes", "done", "_id")

    def __init__(self, key: str):
        self.key = key
        self.changes = 0
        self.done = False
        self._id = uuid.uuid4().hex

    def token(self) -> str:
        return f"tx-{self._id}-{self.changes}"

    def __call__(self) -> None:
        self.done = True
        generation_bump(self.key)


def _moved_here(key: str, using: str = DEFAULT_DB_ALIAS) -> _MoveAtCommit | None:
    """The pending bump of `key` of the connection's open transaction, if it changed the data.
    A bump that has run, or is no longer on the transaction's on_commit list (rolled back with
    the transaction, or with the savepoint it was made in), is forgotten."""
    connection = connections[using]
    pending = getattr(connection, "_generations_moved", None)
    if not pending:
        return None
    move = pending.get(key)
    if move is None:
        return None
    if (
        not move.done
        and connection.in_atomic_block
        and any(f is move for _s, f, _r in connection.run_on_commit)
    ):
        return move
    del pending[key]
    return None


def generation_moved(key: str, using: str = DEFAULT_DB_ALIAS) -> None:
    """The data behind `key` changed in the current transaction: the generation moves on once
    it commits (one bump however many changes it makes), and until then the transaction's
    own readers see a generation of its own (see `generation`). Outside a transaction the
    change is committed already: the generation moves on at once."""
    connection = connections[using]
    if not connection.in_atomic_block:
        generation_bump(key)
        return
    move = _moved_here(key, using)
    if move is None:
        move = _MoveAtCommit(key)
        if getattr(connection, "_generations_moved", None) is None:
            connection._generations_moved = {}
        connection._generations_moved[key] = move
        connection.on_commit(move)
    move.changes += 1


def generation_bump(key: str) -> None:
    default = caches["default"]
    if isinstance(default, ResilientRedisCache):
        default.bump(key)
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, 2, timeout=None)
