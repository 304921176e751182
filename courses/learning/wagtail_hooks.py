"""Wagtail wiring of learning: the learner's panels on content pages, and the admin view where
trainers and admins enrol people one by one or by filter.

The panels are registered for the hooks content declares (content.hooks), so that content's
pages show them without content importing courses.

The candidates for enrolment are always the caller's scope
(courses.registry.scope.cadres_visible_to): a province admin enrols within their province, a
trainer the participants of their own sessions.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from content.admin_views import quiz_delete_refused
from content.hooks import (
    COURSE_OUTLINE_LESSON_MARKS,
    COURSE_PAGE_PANELS,
    LESSON_PAGE_PANELS,
    QUIZ_BLOCK_ACTIONS,
)
from content.models import CoursePage, Quiz
from courses.learning import panels
from courses.learning.analysis import (
    HARD_BELOW,
    LOW_DISCRIMINATION_BELOW,
    MIN_ATTEMPTS_FOR_DISCRIMINATION,
    item_analysis,
)
from courses.learning.models import QuizAttempt
from courses.learning.services import enrolments_bulk_create
from courses.registry.choosers import unit_chooser
from courses.registry.models import AdminUnit, Cadre, Level, TargetGroup, UnitLevel
from courses.registry.selectors import cadres_in_unit, cadres_visible_to, units_choosable_by
from lms import admin_menu
from lms.roles import is_trainer_or_admin

PREVIEW_ROWS = 20

hooks.register(COURSE_PAGE_PANELS, panels.course_panel)
hooks.register(LESSON_PAGE_PANELS, panels.lesson_panel)
hooks.register(QUIZ_BLOCK_ACTIONS, panels.quiz_link)
hooks.register(COURSE_OUTLINE_LESSON_MARKS, panels.outline_mark)


@hooks.register("before_delete_snippet")
def refuse_deleting_an_answered_quiz(request, instances):
    """A quiz that learners have answered is kept: its attempts back completions and
    certificates (the attempt's quiz is protected in the database too)."""
    quizzes = [obj for obj in instances if isinstance(obj, Quiz)]
    if not quizzes:
        return None
    counts = dict(
        QuizAttempt.objects.filter(quiz__in=quizzes)
        .values("quiz")
        .annotate(n=Count("pk"))
        .values_list("quiz", "n")
    )
    answered = [quiz for quiz in quizzes if counts.get(quiz.pk)]
    if not answered:
        return None
    rows = []
    for quiz in answered:
        reason = ngettext(
            "Learners have made %(count)s attempt at this quiz: it is kept for their results "
            "and certificates. Unpublish it if it is no longer used.",
            "Learners have made %(count)s attempts at this quiz: it is kept for their results "
            "and certificates. Unpublish it if it is no longer used.",
            counts[quiz.pk],
        ) % {"count": counts[quiz.pk]}
        rows.append((quiz, [], reason))
    return quiz_delete_refused(request, rows)


class EnrolFilterForm(forms.Form):
    course = forms.ModelChoiceField(
        label=gettext_lazy("Course"), queryset=CoursePage.objects.live().order_by("path")
    )
    person = forms.CharField(
        label=gettext_lazy("One person: cadre id or phone"), required=False, max_length=50
    )
    # Picked by name in the unit chooser (courses/registry/choosers.py), in either structure:
    # a 2025 unit also finds the records of the 2023 units that went into it.
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Province, district or commune"),
        queryset=AdminUnit.objects.none(),
        required=False,
        help_text=gettext_lazy("Everyone recorded in this unit or in the units below it."),
    )
    level = forms.ChoiceField(
        label=gettext_lazy("Level"), required=False, choices=[("", "—"), *Level.choices]
    )
    target_group = forms.ChoiceField(
        label=gettext_lazy("Target group"), required=False,
        choices=[("", "—"), *TargetGroup.choices],
    )  # fmt: skip

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_choosable_by(user).exclude(level=UnitLevel.VILLAGE)
        unit_chooser(
            self.fields["unit"],
            levels=[UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE],
        )

    def clean(self):
        data = super().clean()
        filters = ("person", "level", "target_group")
        if data.get("unit") is None and not any((data.get(name) or "").strip() for name in filters):
            raise forms.ValidationError(
                _("Choose at least one filter, or one person: enrolling everyone is not allowed.")
            )
        return data

    def candidates(self, user):
        data = self.cleaned_data
        cadres = cadres_visible_to(user)
        person = (data.get("person") or "").strip()
        if person:
            cadres = cadres.filter(ma_can_bo=person) | cadres.filter(phone=person)
        if data.get("unit") is not None:
            cadres = cadres_in_unit(cadres, data["unit"])
        for name in ("level", "target_group"):
            value = (data.get(name) or "").strip()
            if value:
                cadres = cadres.filter(**{name: value})
        return cadres.select_related("unit").order_by("name_key", "pk")


