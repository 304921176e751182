"""Writes of the online path: enrolment, lesson progress and quiz attempts.

Quiz attempts are graded on the server. The question and choice order is stored with the
attempt, answers are saved one by one as they are given, and submitting is a conditional
UPDATE, so a double click or a replayed request records one attempt.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models import CoursePage, QuestionKind, Quiz
from courses.learning.completion import enrolment_evaluate
from courses.learning.models import Enrolment, LessonProgress, QuizAnswer, QuizAttempt
from courses.registry.models import Cadre


class LearningError(Exception):
    """A request the learner may not make; `status` is the HTTP status a view should give."""

    status = 400

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        if status is not None:
            self.status = status


class NotAllowed(LearningError):
    status = 403


class BadAnswer(LearningError):
    status = 400


# --- Enrolment ------------------------------------------------------------------------------


def enrolment_create(
    *, cadre: Cadre, course: CoursePage, by=None, self_service: bool = False
) -> tuple[Enrolment, bool]:
    """Enrol a cadre in a course (idempotent). Self-service needs the course to allow it."""
    if self_service and not course.allow_self_enrolment:
        raise NotAllowed(_("This course does not accept self-enrolment."))
    try:
        with transaction.atomic():
            return Enrolment.objects.get_or_create(
                cadre=cadre, course=course, defaults={"enrolled_by": by}
            )
    except IntegrityError:
        return Enrolment.objects.get(cadre=cadre, course=course), False


def enrolments_bulk_create(*, cadres: QuerySet[Cadre], course: CoursePage, by=None) -> int:
    """Enrol every cadre of a (scoped, filtered) queryset; returns how many were new."""
    existing = set(
        Enrolment.objects.filter(course=course, cadre__in=cadres).values_list("cadre_id", flat=True)
    )
    new = [
        Enrolment(cadre_id=pk, course=course, enrolled_by=by)
        for pk in cadres.values_list("pk", flat=True)
        if pk not in existing
    ]
    Enrolment.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new)


# --- Lessons --------------------------------------------------------------------------------


def lesson_complete(*, enrolment: Enrolment, lesson_id: int, at=None) -> bool:
    """Mark a lesson of the enrolment's course done; True if the course is now complete.

    `at` is when the learner did it, for work recorded later (history back-filled, the demo);
    by default now. The completion engine dates an online completion by it."""
    if not enrolment.course.lesson_pages().filter(pk=lesson_id).exists():
        raise BadAnswer(_("This lesson is not part of the course."))
    progress, created = LessonProgress.objects.get_or_create(
        enrolment=enrolment, lesson_id=lesson_id
    )
    if created and at is not None:
        LessonProgress.objects.filter(pk=progress.pk).update(completed_at=at)
    return enrolment_evaluate(enrolment=enrolment)


# --- Quiz attempts --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizKey:
    """What the grader needs of a quiz: question kinds, valid and correct choice ids."""

    kinds: Mapping[int, str]
    choices: Mapping[int, tuple[int, ...]]
    correct: Mapping[int, frozenset[int]]


def quiz_key(*, quiz: Quiz) -> QuizKey:
    kinds: dict[int, str] = {}
    choices: dict[int, list[int]] = {}
    correct: dict[int, set[int]] = {}
    for question in quiz.questions.all().prefetch_related("choices"):
        kinds[question.pk] = question.kind
        choices[question.pk] = [c.pk for c in question.choices.all()]
        correct[question.pk] = {c.pk for c in question.choices.all() if c.is_correct}
    return QuizKey(
        kinds=kinds,
        choices={q: tuple(c) for q, c in choices.items()},
        correct={q: frozenset(c) for q, c in correct.items()},
    )


def attempts_used(*, enrolment: Enrolment, quiz: Quiz) -> int:
    return QuizAttempt.objects.filter(
        enrolment=enrolment, quiz=quiz, submitted_at__isnull=False
    ).count()


def quiz_attempt_start(*, enrolment: Enrolment, quiz: Quiz, at=None) -> QuizAttempt:
    """Resume the open attempt, or start a new one within the attempt limit (`at`: when it
    was started, for work recorded later; by default now)."""
    open_attempt = QuizAttempt.objects.filter(
        enrolment=enrolment, quiz=quiz, submitted_at__isnull=True
    ).first()
    if open_attempt is not None:
        return open_attempt
    used = attempts_used(enrolment=enrolment, quiz=quiz)
    if quiz.attempts_allowed and used >= quiz.attempts_allowed:
        raise NotAllowed(_("You have used all the attempts allowed for this quiz."))
    key = quiz_key(quiz=quiz)
    question_order = list(key.kinds)
    choice_order = {str(q): list(c) for q, c in key.choices.items()}
    if quiz.shuffle:
        rng = random.Random()
        rng.shuffle(question_order)
        for ids in choice_order.values():
            rng.shuffle(ids)
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                enrolment=enrolment,
                quiz=quiz,
                number=used + 1,
                question_order=question_order,
                choice_order=choice_order,
            )
            if at is not None:
                QuizAttempt.objects.filter(pk=attempt.pk).update(started_at=at)
                attempt.started_at = at
            return attempt
    except IntegrityError:
        # A concurrent request started it first (one open attempt per learner and quiz).
        return QuizAttempt.objects.get(enrolment=enrolment, quiz=quiz, submitted_at__isnull=True)


def _clean_answer(key: QuizKey, question_id: int, choice_ids: Iterable[int]) -> list[int]:
    if question_id not in key.kinds:
        raise BadAnswer(_("Unknown question."))
    ids = sorted(set(choice_ids))
    valid = set(key.choices[question_id])
    if any(choice not in valid for choice in ids):
        raise BadAnswer(_("Unknown answer for this question."))
    if key.kinds[question_id] != QuestionKind.MULTIPLE and len(ids) > 1:
        raise BadAnswer(_("This question takes one answer."))
    return ids


def _check_owner(attempt: QuizAttempt, cadre: Cadre) -> None:
    if attempt.enrolment.cadre_id != cadre.pk:
        raise NotAllowed(_("This attempt belongs to someone else."))


def quiz_answer_save(
    *, attempt: QuizAttempt, cadre: Cadre, question_id: int, choice_ids: Iterable[int]
) -> QuizAnswer:
    """Save one answer as it is given (autosave); the attempt must be open and the caller's."""
    _check_owner(attempt, cadre)
    if attempt.is_submitted:
        raise NotAllowed(_("This attempt has already been submitted."))
    ids = _clean_answer(quiz_key(quiz=attempt.quiz), question_id, choice_ids)
    answer, _created = QuizAnswer.objects.update_or_create(
        attempt=attempt, question_id=question_id, defaults={"choice_ids": ids}
    )
    return answer


