"""Programme indicators, the achievements behind them, and the counter tables the dashboard reads.

The truth is an Achievement row, unique per person (or session) and indicator. Five counter
tables, all updated in the same transaction as the achievement (one statement each), so reading
the figures never scans the enrolments:

Places are in both structures (courses.registry.models.places): the 2023 province, district and
commune (blank for a record made in a 2025 unit) and the 2025 province and commune (the
commune blank while a split 2023 commune is undecided). The 2025 province follows from the 2023
one, so adding it to a key adds no rows for records of the 2023 structure.

- CounterCell, the fine cells: indicator x month x place (both structures) x level x sex x
  ethnicity. Only the district and commune drill-down (already limited to one province or one
  district) reads them: nationally they grow with the number of people.
- CounterRollup: indicator x month x province x level x sex x ethnicity. Its size is bounded by
  months x provinces x levels x sexes x ethnicities, whatever the number of people. Read by the
  period filters that cut a year, and a province's month chart when filtered by sex, level or
  ethnicity.
- CounterYearRollup: the same by year: what national and province views read for whole years
  (the seeded indicator periods are whole years, 2021-2030).
- CounterMonthTotal: indicator x month x province: the month chart of the unfiltered views.
- CounterNationalMonth: indicator x month x 2025 province x level x sex x ethnicity: the
  national month chart when filtered by sex, level or ethnicity (no commune or district in
  the key, so it stays small; the province keeps provinces from writing the same row).

`recount_counters` rebuilds all five from the achievements; `--check` compares all five.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class IndicatorUnit(models.TextChoices):
    PEOPLE = "people", _("people")
    SESSIONS = "sessions", _("sessions")


class Indicator(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    unit = models.CharField(_("unit"), max_length=10, choices=IndicatorUnit.choices)
    target = models.PositiveIntegerField(
        _("target"), null=True, blank=True, help_text=_("Empty when there is no fixed number.")
    )
    target_percent = models.PositiveSmallIntegerField(
        _("target (percent)"),
        null=True,
        blank=True,
        help_text=_(
            "For targets set as a share of a figure entered per province (village heads: the "
            "villages in the programme area, under Province targets)."
        ),
    )
    period_start = models.DateField(_("period start"), null=True, blank=True)
    period_end = models.DateField(_("period end"), null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["sort_order", "code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class IndicatorTarget(models.Model):
    """A province-level target for an indicator: a number, or for a target set as a share
    (village heads: 100 % of the villages in the programme area) the figure it is a share of,
    which an admin enters."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    province_code = models.CharField(_("province code"), max_length=2)
    target = models.PositiveIntegerField(_("target"), null=True, blank=True)
    villages = models.PositiveIntegerField(
        _("villages in the programme area"),
        null=True,
        blank=True,
        help_text=_(
            "For the village-head indicator: how many villages of the province are in the "
            "programme area (one village head each). The target is the indicator's percent "
            "of this figure."
        ),
    )

    class Meta:
        verbose_name = _("province target")
        verbose_name_plural = _("province targets")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "province_code"], name="unique_province_target"
            ),
        ]

    def clean(self):
        super().clean()
        if self.target is None and self.villages is None:
            raise ValidationError(
                _("Enter the target, or the villages in the programme area."), code="required"
            )


