"""The issuer's Ed25519 key: the private key from CREDENTIAL_KEY or the file CREDENTIAL_KEY_FILE
(never from the repository), its public key in Multikey form, and the did:web of the site."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

# Multicodec prefix of an Ed25519 public key (0xed, as an unsigned varint).
ED25519_PUB = b"\xed\x01"
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def base58btc_encode(data: bytes) -> str:
    number = int.from_bytes(data, "big")
    out = []
    while number:
        number, rest = divmod(number, 58)
        out.append(_ALPHABET[rest])
    zeros = len(data) - len(data.lstrip(b"\0"))
    return "1" * zeros + "".join(reversed(out))


def base58btc_decode(text: str) -> bytes:
    number = 0
    for char in text:
        index = _ALPHABET.find(char)
        if index < 0:
            raise ValueError("not base58btc")
        number = number * 58 + index
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multikey(public_key: Ed25519PublicKey) -> str:
    """The key as a Multikey publicKeyMultibase (z6Mk…)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "z" + base58btc_encode(ED25519_PUB + raw)


def public_key_from_multikey(value: str) -> Ed25519PublicKey:
    if not value.startswith("z"):
        raise ValueError("not a base58btc multibase value")
    raw = base58btc_decode(value[1:])
    if not raw.startswith(ED25519_PUB) or len(raw) != 34:
        raise ValueError("not an Ed25519 Multikey")
    return Ed25519PublicKey.from_public_bytes(raw[2:])


def site_did() -> str:
    """did:web of the site's host (a port is written %3A, as did:web says)."""
    host = urlsplit(settings.SITE_URL).netloc
    return "did:web:" + quote(host, safe="")


def key_pem_new() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def key_file_write(path: Path, pem: bytes, *, replace: bool = False) -> bool:
    """Write a private key readable by its owner only. Without `replace`, an existing file is
    kept (two processes creating it at once keep the first). True if this call wrote it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if replace:
        temporary = path.with_name(path.name + ".new")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(pem)
        os.replace(temporary, path)
        return True
    # Written whole under a name of its own, then linked into place: a process that finds
    # the file never reads it half-written, and of two creating it at once the first wins.
    temporary = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(pem)
    try:
        os.link(temporary, path)
    except FileExistsError:
        return False
    finally:
        temporary.unlink()
    return True


@dataclass(frozen=True)
class IssuerKey:
    private: Ed25519PrivateKey
    public_multibase: str

    def verification_method(self) -> str:
        return f"{site_did()}#{self.public_multibase}"


@lru_cache(maxsize=4)
def _parsed(pem: bytes) -> IssuerKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ImproperlyConfigured("The credential signing key must be an Ed25519 key.")
    return IssuerKey(private=key, public_multibase=multikey(key.public_key()))


def issuer_key() -> IssuerKey:
    """The current signing key. Raises ImproperlyConfigured when there is none."""
    if settings.CREDENTIAL_KEY:
        return _parsed(settings.CREDENTIAL_KEY.strip().encode())
    path = Path(settings.CREDENTIAL_KEY_FILE)
    if not path.exists():
        if not settings.CREDENTIAL_KEY_CREATE_MISSING:
            raise ImproperlyConfigured(
                f"No credential signing key: set CREDENTIAL_KEY or create {path} with "
                "`manage.py credential_key --create`."
            )
        key_file_write(path, key_pem_new())
    return _parsed(path.read_bytes())
