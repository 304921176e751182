"""The admin's rich text editor: Wagtail's Draftail, with a value it cannot read refused as a
form error instead of a server error.

Draftail sends its content as JSON (contentstate), which Wagtail's widget turns into HTML while
the form is read, before any validation. A value that is not contentstate (Draftail never sends
one; a scanner or a hand-made request does) made that conversion raise out of the page editor
with a 500. Here the widget reads such a value as `Unreadable`, which the form field refuses
with a message, so the editor shows the form again and nothing is saved. It serves every rich
text field and block (WAGTAILADMIN_RICH_TEXT_EDITORS in the settings).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.admin.rich_text import DraftailRichTextArea as WagtailDraftailRichTextArea

UNREADABLE_MESSAGE = _(
    "The editor's content could not be read. Reload the page and make your change again."
)


class Unreadable:
    """What the widget read when the editor's value was not contentstate.

    Form fields (Django's CharField, which rich text fields and blocks use) read their value as
    text with str(); here that raises the validation error, so the form is invalid and shows
    the message on the field. The widget draws it as an empty editor."""

    def __str__(self):
        raise ValidationError(UNREADABLE_MESSAGE, code="unreadable")


class DraftailRichTextArea(WagtailDraftailRichTextArea):
    def value_from_datadict(self, data, files, name):
        try:
            return super().value_from_datadict(data, files, name)
        # Not JSON (ValueError), or JSON that is not contentstate: the exporter then fails on
        # a missing key, a wrong type or a value without the expected attributes.
        except (ValueError, TypeError, LookupError, AttributeError):
            return Unreadable()

    def format_value(self, value):
        return super().format_value("" if isinstance(value, Unreadable) else value)
