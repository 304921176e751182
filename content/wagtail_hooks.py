"""Admin wiring for non-page models: quizzes are snippets with nested question/choice panels."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from content.models import Quiz
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
        "attempts_allowed",
        Column("question_count", label=_("Questions")),
    ]
    search_fields = ["title"]
    search_backend_name = None  # plain ORM search on the title
    ordering = ["title"]

    def get_queryset(self, request):
        return Quiz.objects.annotate(question_count=Count("questions"))


register_snippet(QuizViewSet)
