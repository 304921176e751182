"""Wagtail pages for the curriculum and the story series, and the Quiz snippet.

The tree: HomePage -> StandardPage | CourseIndexPage | StorySeriesPage;
CourseIndexPage -> CoursePage -> ModulePage -> LessonPage;
StorySeriesPage -> StoryVolumePage -> StoryPage.
"""

from http import HTTPMethod

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page, PageViewRestriction
from wagtail.search import index
from wagtailmedia.edit_handlers import MediaChooserPanel

from content.blocks import LessonBodyBlock, StoryBodyBlock
from content.text import html_to_text
from lms.text import text_fold

# Pages are only read: no page takes a form (the learner's forms post to the /learn/ views).
# Wagtail's default also allows POST, PUT, PATCH and DELETE on every page, answers them like a
# GET and announces them in the Allow header; here they get 405.
READ_ONLY = [HTTPMethod.GET, HTTPMethod.HEAD, HTTPMethod.OPTIONS]


class OneQueryRestrictionsMixin:
    """Check view restrictions (login for the catalogue) in one query instead of two.

    Wagtail's default fetches the ancestors, then their restrictions. This asks for the
    restrictions of the page, its ancestors and the pages they alias in one statement.
    """

    def get_view_restrictions(self):
        steplen = self.steplen
        paths = [self.path[:end] for end in range(steplen, len(self.path) + 1, steplen)]
        aliased = Page.objects.filter(path__in=paths, alias_of__isnull=False).values("alias_of_id")
        return PageViewRestriction.objects.filter(
            models.Q(page__path__in=paths) | models.Q(page_id__in=aliased)
        )


class FoldedSearchMixin:
    """Indexes an accent-free copy of the page's text (see lms.text.text_fold).

    The search view folds the query the same way, so "binh dang gioi", "Bình đẳng giới" and
    decomposed Unicode all meet the same words on SQLite and PostgreSQL alike.
    """

    def search_text_parts(self) -> list[str]:
        return [self.title, getattr(self, "summary", "") or ""]

    def search_folded(self) -> str:
        return text_fold(" ".join(part for part in self.search_text_parts() if part))


def stream_text(value) -> list[str]:
    """The searchable text of a StreamField value (rich text stripped of tags)."""
    if not value:
        return []
    parts = value.stream_block.get_searchable_content(value)
    return [html_to_text(part) for part in parts if isinstance(part, str)]


class HomePage(Page):
    """The site's root page."""

    allowed_http_methods = READ_ONLY

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["content.StandardPage", "content.CourseIndexPage", "content.StorySeriesPage"]
    max_count = 1

    class Meta:
        verbose_name = _("home page")
        verbose_name_plural = _("home pages")

    def route(self, request, path_components):
        """Find a descendant by its whole URL path in one query, instead of Wagtail's default
        of one or two queries per level (a lesson is five levels deep): pages stay cheap on a
        weak connection and a busy server. Anything not found that way (a page with its own
        sub-routes) falls back to the default walk."""
        if path_components:
            url_path = self.url_path + "/".join(path_components) + "/"
            page = (
                Page.objects.live()
                .filter(url_path=url_path, path__startswith=self.path)
                .specific()
                .first()
            )
            if page is not None:
                return page.route(request, [])
        return super().route(request, path_components)

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        children = list(self.get_children().live().order_by("path"))
        context["catalogue"] = next(
            (c for c in children if c.specific_class is CourseIndexPage), None
        )
        context["story_series"] = next(
            (c for c in children if c.specific_class is StorySeriesPage), None
        )
        context["standard_pages"] = [c for c in children if c.specific_class is StandardPage]
        return context


