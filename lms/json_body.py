"""Reading a JSON request body that a client may have made hostile.

`json.loads` recurses once per level of nesting: a body of a hundred thousand "[" raises
RecursionError, which no view expects, and the client got a server error. Every view that
takes a JSON body reads it with `load_json_body`, which measures the body and its nesting
before parsing it and raises `JsonBodyError` (a message for the client) for anything it
will not parse; the view answers it with `json_error_response`, a 400 in JSON.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import JsonResponse
from django.utils.translation import gettext as _

# Enough for any form-like payload a page of the site sends; a caller may ask for more.
DEFAULT_MAX_DEPTH = 20
DEFAULT_MAX_BYTES = 64 * 1024

_OPEN, _CLOSE, _QUOTE, _BACKSLASH = frozenset(b"[{"), frozenset(b"]}"), ord('"'), ord("\\")


class JsonBodyError(ValueError):
    """The body is not JSON the view will read; str() is the message for the client."""


def json_depth(body: bytes, *, stop_at: int | None = None) -> int:
    """The deepest nesting of arrays and objects in `body`, brackets inside strings not
    counted. Counting stops as soon as the depth passes `stop_at`, so a hostile body costs
    no more than it takes to find it out."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == _BACKSLASH:
                escaped = True
            elif byte == _QUOTE:
                in_string = False
        elif byte == _QUOTE:
            in_string = True
        elif byte in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if stop_at is not None and deepest > stop_at:
                    break
        elif byte in _CLOSE:
            depth -= 1
    return deepest


def load_json_body(
    request, *, max_depth: int = DEFAULT_MAX_DEPTH, max_bytes: int = DEFAULT_MAX_BYTES
) -> Any:
    """The request's body parsed as JSON, or JsonBodyError if it is larger than `max_bytes`,
    nested deeper than `max_depth`, or not JSON. The size is checked from the declared
    length before the body is read."""
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > max_bytes:
        raise JsonBodyError(_("The request body is too large."))
    body = request.body
    if len(body) > max_bytes:
        raise JsonBodyError(_("The request body is too large."))
    if json_depth(body, stop_at=max_depth) > max_depth:
        raise JsonBodyError(_("The request body is nested too deeply."))
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise JsonBodyError(_("The request body is not valid JSON.")) from exc


def json_error_response(message: object, *, status: int = 400) -> JsonResponse:
    """{"error": message} with the status; the message (an exception's, or text) is sent as
    it reads, Vietnamese letters not escaped."""
    return JsonResponse(
        {"error": str(message)}, status=status, json_dumps_params={"ensure_ascii": False}
    )
