"""Admin wiring for non-page models: quizzes are snippets with nested question/choice panels.

Quizzes have drafts, revisions, locking and the pages' moderation workflow (Wagtail's snippet
mixins on content.models.Quiz); a data migration assigns them the workflow "Duyệt nội dung".
Trainers save and submit, reviewers approve and publish. A quiz that a course uses cannot be
deleted: the delete view (single or bulk) says where it is used instead.
"""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.panels import ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from content.admin_views import quiz_delete_refused
from content.forms import QuizForm
from content.models import Quiz
from content.selectors import quiz_usage
from lms import admin_menu


class QuizViewSet(SnippetViewSet):
    model = Quiz
    icon = "tasks"
    menu_label = _("Quizzes")
    menu_order = admin_menu.QUIZZES
    add_to_admin_menu = True
    list_display = [
        "title",
        "pass_mark",
        Column("attempts_display", label=_("Attempts allowed")),
        Column("question_count", label=_("Questions")),
        BooleanColumn("locked", label=_("Locked")),
    ]  # the status (draft, live, in moderation) is added by Wagtail for models with drafts
    # The model's panels, with the form that checks each question's correct choices.
    edit_handler = ObjectList(Quiz.panels, base_form_class=QuizForm)
    search_fields = ["title"]
    search_backend_name = None  # plain ORM search on the title
    ordering = ["title"]

    def get_queryset(self, request):
        return Quiz.objects.annotate(question_count=Count("questions"))


register_snippet(QuizViewSet)


@hooks.register("before_delete_snippet")
def refuse_deleting_a_used_quiz(request, instances):
    """Before the delete view (one quiz or several): refuse if a course uses any of them."""
    quizzes = [obj for obj in instances if isinstance(obj, Quiz)]
    used = [(quiz, uses) for quiz in quizzes if (uses := quiz_usage(quiz=quiz))]
    if not used:
        return None
    return quiz_delete_refused(request, [(quiz, uses, None) for quiz, uses in used])
