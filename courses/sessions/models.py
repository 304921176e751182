"""In-person training sessions and their attendance."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.registry.models import UnitStructure
from courses.registry.models.places import REFORM_DATE, place_sync


class SessionKind(models.TextChoices):
    DISTRICT_COMMUNE = "can_bo_huyen_xa", _("gender mainstreaming for district and commune cadres")
    VILLAGE = "truong_thon_uy_tin", _("village heads and prestigious people")
    MONITORING = "giam_sat_danh_gia", _("monitoring and evaluation of gender equality")
    TOT = "tot_trung_uong", _("central training of trainers")


class SessionStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    HELD = "held", _("held")
    CANCELLED = "cancelled", _("cancelled")


def session_unit_refusal(*, structure: str, start_date) -> str:
    """Why a session starting on `start_date` cannot take place in a unit of `structure`
    ("" when it can): from 1 July 2025 only the 2025 units exist. The form (clean) and the
    import (per row, before anything is written) say it in the same words."""
    if structure == UnitStructure.S2023 and start_date >= REFORM_DATE:
        return str(
            _("A session held on or after 1 July 2025 takes place in a unit of the 2025 "
              "structure; the 2023 structure no longer exists then.")
        )  # fmt: skip
    return ""


class TrainingSession(models.Model):
    code = models.CharField(
        _("session code"), max_length=50, null=True, blank=True, unique=True,
        help_text=_("External identifier (ma_buoi), used by imports."),
    )  # fmt: skip
    kind = models.CharField(_("kind"), max_length=20, choices=SessionKind.choices)
    course = models.ForeignKey(
        "content.CoursePage", on_delete=models.PROTECT, related_name="sessions",
        verbose_name=_("course"),
    )  # fmt: skip
    title = models.CharField(_("title"), max_length=255)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    unit = models.ForeignKey(
        "courses.AdminUnit", on_delete=models.PROTECT, related_name="sessions",
        verbose_name=_("administrative unit"),
    )  # fmt: skip
    successor = models.ForeignKey(
        "courses.AdminUnit", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("new commune (2025)"),
        help_text=_("For a commune of 2023 split between several communes in 2025."),
    )  # fmt: skip
    # The place in both structures (courses.registry.models.places), copied from `unit` on save.
    province_code = models.CharField(max_length=2, blank=True, db_index=True, editable=False)
    district_code = models.CharField(max_length=3, blank=True, db_index=True, editable=False)
    commune_code = models.CharField(max_length=5, blank=True, db_index=True, editable=False)
    province_2025 = models.CharField(max_length=2, blank=True, db_index=True, editable=False)
    commune_2025 = models.CharField(max_length=5, blank=True, db_index=True, editable=False)
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    trainers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="training_sessions",
        verbose_name=_("trainers"),
    )  # fmt: skip
    status = models.CharField(
        _("status"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.PLANNED
    )
    # Signed off by the trainer once the attendance is final: after that only an admin changes it.
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True, editable=False)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", editable=False, verbose_name=_("signed off by"),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-start_date", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="session_dates_in_order",
            ),
        ]
        indexes = [
            # The sessions whose new commune is not decided (few), counted by the admin menu.
            models.Index(
                fields=["province_2025"],
                condition=~models.Q(commune_code="") & models.Q(commune_2025=""),
                name="session_undecided_commune",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs):
        self.sync_unit_codes()
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        unit = self.unit if self.unit_id else None
        if unit is not None and self.start_date:
            refusal = session_unit_refusal(structure=unit.structure, start_date=self.start_date)
            if refusal:
                raise ValidationError({"unit": refusal})

    def sync_unit_codes(self) -> None:
        place_sync(self)

    @property
    def ended_at(self) -> dt.datetime:
        """The moment the session counts as over: noon, local time, of its last day. What it
        completes and counts is dated by it (a session held in 2023 and entered in 2026 is
        history of 2023); noon lies inside that day in any conversion."""
        noon = dt.datetime.combine(self.end_date, dt.time(12, 0))
        return timezone.make_aware(noon)


class Attendance(models.Model):
    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance",
        verbose_name=_("session"),
    )  # fmt: skip
    cadre = models.ForeignKey(
        "courses.Cadre", on_delete=models.CASCADE, related_name="attendance",
        verbose_name=_("participant"),
    )  # fmt: skip
    present = models.BooleanField(_("present"), default=False)
    passed = models.BooleanField(_("passed the post-test"), null=True, blank=True)
    # The knowledge-gain scores of the in-person path (0-100): the test before the training
    # (import column diem_truoc) and after it (post_test_score, import column diem_sau).
    pre_test_score = models.PositiveSmallIntegerField(_("pre-test score"), null=True, blank=True)
    post_test_score = models.PositiveSmallIntegerField(_("post-test score"), null=True, blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.UniqueConstraint(fields=["session", "cadre"], name="unique_attendance"),
        ]
