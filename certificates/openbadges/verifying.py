"""This site's own check of a credential someone pastes or uploads: is its proof a valid
signature, is the signing key one the issuer publishes, and is it revoked? An outside
verifier gets the same answers from the DID document and the status list."""

from __future__ import annotations

from dataclasses import dataclass, field

from certificates.models import OpenBadgeCredential, StatusList
from certificates.openbadges import documents, proofs
from certificates.openbadges.issuing import published_keys
from certificates.openbadges.keys import public_key_from_multikey, site_did


@dataclass
class CredentialCheck:
    readable: bool = False
    issuer_ok: bool = False
    key_ok: bool = False
    proof_ok: bool = False
    # "valid", "revoked" or "unknown" (no status entry of this issuer).
    status: str = "unknown"
    errors: list[str] = field(default_factory=list)
    credential: OpenBadgeCredential | None = None

    @property
    def valid(self) -> bool:
        return self.proof_ok and self.key_ok and self.issuer_ok and self.status == "valid"


def _issuer_id(document: dict) -> str:
    issuer = document.get("issuer")
    return issuer.get("id", "") if isinstance(issuer, dict) else str(issuer or "")


def credential_check(document) -> CredentialCheck:
    check = CredentialCheck()
    if not isinstance(document, dict) or "@context" not in document:
        check.errors.append("not a JSON-LD credential")
        return check
    check.readable = True
    did = site_did()
    check.issuer_ok = _issuer_id(document) == did
    try:
        proof = proofs.proof_of(document)
    except proofs.ProofError as exc:
        check.errors.append(str(exc))
        return check
    method = proof.get("verificationMethod", "")
    if not isinstance(method, str) or not method.startswith(did + "#"):
        check.errors.append("signed by a key of another issuer")
        return check
    key = method.split("#", 1)[1]
    check.key_ok = key in published_keys()
    try:
        proofs.verify(document, public_key=public_key_from_multikey(key))
        check.proof_ok = True
    except (proofs.ProofError, ValueError) as exc:
        check.errors.append(str(exc))
    check.status = _status(document)
    if check.proof_ok:
        check.credential = (
            OpenBadgeCredential.objects.select_related("certificate")
            .filter(pk=_index(document) + 1)
            .first()
        )
    return check


def _index(document: dict) -> int:
    entry = document.get("credentialStatus")
    if not isinstance(entry, dict):
        return -1
    try:
        return int(entry.get("statusListIndex", ""))
    except (TypeError, ValueError):
        return -1


def _status(document: dict) -> str:
    entry = document.get("credentialStatus")
    index = _index(document)
    if not isinstance(entry, dict) or index < 0 or entry.get("statusPurpose") != "revocation":
        return "unknown"
    number, position = divmod(index, documents.STATUS_LIST_SIZE)
    if entry.get("statusListCredential") != documents.status_list_url(number + 1):
        return "unknown"
    status_list = StatusList.objects.filter(number=number + 1).only("bits").first()
    if status_list is None:
        return "unknown"
    return "revoked" if documents.bit_get(bytes(status_list.bits), position) else "valid"
