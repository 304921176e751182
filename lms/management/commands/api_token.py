"""Personal tokens for the JSON API (/api/counters/): create, list, revoke.

    python manage.py api_token create --user USERNAME --name "..." [--days N]
    python manage.py api_token list [--user USERNAME]
    python manage.py api_token revoke PREFIX

The token is printed once, by `create`, on a line of its own; only its hash is stored.
(Wagtail's own `api_tokens` command manages Wagtail's API tokens, which this project's API
does not accept.)
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lms.api_token_views import may_hold_api_tokens
from lms.api_tokens import api_token_create, api_token_revoke
from lms.models import ApiToken

MAX_DAYS = 3650


def _when(value) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M") if value else "-"


class Command(BaseCommand):
    help = "Create, list or revoke personal tokens for the JSON API (/api/counters/)."

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = commands.add_parser("create", help="Make a token and print it (once).")
        create.add_argument("--user", required=True, help="User name of the token's owner.")
        create.add_argument("--name", required=True, help="What the token is for.")
        create.add_argument("--days", type=int, help=f"Expire after N days (1-{MAX_DAYS}).")
        listing = commands.add_parser("list", help="List tokens (never the tokens themselves).")
        listing.add_argument("--user", help="Only this user's tokens.")
        revoke = commands.add_parser("revoke", help="Revoke the token with this prefix.")
        revoke.add_argument("prefix", help="The prefix shown by `list`, e.g. da8_AbCd1234.")

    def handle(self, *args, **options):
        getattr(self, "_" + options["action"])(options)

    def _user(self, username: str):
        User = get_user_model()
        try:
            return User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None

    def _create(self, options) -> None:
        user = self._user(options["user"])
        if not user.is_active:
            raise CommandError(f"User {user} is inactive: a token would not work.")
        days = options["days"]
        if days is not None and not 1 <= days <= MAX_DAYS:
            raise CommandError(f"--days must be between 1 and {MAX_DAYS}.")
        name = options["name"].strip()
        if not name:
            raise CommandError("--name must not be empty.")
        if not may_hold_api_tokens(user):
            self.stderr.write(
                f"Warning: {user} is neither a central nor a province admin; "
                "the API will answer 403 to this token until they are."
            )
        row, token = api_token_create(user=user, name=name, days=days)
        expires = f", expires {_when(row.expires_at)}" if row.expires_at else ""
        self.stderr.write(
            f"Token {row.prefix} for {user} ({row.name}{expires}). "
            "It is shown only now: store it safely."
        )
        self.stdout.write(token)

    def _list(self, options) -> None:
        tokens = ApiToken.objects.select_related("user").order_by("user__username", "-created_at")
        if options["user"]:
            tokens = tokens.filter(user=self._user(options["user"]))
        now = timezone.now()
        self.stdout.write(
            f"{'prefix':<14} {'user':<20} {'created':<16} {'last used':<16} "
            f"{'expires':<16} {'status':<8} name"
        )
        for row in tokens:
            if row.revoked_at:
                status = "revoked"
            elif not row.is_active(now):
                status = "expired"
            else:
                status = "active"
            self.stdout.write(
                f"{row.prefix:<14} {row.user.get_username():<20} {_when(row.created_at):<16} "
                f"{_when(row.last_used_at):<16} {_when(row.expires_at):<16} {status:<8} "
                f"{row.name}"
            )

    def _revoke(self, options) -> None:
        prefix = options["prefix"].strip()
        row = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
        if row is None:
            raise CommandError(f"No token with the prefix {prefix!r} (see `api_token list`).")
        if api_token_revoke(token=row):
            self.stdout.write(f"Revoked {row.prefix} of {row.user} ({row.name}).")
        else:
            self.stdout.write(f"{row.prefix} was already revoked.")