def quiz_attempt_submit(
    *, attempt: QuizAttempt, cadre: Cadre, answers: Mapping[int, Iterable[int]], at=None
) -> QuizAttempt:
    """Save the given answers, grade the attempt and close it (idempotent). `at` is when it
    was submitted, for work recorded later (by default now): a passed final quiz completes
    the course at that moment.

    Every answer is validated before anything is written: a tampered submission changes
    nothing. Submitting an attempt that is already submitted returns it unchanged.
    """
    _check_owner(attempt, cadre)
    if attempt.is_submitted:
        return attempt
    quiz = attempt.quiz
    key = quiz_key(quiz=quiz)
    cleaned = {qid: _clean_answer(key, qid, ids) for qid, ids in answers.items()}
    with transaction.atomic():
        locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.is_submitted:
            return locked
        # Answers were mostly autosaved already: write only the new and the changed ones.
        saved = dict(
            QuizAnswer.objects.filter(attempt=locked).values_list("question_id", "choice_ids")
        )
        QuizAnswer.objects.bulk_create(
            [
                QuizAnswer(attempt=locked, question_id=qid, choice_ids=ids)
                for qid, ids in cleaned.items()
                if qid not in saved
            ]
        )
        for qid, ids in cleaned.items():
            if qid in saved and saved[qid] != ids:
                QuizAnswer.objects.filter(attempt=locked, question_id=qid).update(
                    choice_ids=ids, answered_at=timezone.now()
                )
        saved.update(cleaned)
        total = len(key.kinds)
        right = sum(
            1 for qid, correct in key.correct.items() if frozenset(saved.get(qid, [])) == correct
        )
        score = round(100 * right / total) if total else 0
        updated = QuizAttempt.objects.filter(pk=locked.pk, submitted_at__isnull=True).update(
            submitted_at=at or timezone.now(),
            score=score,
            correct_count=right,
            question_count=total,
            passed=score >= quiz.pass_mark,
        )
        locked.refresh_from_db()
        if updated and locked.passed:
            enrolment = locked.enrolment
            if enrolment.course.final_quiz_id == quiz.pk:
                enrolment_evaluate(enrolment=enrolment)
    return locked
