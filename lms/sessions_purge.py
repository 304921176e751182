"""Login sessions past their retention go: the session table holds who is logged in."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

# The session engines whose rows are the record: Django's, and the project's read through the
# cache.
DATABASE_ENGINES = ("django.contrib.sessions.backends.db", "lms.sessions")


def sessions_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the database sessions that expired, and any older than
    PERSONAL_DATA_RETENTION["session_days"] (a session whose expiry was set further away by
    hand). Returns how many went; with a session engine that keeps no rows, none. Sessions
    read through the cache (lms/sessions.py) leave it on their own, within minutes."""
    if settings.SESSION_ENGINE not in DATABASE_ENGINES:
        return 0
    now = now or timezone.now()
    longest = datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION["session_days"])
    deleted, _detail = Session.objects.filter(expire_date__lt=now).delete()
    further, _detail = Session.objects.filter(expire_date__gt=now + longest).delete()
    return deleted + further
