"""The JSON documents: an OpenBadgeCredential of a certificate, the BitstringStatusList
credential that says which are revoked, and the issuer's DID document. Unsigned here; the
proofs are added by certificates.openbadges.proofs."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import hashlib
import hmac
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from certificates.openbadges.contexts import DID_V1, MULTIKEY_V1, OB_V3, VC_V2
from certificates.openbadges.keys import site_did

SCHEMA_URL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
# VC Data Model 2.0's JSON Schema validation type (defined by its context; the older
# "1EdTechJsonSchemaValidator2019" is not, and strict JSON-LD processors refuse it).
SCHEMA_TYPE = "JsonSchema"
# Entries per status list: the BitstringStatusList minimum (16 KiB), so that a list tells a
# watcher little about which credential a verifier is checking.
STATUS_LIST_SIZE = 131072


@dataclass(frozen=True)
class AchievementData:
    """What a credential says: the course, the dates, and an opaque learner identifier."""

    course_id: int
    course_url: str
    title: str
    description: str
    hours: Decimal | None
    issued_on: dt.date
    completed_at: dt.datetime | None
    learner_key: str


def learner_identifier(cadre_id: int) -> str:
    """An identifier of the learner that names nobody: keyed by SECRET_KEY, so it cannot be
    recomputed from the record's number by anyone outside."""
    message = f"openbadges-learner:{cadre_id}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:32]


def identity_hash(identifier: str, salt: str) -> str:
    """Open Badges' IdentityHash: sha256 of the identifier followed by its salt."""
    return "sha256$" + hashlib.sha256((identifier + salt).encode("utf-8")).hexdigest()


def status_list_url(number: int) -> str:
    return settings.SITE_URL + reverse("certificates:status_list", args=[number])


def local_midnight(day: dt.date) -> str:
    moment = dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))
    return moment.isoformat()


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def issuer_profile() -> dict:
    return {
        "id": site_did(),
        "type": ["Profile"],
        "name": settings.ISSUING_ORGANISATION,
        "url": settings.ISSUING_ORGANISATION_URL,
    }


def credential_unsigned(
    data: AchievementData, *, credential_id: str, status_index: int, salt: str
) -> dict:
    number, _position = divmod(status_index, STATUS_LIST_SIZE)
    list_url = status_list_url(number + 1)
    achievement = {
        "id": data.course_url,
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": data.title,
        "description": data.description or data.title,
        "criteria": {"narrative": data.description or data.title},
        "inLanguage": "vi",
    }
    if data.hours:
        # Open Badges' credit hours: the course's estimated hours of study.
        achievement["creditsAvailable"] = float(data.hours)
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(data.learner_key, salt),
                "identityType": "systemId",
                "hashed": True,
                "salt": salt,
            }
        ],
        "achievement": achievement,
    }
    if data.completed_at:
        subject["activityEndDate"] = _stamp(data.completed_at)
    return {
        "@context": [VC_V2, OB_V3],
        "id": credential_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": data.title,
        "issuer": issuer_profile(),
        "validFrom": local_midnight(data.issued_on),
        "credentialSubject": subject,
        "credentialStatus": {
            "id": f"{list_url}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": list_url,
        },
        "credentialSchema": [{"id": SCHEMA_URL, "type": SCHEMA_TYPE}],
    }


def encoded_list(bits: bytes) -> str:
    """The bitstring GZIP-compressed, as multibase base64url without padding ("u…")."""
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decoded_list(value: str) -> bytes:
    if not value.startswith("u"):
        raise ValueError("not a multibase base64url value")
    body = value[1:]
    return gzip.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def bit_get(bits: bytes, index: int) -> bool:
    """Bit `index`, the first being the leftmost bit of the first byte."""
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def bit_set(bits: bytearray, index: int) -> None:
    bits[index // 8] |= 0x80 >> (index % 8)


def status_list_unsigned(number: int, bits: bytes, *, updated: dt.datetime) -> dict:
    url = status_list_url(number)
    return {
        "@context": [VC_V2],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": site_did(),
        "validFrom": _stamp(updated),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded_list(bits),
        },
    }


def did_document(public_keys: list[str]) -> dict:
    """The issuer's DID document: each published key as a Multikey verification method
    usable for assertions (signing credentials)."""
    did = site_did()
    methods = [
        {
            "id": f"{did}#{key}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": key,
        }
        for key in public_keys
    ]
    return {
        "@context": [DID_V1, MULTIKEY_V1],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
    }