def enrol_view(request):
    if not is_trainer_or_admin(request.user):
        raise PermissionDenied
    form = EnrolFilterForm(request.POST or None, user=request.user)
    context = {
        "form": form,
        "preview": None,
        "count": None,
        "enrolled": None,
        "page_title": _("Enrol learners"),
        "header_title": _("Enrol learners"),
        "header_icon": "group",
    }
    if request.method == "POST" and form.is_valid():
        cadres = form.candidates(request.user)
        if request.POST.get("confirm") == "1":
            context["enrolled"] = enrolments_bulk_create(
                cadres=Cadre.objects.filter(pk__in=cadres.values("pk")),
                course=form.cleaned_data["course"],
                by=request.user,
            )
        context["count"] = cadres.count()
        context["preview"] = list(cadres[:PREVIEW_ROWS])
    return render(request, "courses/learning/admin_enrol.html", context)


@hooks.register("register_admin_urls")
def register_enrol_url():
    return [path("learning/enrol/", enrol_view, name="courses_learning_enrol")]


class _TrainerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_trainer_or_admin(request.user)


@hooks.register("register_admin_menu_item")
def register_enrol_menu_item():
    return _TrainerMenuItem(
        gettext_lazy("Enrol learners"),
        reverse("courses_learning_enrol"),
        icon_name="group",
        order=admin_menu.ENROL_LEARNERS,
    )


class ItemAnalysisForm(forms.Form):
    course = forms.ModelChoiceField(
        label=gettext_lazy("Course"), queryset=CoursePage.objects.live().order_by("path")
    )


def item_analysis_view(request):
    """Per question of a chosen course's quizzes: the share answering correctly and the
    discrimination index, with the questions to look at flagged; over the attempts of the
    learners within the caller's scope (courses.registry.scope.cadres_visible_to)."""
    if not is_trainer_or_admin(request.user):
        raise PermissionDenied
    form = ItemAnalysisForm(request.GET or None)
    analyses = None
    if form.is_valid():
        analyses = item_analysis(
            course=form.cleaned_data["course"], cadres=cadres_visible_to(request.user)
        )
    return render(
        request,
        "courses/learning/admin_item_analysis.html",
        {
            "form": form,
            "analyses": analyses,
            "hard_below": round(HARD_BELOW * 100),
            "low_discrimination_below": LOW_DISCRIMINATION_BELOW,
            "min_attempts": MIN_ATTEMPTS_FOR_DISCRIMINATION,
            "page_title": _("Item analysis"),
            "header_title": _("Item analysis"),
            "header_icon": "list-ul",
        },
    )


@hooks.register("register_admin_urls")
def register_item_analysis_url():
    return [
        path("learning/item-analysis/", item_analysis_view, name="courses_learning_item_analysis")
    ]


@hooks.register("register_admin_menu_item")
def register_item_analysis_menu_item():
    return _TrainerMenuItem(
        gettext_lazy("Item analysis"),
        reverse("courses_learning_item_analysis"),
        icon_name="list-ul",
        order=admin_menu.ITEM_ANALYSIS,
    )


@hooks.register("register_log_actions")
def register_completion_log_actions(actions):
    actions.register_action(
        "courses.completion_withdrawn",
        gettext_lazy("Completion withdrawn"),
        gettext_lazy("Completion withdrawn: a presence that completed a course was taken back"),
    )
    actions.register_action(
        "courses.completion_redated",
        gettext_lazy("Completion dated again"),
        gettext_lazy("Completion dated again: what dated it changed"),
    )


# --- A course that people study is unpublished, not deleted ----------------------------------


@hooks.register("before_delete_page")
def refuse_deleting_a_studied_course(request, page):
    """Deleting a course would take its learners' enrolments, progress and attempts with it
    (and fail on its sessions and certificates): while any course in the page's subtree has
    learners or sessions, the delete view answers with the reason and the way to hide it."""
    from django.contrib import messages
    from django.shortcuts import redirect

    from courses.learning.models import Enrolment
    from courses.sessions.models import TrainingSession

    courses = CoursePage.objects.descendant_of(page, inclusive=True)
    learners = Enrolment.objects.filter(course__in=courses).count()
    sessions = TrainingSession.objects.filter(course__in=courses).count()
    if not (learners or sessions):
        return None
    messages.error(
        request,
        _(
            "“%(title)s” cannot be deleted: %(learners)s learners are enrolled and "
            "%(sessions)s training sessions are recorded for it. Unpublish it to hide it from "
            "learners; their records stay."
        )
        % {"title": page.get_admin_display_title(), "learners": learners, "sessions": sessions},
    )
    return redirect("wagtailadmin_pages:edit", page.pk)
