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
