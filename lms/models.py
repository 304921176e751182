from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.text import NameFieldsChecked


class User(NameFieldsChecked, AbstractUser):
    """A person who logs in. Cadre details (sex, ethnicity, unit) live on the cadre record.
    The first and last names refuse direction controls (lms.text.name_problem) in every
    form: the Wagtail admin shows them to others (page owners, revisions, workflows), and
    the profile form offers them as the learner's full name."""

    name_fields = ("first_name", "last_name")

    province_code = models.CharField(
        _("province scope"),
        max_length=2,
        blank=True,
        default="",
        help_text=_(
            "GSO code of the province (2025 structure) an admin is limited to. "
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


class AccessAction(models.TextChoices):
    LIST = "list", _("listed records")
    VIEW = "view", _("viewed a record")
    EXPORT = "export", _("exported records")
    IMPORT = "import", _("imported records")
    DOWNLOAD = "download", _("downloaded their own data")


class AccessLogEntry(models.Model):
    """Who listed, viewed, exported or imported records holding personal data, and whether
    ethnicity was shown, with the time, the scope and the filter used (lms/access_audit.py).

    An entry never holds the personal data itself: `record` names a model and a primary
    key, `filters` holds field names and codes (a searched name or phone is recorded only as
    "searched"), `scope` a province code or "national"."""

    at = models.DateTimeField(_("time"), db_index=True)
    user = models.ForeignKey(
        User, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(_("action"), max_length=10, choices=AccessAction.choices)
    target = models.CharField(_("records"), max_length=60)
    record_id = models.CharField(_("record id"), max_length=40, blank=True)
    scope = models.CharField(_("scope"), max_length=40, blank=True)
    filters = models.CharField(_("filter"), max_length=500, blank=True)
    count = models.PositiveIntegerField(_("number of records"), null=True, blank=True)
    ethnicity_shown = models.BooleanField(_("ethnicity shown"), default=False)

    class Meta:
        verbose_name = _("access to personal data")
        verbose_name_plural = _("access to personal data")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} · {self.get_action_display()} · {self.target}"
