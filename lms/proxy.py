"""The client's own address behind the reverse proxy.

Behind the proxy every request arrives from the proxy's address, so the limits kept per IP
address (failed logins, API token attempts, certificate checks) would count all clients as
one: ten failures anywhere would lock everyone out. The proxy (docker/nginx.conf) replaces
X-Forwarded-For with the address it saw; for a request from one of TRUSTED_PROXIES this
middleware makes that address REMOTE_ADDR. From anyone else the header is ignored, so a
client cannot choose the address it is counted under. With no TRUSTED_PROXIES (`make run`,
gunicorn reached directly) nothing changes.
"""

from __future__ import annotations

import functools
import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@functools.cache
def _networks(entries: tuple[str, ...]) -> tuple:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)
    except ValueError as exc:
        raise ImproperlyConfigured(
            "TRUSTED_PROXIES phải gồm các địa chỉ IP hoặc mạng, ví dụ 172.30.80.10 hoặc "
            f"10.0.0.0/8 / TRUSTED_PROXIES must list IP addresses or networks: {exc}"
        ) from exc


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


class ForwardedForMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        _networks(tuple(settings.TRUSTED_PROXIES))  # a wrong entry stops the start, not requests

    def __call__(self, request):
        trusted = _networks(tuple(settings.TRUSTED_PROXIES))
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
        if trusted and forwarded:
            peer = _address(request.META.get("REMOTE_ADDR", ""))
            # The last entry is the one the trusted proxy wrote; anything before it came
            # from the client.
            client = _address(forwarded.rsplit(",", 1)[-1])
            if peer is not None and client is not None and any(peer in n for n in trusted):
                request.META["REMOTE_ADDR"] = str(client)
        return self.get_response(request)
