"""Certificates: one per completed enrolment, its history, its serial counters, the checks of
its verification code and the bulk exports admins ask for.

The database decides uniqueness: one certificate per enrolment (OneToOne), one serial and one
verification code per certificate (unique), one counter row per province and year.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lms.storage import private_storage, private_token


def new_verification_code() -> str:
    """192 random bits, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


class CertificateStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    ISSUED = "issued", _("issued")
    FAILED = "failed", pgettext_lazy("certificate status", "failed")
    REVOKED = "revoked", _("revoked")


class SerialCounter(models.Model):
    """The last serial number given in one province and year; locked while one is drawn."""

    province_code = models.CharField(_("province code"), max_length=2)
    year = models.PositiveSmallIntegerField(_("year"))
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("serial counter")
        verbose_name_plural = _("serial counters")
        constraints = [
            models.UniqueConstraint(fields=["province_code", "year"], name="unique_serial_counter")
        ]


class Certificate(models.Model):
    # Empty only for a certificate set aside when two records of one person were merged and
    # both held one for the same course: it stays revoked, so that its code still verifies.
    enrolment = models.OneToOneField(
        "courses.Enrolment",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="certificate",
        verbose_name=_("enrolment"),
    )
    # Scope for admins and the serial's province; copied from the cadre when created.
    province_code = models.CharField(_("province code"), max_length=2, blank=True, db_index=True)
    serial = models.CharField(_("serial number"), max_length=32, unique=True, null=True, blank=True)
    code = models.CharField(
        _("verification code"), max_length=64, unique=True, default=new_verification_code
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=CertificateStatus.choices,
        default=CertificateStatus.PENDING,
        db_index=True,
    )
    status_reason = models.TextField(_("reason"), blank=True)
    issued_on = models.DateField(_("issue date"), null=True, blank=True)
    # In the private storage: only the learner's and the admins' download views read it.
    pdf = models.FileField(_("PDF file"), max_length=200, blank=True, storage=private_storage)
    # What was printed, so that the record says what the paper says.
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    course_title = models.CharField(_("course title"), max_length=255, blank=True)
    completed_on = models.DateField(_("completion date"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)
    error_transient = models.BooleanField(_("error is transient"), default=False)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "queued_at"])]

    def __str__(self) -> str:
        return self.serial or _("certificate (pending)")

    @property
    def is_valid(self) -> bool:
        return self.status == CertificateStatus.ISSUED

    def pdf_name(self) -> str:
        """The file's name comes from the certificate, so a retry overwrites it; its token
        (keyed by SECRET_KEY) keeps the serial from being enough to find the file."""
        year = self.issued_on.year if self.issued_on else "pending"
        token = private_token(f"certificate:{self.pk}:{self.code}")
        return f"certificates/{year}/{self.serial or self.pk}-{token}.pdf"


class CertificateEventKind(models.TextChoices):
    ISSUED = "issued", _("issued")
    REISSUED = "reissued", _("re-issue requested after a name correction")
    REVOKED = "revoked", _("revoked")
    FAILED = "failed", _("failed")
    WITHDRAWN = "withdrawn", _("revoked: the completion it certified was taken back")
    RESTORED = "restored", _("restored: the course was completed again")
    REDATED = "redated", _("drawn again: the completion is dated on another day")


