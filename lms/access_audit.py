"""The audit of access to personal data: one AccessLogEntry per listing, record viewed,
export, import or download of one's own data.

An entry holds no personal data. The filter is written from the request's query with field
names and codes only: the values of the fields a caller declares as codes (a level, a sex,
a target group, a page number) are kept, any other value (a searched name or phone) is
written as "*", so the entry says that a search was made, not what was searched.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.conf import settings
from django.utils import timezone

from lms.models import AccessAction, AccessLogEntry
from lms.roles import admin_province_code, is_central_admin

__all__ = ["AccessAction", "access_record", "filters_describe", "scope_of"]

# Query parameters that never say anything about a person: kept as they are.
PLAIN_PARAMETERS = frozenset({"p", "page", "ordering", "export", "per_page"})
SEARCHED = "*"
MAX_FILTER_LENGTH = 500


def scope_of(user) -> str:
    """The scope the user read with: "national", "province:NN", or "own" (their own data
    or that of their sessions' participants)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    if is_central_admin(user):
        return "national"
    province = admin_province_code(user)
    return f"province:{province}" if province else "own"


def filters_describe(query: Mapping | None, *, codes: Iterable[str] = ()) -> str:
    """`query` (a QueryDict or a dict) as "name=value&..." with the values of `codes` and of
    the plain parameters kept and every other value replaced by "*". Empty values are left
    out; the result is sorted, so that two identical listings read the same."""
    if not query:
        return ""
    kept = PLAIN_PARAMETERS | set(codes)
    lists = query.lists() if hasattr(query, "lists") else ((k, [v]) for k, v in query.items())
    parts = []
    for name, values in lists:
        for value in values:
            if value in ("", None):
                continue
            shown = str(value) if name in kept and len(str(value)) <= 20 else SEARCHED
            # A parameter's name is a field name; one that is not (a pasted value) goes too.
            safe_name = name if name.replace("_", "").replace("-", "").isalnum() else SEARCHED
            parts.append(f"{safe_name[:40]}={shown}")
    return "&".join(sorted(parts))[:MAX_FILTER_LENGTH]


def access_record(
    *,
    user,
    action: str,
    target: str,
    record_id: str | int = "",
    filters: str = "",
    count: int | None = None,
    ethnicity_shown: bool = False,
    scope: str | None = None,
) -> AccessLogEntry:
    """Write one entry; the scope is the user's unless given."""
    return AccessLogEntry.objects.create(
        at=timezone.now(),
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        target=target[:60],
        record_id=str(record_id)[:40],
        scope=(scope if scope is not None else scope_of(user))[:40],
        filters=filters[:MAX_FILTER_LENGTH],
        count=count,
        ethnicity_shown=ethnicity_shown,
    )


def access_log_purge(*, now=None) -> int:
    """Delete the entries older than the retention period of the access audit
    (settings.PERSONAL_DATA_RETENTION["access_log_days"]). Returns how many went."""
    now = now or timezone.now()
    days = settings.PERSONAL_DATA_RETENTION["access_log_days"]
    cutoff = now - datetime.timedelta(days=days)
    deleted, _detail = AccessLogEntry.objects.filter(at__lt=cutoff).delete()
    return deleted
