"""Throttles for what can be guessed or abused: logins, API tokens, certificate checks and
password resets. One helper, so that every limit is keyed, counted and stored the same way.

- Keys are normalised like what they protect: a user name as Django's login reads it (NFKC,
  then case-folded), an e-mail address case-folded, a client by the address that the trusted
  proxies saw (`client_address`), an IPv6 client by its /64 network.
- An attempt is counted before it is made and given back if it must not count (a refusal, a
  success), so a burst of parallel requests cannot slip in while the first ones are checked.
- A progressive rate allows `limit` attempts; the next one waits `window` seconds and every
  further one twice as long as the one before (at most an hour, or the window if longer).
  A quiet spell of the current wait plus one window forgets them. Other rates count attempts
  in fixed windows.
- The counters live in the shared cache (Redis), which every web process sees. When it
  cannot be reached, this process's memory counts instead, so the limits still hold (per
  process) rather than not at all.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import math
import re
import time
import unicodedata
import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django.utils.translation import ngettext

from lms.cache import UNAVAILABLE, strict_cache

logger = logging.getLogger("lms.throttle")

# What a success does to a reservation: forget the key's failures, give the attempt back, or
# keep it counted (every attempt counts).
FORGET, RELEASE, KEEP = "forget", "release", "keep"
MAX_WAIT = 3600
# After the shared cache failed, this process counts alone for this many seconds before it
# tries again, so that a dead Redis costs one connection attempt, not one per request.
SHARED_RETRY_AFTER = 5.0
MAX_KEY_CHARS = 320

_local = LocMemCache("lms-throttle", {"TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 100_000}})
_shared_down_until: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def _now() -> float:
    return time.time()


@dataclass(frozen=True)
class Rate:
    name: str
    limit: int
    window: int
    progressive: bool = True
    on_success: str = KEEP


# --- Keys ---------------------------------------------------------------------------------


def username_key(*, name: str) -> str:
    """A user name as the login reads it (NFKC, like `AbstractBaseUser.normalize_username`),
    case-folded: every spelling that reaches one account counts against that account."""
    name = unicodedata.normalize("NFKC", (name or "")[:MAX_KEY_CHARS]).strip()
    return unicodedata.normalize("NFKC", name.casefold())


def email_key(*, email: str) -> str:
    return username_key(name=email)


def _valid_address(value: str) -> str | None:
    try:
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return None
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    return str(address)


def client_address(*, request: HttpRequest) -> str:
    """The address of the client that sent the request: REMOTE_ADDR, which the proxy
    middleware (lms/proxy.py) has set from X-Forwarded-For for a request that came through
    one of TRUSTED_PROXIES, and only then."""
    return _valid_address(request.META.get("REMOTE_ADDR") or "") or "unknown"


def _client_key(request: HttpRequest) -> str:
    """IPv6 clients get a /64 each (one network per household or phone), not one address."""
    address = client_address(request=request)
    if ":" in address:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return address


# --- Counting -----------------------------------------------------------------------------


@dataclass
class _Reservation:
    rate: Rate
    counter: str
    number: int
    store: object


@dataclass
class Attempt:
    """The outcome of `throttle_reserve`: refused (wait > 0 seconds), or allowed and counted
    until `succeed()` says it went well."""

    wait: int = 0
    reservations: list[_Reservation] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return self.wait > 0

    def succeed(self) -> None:
        for reservation in self.reservations:
            if reservation.rate.on_success == FORGET:
                _settle(reservation, _forget)
            elif reservation.rate.on_success == RELEASE:
                _settle(reservation, _give_back)
        self.reservations = []


def _counter_key(rate: Rate, key: str) -> str:
    digest = salted_hmac("lms.throttle", f"{rate.name}\x00{key}").hexdigest()[:32]
    return f"throttle:{rate.name}:{digest}"


def _delay(rate: Rate, number: int) -> float:
    """The wait after attempt `number` (at or over the limit) before the next one."""
    doublings = min(number - rate.limit, 32)
    return min(rate.window * 2**doublings, max(MAX_WAIT, rate.window))


def _ttl(rate: Rate, number: int) -> int:
    return math.ceil(_delay(rate, number) + rate.window)


def _incr(store, key: str, timeout: int) -> int:
    for _try in range(3):
        store.add(key, 0, timeout)
        try:
            return store.incr(key)
        except ValueError:  # expired between the two calls
            continue
    return store.incr(key)


def _wait_for(store, rate: Rate, counter: str, number: int, now: float) -> float:
    """Seconds attempt `number` of a progressive rate must still wait (0: it may go)."""
    if number <= rate.limit:
        return 0.0
    made_at = store.get(f"{counter}:at:{number - 1}")
    if made_at is None:
        return 1.0  # the attempt before is being made at this very moment
    return max(0.0, made_at + _delay(rate, number - 1) - now)


def _reserve(store, rate: Rate, key: str, now: float) -> tuple[_Reservation | None, float]:
    counter = _counter_key(rate, key)
    if not rate.progressive:
        window = int(now // rate.window)
        counter = f"{counter}:{window}"
        number = _incr(store, counter, rate.window)
        if number > rate.limit:
            return None, (window + 1) * rate.window - now
        return _Reservation(rate, counter, number, store), 0.0
    # A refusal that can be seen without counting writes nothing.
    wait = _wait_for(store, rate, counter, (store.get(counter) or 0) + 1, now)
    if wait:
        return None, wait
    number = _incr(store, counter, rate.window)
    wait = _wait_for(store, rate, counter, number, now)
    if wait:  # another request took the free attempt first
        _decrement(store, counter)
        return None, wait
    if number >= rate.limit:
        ttl = _ttl(rate, number)
        store.set(f"{counter}:at:{number}", now, ttl)
        store.touch(counter, ttl)
    return _Reservation(rate, counter, number, store), 0.0


def _decrement(store, counter: str) -> None:
    with contextlib.suppress(ValueError):  # expired meanwhile: nothing left to give back
        store.incr(counter, -1)


def _give_back(reservation: _Reservation) -> None:
    """The attempt does not count. The record of the one before must live as long as the
    counter, which the given-back attempt may have extended."""
    store, rate, number = reservation.store, reservation.rate, reservation.number
    _decrement(store, reservation.counter)
    if rate.progressive and number - 1 >= rate.limit:
        store.touch(f"{reservation.counter}:at:{number - 1}", _ttl(rate, number))


def _forget(reservation: _Reservation) -> None:
    store, rate, counter = reservation.store, reservation.rate, reservation.counter
    top = max(store.get(counter) or 0, reservation.number)
    store.delete_many([counter] + [f"{counter}:at:{n}" for n in range(rate.limit, top + 1)])


def _settle(reservation: _Reservation, action) -> None:
    try:
        action(reservation)
    except UNAVAILABLE as exc:
        logger.warning("throttle: could not update the shared cache (%s)", exc)


def _run(operation):
    """operation(store) on the shared cache, or on this process's memory while it is down."""
    cache = caches["default"]
    if _shared_down_until.get(cache, 0.0) > time.monotonic():
        return operation(_local)
    store = strict_cache()
    try:
        return operation(store)
    except UNAVAILABLE as exc:
        _shared_down_until[cache] = time.monotonic() + SHARED_RETRY_AFTER
        logger.warning("shared cache unavailable (%s); throttles count in this process", exc)
        return operation(_local)


