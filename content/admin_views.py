"""Admin pages of content that are not Wagtail's own views."""

from __future__ import annotations

from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _


def quiz_delete_refused(request, rows):
    """The admin page that refuses a deletion: for each quiz, where it is used (`uses`, a list
    of content.selectors.QuizUse) and any other reason (`reason`, a sentence)."""
    return TemplateResponse(
        request,
        "content/admin/quiz_delete_refused.html",
        {
            "rows": [{"quiz": quiz, "uses": uses, "reason": reason} for quiz, uses, reason in rows],
            "page_title": _("This quiz cannot be deleted"),
            "header_title": _("This quiz cannot be deleted"),
            "header_icon": "tasks",
        },
        status=200 if request.method == "GET" else 409,
    )
