"""Login sessions kept in the database and read through the shared cache.

Every request of a signed-in person read its session row from the database. With Redis
(REDIS_URL) the session engine is Django's cached_db: a session is read from the cache and
from the database only when the cache does not have it; every write goes to the database
first, which stays the record the retention clean-up works on (lms/sessions_purge.py).

The cache keeps a session for at most SESSION_CACHE_SECONDS after it was last read from the
database or written (never beyond its own expiry). The cache degrades instead of failing
(lms/cache.py), so a session ended while Redis was unreachable (a logout whose cache delete
could not be made) may still be found there once Redis is back: at most that long.
Without REDIS_URL every process has a cache of its own, and sessions stay in the database
only (lms/settings.py).
"""

from __future__ import annotations

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore

logger = logging.getLogger("django.contrib.sessions")

SESSION_CACHE_SECONDS = 600


class SessionStore(CachedDBStore):
    cache_key_prefix = "lms.sessions."

    def _cache_seconds(self, expiry=None) -> int:
        age = self.get_expiry_age() if expiry is None else self.get_expiry_age(expiry=expiry)
        return max(0, min(SESSION_CACHE_SECONDS, age))

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception:  # noqa: BLE001 - an unusable key: read the database, as Django does
            data = None
        if data is None:
            row = self._get_session_from_db()
            if row:
                data = self.decode(row.session_data)
                self._cache.set(self.cache_key, data, self._cache_seconds(row.expire_date))
            else:
                data = {}
        return data

    def save(self, must_create=False):
        super(CachedDBStore, self).save(must_create)
        try:
            self._cache.set(self.cache_key, self._session, self._cache_seconds())
        except Exception:
            logger.exception("Error saving to cache (%s)", self._cache)