class StandardPage(Page):
    """About, help, contact."""

    allowed_http_methods = READ_ONLY

    body = RichTextField(_("body"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("body")]
    parent_page_types = ["content.HomePage", "content.StandardPage"]
    subpage_types = ["content.StandardPage"]

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")


class CourseIndexPage(Page):
    """The catalogue. Its subtree requires login: a restriction is created with the page."""

    allowed_http_methods = READ_ONLY

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.CoursePage"]

    class Meta:
        verbose_name = _("course catalogue")
        verbose_name_plural = _("course catalogues")

    def save(self, *args, **kwargs):
        creating = self._state.adding
        result = super().save(*args, **kwargs)
        if creating:
            PageViewRestriction.objects.get_or_create(
                page=self, restriction_type=PageViewRestriction.LOGIN
            )
        return result

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["courses"] = CoursePage.objects.child_of(self).live().order_by("path")
        return context


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


class CoursePageForm(WagtailAdminPageForm):
    target_groups = forms.MultipleChoiceField(
        label=_("target groups"),
        choices=TargetGroup.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


class CoursePage(OneQueryRestrictionsMixin, FoldedSearchMixin, Page):
    allowed_http_methods = READ_ONLY

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
        FieldPanel("target_groups"),
        FieldPanel("competency"),
        FieldPanel("delivery"),
        FieldPanel("estimated_hours"),
        FieldPanel("final_quiz"),
        FieldPanel("allow_self_enrolment"),
        FieldPanel("requires_post_test"),
        FieldPanel("certificate_title"),
    ]

    base_form_class = CoursePageForm
    parent_page_types = ["content.CourseIndexPage"]
    subpage_types = ["content.ModulePage"]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("search_folded"),
    ]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def lesson_pages(self):
        """The course's live lessons, in the order of the tree."""
        return LessonPage.objects.live().descendant_of(self).order_by("path")

    def get_certificate_title(self) -> str:
        return self.certificate_title or self.title

    def target_group_labels(self) -> list[str]:
        labels = dict(TargetGroup.choices)
        return [str(labels[code]) for code in self.target_groups or [] if code in labels]

    def outline(self) -> list[dict]:
        """Modules with their live lessons, in tree order, from one query."""
        pages = (
            Page.objects.live()
            .descendant_of(self)
            .filter(depth__in=[self.depth + 1, self.depth + 2])
            .order_by("path")
        )
        modules: list[dict] = []
        for page in pages:
            if page.depth == self.depth + 1:
                modules.append({"page": page, "lessons": []})
            elif modules:
                modules[-1]["lessons"].append(page)
        return modules

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["outline"] = self.outline()
        context["lesson_count"] = sum(len(m["lessons"]) for m in context["outline"])
        context["final_quiz"] = (
            Quiz.objects.annotate(question_count=models.Count("questions"))
            .filter(pk=self.final_quiz_id)
            .first()
            if self.final_quiz_id
            else None
        )
        context["final_quiz_block"] = {"quiz": context["final_quiz"], "intro": ""}
        return context


