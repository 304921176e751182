"""Sending an export to a DHIS2 server's api/dataValueSets: a dry run first, then the import,
each answered by DHIS2's import summary.

Credentials come from the environment, never from the command line: DHIS2_TOKEN (a personal
access token, sent as `Authorization: ApiToken ...`) or DHIS2_USERNAME and DHIS2_PASSWORD
(HTTP Basic). When the dry run reports an error or a conflict nothing is imported.
"""

from __future__ import annotations

import base64
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

from django.utils.translation import gettext as _

from courses.counters.dhis2 import Dhis2Error

TIMEOUT = 60


@dataclass(frozen=True)
class ImportSummary:
    status: str
    imported: int
    updated: int
    ignored: int
    deleted: int
    conflicts: list

    @property
    def ok(self) -> bool:
        return self.status in ("SUCCESS", "OK", "WARNING") and not self.conflicts

    def line(self) -> str:
        return (
            f"{self.status}: imported {self.imported}, updated {self.updated}, "
            f"ignored {self.ignored}, deleted {self.deleted}, conflicts {len(self.conflicts)}"
        )


def import_summary(body: dict) -> ImportSummary:
    """DHIS2's import summary, bare (before 2.38) or inside a web message's `response`."""
    summary = body.get("response") if isinstance(body.get("response"), dict) else body
    counts = summary.get("importCount") or {}
    return ImportSummary(
        status=str(summary.get("status", "")),
        imported=int(counts.get("imported", 0)),
        updated=int(counts.get("updated", 0)),
        ignored=int(counts.get("ignored", 0)),
        deleted=int(counts.get("deleted", 0)),
        conflicts=list(summary.get("conflicts") or []),
    )


def _authorization() -> str:
    token = os.environ.get("DHIS2_TOKEN", "")
    if token:
        return f"ApiToken {token}"
    user, password = os.environ.get("DHIS2_USERNAME", ""), os.environ.get("DHIS2_PASSWORD", "")
    if not (user and password):
        raise Dhis2Error(
            _("Set DHIS2_TOKEN, or DHIS2_USERNAME and DHIS2_PASSWORD, to send to DHIS2.")
        )
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def _post(url: str, content: bytes, media_type: str, authorization: str) -> ImportSummary:
    request = urllib.request.Request(  # noqa: S310 - the URL is the admin's, checked below
        url, data=content, method="POST",
        headers={"Content-Type": media_type, "Accept": "application/json",
                 "Authorization": authorization},
    )  # fmt: skip
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            body = response.read()
    except urllib.error.HTTPError as error:
        body = error.read()
        try:
            return import_summary(json.loads(body))
        except ValueError:
            raise Dhis2Error(_("DHIS2 answered {status}.").format(status=error.code)) from None
    except (urllib.error.URLError, TimeoutError) as error:
        raise Dhis2Error(_("DHIS2 could not be reached: {reason}").format(reason=error)) from None
    try:
        return import_summary(json.loads(body))
    except ValueError:
        raise Dhis2Error(_("DHIS2 did not answer with an import summary.")) from None


def dhis2_push(
    *, base_url: str, content: bytes, media_type: str, id_scheme: str = "code"
) -> tuple[ImportSummary, ImportSummary | None]:
    """The dry run's summary and, if it went through cleanly, the import's (else None)."""
    parts = urllib.parse.urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise Dhis2Error(_("The DHIS2 address must start with http:// or https://."))
    authorization = _authorization()
    endpoint = base_url.rstrip("/") + "/api/dataValueSets"
    query = {"idScheme": id_scheme}
    dry = _post(
        f"{endpoint}?{urllib.parse.urlencode({**query, 'dryRun': 'true'})}",
        content, media_type, authorization,
    )  # fmt: skip
    if not dry.ok:
        return dry, None
    done = _post(f"{endpoint}?{urllib.parse.urlencode(query)}", content, media_type, authorization)
    return dry, done
