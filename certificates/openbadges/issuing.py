"""Writes of the credentials: sign one for an issued certificate, revoke a certificate's
credentials (setting their bits in the status list, signed again, in the same transaction),
and the documents served publicly (status lists, the DID document)."""

from __future__ import annotations

import json
import secrets
import uuid

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from certificates.models import OpenBadgeCredential, SigningKey, StatusList
from certificates.openbadges import documents, proofs
from certificates.openbadges.keys import issuer_key
from lms.rows import rows_update


def dumps(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)


def _signing_key_row(public_multibase: str) -> SigningKey:
    row = SigningKey.objects.filter(public_key_multibase=public_multibase).first()
    if row is None:
        row, _created = SigningKey.objects.get_or_create(public_key_multibase=public_multibase)
    return row


def _status_list_signed(number: int, bits: bytes, key, key_row: SigningKey) -> str:
    now = timezone.now()
    unsigned = documents.status_list_unsigned(number, bits, updated=now)
    signed = proofs.sign(
        unsigned,
        private_key=key.private,
        verification_method=key.verification_method(),
        created=now,
    )
    return dumps(signed)


def _status_list_ensure(number: int) -> None:
    if StatusList.objects.filter(number=number).exists():
        return
    key = issuer_key()
    key_row = _signing_key_row(key.public_multibase)
    bits = bytes(documents.STATUS_LIST_SIZE // 8)
    with transaction.atomic():
        StatusList.objects.get_or_create(
            number=number,
            defaults={
                "bits": bits,
                "document": _status_list_signed(number, bits, key, key_row),
                "signing_key": key_row,
            },
        )


def credential_issue(*, certificate, data: documents.AchievementData) -> OpenBadgeCredential:
    """Sign a new credential of `certificate` (inside the issuing transaction). Any earlier
    credential of the certificate still valid is revoked first: only the newest is valid."""
    return credentials_issue([(certificate, data)])[0]


def credentials_issue(
    pairs: list[tuple[object, documents.AchievementData]],
) -> list[OpenBadgeCredential]:
    """credential_issue for several certificates at once: their earlier valid credentials
    revoked in one pass, the new rows inserted together (their ids are their places in the
    status lists), each signed, and the documents written in one statement."""
    if not pairs:
        return []
    _credentials_revoke([certificate.pk for certificate, _data in pairs])
    key = issuer_key()
    key_row = _signing_key_row(key.public_multibase)
    rows = OpenBadgeCredential.objects.bulk_create(
        [
            OpenBadgeCredential(certificate=certificate, signing_key=key_row)
            for certificate, _ in pairs
        ]
    )
    method = key.verification_method()
    for row, (_certificate, data) in zip(rows, pairs, strict=True):
        unsigned = documents.credential_unsigned(
            data,
            credential_id=f"urn:uuid:{uuid.uuid4()}",
            status_index=row.status_index,
            salt=secrets.token_hex(8),
        )
        signed = proofs.sign(
            unsigned, private_key=key.private, verification_method=method, created=timezone.now()
        )
        row.document = dumps(signed)
    rows_update(rows, ["document"])
    for number in sorted({row.status_index // documents.STATUS_LIST_SIZE + 1 for row in rows}):
        _status_list_ensure(number)
    return rows


def credentials_revoke(*, certificate_id: int) -> int:
    """Revoke the certificate's valid credentials: their bits are set in their status lists,
    which are signed again, all in the caller's transaction. Returns how many."""
    return _credentials_revoke([certificate_id])


def _credentials_revoke(certificate_ids: list[int]) -> int:
    with transaction.atomic():
        rows = list(
            OpenBadgeCredential.objects.select_for_update()
            .filter(certificate_id__in=certificate_ids, revoked_at__isnull=True)
            .order_by("pk")
        )
        if not rows:
            return 0
        now = timezone.now()
        OpenBadgeCredential.objects.filter(pk__in=[row.pk for row in rows]).update(revoked_at=now)
        by_list: dict[int, list[int]] = {}
        for row in rows:
            number, position = divmod(row.status_index, documents.STATUS_LIST_SIZE)
            by_list.setdefault(number + 1, []).append(position)
        key = issuer_key()
        key_row = _signing_key_row(key.public_multibase)
        for number, positions in sorted(by_list.items()):
            _status_list_ensure(number)
            status_list = StatusList.objects.select_for_update().get(number=number)
            bits = bytearray(status_list.bits)
            for position in positions:
                documents.bit_set(bits, position)
            status_list.bits = bytes(bits)
            status_list.document = _status_list_signed(number, bytes(bits), key, key_row)
            status_list.signing_key = key_row
            status_list.save(update_fields=["bits", "document", "signing_key", "updated_at"])
    return len(rows)


def published_keys() -> list[str]:
    """The public keys the DID document lists: the current one, and every earlier one that
    signed a credential still valid or a status list as it is served now."""
    current = issuer_key().public_multibase
    _signing_key_row(current)
    valid = OpenBadgeCredential.objects.filter(signing_key=OuterRef("pk"), revoked_at__isnull=True)
    serving = StatusList.objects.filter(signing_key=OuterRef("pk"))
    rows = SigningKey.objects.filter(
        Q(public_key_multibase=current) | Exists(valid) | Exists(serving)
    ).order_by("created_at", "pk")
    return [row.public_key_multibase for row in rows]


def did_document() -> dict:
    return documents.did_document(published_keys())