class ModulePage(OneQueryRestrictionsMixin, Page):
    allowed_http_methods = READ_ONLY

    summary = models.TextField(_("summary"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary")]
    parent_page_types = ["content.CoursePage"]
    subpage_types = ["content.LessonPage"]

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["course"] = self.get_parent()
        context["lessons"] = LessonPage.objects.child_of(self).live().order_by("path")
        return context


class LessonPage(OneQueryRestrictionsMixin, FoldedSearchMixin, Page):
    """A lesson: a summary, a body of blocks, and for people who read Vietnamese with
    difficulty an optional audio narration (wagtailmedia), with a document to download
    (a handout to print or keep on the phone)."""

    allowed_http_methods = READ_ONLY

    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(LessonBodyBlock(), verbose_name=_("body"), blank=True)
    audio_narration = models.ForeignKey(
        "wagtailmedia.Media",
        verbose_name=_("audio narration"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "A recording of the lesson read aloud (mp3 or m4a), for learners who read "
            "Vietnamese with difficulty."
        ),
    )
    handout = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("document to download"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("A handout of the lesson (PDF, Word...) that learners can download."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel(
            [
                MediaChooserPanel("audio_narration", media_type="audio"),
                FieldPanel("handout"),
            ],
            heading=_("Listen and download"),
        ),
        FieldPanel("body"),
    ]
    parent_page_types = ["content.ModulePage"]
    subpage_types = []
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("search_folded"),
    ]

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")

    def search_text_parts(self) -> list[str]:
        return super().search_text_parts() + stream_text(self.body)

    def course(self):
        """The course this lesson belongs to (the grandparent page), or None."""
        return CoursePage.objects.ancestor_of(self).first()

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # One query for the ancestors serves the breadcrumb, the module and the course (the
        # course as a plain Page: its title and URL are all the lesson shows of it).
        ancestors = list(self.get_ancestors())
        context["ancestors"] = ancestors
        course = ancestors[-2] if len(ancestors) >= 2 else None
        context["course"] = course
        context["module"] = ancestors[-1] if ancestors else None
        previous_lesson = next_lesson = None
        if course is not None:
            lessons = list(
                Page.objects.live().descendant_of(course).type(LessonPage).order_by("path")
            )
            ids = [lesson.pk for lesson in lessons]
            if self.pk in ids:
                position = ids.index(self.pk)
                previous_lesson = lessons[position - 1] if position > 0 else None
                next_lesson = lessons[position + 1] if position + 1 < len(lessons) else None
            context["lesson_position"] = ids.index(self.pk) + 1 if self.pk in ids else None
            context["lesson_total"] = len(ids)
            # The course's live lessons, in order: the learning panel reuses them.
            context["course_lessons"] = lessons
        context["previous_lesson"] = previous_lesson
        context["next_lesson"] = next_lesson
        return context


class StorySeriesPage(Page):
    allowed_http_methods = READ_ONLY

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.StoryVolumePage"]

    class Meta:
        verbose_name = _("story series")
        verbose_name_plural = _("story series")

    def volumes(self):
        """Live volumes in volume order, with covers and their renditions prefetched."""
        return (
            StoryVolumePage.objects.child_of(self)
            .live()
            .select_related("cover_image", "pdf")
            .prefetch_related("cover_image__renditions")
            .order_by("volume_number", "path")
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        volumes = list(self.volumes())
        context["volumes"] = volumes
        context["total_print_run"] = sum(v.print_run or 0 for v in volumes)
        return context


class StoryVolumePageForm(WagtailAdminPageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A new page has no place in the tree yet; clean() checks against this parent.
        self.instance._series_for_validation = self.parent_page


class StoryVolumePage(Page):
    allowed_http_methods = READ_ONLY

    volume_number = models.PositiveSmallIntegerField(
        _("volume number"), validators=[MinValueValidator(1)]
    )
    summary = models.TextField(_("summary"), blank=True)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("cover image"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    print_run = models.PositiveIntegerField(_("print run (copies)"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    pdf = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("downloadable PDF"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    content_panels = Page.content_panels + [
        FieldPanel("volume_number"),
        FieldPanel("summary"),
        FieldPanel("cover_image"),
        FieldPanel("print_run"),
        FieldPanel("year"),
        FieldPanel("pdf"),
    ]
    base_form_class = StoryVolumePageForm
    parent_page_types = ["content.StorySeriesPage"]
    subpage_types = ["content.StoryPage"]

    class Meta:
        verbose_name = _("story volume")
        verbose_name_plural = _("story volumes")

    def _series(self) -> Page | None:
        if self.path and self.depth:
            return self.get_parent()
        return getattr(self, "_series_for_validation", None)

    def clean(self):
        super().clean()
        series = self._series()
        if series is None or self.volume_number is None:
            return
        clash = (
            StoryVolumePage.objects.child_of(series)
            .filter(volume_number=self.volume_number)
            .exclude(pk=self.pk)
        )
        if clash.exists():
            raise ValidationError(
                {"volume_number": _("This series already has a volume with this number.")}
            )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["stories"] = StoryPage.objects.child_of(self).live().order_by("path")
        return context


class StoryPage(FoldedSearchMixin, Page):
    allowed_http_methods = READ_ONLY

    community = models.CharField(
        _("community"),
        max_length=255,
        blank=True,
        help_text=_("Where the story is set, e.g. a village and its ethnic group."),
    )
    summary = models.TextField(_("summary"), blank=True)
    body = StreamField(StoryBodyBlock(), verbose_name=_("body"), blank=True)
    discussion_questions = models.TextField(
        _("discussion questions"),
        blank=True,
        help_text=_("For village meetings. One question per line."),
    )
    audio = models.ForeignKey(
        "wagtaildocs.Document",
        verbose_name=_("audio (optional)"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("An .mp3 or .m4a recording of the story."),
    )

    content_panels = Page.content_panels + [
        FieldPanel("community"),
        FieldPanel("summary"),
        FieldPanel("body"),
        FieldPanel("discussion_questions"),
        FieldPanel("audio"),
    ]
    parent_page_types = ["content.StoryVolumePage"]
    subpage_types = []
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("community"),
        index.SearchField("search_folded"),
    ]

    class Meta:
        verbose_name = _("story")
        verbose_name_plural = _("stories")

    def search_text_parts(self) -> list[str]:
        return (
            super().search_text_parts()
            + [self.community, self.discussion_questions]
            + stream_text(self.body)
        )

    def discussion_question_list(self) -> list[str]:
        return [line.strip() for line in self.discussion_questions.splitlines() if line.strip()]