class Achievement(models.Model):
    """One person (or one session) counted once for one indicator."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="achievements")
    cadre = models.ForeignKey(
        "courses.Cadre", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    session = models.ForeignKey(
        "courses.TrainingSession", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    achieved_at = models.DateTimeField(_("achieved at"))
    # The cell this achievement is counted in (copied at the time it was achieved).
    month = models.DateField()
    province_code = models.CharField(max_length=2, blank=True)
    district_code = models.CharField(max_length=3, blank=True)
    commune_code = models.CharField(max_length=5, blank=True)
    province_2025 = models.CharField(max_length=2, blank=True)
    commune_2025 = models.CharField(max_length=5, blank=True)
    level = models.CharField(max_length=10, blank=True)
    sex = models.CharField(max_length=6, blank=True)
    ethnicity = models.CharField(max_length=2, blank=True)

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "cadre"],
                condition=Q(cadre__isnull=False),
                name="unique_person_achievement",
            ),
            models.UniqueConstraint(
                fields=["indicator", "session"],
                condition=Q(session__isnull=False),
                name="unique_session_achievement",
            ),
            models.CheckConstraint(
                condition=Q(cadre__isnull=False) | Q(session__isnull=False),
                name="achievement_has_subject",
            ),
        ]


CELL_KEY = (
    "indicator_id",
    "month",
    "province_code",
    "district_code",
    "commune_code",
    "province_2025",
    "commune_2025",
    "level",
    "sex",
    "ethnicity",
)


class CounterCell(models.Model):
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="cells")
    month = models.DateField()
    province_code = models.CharField(max_length=2, blank=True)
    district_code = models.CharField(max_length=3, blank=True)
    commune_code = models.CharField(max_length=5, blank=True)
    province_2025 = models.CharField(max_length=2, blank=True)
    commune_2025 = models.CharField(max_length=5, blank=True)
    level = models.CharField(max_length=10, blank=True)
    sex = models.CharField(max_length=6, blank=True)
    ethnicity = models.CharField(max_length=2, blank=True)
    value = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("counter cell")
        verbose_name_plural = _("counter cells")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "indicator", "month", "province_code", "district_code", "commune_code",
                    "province_2025", "commune_2025", "level", "sex", "ethnicity",
                ],
                name="unique_counter_cell_both_structures",
            ),
        ]  # fmt: skip
        indexes = [
            models.Index(fields=["indicator", "province_code"]),
            models.Index(fields=["indicator", "province_2025"]),
        ]


class CounterRollup(models.Model):
    """Fine cells summed over district and commune (see the module docstring)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    province_code = models.CharField(max_length=2, blank=True)
    province_2025 = models.CharField(max_length=2, blank=True)
    level = models.CharField(max_length=10, blank=True)
    sex = models.CharField(max_length=6, blank=True)
    ethnicity = models.CharField(max_length=2, blank=True)
    value = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("counter rollup")
        verbose_name_plural = _("counter rollups")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "indicator",
                    "month",
                    "province_code",
                    "province_2025",
                    "level",
                    "sex",
                    "ethnicity",
                ],
                name="unique_counter_rollup_both_structures",
            ),
        ]
        indexes = [
            models.Index(fields=["province_2025", "indicator", "month"]),
            models.Index(fields=["province_code", "indicator", "month"]),
        ]


class CounterYearRollup(models.Model):
    """Fine cells summed over district, commune and the months of a year."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    province_code = models.CharField(max_length=2, blank=True)
    province_2025 = models.CharField(max_length=2, blank=True)
    level = models.CharField(max_length=10, blank=True)
    sex = models.CharField(max_length=6, blank=True)
    ethnicity = models.CharField(max_length=2, blank=True)
    value = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("counter year rollup")
        verbose_name_plural = _("counter year rollups")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "indicator",
                    "year",
                    "province_code",
                    "province_2025",
                    "level",
                    "sex",
                    "ethnicity",
                ],
                name="unique_counter_year_rollup_both_structures",
            ),
        ]
        indexes = [
            models.Index(fields=["province_2025", "indicator", "year"]),
            models.Index(fields=["province_code", "indicator", "year"]),
        ]


class CounterMonthTotal(models.Model):
    """Fine cells summed over everything but indicator, month and province (the month chart)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    province_code = models.CharField(max_length=2, blank=True)
    province_2025 = models.CharField(max_length=2, blank=True)
    value = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("counter month total")
        verbose_name_plural = _("counter month totals")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "month", "province_code", "province_2025"],
                name="unique_counter_month_total_both_structures",
            ),
        ]
        indexes = [
            models.Index(fields=["province_2025", "indicator", "month"]),
            models.Index(fields=["province_code", "indicator", "month"]),
        ]


