"""Bulk imports run from the Wagtail admin: one row per uploaded file, holding its progress,
its per-row errors and the summary, so that a background task can report back to the page
that polls it."""

from __future__ import annotations

import secrets
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.registry.models.units import UnitStructure
from lms.storage import private_storage


def import_file_name(instance: ImportJob, filename: str) -> str:
    """`imports/<year>/<month>/<random>.<ext>`: the uploader's file name (often a commune's
    or a person's) stays in `original_name`, out of the storage."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"imports/{timezone.localtime():%Y/%m}/{secrets.token_urlsafe(16)}{suffix}"


class ImportKind(models.TextChoices):
    CADRES = "cadres", _("cadres")
    SESSIONS = "sessions", _("training sessions")
    ATTENDANCE = "attendance", _("attendance")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be checked")
    VALIDATING = "validating", _("checking")
    VALIDATED = "validated", _("checked, waiting for confirmation")
    INVALID = "invalid", _("has errors")
    IMPORTING = "importing", _("importing")
    DONE = "done", _("imported")
    FAILED = "failed", _("failed")
    EXPIRED = "expired", _("expired: not confirmed in time")


class ImportJob(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    # In the private storage, never served; deleted when the import ends, or by the clean-up.
    file = models.FileField(
        _("file"), upload_to=import_file_name, storage=private_storage, blank=True
    )
    original_name = models.CharField(_("file name"), max_length=255)
    # The structure the file's unit codes are of, chosen at upload: codes are looked up in it
    # only (the same code names different units in 2023 and 2025).
    structure = models.CharField(
        _("structure"), max_length=4, choices=UnitStructure.choices, default=UnitStructure.S2025
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("uploaded by"),
    )  # fmt: skip
    # The province the uploader was limited to when the file was sent ("" = central).
    province_code = models.CharField(max_length=2, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    # [[row, column, message], ...], the first few thousand.
    errors = models.JSONField(default=list, blank=True)
    # The same for warnings: reported, but they do not stop the file.
    warning_count = models.PositiveIntegerField(_("warnings"), default=0)
    warnings = models.JSONField(default=list, blank=True)
    # {"<row>": [name, unit]} for the rows of the errors and warnings kept, for the report.
    # Names are personal data: cleared with the file's retention (import_files_purge).
    row_labels = models.JSONField(default=dict, blank=True)
    # The consent notice version the uploader attested for the file's consent dates
    # ("" = not attested: no consent is recorded, so no ethnicity is stored).
    consent_notice_version = models.CharField(max_length=20, blank=True)
    # {"created": n, "updated": n, "unchanged": n}
    summary = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def percent(self) -> int:
        if not self.total_rows:
            return 0
        return min(100, round(100 * self.processed_rows / self.total_rows))

    @property
    def is_running(self) -> bool:
        return self.status in {
            ImportStatus.PENDING,
            ImportStatus.VALIDATING,
            ImportStatus.IMPORTING,
        }
