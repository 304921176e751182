"""The issuer's credential signing key (Ed25519, PEM): show it, create it, or rotate it.

The key lives outside the repository, in CREDENTIAL_KEY_FILE (or in CREDENTIAL_KEY). Rotating
writes a new key to the file; the old public key stays in the DID document while credentials
it signed are valid, so they keep verifying."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from certificates.openbadges.issuing import published_keys
from certificates.openbadges.keys import issuer_key, key_file_write, key_pem_new, site_did


class Command(BaseCommand):
    help = "Show, create (--create) or rotate (--rotate) the credential signing key."

    def add_arguments(self, parser):
        group = parser.add_mutually_exclusive_group()
        group.add_argument(
            "--create", action="store_true", help="create the key file if there is none"
        )
        group.add_argument(
            "--rotate", action="store_true", help="replace the key file with a new key"
        )

    def handle(self, *args, create: bool, rotate: bool, **options):
        path = Path(settings.CREDENTIAL_KEY_FILE)
        if (create or rotate) and settings.CREDENTIAL_KEY:
            raise CommandError("CREDENTIAL_KEY is set: the key comes from the environment.")
        if create:
            written = key_file_write(path, key_pem_new())
            self.stdout.write(f"{'created' if written else 'kept the existing'} {path}")
        elif rotate:
            if path.exists():
                # Publish the outgoing key before it is replaced (a key with no credential
                # yet would otherwise never be recorded).
                published_keys()
            key_file_write(path, key_pem_new(), replace=True)
            self.stdout.write(f"new key written to {path}")
        try:
            key = issuer_key()
        except Exception as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"issuer: {site_did()}")
        self.stdout.write(f"signing key: {key.verification_method()}")
        self.stdout.write("published keys: " + ", ".join(published_keys()))