class CounterNationalMonth(models.Model):
    """Fine cells summed over the places but the 2025 province: the national month chart
    under a sex, level or ethnicity filter reads at most indicators x months x provinces x
    levels x sexes x ethnicities rows, however many people and communes there are.

    The province stays in the key so that completions in different provinces never write the
    same row: a single national row per month was the one row every completion of the month
    locked until its commit, and the completions of the whole country queued for it."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    # Empty by the database too, for the data migrations written before the column.
    province_2025 = models.CharField(max_length=2, blank=True, db_default="")
    level = models.CharField(max_length=10, blank=True)
    sex = models.CharField(max_length=6, blank=True)
    ethnicity = models.CharField(max_length=2, blank=True)
    value = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("counter national month")
        verbose_name_plural = _("counter national months")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "month", "province_2025", "level", "sex", "ethnicity"],
                name="unique_counter_national_month_by_province",
            ),
        ]


# --- Knowledge gain ----------------------------------------------------------------------------


class KnowledgeScore(models.Model):
    """One learner's pre-test and post-test scores (0-100) on one course, by one path: online
    (`session` empty: the course's pre-test and final quiz) or at one in-person session (the
    scores on its attendance sheet). The truth the knowledge-gain rollup counts, as
    Achievement is for the counter cells.

    The rollup key (2025 province, level, sex, ethnicity, target group) is copied from the
    person when a score is written, so the rollup can be rebuilt from these rows alone.
    A row whose scores are both empty counts for nothing."""

    cadre = models.ForeignKey("courses.Cadre", on_delete=models.CASCADE, related_name="+")
    course = models.ForeignKey("content.CoursePage", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        "courses.TrainingSession", null=True, blank=True, on_delete=models.CASCADE,
        related_name="+",
    )  # fmt: skip
    pre = models.PositiveSmallIntegerField(_("pre-test score"), null=True, blank=True)
    post = models.PositiveSmallIntegerField(_("post-test score"), null=True, blank=True)
    province_2025 = models.CharField(max_length=2, blank=True)
    level = models.CharField(max_length=10, blank=True)
    sex = models.CharField(max_length=6, blank=True)
    ethnicity = models.CharField(max_length=2, blank=True)
    target_group = models.CharField(max_length=16, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("knowledge score")
        verbose_name_plural = _("knowledge scores")
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "course"],
                condition=Q(session__isnull=True),
                name="unique_online_knowledge_score",
            ),
            models.UniqueConstraint(
                fields=["session", "cadre"],
                condition=Q(session__isnull=False),
                name="unique_session_knowledge_score",
            ),
            models.CheckConstraint(
                condition=(Q(pre__isnull=True) | Q(pre__lte=100))
                & (Q(post__isnull=True) | Q(post__lte=100)),
                name="knowledge_score_0_100",
            ),
        ]


GAIN_KEY = ("course_id", "province_2025", "level", "sex", "ethnicity", "target_group")
GAIN_SUMS = (
    "learners", "pre_sum", "post_sum", "gain_sum", "normalised_count", "normalised_sum",
    "missing_pre", "missing_post",
)  # fmt: skip


class GainRollup(models.Model):
    """The knowledge-gain scores summed per course x 2025 province x level x sex x ethnicity x
    target group: its size is bounded by those, whatever the number of learners or attempts.

    `learners` have both scores; `pre_sum`, `post_sum` and `gain_sum` are theirs. The
    normalised gain (post - pre) / (100 - pre) is undefined for a pre-test score of 100: such
    learners are in `learners` but not in `normalised_count`. Each normalised gain is stored
    in millionths (rounded half away from zero), so the sums are whole numbers and exact under
    any order of additions and subtractions. `missing_pre` counts post-test scores with no
    pre-test score (reported, never guessed); `missing_post` pre-test scores with no post-test
    score yet."""

    course = models.ForeignKey("content.CoursePage", on_delete=models.CASCADE, related_name="+")
    province_2025 = models.CharField(max_length=2, blank=True)
    level = models.CharField(max_length=10, blank=True)
    sex = models.CharField(max_length=6, blank=True)
    ethnicity = models.CharField(max_length=2, blank=True)
    target_group = models.CharField(max_length=16, blank=True)
    learners = models.IntegerField(default=0)
    pre_sum = models.BigIntegerField(default=0)
    post_sum = models.BigIntegerField(default=0)
    gain_sum = models.BigIntegerField(default=0)
    normalised_count = models.IntegerField(default=0)
    normalised_sum = models.BigIntegerField(default=0)  # millionths
    missing_pre = models.IntegerField(default=0)
    missing_post = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("knowledge gain rollup")
        verbose_name_plural = _("knowledge gain rollups")
        constraints = [
            models.UniqueConstraint(
                fields=["course", "province_2025", "level", "sex", "ethnicity", "target_group"],
                name="unique_gain_rollup",
            ),
        ]
        indexes = [models.Index(fields=["province_2025", "course"])]
