"""Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (W3C VC Data Integrity EdDSA
Cryptosuites v1.0), as Open Badges 3.0 asks for embedded proofs.

Both the document (without its proof) and the proof's options (with the document's @context)
are canonicalised as RDF (RDFC-1.0, the algorithm PyLD names URDNA2015); the signature is
Ed25519 over SHA-256(options) followed by SHA-256(document), written base58btc multibase."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyld import jsonld

from certificates.openbadges.contexts import document_loader
from certificates.openbadges.keys import base58btc_decode, base58btc_encode
from certificates.openbadges.shapes import canonical_fast

CRYPTOSUITE = "eddsa-rdfc-2022"


class ProofError(ValueError):
    """The proof is missing, malformed or does not match the document."""


def canonical_full(document: dict) -> bytes:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, by the whole JSON-LD algorithm."""
    nquads = jsonld.normalize(
        document,
        {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": document_loader,
            "safe": True,
        },
    )
    return nquads.encode("utf-8")


def canonical_for_signing(document: dict) -> bytes:
    """The same N-Quads, by the shortcut for the shapes the site signs when it applies."""
    return canonical_fast(document) or canonical_full(document)


def _hash_data(document: dict, options: dict, *, canonical=canonical_for_signing) -> bytes:
    options = {"@context": document["@context"], **options}
    return (
        hashlib.sha256(canonical(options)).digest() + hashlib.sha256(canonical(document)).digest()
    )


def utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def sign(
    document: dict,
    *,
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: dt.datetime,
) -> dict:
    """The document with its proof added, as a one-item array (the form Open Badges 3.0's
    JSON Schema requires)."""
    unsigned = {key: value for key, value in document.items() if key != "proof"}
    options = {
        "type": "DataIntegrityProof",
        "cryptosuite": CRYPTOSUITE,
        "created": utc_stamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    }
    signature = private_key.sign(_hash_data(unsigned, options))
    return {**unsigned, "proof": [{**options, "proofValue": "z" + base58btc_encode(signature)}]}


def proof_of(document: dict) -> dict:
    """The document's single eddsa-rdfc-2022 proof."""
    proofs = document.get("proof")
    if isinstance(proofs, dict):
        proofs = [proofs]
    if not isinstance(proofs, list) or len(proofs) != 1 or not isinstance(proofs[0], dict):
        raise ProofError("expected one proof")
    proof = proofs[0]
    if proof.get("type") != "DataIntegrityProof" or proof.get("cryptosuite") != CRYPTOSUITE:
        raise ProofError("not an eddsa-rdfc-2022 Data Integrity proof")
    if proof.get("proofPurpose") != "assertionMethod":
        raise ProofError("the proof's purpose is not assertionMethod")
    return proof


def verify(document: dict, *, public_key: Ed25519PublicKey) -> None:
    """Raises ProofError unless the document's proof is a valid signature by `public_key`."""
    proof = copy.deepcopy(proof_of(document))
    value = proof.pop("proofValue", "")
    if not isinstance(value, str) or not value.startswith("z"):
        raise ProofError("the proof value is not base58btc multibase")
    try:
        signature = base58btc_decode(value[1:])
    except ValueError as exc:
        raise ProofError("the proof value is not base58btc") from exc
    unsigned = {key: item for key, item in document.items() if key != "proof"}
    if "@context" not in unsigned:
        raise ProofError("the document has no @context")
    proof.pop("@context", None)
    try:
        # Checking takes the whole JSON-LD algorithm, never the signer's shortcut.
        data = _hash_data(unsigned, proof, canonical=canonical_full)
    except jsonld.JsonLdError as exc:
        raise ProofError("the document is not valid JSON-LD for its contexts") from exc
    try:
        public_key.verify(signature, data)
    except InvalidSignature as exc:
        raise ProofError("the signature does not match the document") from exc
