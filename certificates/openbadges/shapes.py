"""Canonical RDF of a credential quickly, for signing.

Expanding JSON-LD against the Open Badges context is nine tenths of a signature's cost, and
every credential the site signs has one of a few shapes: only its strings differ. So each
shape is expanded to RDF once, with a placeholder for each string, and a document of that
shape gets its RDF by putting its strings in the placeholders; RDFC-1.0 then canonicalises
that dataset (the blank-node labels and the order come from the real values). A string
JSON-LD would not carry through unchanged (a relative IRI, a value mapped through the
context's vocabulary) is never put in a placeholder, and a shape whose placeholders do not
all come through, in the form they went in, takes the whole algorithm. Checking a proof always
takes the whole algorithm (certificates.openbadges.proofs.canonical_full)."""

from __future__ import annotations

import json
import re

from pyld import jsonld
from pyld.jsonld import URDNA2015

from certificates.openbadges.contexts import document_loader

_SLOT = "lmsslot{}x"
_IRI_SLOT = "urn:lmsslot:{}"
_SLOT_RE = re.compile(r"^(?:lmsslot(\d+)x|urn:lmsslot:(\d+))$")
# An absolute IRI with none of the characters N-Quads forbids in one.
_ABSOLUTE_IRI = re.compile(r'^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>"{}|\\^`]*$')
# Terms whose values are IRIs (@id) in the VC and Open Badges contexts.
_IRI_KEYS = frozenset({"id", "issuer", "verificationMethod", "statusListCredential"})
# Terms whose values are keywords or vocabulary terms: part of the shape, never placeholders.
_SHAPE_KEYS = frozenset(
    {"@context", "type", "achievementType", "identityType", "statusPurpose", "cryptosuite",
     "proofPurpose", "inLanguage"}
)  # fmt: skip
# Prefixes the contexts define: an IRI-looking value with one of them is a compact IRI.
_PREFIXES = frozenset({"xsd", "ob", "cred", "sec", "dc", "schema", "vocab"})
_templates: dict[str, dict | None] = {}


def _shape(value, key: str, slots: list[tuple[str, bool]]):
    """The document with its strings replaced by placeholders (`slots` gets them in order),
    or None when a string must not be replaced."""
    if isinstance(value, dict):
        out = {}
        for name, item in value.items():
            shaped = _shape(item, name, slots)
            if shaped is None:
                return None
            out[name] = shaped
        return out
    if isinstance(value, list):
        items = [_shape(item, key, slots) for item in value]
        return None if any(item is None for item in items) else items
    if isinstance(value, str) and key not in _SHAPE_KEYS:
        is_iri = key in _IRI_KEYS
        if is_iri and (not _ABSOLUTE_IRI.match(value) or value.split(":", 1)[0] in _PREFIXES):
            return None
        slots.append((value, is_iri))
        index = len(slots) - 1
        return _IRI_SLOT.format(index) if is_iri else _SLOT.format(index)
    return value


def _slot_of(term: dict) -> int | None:
    match = _SLOT_RE.match(term.get("value", ""))
    return None if match is None else int(match.group(1) or match.group(2))


def _template(shape: dict, count: int) -> dict | None:
    """The shape's RDF dataset (PyLD's structure), if every placeholder came through."""
    key = json.dumps(shape, sort_keys=True, ensure_ascii=False)
    if key not in _templates:
        dataset = jsonld.to_rdf(
            shape,
            {"documentLoader": document_loader, "safe": True, "produceGeneralizedRdf": False},
        )
        found = {
            slot
            for triples in dataset.values()
            for triple in triples
            for term in triple.values()
            if (slot := _slot_of(term)) is not None
        }
        _templates[key] = dataset if found == set(range(count)) else None
    return _templates[key]


def _filled(term: dict, values: list[str]) -> dict:
    """A copy of the term with its value filled in (always a copy: the canonicaliser
    relabels blank nodes in place, and the template must stay as it is)."""
    slot = _slot_of(term)
    return {**term} if slot is None else {**term, "value": values[slot]}


def canonical_fast(document: dict) -> bytes | None:
    """RDFC-1.0 canonical N-Quads of the document, or None if its shape cannot be filled."""
    slots: list[tuple[str, bool]] = []
    shape = _shape(document, "", slots)
    if shape is None:
        return None
    template = _template(shape, len(slots))
    if template is None:
        return None
    values = [value for value, _is_iri in slots]
    dataset = {
        graph: [
            {part: _filled(term, values) for part, term in triple.items()} for triple in triples
        ]
        for graph, triples in template.items()
    }
    nquads = URDNA2015().main(dataset, {"format": "application/n-quads"})
    return nquads.encode("utf-8")
