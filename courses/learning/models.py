"""Enrolments, lesson progress and quiz attempts."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CompletionPath(models.TextChoices):
    ONLINE = "online", _("online")
    IN_PERSON = "in_person", _("in person")


class Enrolment(models.Model):
    cadre = models.ForeignKey(
        "courses.Cadre",
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("cadre"),
    )
    course = models.ForeignKey(
        "content.CoursePage",
        on_delete=models.CASCADE,
        related_name="enrolments",
        verbose_name=_("course"),
    )
    enrolled_at = models.DateTimeField(_("enrolled at"), auto_now_add=True)
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("enrolled by"),
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_via = models.CharField(
        _("completed via"), max_length=10, choices=CompletionPath.choices, blank=True
    )
    # The session whose attendance completed it, when completed in person.
    completed_session = models.ForeignKey(
        "courses.TrainingSession",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("completed at session"),
    )

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        constraints = [
            models.UniqueConstraint(fields=["cadre", "course"], name="unique_enrolment"),
        ]
        indexes = [models.Index(fields=["course", "completed_at"])]

    def __str__(self) -> str:
        return f"{self.cadre} – {self.course_id}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class LessonProgress(models.Model):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="progress")
    lesson = models.ForeignKey("content.LessonPage", on_delete=models.CASCADE, related_name="+")
    completed_at = models.DateTimeField(_("completed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("lesson progress")
        verbose_name_plural = _("lesson progress")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "lesson"], name="unique_lesson_progress"),
        ]


class QuizAttempt(models.Model):
    """One try at a quiz. The question and choice order is stored, so a reload shows the same
    order; answers are saved one by one as QuizAnswer rows, so nothing is lost on disconnect.

    `quiz_revision` is the published revision of the quiz the attempt answered (and was graded
    against); empty for attempts made before quizzes had revisions. A quiz with attempts cannot
    be deleted: they back completions and certificates.
    """

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    quiz = models.ForeignKey("content.Quiz", on_delete=models.PROTECT, related_name="+")
    quiz_revision = models.ForeignKey(
        "wagtailcore.Revision",
        verbose_name=_("quiz version"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    number = models.PositiveSmallIntegerField(_("attempt number"))
    question_order = models.JSONField(_("question order"), default=list)
    choice_order = models.JSONField(_("choice order"), default=dict)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    correct_count = models.PositiveSmallIntegerField(null=True, blank=True)
    question_count = models.PositiveSmallIntegerField(null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("quiz attempt")
        verbose_name_plural = _("quiz attempts")
        ordering = ["enrolment", "quiz", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "quiz", "number"], name="unique_attempt_number"
            ),
            # At most one open attempt per learner and quiz.
            models.UniqueConstraint(
                fields=["enrolment", "quiz"],
                condition=Q(submitted_at__isnull=True),
                name="one_open_attempt",
            ),
        ]

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class QuizAnswer(models.Model):
    attempt = models.ForeignKey(QuizAttempt, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey("content.QuizQuestion", on_delete=models.CASCADE, related_name="+")
    choice_ids = models.JSONField(_("chosen answers"), default=list)
    answered_at = models.DateTimeField(_("answered at"), auto_now=True)

    class Meta:
        verbose_name = _("quiz answer")
        verbose_name_plural = _("quiz answers")
        constraints = [
            models.UniqueConstraint(fields=["attempt", "question"], name="unique_answer"),
        ]


class OfflineActionStatus(models.TextChoices):
    APPLIED = "applied", _("applied")
    SKIPPED = "skipped", _("skipped")
    REJECTED = "rejected", _("rejected")


class OfflineAction(models.Model):
    """One piece of work a learner did on the device while offline (a lesson done, an answer,
    a quiz submitted), by the id the device gave it. The unique id makes a replay exactly
    once: the row is written in the transaction that applies the work, so a second copy of the
    same work (a retry, another tab) finds it and changes nothing."""

    client_id = models.UUIDField(_("id on the device"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=10)
    acted_at = models.DateTimeField(_("done at"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    status = models.CharField(_("status"), max_length=10, choices=OfflineActionStatus.choices)
    message = models.CharField(_("message"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("offline action")
        verbose_name_plural = _("offline actions")