class CertificateEvent(models.Model):
    certificate = models.ForeignKey(
        Certificate, on_delete=models.CASCADE, related_name="events", verbose_name=_("certificate")
    )
    kind = models.CharField(_("event"), max_length=10, choices=CertificateEventKind.choices)
    old_name = models.CharField(_("old name"), max_length=200, blank=True)
    new_name = models.CharField(_("new name"), max_length=200, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("certificate event")
        verbose_name_plural = _("certificate events")
        ordering = ["certificate", "at", "pk"]


class VerificationResult(models.TextChoices):
    VALID = "valid", _("valid")
    REVOKED = "revoked", _("revoked")
    UNKNOWN = "unknown", _("unknown code")


class VerificationLog(models.Model):
    """One check of a verification code. The IP address is kept only as a salted hash."""

    certificate = models.ForeignKey(
        Certificate,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="verifications",
        verbose_name=_("certificate"),
    )
    code_hash = models.CharField(_("code hash"), max_length=64)
    ip_hash = models.CharField(_("IP address hash"), max_length=64)
    result = models.CharField(_("result"), max_length=10, choices=VerificationResult.choices)
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("verification check")
        verbose_name_plural = _("verification checks")
        ordering = ["-at"]


class ExportFormat(models.TextChoices):
    ZIP = "zip", _("ZIP of PDF files")
    PDF = "pdf", _("one merged PDF for printing")


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class BulkExport(models.Model):
    """All certificates of a training session or a commune, built by a Celery task."""

    format = models.CharField(_("format"), max_length=3, choices=ExportFormat.choices)
    session = models.ForeignKey(
        "courses.TrainingSession",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("training session"),
    )
    # The commune, picked by name in either structure (a 2025 commune also takes the records
    # of the 2023 communes that went into it). `commune_code` is a 2023 commune code given by
    # exports asked for before communes were picked by name.
    commune = models.ForeignKey(
        "courses.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("commune"),
    )
    commune_code = models.CharField(_("commune code"), max_length=5, blank=True)
    # The scope of the admin who asked, applied again when the file is built.
    province_code = models.CharField(_("province code"), max_length=2, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING
    )
    total = models.PositiveIntegerField(_("total"), default=0)
    done = models.PositiveIntegerField(_("done"), default=0)
    # In the private storage: only the export's download view (admins in scope) reads it.
    file = models.FileField(_("file"), max_length=200, blank=True, storage=private_storage)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("certificate export")
        verbose_name_plural = _("certificate exports")
        ordering = ["-created_at"]

    def file_name(self) -> str:
        """Like a certificate's: the same for every build of this export, and unguessable."""
        token = private_token(f"export:{self.pk}:{self.created_at.isoformat()}")
        return f"exports/{self.pk}-{token}.{self.format}"

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.status == ExportStatus.DONE else 0
        return min(100, self.done * 100 // self.total)


class SigningKey(models.Model):
    """A public key the issuer has signed credentials with. The private key is never stored
    here (it comes from the environment or a file); the public one stays so that the DID
    document keeps publishing it while credentials it signed are valid, after a rotation."""

    # The key's Multikey form (z6Mk…), also the fragment of its verification method.
    public_key_multibase = models.CharField(_("public key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("credential signing key")
        verbose_name_plural = _("credential signing keys")
        ordering = ["created_at", "pk"]


class OpenBadgeCredential(models.Model):
    """One signed Open Badges 3.0 credential of a certificate. A certificate issued again
    (after a name correction or a restored completion) gets a new one and the old one is
    revoked, so the newest is the only valid one. Its position in the revocation status list
    is its primary key less one."""

    certificate = models.ForeignKey(
        Certificate,
        on_delete=models.PROTECT,
        related_name="credentials",
        verbose_name=_("certificate"),
    )
    # The signed JSON exactly as served (text, so that no database reorders its keys).
    document = models.TextField(_("credential"), blank=True)
    signing_key = models.ForeignKey(
        SigningKey,
        on_delete=models.PROTECT,
        related_name="credentials",
        null=True,
        verbose_name=_("signing key"),
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("Open Badges credential")
        verbose_name_plural = _("Open Badges credentials")
        ordering = ["certificate", "-pk"]

    @property
    def status_index(self) -> int:
        return self.pk - 1


class StatusList(models.Model):
    """One signed BitstringStatusList credential (revocation): bit i set means the credential
    of status index i is revoked. Changed, and signed again, in the transaction that revokes."""

    number = models.PositiveIntegerField(_("number"), unique=True)
    bits = models.BinaryField(_("bits"))
    document = models.TextField(_("status list credential"), blank=True)
    signing_key = models.ForeignKey(
        SigningKey,
        on_delete=models.PROTECT,
        related_name="status_lists",
        null=True,
        verbose_name=_("signing key"),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("credential status list")
        verbose_name_plural = _("credential status lists")
        ordering = ["number"]
