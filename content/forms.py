"""Admin forms of content's snippets.

The quiz form checks what a single question's fields cannot: each question has a correct
choice, and a single-answer question (single choice, true or false) has exactly one. The error
is shown on the question itself, so the author sees which one to fix. It applies to drafts
too: a quiz that cannot be graded is never worth saving.
"""

from __future__ import annotations

from wagtail.admin.forms import WagtailAdminModelForm

from content.models import question_choice_problem


def _kept_forms(formset):
    """The forms of a formset that will be saved: cleaned, not deleted, not left empty."""
    kept = []
    for form in formset.forms:
        form.is_valid()  # cleans the form (and its own nested formsets) once; cached after
        if formset.can_delete and formset._should_delete_form(form):
            continue
        if form.empty_permitted and not form.has_changed():
            continue
        kept.append(form)
    return kept


class QuizForm(WagtailAdminModelForm):
    def clean(self):
        cleaned_data = super().clean()
        questions = self.formsets.get("questions")
        if questions is None:
            return cleaned_data
        for question_form in _kept_forms(questions):
            choices = question_form.formsets.get("choices")
            if choices is None or not hasattr(question_form, "cleaned_data"):
                continue
            kept = _kept_forms(choices)
            correct = sum(1 for form in kept if form.cleaned_data.get("is_correct"))
            problem = question_choice_problem(
                question_form.cleaned_data.get("kind") or "", correct, len(kept)
            )
            if problem is not None:
                question_form.add_error(None, problem)
        return cleaned_data
