"""Personal API tokens on the JSON API views: Wagtail's own `wagtail.models.APIToken`.

The tokens are Wagtail 8's (`wagtailcore.APIToken`): made with `APIToken.create_token` (the
admin's "API tokens" under Settings, or `manage.py api_tokens create`), stored as an
HMAC-SHA256 digest keyed by SECRET_KEY (SECRET_KEY_FALLBACKS still match during a key
rotation), revoked by setting `revoked_at`. Wagtail authenticates them only in its v3 API
(`wagtail.api.v3.auth.BearerTokenAuth`, which needs django-ninja and is not installed), so
this module does the same lookup for our views. There is no expiry: revoke a token instead.

`api_auth` is the way in: a decorator for the JSON views (`api_token_authenticate` is its
token half, for /healthz, where a token is optional). Tokens are deliberately not a
middleware or an authentication backend, so they open no HTML page and not the admin.
Failed token attempts are throttled per client, like failed logins and separately from them
(`LOGIN_RATE_LIMIT` per `LOGIN_RATE_WINDOW` seconds, then a growing wait: lms/throttle.py).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from wagtail.models import APIToken

from lms.models import User
from lms.throttle import api_token_attempt


def _touch(token: APIToken) -> None:
    """last_used_at at most once per WAGTAILAPI_TOKEN_LAST_USED_INTERVAL seconds (default 60,
    None: never), as Wagtail's BearerTokenAuth does: no write at all on most requests, and
    otherwise one conditional UPDATE, which concurrent requests of the same interval turn
    into a no-op."""
    interval = getattr(settings, "WAGTAILAPI_TOKEN_LAST_USED_INTERVAL", 60)
    if interval is None:
        return
    now = timezone.now()
    if token.last_used_at and (now - token.last_used_at).total_seconds() < interval:
        return
    stale = now - dt.timedelta(seconds=interval)
    APIToken.objects.filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=stale), pk=token.pk
    ).update(last_used_at=now)
    token.last_used_at = now


def api_token_user(*, token: str) -> User | None:
    """The active user a presented token stands for, or None (malformed, unknown, revoked,
    inactive user). Records the use."""
    # The format check (prefix, length, alphabet, CRC32) costs no query and no HMAC.
    if not APIToken.validate_token_format(token):
        return None
    try:
        row = APIToken.objects.select_related("user").get(
            key_hash__in=APIToken.candidate_key_hashes(token), revoked_at__isnull=True
        )
    except APIToken.DoesNotExist:
        return None
    if not row.user.is_active:
        return None
    _touch(row)
    return row.user


# --- The decorator for the JSON views -------------------------------------------------------


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
    if request.META.get("HTTP_AUTHORIZATION") is None:
        if request.user.is_authenticated:
            return None
        return _unauthorized(_("Sign in, or send an API token in the Authorization header."))
    return api_token_authenticate(request=request)


def api_token_authenticate(*, request: HttpRequest) -> HttpResponse | None:
    """The request's `Authorization: Bearer` token: None when it is valid (the request then
    runs as the token's user, request.api_token_auth set), otherwise the refusal (401, or
    429 after too many failed attempts from the IP address, which a failure counts towards).
    For views where a token is optional; `api_auth` is the decorator that requires one."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    attempt = api_token_attempt(request=request)
    if attempt.refused:
        response = JsonResponse(
            {"detail": _("Too many failed token attempts. Please wait a few minutes.")},
            status=429,
        )
        response["Retry-After"] = str(attempt.wait)
        return response
    token = _bearer(header)
    if token is None:
        return _unauthorized(
            _("Send the API token as: Authorization: Bearer <token>."), error="invalid_request"
        )
    user = api_token_user(token=token)
    if user is None:
        return _unauthorized(_("The API token is invalid or revoked."), error="invalid_token")
    attempt.succeed()
    request.user = user
    request.api_token_auth = True
    return None
