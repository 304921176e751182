"""StreamField blocks shared by lessons and stories.

Every chooser block fetches its objects in one query per block type (bulk_to_python), so a
page with 50 images costs the same number of queries as a page with 5. The quiz block shows
only the quiz's title and number of questions: choices, correct answers and explanations
never reach the learner's browser from here.
"""

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock
from wagtail.snippets.blocks import SnippetChooserBlock

RICH_TEXT_FEATURES = ["h3", "bold", "italic", "ol", "ul", "link", "document-link"]


class RenditionImageChooserBlock(ImageChooserBlock):
    """Fetches the images and their existing renditions in two queries for the whole page."""

    def bulk_to_python(self, values):
        values = list(values)
        objects = self.model_class.objects.prefetch_renditions().in_bulk(
            [v for v in values if v is not None]
        )
        return [objects.get(value) for value in values]


class QuizChooserBlock(SnippetChooserBlock):
    """A quiz with its number of questions counted in the same query for all quiz blocks."""

    def __init__(self, **kwargs):
        super().__init__("content.Quiz", **kwargs)

    def bulk_to_python(self, values):
        values = list(values)
        objects = self.model_class.objects.annotate(question_count=Count("questions")).in_bulk(
            [v for v in values if v is not None]
        )
        return [objects.get(value) for value in values]


class HeadingBlock(blocks.CharBlock):
    class Meta:
        icon = "title"
        template = "content/blocks/heading.html"
        label = _("Heading")


class ImageBlock(blocks.StructBlock):
    image = RenditionImageChooserBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=255)

    class Meta:
        icon = "image"
        template = "content/blocks/image.html"
        label = _("Image with caption")


class VideoBlock(blocks.StructBlock):
    """An uploaded video file (a document: mp4) or an embed URL.

    Embeds need an oEmbed finder; this site calls no other host (WAGTAILEMBEDS_FINDERS = []),
    so uploaded files are the way to go. The embed field stays for sites that enable a finder.
    """

    file = DocumentChooserBlock(
        label=_("Video file"), required=False, help_text=_("An uploaded .mp4 file.")
    )
    embed = EmbedBlock(
        label=_("Embed URL"),
        required=False,
        help_text=_("Only works if an embed provider is enabled in the settings."),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=255)

    def clean(self, value):
        value = super().clean(value)
        if not value.get("file") and not value.get("embed"):
            raise ValidationError(_("Choose a video file or enter an embed URL."))
        return value

    class Meta:
        icon = "media"
        template = "content/blocks/video.html"
        label = _("Video")


class DocumentBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Link text"), required=False, help_text=_("Defaults to the document's title.")
    )
    description = blocks.CharBlock(label=_("Description"), required=False)

    class Meta:
        icon = "doc-full"
        template = "content/blocks/document.html"
        label = _("Document download")


class CalloutBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False)
    text = blocks.RichTextBlock(label=_("Text"), features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "warning"
        template = "content/blocks/callout.html"
        label = _("Callout")


class KeyPointsBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False)
    points = blocks.ListBlock(blocks.CharBlock(label=_("Point")), label=_("Points"))

    class Meta:
        icon = "list-ul"
        template = "content/blocks/key_points.html"
        label = _("Key points")


class StoryLinkBlock(blocks.StructBlock):
    page = blocks.PageChooserBlock(label=_("Story"), page_type="content.StoryPage")
    note = blocks.CharBlock(
        label=_("Why read it"), required=False, help_text=_("One sentence for the learner.")
    )

    class Meta:
        icon = "openquote"
        template = "content/blocks/story_link.html"
        label = _("Story")


class DiscussionBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False)
    questions = blocks.ListBlock(blocks.CharBlock(label=_("Question")), label=_("Questions"))

    class Meta:
        icon = "help"
        template = "content/blocks/discussion.html"
        label = _("Discussion questions")


class QuizBlock(blocks.StructBlock):
    quiz = QuizChooserBlock(label=_("Quiz"))
    intro = blocks.CharBlock(label=_("Introduction"), required=False)

    class Meta:
        icon = "tasks"
        template = "content/includes/quiz_block.html"
        label = _("Quiz")


def paragraph_block() -> blocks.RichTextBlock:
    return blocks.RichTextBlock(
        label=_("Rich text"), features=RICH_TEXT_FEATURES, template="content/blocks/paragraph.html"
    )


class LessonBodyBlock(blocks.StreamBlock):
    paragraph = paragraph_block()
    heading = HeadingBlock()
    image = ImageBlock()
    video = VideoBlock()
    document = DocumentBlock()
    callout = CalloutBlock()
    key_points = KeyPointsBlock()
    story = StoryLinkBlock()
    discussion = DiscussionBlock()
    quiz = QuizBlock()


class StoryBodyBlock(blocks.StreamBlock):
    paragraph = paragraph_block()
    heading = HeadingBlock()
    image = ImageBlock()
    callout = CalloutBlock()
    key_points = KeyPointsBlock()
