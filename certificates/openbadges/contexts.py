"""The JSON-LD contexts credentials are expanded with, read from the files beside this module:
signing and checking never fetch a context, so a credential signs and verifies the same way
offline, and a changed context on the web cannot change what was signed."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from pyld.jsonld import JsonLdError

VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DID_V1 = "https://www.w3.org/ns/did/v1"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"

_FILES = {
    VC_V2: "credentials-v2.json",
    OB_V3: "ob-v3p0-context-3.0.3.json",
}
_FOLDER = Path(__file__).resolve().parent / "contexts"


@cache
def _context(url: str) -> dict:
    with open(_FOLDER / _FILES[url], encoding="utf-8") as handle:
        return json.load(handle)


def document_loader(url: str, options=None) -> dict:
    """PyLD's loader: the shipped contexts, and nothing else (no network)."""
    if url not in _FILES:
        raise JsonLdError(
            f"Context not shipped with the LMS: {url}",
            "jsonld.LoadDocumentError",
            code="loading document failed",
        )
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": _context(url),
        # "static": PyLD then keeps the processed context for every later operation instead
        # of loading and resolving it again each time (most of a signature's cost).
        "tag": "static",
    }
