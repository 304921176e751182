"""The privacy notice people are shown, the history of their consent, and their requests.

The notice is edited by central admins in the Wagtail admin (a snippet with drafts and
revisions); its version is what a consent names. Every consent given, attested or withdrawn
is a ConsentRecord: the cadre's consent fields hold the latest of them, the records keep the
history (version, time, how it was given, who vouched). A learner's correction and erasure
requests go to the admins of their province as PersonalDataRequest rows.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.fields import RichTextField
from wagtail.models import DraftStateMixin, RevisionMixin

from .cadres import ConsentMethod


class PrivacyNotice(DraftStateMixin, RevisionMixin, models.Model):
    """One version of the notice: what is kept, why, who sees it, the person's rights. The
    current notice is the live version published last; publishing a new version asks every
    learner again at their next page."""

    version = models.CharField(
        _("version"), max_length=20, unique=True,
        help_text=_("For example 2026-12. A consent names the version the person was shown."),
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=200)
    body = RichTextField(_("text"))
    revisions = GenericRelation("wagtailcore.Revision", related_query_name="privacy_notice")

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-first_published_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.title} ({self.version})"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        notice_version_forget()

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        notice_version_forget()
        return result


# Every page a learner opens asks which notice is current: the answer is cached, and any save
# of a notice (publishing and unpublishing included) forgets it.
NOTICE_VERSION_CACHE_KEY = "privacy:notice-version"


def notice_version_forget() -> None:
    from django.core.cache import cache

    cache.delete(NOTICE_VERSION_CACHE_KEY)


class ConsentAction(models.TextChoices):
    ACCEPTED = "accepted", _("notice read and accepted")
    GIVEN = "given", _("consent to sensitive data given")
    WITHDRAWN = "withdrawn", _("consent to sensitive data withdrawn")


class ConsentRecord(models.Model):
    """One consent event. `user` is set when the person acted online (the notice accepted
    at login, the profile); `cadre` once the person has a registry record (a learner who
    accepts the notice before registering gets theirs linked when they do)."""

    cadre = models.ForeignKey(
        "courses.Cadre", verbose_name=_("cadre"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="consent_records",
    )  # fmt: skip
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("login"), null=True, blank=True,
        on_delete=models.CASCADE, related_name="consent_records",
    )  # fmt: skip
    action = models.CharField(_("action"), max_length=10, choices=ConsentAction.choices)
    notice_version = models.CharField(_("notice version"), max_length=20, blank=True)
    method = models.CharField(
        _("consent given"), max_length=10, choices=ConsentMethod.choices, blank=True
    )
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("consent attested by"), null=True,
        blank=True, on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip
    at = models.DateTimeField(_("time"), db_index=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["user", "notice_version"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · {self.notice_version}"


class RequestKind(models.TextChoices):
    CORRECTION = "correction", _("correction of my data")
    ERASURE = "erasure", _("erasure of my data")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("waiting for an administrator")
    DONE = "done", _("done")
    REFUSED = "refused", _("refused")


class PersonalDataRequest(models.Model):
    """A learner asks the admins of their province to correct or erase their data. The
    province is copied from the record when the request is made, so that the request stays
    with those admins; the outcome is shown to the learner on their profile."""

    cadre = models.ForeignKey(
        "courses.Cadre", verbose_name=_("cadre"), on_delete=models.CASCADE,
        related_name="data_requests",
    )  # fmt: skip
    kind = models.CharField(_("request"), max_length=10, choices=RequestKind.choices)
    details = models.TextField(_("details"), blank=True, max_length=2000)
    province_2025 = models.CharField(max_length=2, blank=True, db_index=True, editable=False)
    province_code = models.CharField(max_length=2, blank=True, db_index=True, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    outcome = models.TextField(_("answer to the learner"), blank=True, max_length=2000)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("decided by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("personal data request")
        verbose_name_plural = _("personal data requests")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.created_at:%d/%m/%Y}"
