"""Personal API tokens: made, revoked, and checked on the JSON API views only.

A token is `da8_` followed by `secrets.token_urlsafe(32)` (256 random bits). Only its SHA-256
is stored, so the database never holds a usable token; the person sees it once. A request is
matched by looking the hash up (a unique index), never by comparing secrets character by
character, so the time taken tells nothing about a stored token.

`api_auth` is the only way in: a decorator for the JSON views. Tokens are deliberately not a
middleware or an authentication backend, so they open no HTML page and not the admin.
Failed token attempts are throttled per IP address in the shared cache, like failed logins
(`LOGIN_RATE_LIMIT` per `LOGIN_RATE_WINDOW` seconds), separately from them.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import secrets
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django_ratelimit import ALL
from django_ratelimit.core import get_usage

from lms.models import ApiToken, User

TOKEN_TAG = "da8_"  # noqa: S105 - a public format marker, not a secret
PREFIX_LENGTH = len(TOKEN_TAG) + 8  # shown in lists: about 48 random bits, never enough to use
MAX_TOKEN_LENGTH = 200  # anything longer is garbage: refused before hashing
LAST_USED_EVERY = dt.timedelta(minutes=1)  # last_used_at is written at most this often
RATE_GROUP = "api-token-ip"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- Writes ---------------------------------------------------------------------------------


def api_token_create(*, user: User, name: str, days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for `user`: (row, token). The token is returned here once and never again."""
    expires_at = timezone.now() + dt.timedelta(days=days) if days else None
    for _attempt in range(5):
        token = TOKEN_TAG + secrets.token_urlsafe(32)
        try:
            with transaction.atomic():
                row = ApiToken.objects.create(
                    user=user,
                    name=name.strip(),
                    prefix=token[:PREFIX_LENGTH],
                    key_hash=token_hash(token),
                    expires_at=expires_at,
                )
        except IntegrityError:  # a prefix drawn twice (48 bits): draw again
            continue
        return row, token
    raise RuntimeError("could not draw a unique API token prefix")


def api_token_revoke(*, token: ApiToken) -> bool:
    """Revoke (the row stays, for the record). False if it was already revoked."""
    now = timezone.now()
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if updated:
        token.revoked_at = now
    return bool(updated)


def _touch(token: ApiToken, now: dt.datetime) -> None:
    """last_used_at, at most once a minute: no write at all on most requests, and otherwise
    one conditional UPDATE, which the other requests of the same minute turn into a no-op."""
    if token.last_used_at and now - token.last_used_at < LAST_USED_EVERY:
        return
    stale = now - LAST_USED_EVERY
    ApiToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=stale), pk=token.pk
    ).update(last_used_at=now)
    token.last_used_at = now


# --- Reads ----------------------------------------------------------------------------------


def api_token_user(*, token: str) -> User | None:
    """The active user a presented token stands for, or None (unknown, expired, revoked,
    inactive user). Records the use."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    row = ApiToken.objects.select_related("user").filter(key_hash=token_hash(token)).first()
    now = timezone.now()
    if row is None or not row.is_active(now) or not row.user.is_active:
        return None
    _touch(row, now)
    return row.user


# --- The decorator for the JSON views -------------------------------------------------------


def _rate() -> str:
    return f"{settings.LOGIN_RATE_LIMIT}/{settings.LOGIN_RATE_WINDOW}s"


def _failures(request: HttpRequest, *, increment: bool) -> dict | None:
    return get_usage(
        request, group=RATE_GROUP, key="ip", rate=_rate(), method=ALL, increment=increment
    )


def _unauthorized(message: str, *, error: str | None = None) -> JsonResponse:
    response = JsonResponse({"detail": message}, status=401)
    # RFC 6750: a request without credentials gets the bare challenge; a bad token, the error.
    response["WWW-Authenticate"] = f'Bearer error="{error}"' if error else "Bearer"
    return response


def _bearer(header: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` header; None if it is not one."""
    scheme, _space, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or " " in token:
        return None
    return token


def api_auth(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Session or token authentication for a JSON view; the view then checks the role.

    - `Authorization` header present: it must be a valid `Bearer` token, whatever the
      session says (explicit credentials that fail are refused, never ignored). The request
      then runs as the token's user, without a session (no login, no cookie).
    - No header: the session user, as set by Django's middleware.
    - Neither: 401 with `WWW-Authenticate: Bearer`.

    Meant for GET views: CSRF does not apply to them, for a token or a session alike.
    """

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = _authenticate(request)
        if response is None:
            response = view(request, *args, **kwargs)
        # The answer depends on who asks: caches must key it on the header too.
        patch_vary_headers(response, ("Authorization",))
        return response

    return wrapped


def _authenticate(request: HttpRequest) -> HttpResponse | None:
    """None when the request may go on (request.user set); otherwise the refusal."""
    header = request.META.get("HTTP_AUTHORIZATION")
    if header is None:
        if request.user.is_authenticated:
            return None
        return _unauthorized(_("Sign in, or send an API token in the Authorization header."))
    usage = _failures(request, increment=False)
    if usage and usage["count"] >= usage["limit"]:
        response = JsonResponse(
            {"detail": _("Too many failed token attempts. Please wait a few minutes.")},
            status=429,
        )
        response["Retry-After"] = str(max(int(usage["time_left"]), 1))
        return response
    token = _bearer(header)
    if token is None:
        return _unauthorized(
            _("Send the API token as: Authorization: Bearer <token>."), error="invalid_request"
        )
    user = api_token_user(token=token)
    if user is None:
        _failures(request, increment=True)
        return _unauthorized(
            _("The API token is invalid, expired or revoked."), error="invalid_token"
        )
    request.user = user
    request.api_token_auth = True
    return None
