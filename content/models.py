"""Wagtail pages for the curriculum and the story series, and the Quiz snippet.

The tree: HomePage -> StandardPage | CourseIndexPage | StorySeriesPage;
CourseIndexPage -> CoursePage -> ModulePage -> LessonPage;
StorySeriesPage -> StoryVolumePage -> StoryPage.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page


class HomePage(Page):
    """The site's root page."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["content.StandardPage", "content.CourseIndexPage", "content.StorySeriesPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")


class StandardPage(Page):
    """About, help, contact."""

    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")


class CourseIndexPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.CoursePage"]

    class Meta:
        verbose_name = _("course catalogue")
        verbose_name_plural = _("course catalogues")


class TargetGroup(models.TextChoices):
    LEADERS = "leaders", _("leaders")
    PROVINCE_CADRES = "province_cadres", _("key cadres at province level")
    DISTRICT_CADRES = "district_cadres", _("key cadres at district level")
    COMMUNE_CADRES = "commune_cadres", _("key cadres at commune level")
    VILLAGE_HEADS = "village_heads", _("village heads and prestigious people")
    WU_OFFICERS = "wu_officers", _("Women's Union officers")


class Competency(models.TextChoices):
    BASICS = "basics", _("gender-equality basics")
    ANALYSIS = "analysis", _("gender analysis")
    MAINSTREAMING = "mainstreaming", _("gender mainstreaming in policies, programmes and plans")
    MONITORING = "monitoring", _("monitoring and evaluation of gender equality")


class Delivery(models.TextChoices):
    ONLINE = "online", _("online")
    IN_PERSON = "in_person", _("in person")
    BLENDED = "blended", _("blended")


class Quiz(ClusterableModel):
    """A quiz written by trainers (a snippet); placed in lessons and as a course's final quiz.

    The correct choices are never sent to the learner's browser before the attempt is
    submitted: templates for learners render choices without `is_correct`.
    """

    title = models.CharField(_("title"), max_length=255)
    pass_mark = models.PositiveSmallIntegerField(
        _("pass mark (%)"),
        default=70,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    attempts_allowed = models.PositiveSmallIntegerField(
        _("attempts allowed"),
        default=3,
        help_text=_("0 means no limit."),
    )
    shuffle = models.BooleanField(_("shuffle questions and choices"), default=False)

    panels = [
        FieldPanel("title"),
        MultiFieldPanel(
            [FieldPanel("pass_mark"), FieldPanel("attempts_allowed"), FieldPanel("shuffle")],
            heading=_("Rules"),
        ),
        InlinePanel("questions", label=_("Questions"), min_num=1),
    ]

    class Meta:
        verbose_name = _("quiz")
        verbose_name_plural = _("quizzes")

    def __str__(self) -> str:
        return self.title


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("single choice")
    MULTIPLE = "multiple", _("multiple choice")
    TRUE_FALSE = "true_false", _("true or false")


class QuizQuestion(Orderable, ClusterableModel):
    quiz = ParentalKey(Quiz, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(
        _("kind"), max_length=12, choices=QuestionKind.choices, default=QuestionKind.SINGLE
    )
    text = models.TextField(_("question"))
    explanation = models.TextField(
        _("explanation"), blank=True, help_text=_("Shown after the learner submits.")
    )

    panels = [
        FieldPanel("kind"),
        FieldPanel("text"),
        FieldPanel("explanation"),
        InlinePanel("choices", label=_("Choices"), min_num=2),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self) -> str:
        return self.text[:80]


class QuizChoice(Orderable):
    question = ParentalKey(QuizQuestion, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(_("choice"), max_length=500)
    is_correct = models.BooleanField(_("correct"), default=False)

    panels = [FieldPanel("text"), FieldPanel("is_correct")]

    class Meta(Orderable.Meta):
        verbose_name = _("choice")
        verbose_name_plural = _("choices")

    def __str__(self) -> str:
        return self.text


class CoursePage(Page):
    summary = models.TextField(_("summary"), blank=True)
    target_groups = models.JSONField(
        _("target groups"), default=list, blank=True, help_text=_("Codes of TargetGroup.")
    )
    competency = models.CharField(
        _("competency"), max_length=20, choices=Competency.choices, default=Competency.BASICS
    )
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=Delivery.choices, default=Delivery.ONLINE
    )
    estimated_hours = models.DecimalField(
        _("estimated hours"), max_digits=5, decimal_places=1, default=4
    )
    final_quiz = models.ForeignKey(
        Quiz,
        verbose_name=_("final quiz"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Completion rule: all lessons done and this quiz passed at its pass mark."),
    )
    allow_self_enrolment = models.BooleanField(_("learners may enrol themselves"), default=True)
    requires_post_test = models.BooleanField(
        _("in-person completion requires a passed post-test"), default=False
    )
    certificate_title = models.CharField(
        _("title printed on the certificate"), max_length=255, blank=True
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        FieldPanel("competency"),
        FieldPanel("delivery"),
        FieldPanel("estimated_hours"),
        FieldPanel("final_quiz"),
        FieldPanel("allow_self_enrolment"),
        FieldPanel("requires_post_test"),
        FieldPanel("certificate_title"),
    ]

    parent_page_types = ["content.CourseIndexPage"]
    subpage_types = ["content.ModulePage"]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def lesson_pages(self):
        """The course's live lessons, in the order of the tree."""
        return LessonPage.objects.live().descendant_of(self).order_by("path")

    def get_certificate_title(self) -> str:
        return self.certificate_title or self.title


class ModulePage(Page):
    summary = models.TextField(_("summary"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary")]
    parent_page_types = ["content.CoursePage"]
    subpage_types = ["content.LessonPage"]

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")


class LessonPage(Page):
    summary = models.TextField(_("summary"), blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    parent_page_types = ["content.ModulePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")


class StorySeriesPage(Page):
    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.StoryVolumePage"]

    class Meta:
        verbose_name = _("story series")
        verbose_name_plural = _("story series")


class StoryVolumePage(Page):
    volume_number = models.PositiveSmallIntegerField(_("volume number"))
    print_run = models.PositiveIntegerField(_("print run (copies)"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)

    content_panels = Page.content_panels + [
        FieldPanel("volume_number"),
        FieldPanel("print_run"),
        FieldPanel("year"),
    ]
    parent_page_types = ["content.StorySeriesPage"]
    subpage_types = ["content.StoryPage"]

    class Meta:
        verbose_name = _("story volume")
        verbose_name_plural = _("story volumes")


class StoryPage(Page):
    community = models.CharField(_("community"), max_length=255, blank=True)
    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("community"), FieldPanel("body")]
    parent_page_types = ["content.StoryVolumePage"]
    subpage_types = []

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")