def throttle_reserve(*, checks: Sequence[tuple[Rate, str]]) -> Attempt:
    """Count one attempt against each (rate, key), in order. Refused by the first that is
    exhausted; the attempts already counted for the others are then given back."""
    now = _now()

    def operation(store) -> Attempt:
        made: list[_Reservation] = []
        for rate, key in checks:
            reservation, wait = _reserve(store, rate, key, now)
            if reservation is None:
                for earlier in made:
                    _give_back(earlier)
                return Attempt(wait=max(1, math.ceil(wait)))
            made.append(reservation)
        return Attempt(reservations=made)

    return _run(operation)


def fallback_store() -> LocMemCache:
    """This process's own counters, used while the shared cache is down."""
    return _local


# --- The project's throttles --------------------------------------------------------------


def login_attempt(*, request: HttpRequest, username: str) -> Attempt:
    """A sign-in: limited per (account, client), so that failures elsewhere never lock the
    owner out, and per client over every account. A success forgets the account's failures
    from that client and does not count against the client."""
    client = _client_key(request)
    window = settings.LOGIN_RATE_WINDOW
    return throttle_reserve(
        checks=[
            (
                Rate("login-account", settings.LOGIN_RATE_LIMIT, window, on_success=FORGET),
                f"{username_key(name=username)}\x00{client}",
            ),
            (
                Rate("login-client", settings.LOGIN_CLIENT_RATE_LIMIT, window, on_success=RELEASE),
                client,
            ),
        ]
    )


def api_token_attempt(*, request: HttpRequest) -> Attempt:
    """A request with an API token, limited per client; a valid token does not count."""
    rate = Rate(
        "api-token-client",
        settings.LOGIN_RATE_LIMIT,
        settings.LOGIN_RATE_WINDOW,
        on_success=RELEASE,
    )
    return throttle_reserve(checks=[(rate, _client_key(request))])


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(text: str) -> tuple[int, int]:
    """(limit, window seconds) of a rate such as "30/m", "100/h" or "10/5m"."""
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*", text or "")
    if not match:
        raise ImproperlyConfigured(f"Not a rate (e.g. 30/m): {text!r}")
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * _PERIODS[unit]


def verification_attempt(*, request: HttpRequest) -> Attempt:
    """A check of a certificate code: every check counts, per client."""
    limit, window = parse_rate(settings.CERTIFICATE_VERIFY_RATE)
    rate = Rate("verify-client", limit, window, progressive=False)
    return throttle_reserve(checks=[(rate, _client_key(request))])


def password_reset_attempt(*, request: HttpRequest, email: str) -> Attempt:
    """A request for a password-reset e-mail: every request counts, per client and per
    e-mail address (whether an account uses it or not, so a refusal tells nothing)."""
    window = settings.PASSWORD_RESET_RATE_WINDOW
    return throttle_reserve(
        checks=[
            (
                Rate(
                    "reset-client",
                    settings.PASSWORD_RESET_CLIENT_RATE_LIMIT,
                    window,
                    progressive=False,
                ),
                _client_key(request),
            ),
            (
                Rate("reset-email", settings.PASSWORD_RESET_RATE_LIMIT, window, progressive=False),
                email_key(email=email),
            ),
        ]
    )


def wait_text(*, seconds: int) -> str:
    """A wait as people read it: whole minutes, at least one."""
    minutes = max(1, math.ceil(seconds / 60))
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
