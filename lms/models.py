from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """A person who logs in. Cadre details (sex, ethnicity, unit) live on the cadre record."""

    province_code = models.CharField(
        _("province scope"),
        max_length=2,
        blank=True,
        default="",
        help_text=_(
            "GSO code of the province (2023 structure) an admin is limited to. "
            "Empty means central: the whole country."
        ),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran the periodic heartbeat task."""

    hostname = models.CharField(_("worker"), max_length=255, unique=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.hostname


class ApiToken(models.Model):
    """A personal token for the JSON API (/api/counters/): it acts as its user, nothing more.

    Not Wagtail's own `wagtailcore.APIToken` (Wagtail 8, for its v3 API, which this project
    does not install): that one has no expiry, and its tokens open none of our views.
    Only the SHA-256 of the token is stored (the token is 256 random bits, so a plain hash
    is enough: there is nothing to guess that a slow hash would protect); the person sees the
    token once, when it is made. `prefix` is its first characters, shown in lists to tell
    tokens apart. Made, used and revoked through lms/api_tokens.py.
    """

    user = models.ForeignKey(
        "lms.User",
        on_delete=models.CASCADE,
        related_name="lms_api_tokens",  # `api_tokens` is Wagtail's
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(_("key hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    def is_active(self, now=None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
