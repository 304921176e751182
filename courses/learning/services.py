"""Writes of the online path: enrolment, lesson progress and quiz attempts.

Quiz attempts are graded on the server. The question and choice order is stored with the
attempt, answers are saved one by one as they are given, and submitting is a conditional
UPDATE, so a double click or a replayed request records one attempt.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from content.caching import quiz_cached
from content.models import (
    CoursePage,
    LessonPage,
    QuestionKind,
    Quiz,
    QuizQuestion,
)
from content.selectors import course_uses_quiz
from courses.counters.gain import knowledge_score_set, knowledge_scores_forget
from courses.learning.completion import enrolment_evaluate
from courses.learning.models import Enrolment, LessonProgress, QuizAnswer, QuizAttempt
from courses.learning.selectors import lesson_blocked_by, lesson_links, quiz_gate
from courses.learning.signals import enrolment_merging
from courses.registry.models import Cadre
from lms.rows import row_insert_new


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


class NotInCourse(LearningError):
    """The quiz (or attempt) is not one of the enrolment's course: for the learner it does
    not exist."""

    status = 404


class NotYet(NotAllowed):
    """Something to do first (an earlier lesson); `next_lesson` is where to go."""

    def __init__(self, message: str, next_lesson=None):
        super().__init__(message)
        self.next_lesson = next_lesson


class Unanswered(LearningError):
    """Questions left without an answer: the learner confirms before the attempt is graded.
    `question_ids` in the attempt's order."""

    status = 409

    def __init__(self, message: str, question_ids: list[int]):
        super().__init__(message)
        self.question_ids = question_ids


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


def lesson_complete(
    *, enrolment: Enrolment, lesson_id: int, at=None, lessons: list[LessonPage] | None = None,
    done: set[int] | None = None,
) -> bool:  # fmt: skip
    """Mark a lesson of the enrolment's course done; True if the course is now complete.

    `at` is when the learner did it, for work recorded later (history back-filled, the demo);
    by default now. The completion engine dates an online completion by it. `lessons`: the
    course's live lessons in tree order, and `done` the ids of the lessons the enrolment has
    done, when the caller has just read them.

    When the course requires its lessons in order, a lesson is refused (nothing written)
    until every lesson before it is done. A lesson done before is not written again."""
    course = enrolment.course
    if lessons is None:
        lessons = lesson_links(course)
    if not any(lesson.pk == lesson_id for lesson in lessons):
        raise BadAnswer(_("This lesson is not part of the course."))
    if done is None and course.require_lessons_in_order:
        done = set(
            LessonProgress.objects.filter(enrolment=enrolment).values_list("lesson_id", flat=True)
        )
    if course.require_lessons_in_order:
        blocker = lesson_blocked_by(course=course, lessons=lessons, done=done, lesson_id=lesson_id)
        if blocker is not None and lesson_id not in done:
            raise NotYet(
                _(
                    "This course is studied in order: finish the lesson “%(lesson)s” before "
                    "marking this one done."
                )
                % {"lesson": blocker.title},
                next_lesson=blocker,
            )
    if done is None or lesson_id not in done:
        # One statement, which does nothing if the lesson was done meanwhile (another tab).
        progress = LessonProgress(enrolment=enrolment, lesson_id=lesson_id)
        created = row_insert_new(progress, conflict=("enrolment", "lesson"))
        if created and at is not None:
            LessonProgress.objects.filter(pk=progress.pk).update(completed_at=at)
    return enrolment_evaluate(enrolment=enrolment, lesson_ids={lesson.pk for lesson in lessons})


# --- Quiz attempts --------------------------------------------------------------------------


@dataclass(frozen=True)
class QuizKey:
    """What the grader needs of a quiz: question kinds, valid and correct choice ids."""

    kinds: Mapping[int, str]
    choices: Mapping[int, tuple[int, ...]]
    correct: Mapping[int, frozenset[int]]


def quiz_key(*, quiz: Quiz | None = None, quiz_id: int | None = None) -> QuizKey:
    """The key of a quiz's rows (its published version), from one query of plain values,
    read once per change of the quiz rows (content/caching.py)."""
    quiz_id = quiz.pk if quiz is not None else quiz_id
    return quiz_cached(quiz_id, "key", lambda: _quiz_key_read(quiz_id))


def _quiz_key_read(quiz_id: int) -> QuizKey:
    kinds: dict[int, str] = {}
    choices: dict[int, list[int]] = {}
    correct: dict[int, set[int]] = {}
    rows = (
        QuizQuestion.objects.filter(quiz_id=quiz_id)
        .order_by("sort_order", "pk", "choices__sort_order", "choices__pk")
        .values_list("pk", "kind", "choices__pk", "choices__is_correct")
    )
    for question_id, kind, choice_id, is_correct in rows:
        if question_id not in kinds:
            kinds[question_id] = kind
            choices[question_id] = []
            correct[question_id] = set()
        if choice_id is not None:
            choices[question_id].append(choice_id)
            if is_correct:
                correct[question_id].add(choice_id)
    return QuizKey(
        kinds=kinds,
        choices={q: tuple(c) for q, c in choices.items()},
        correct={q: frozenset(c) for q, c in correct.items()},
    )


def attempts_used(*, enrolment: Enrolment, quiz: Quiz) -> int:
    return QuizAttempt.objects.filter(
        enrolment=enrolment, quiz=quiz, submitted_at__isnull=False
    ).count()


def _require_published(quiz: Quiz) -> None:
    if not quiz.is_published:
        raise NotAllowed(_("This quiz has not been published yet."))


def quiz_require_open(*, enrolment: Enrolment, quiz_id: int, opening: bool = True) -> None:
    """Refuse a quiz the enrolment's course does not use (NotInCourse), and, when `opening`
    (starting or submitting an attempt), one the learner may not take yet (NotYet: the
    lessons before it)."""
    if not opening:
        if not course_uses_quiz(course=enrolment.course, quiz_id=quiz_id):
            raise NotInCourse(_("This quiz is not part of the course."))
        return
    gate = quiz_gate(enrolment=enrolment, quiz_id=quiz_id)
    if not gate.used:
        raise NotInCourse(_("This quiz is not part of the course."))
    if not gate.open:
        raise NotYet(gate.message, next_lesson=gate.next_lesson)


def _orders(key: QuizKey, *, shuffle: bool, keep: QuizAttempt | None = None):
    """Question and choice order for an attempt: the quiz's order (shuffled if the quiz says
    so), or, for an open attempt that follows a new version, its own order for what is still
    there and the new questions and choices after it."""
    rng = random.Random()
    new_questions = [q for q in key.kinds if keep is None or q not in keep.question_order]
    if shuffle:
        rng.shuffle(new_questions)
    question_order = (
        [q for q in keep.question_order if q in key.kinds] if keep is not None else []
    ) + new_questions
    choice_order = {}
    for q, ids in key.choices.items():
        kept = [c for c in (keep.choice_order.get(str(q), []) if keep else []) if c in ids]
        added = [c for c in ids if c not in kept]
        if shuffle:
            rng.shuffle(added)
        choice_order[str(q)] = kept + added
    return question_order, choice_order


def quiz_attempt_follow_live(*, attempt: QuizAttempt, quiz: Quiz, key: QuizKey) -> bool:
    """Move an open attempt to the quiz's published version if a newer one was published
    since it started: its order follows the new questions and choices, answers that no longer
    fit are dropped. True if it moved. An attempt from before quizzes had revisions takes the
    live revision as it is (that revision was made from the same rows)."""
    if attempt.quiz_revision_id == quiz.live_revision_id:
        return False
    if attempt.quiz_revision_id is None:
        attempt.quiz_revision_id = quiz.live_revision_id
        QuizAttempt.objects.filter(pk=attempt.pk).update(quiz_revision_id=quiz.live_revision_id)
        return False
    question_order, choice_order = _orders(key, shuffle=quiz.shuffle, keep=attempt)
    with transaction.atomic():
        for answer in QuizAnswer.objects.filter(attempt=attempt):
            valid = set(key.choices.get(answer.question_id, ()))
            if not set(answer.choice_ids) <= valid:
                answer.delete()
        attempt.question_order = question_order
        attempt.choice_order = choice_order
        attempt.quiz_revision_id = quiz.live_revision_id
        attempt.save(update_fields=["question_order", "choice_order", "quiz_revision"])
    return True


class QuizChanged(LearningError):
    """The quiz was updated while the attempt was open; the attempt now shows the new version."""

    status = 409


def quiz_attempt_start(
    *, enrolment: Enrolment, quiz: Quiz, at=None, for_device: bool = False,
    attempts: list[QuizAttempt] | None = None,
) -> QuizAttempt:  # fmt: skip
    """Resume the open attempt, or start a new one within the attempt limit (`at`: when it
    was started, for work recorded later; by default now).

    `for_device`: the work comes from the quiz page stored on the learner's device, answered
    offline after the lessons stored with it. The attempt starts although the lessons before
    the quiz are not done yet on the server; it can be submitted only once they are (the
    submission checks the gate again, after the device's lessons arrive in order).

    Only a published quiz can be taken, and always in its published version: the attempt
    records that revision. An open attempt follows a version published since it started.

    The quiz must be one the enrolment's course uses, open to the learner now
    (quiz_require_open); otherwise nothing is written. `attempts`: the enrolment's attempts at
    the quiz, when the caller has just read them (the open one and the count come from them)."""
    _require_published(quiz)
    quiz_require_open(enrolment=enrolment, quiz_id=quiz.pk, opening=not for_device)
    if attempts is None:
        open_attempt = QuizAttempt.objects.filter(
            enrolment=enrolment, quiz=quiz, submitted_at__isnull=True
        ).first()
    else:
        open_attempt = next((a for a in attempts if not a.is_submitted), None)
    if open_attempt is not None:
        if open_attempt.quiz_revision_id != quiz.live_revision_id:
            quiz_attempt_follow_live(attempt=open_attempt, quiz=quiz, key=quiz_key(quiz=quiz))
        return open_attempt
    if attempts is None:
        used = attempts_used(enrolment=enrolment, quiz=quiz)
    else:
        used = sum(1 for a in attempts if a.is_submitted)
    limit = quiz.attempt_limit
    if limit is not None and used >= limit:
        raise NotAllowed(_("You have used all the attempts allowed for this quiz."))
    question_order, choice_order = _orders(quiz_key(quiz=quiz), shuffle=quiz.shuffle)
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                enrolment=enrolment,
                quiz=quiz,
                quiz_revision_id=quiz.live_revision_id,
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


@dataclass(frozen=True)
class DeviceQuiz:
    """A quiz as the page stored on a device shows it: the attempt number it will be, the
    order of its questions and choices, and the answers already saved."""

    number: int
    question_order: list[int]
    choice_order: dict[str, list[int]]
    answers: dict[int, list[int]]


def quiz_device_copy(*, enrolment: Enrolment, quiz: Quiz) -> DeviceQuiz:
    """The quiz for the page a course stored on the learner's device keeps. Nothing is
    written: storing a course never starts an attempt, nor uses one up; the answers given on
    the stored page start the attempt (or continue the open one) when they reach the server
    (quiz_attempt_start with `for_device`).

    The lessons before the quiz need not be done yet on the server (they are done offline
    first). An open attempt is shown as it is, with its saved answers; without one, a learner
    who has used every attempt gets NotAllowed, as online."""
    _require_published(quiz)
    quiz_require_open(enrolment=enrolment, quiz_id=quiz.pk, opening=False)
    open_attempt = QuizAttempt.objects.filter(
        enrolment=enrolment, quiz=quiz, submitted_at__isnull=True
    ).first()
    if open_attempt is not None and open_attempt.quiz_revision_id == quiz.live_revision_id:
        return DeviceQuiz(
            number=open_attempt.number,
            question_order=open_attempt.question_order,
            choice_order=open_attempt.choice_order,
            answers=dict(open_attempt.answers.values_list("question_id", "choice_ids")),
        )
    used = attempts_used(enrolment=enrolment, quiz=quiz)
    if open_attempt is None and quiz.attempt_limit is not None and used >= quiz.attempt_limit:
        raise NotAllowed(_("You have used all the attempts allowed for this quiz."))
    question_order, choice_order = _orders(quiz_key(quiz=quiz), shuffle=quiz.shuffle)
    number = open_attempt.number if open_attempt is not None else used + 1
    return DeviceQuiz(number=number, question_order=question_order, choice_order=choice_order,
                      answers={})  # fmt: skip


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
    """Save one answer as it is given (autosave); the attempt must be open and the caller's.
    One statement writes it, new or changed (an insert that updates the row already there)."""
    _check_owner(attempt, cadre)
    if attempt.is_submitted:
        raise NotAllowed(_("This attempt has already been submitted."))
    quiz_require_open(enrolment=attempt.enrolment, quiz_id=attempt.quiz_id, opening=False)
    ids = _clean_answer(quiz_key(quiz_id=attempt.quiz_id), question_id, choice_ids)
    (answer,) = QuizAnswer.objects.bulk_create(
        [QuizAnswer(attempt=attempt, question_id=question_id, choice_ids=ids)],
        update_conflicts=True,
        unique_fields=["attempt", "question"],
        update_fields=["choice_ids", "answered_at"],
    )
    return answer


def _save_answers(attempt: QuizAttempt, cleaned: Mapping[int, list[int]]) -> dict:
    """Write the new and changed answers of an open attempt; returns every saved answer."""
    saved = dict(
        QuizAnswer.objects.filter(attempt=attempt).values_list("question_id", "choice_ids")
    )
    QuizAnswer.objects.bulk_create(
        [
            QuizAnswer(attempt=attempt, question_id=qid, choice_ids=ids)
            for qid, ids in cleaned.items()
            if qid not in saved
        ]
    )
    for qid, ids in cleaned.items():
        if qid in saved and saved[qid] != ids:
            QuizAnswer.objects.filter(attempt=attempt, question_id=qid).update(
                choice_ids=ids, answered_at=timezone.now()
            )
    saved.update(cleaned)
    return saved


def quiz_answers_keep(
    *, attempt: QuizAttempt, cadre: Cadre, answers: Mapping[int, Iterable[int]]
) -> list[int]:
    """Save the answers of a submission that stops at the confirmation (questions left
    unanswered), without grading: going back to the quiz finds them. Returns the ids of the
    questions still unanswered, in the attempt's order."""
    _check_owner(attempt, cadre)
    if attempt.is_submitted:
        raise NotAllowed(_("This attempt has already been submitted."))
    quiz_require_open(enrolment=attempt.enrolment, quiz_id=attempt.quiz_id, opening=False)
    key = quiz_key(quiz_id=attempt.quiz_id)
    cleaned = {qid: _clean_answer(key, qid, ids) for qid, ids in answers.items()}
    with transaction.atomic():
        saved = _save_answers(attempt, cleaned)
    return _unanswered(attempt, key, saved)


def _unanswered(attempt: QuizAttempt, key: QuizKey, saved: Mapping[int, list[int]]) -> list[int]:
    order = [q for q in attempt.question_order if q in key.kinds]
    order += [q for q in key.kinds if q not in order]
    return [q for q in order if not saved.get(q)]


def quiz_attempt_submit(
    *,
    attempt: QuizAttempt,
    cadre: Cadre,
    answers: Mapping[int, Iterable[int]],
    at=None,
    unanswered_confirmed: bool = False,
) -> QuizAttempt:
    """Save the given answers, grade the attempt against the published version of the quiz and
    close it (idempotent). `at` is when it was submitted, for work recorded later (by default
    now): a passed final quiz completes the course at that moment.

    Every answer is validated before anything is written: a tampered submission changes
    nothing. Submitting an attempt that is already submitted returns it unchanged. The quiz
    must still be one of the course's, open to the learner. Questions left unanswered (given
    now or saved before) raise Unanswered, and nothing is written, unless the learner
    confirmed (`unanswered_confirmed`): a blank submission never uses up an attempt unasked.
    """
    _check_owner(attempt, cadre)
    if attempt.is_submitted:
        return attempt
    quiz = attempt.quiz
    _require_published(quiz)
    quiz_require_open(enrolment=attempt.enrolment, quiz_id=quiz.pk)
    key = quiz_key(quiz=quiz)
    if quiz_attempt_follow_live(attempt=attempt, quiz=quiz, key=key):
        # The answers were given to the earlier version: the learner checks them against the
        # new one before submitting (those that still fit are kept).
        raise QuizChanged(
            _(
                "This quiz was updated while you were answering. Your answers that still fit "
                "are kept: check them and submit again."
            )
        )
    cleaned = {qid: _clean_answer(key, qid, ids) for qid, ids in answers.items()}
    if not unanswered_confirmed:
        before = dict(
            QuizAnswer.objects.filter(attempt=attempt).values_list("question_id", "choice_ids")
        )
        missing = _unanswered(attempt, key, {**before, **cleaned})
        if missing:
            raise Unanswered(
                _("Some questions have no answer. Confirm to submit the attempt anyway."),
                question_ids=missing,
            )
    with transaction.atomic():
        locked = QuizAttempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.is_submitted:
            return locked
        # Answers were mostly autosaved already: write only the new and the changed ones.
        saved = _save_answers(locked, cleaned)
        total = len(key.kinds)
        right = sum(
            1 for qid, correct in key.correct.items() if frozenset(saved.get(qid, [])) == correct
        )
        score = round(100 * right / total) if total else 0
        graded = {
            "submitted_at": at or timezone.now(),
            "score": score,
            "correct_count": right,
            "question_count": total,
            "passed": score >= quiz.pass_mark,
            "quiz_revision_id": quiz.live_revision_id,
        }
        updated = QuizAttempt.objects.filter(pk=locked.pk, submitted_at__isnull=True).update(
            **graded
        )
        if not updated:
            locked.refresh_from_db()
        else:
            # The row holds what was just written (and the lock keeps it so); the enrolment
            # is the caller's, with its course.
            for name, value in graded.items():
                setattr(locked, name, value)
            if locked.enrolment_id == attempt.enrolment_id:
                locked.enrolment = attempt.enrolment
        if updated and quiz.pk in _gain_quizzes(locked.enrolment.course):
            knowledge_score_online_refresh(enrolment=locked.enrolment)
        if updated and locked.passed:
            enrolment = locked.enrolment
            if enrolment.course.final_quiz_id == quiz.pk:
                enrolment_evaluate(enrolment=enrolment)
    return locked


# --- Knowledge gain (online) -----------------------------------------------------------------


def _gain_quizzes(course: CoursePage) -> set[int]:
    """The quizzes that measure the knowledge gain online: a course's pre-test and its final
    quiz (the post-test), only when it names a pre-test (without one there is nothing to
    measure the gain from)."""
    if not course.pre_test_id:
        return set()
    return {pk for pk in (course.pre_test_id, course.final_quiz_id) if pk}


def knowledge_score_online(*, enrolment: Enrolment) -> tuple[int | None, int | None]:
    """A learner's online (pre, post) scores on their course, from their submitted attempts.

    Pre: the score of their first attempt at the course's pre-test, if it was submitted
    before they completed any lesson (a pre-test taken after studying measures nothing
    before the training, and is not counted). Post: their best score at the final quiz (the
    most they showed they know; once passed it is also the passing score)."""
    course = enrolment.course
    pre = post = None
    if not course.pre_test_id:
        return None, None
    if course.pre_test_id:
        first = (
            QuizAttempt.objects.filter(
                enrolment=enrolment, quiz_id=course.pre_test_id, submitted_at__isnull=False
            )
            .order_by("number")
            .values_list("score", "submitted_at")
            .first()
        )
        if first is not None:
            studied = (
                LessonProgress.objects.filter(enrolment=enrolment)
                .order_by("completed_at")
                .values_list("completed_at", flat=True)
                .first()
            )
            if studied is None or first[1] <= studied:
                pre = first[0]
    if course.final_quiz_id:
        best = QuizAttempt.objects.filter(
            enrolment=enrolment, quiz_id=course.final_quiz_id, submitted_at__isnull=False
        ).aggregate(best=Max("score"))["best"]
        post = best
    return pre, post


def knowledge_score_from_attempt(*, attempt: QuizAttempt) -> bool:
    """Count a submitted attempt in its learner's knowledge gain. An attempt at a quiz that
    is neither its course's pre-test nor its final quiz is refused, and nothing is written.
    True if the learner's scores changed."""
    enrolment = attempt.enrolment
    course = enrolment.course
    if attempt.quiz_id not in {course.pre_test_id, course.final_quiz_id} - {None}:
        raise ValidationError(
            _("This quiz is not the pre-test or the final quiz of the learner's course."),
            code="other_course",
        )
    if not attempt.is_submitted:
        raise ValidationError(_("This attempt has not been submitted yet."), code="open")
    return knowledge_score_online_refresh(enrolment=enrolment)


def knowledge_score_online_refresh(*, enrolment: Enrolment) -> bool:
    """Set the learner's online scores on the course from their attempts (inside the
    caller's transaction), so the knowledge-gain rollup follows. True if they changed."""
    pre, post = knowledge_score_online(enrolment=enrolment)
    return knowledge_score_set(
        cadre=enrolment.cadre, course_id=enrolment.course_id, pre=pre, post=post
    )


# --- Two records of one person merged --------------------------------------------------------


def _advance(enrolment: Enrolment) -> tuple:
    """Sorts the more advanced enrolment first: completed, and earlier; then more lessons
    done; then the older."""
    done = enrolment.completed_at is not None
    return (not done, enrolment.completed_at if done else None, -enrolment.lessons_done,
            enrolment.enrolled_at, enrolment.pk)  # fmt: skip


def _progress_move(*, source: Enrolment, target: Enrolment) -> None:
    """Lessons done under `source` count for `target`, each at its earlier moment."""
    held = dict(
        LessonProgress.objects.filter(enrolment=target).values_list("lesson_id", "completed_at")
    )
    for row in LessonProgress.objects.filter(enrolment=source).order_by("pk"):
        if row.lesson_id not in held:
            LessonProgress.objects.filter(pk=row.pk).update(enrolment=target)
            continue
        if row.completed_at < held[row.lesson_id]:
            LessonProgress.objects.filter(enrolment=target, lesson_id=row.lesson_id).update(
                completed_at=row.completed_at
            )
        LessonProgress.objects.filter(pk=row.pk).delete()


# Attempt numbers are moved out of the way through this range while they are renumbered
# (one attempt number per learner and quiz is unique).
_RENUMBER_OFFSET = 20000


def _attempts_move(*, source: Enrolment, target: Enrolment) -> None:
    """Quiz attempts under `source` join those of `target`, numbered again in the order they
    were started. Of two open attempts at one quiz, the target's stays (the other, never
    submitted, is discarded: one open attempt per learner and quiz)."""
    open_quizzes = set(
        QuizAttempt.objects.filter(enrolment=target, submitted_at__isnull=True).values_list(
            "quiz_id", flat=True
        )
    )
    QuizAttempt.objects.filter(
        enrolment=source, submitted_at__isnull=True, quiz_id__in=open_quizzes
    ).delete()
    quizzes = set(QuizAttempt.objects.filter(enrolment=source).values_list("quiz_id", flat=True))
    for quiz_id in sorted(quizzes):
        attempts = list(
            QuizAttempt.objects.filter(enrolment__in=[source, target], quiz_id=quiz_id).order_by(
                "started_at", "pk"
            )
        )
        for index, attempt in enumerate(attempts):
            QuizAttempt.objects.filter(pk=attempt.pk).update(
                enrolment=target, number=_RENUMBER_OFFSET + index
            )
        for index, attempt in enumerate(attempts):
            QuizAttempt.objects.filter(pk=attempt.pk).update(number=index + 1)


def enrolments_merge(*, kept: Cadre, duplicate: Cadre) -> int:
    """Two records of one person become one (inside the merge's transaction): the duplicate's
    enrolments go to the kept record, with their progress, attempts and certificate. Where
    both are enrolled in one course, the more advanced enrolment stays (completed first, then
    more lessons done), takes the other's progress and attempts, and `enrolment_merging` lets
    the certificates app move or set aside the other's certificate before it is deleted.
    Returns how many enrolments were merged into another."""
    # Row locks cannot be taken with GROUP BY: lock first, then read the counts.
    list(Enrolment.objects.select_for_update().filter(cadre__in=[kept, duplicate]).order_by("pk"))
    mine = {e.course_id: e for e in Enrolment.objects.filter(cadre=kept)
            .annotate(lessons_done=Count("progress"))}  # fmt: skip
    merged = 0
    for theirs in (
        Enrolment.objects.filter(cadre=duplicate)
        .annotate(lessons_done=Count("progress"))
        .order_by("pk")
    ):
        other = mine.get(theirs.course_id)
        if other is None:
            Enrolment.objects.filter(pk=theirs.pk).update(cadre=kept)
            continue
        winner, loser = sorted((other, theirs), key=_advance)
        _progress_move(source=loser, target=winner)
        _attempts_move(source=loser, target=winner)
        enrolment_merging.send(sender=Enrolment, kept=winner, dropped=loser)
        Enrolment.objects.filter(pk=loser.pk).delete()
        Enrolment.objects.filter(pk=winner.pk).update(
            cadre=kept, enrolled_at=min(winner.enrolled_at, loser.enrolled_at)
        )
        merged += 1
    # The duplicate's scores leave the rollup; the kept record's are read again from the
    # attempts it now holds.
    knowledge_scores_forget(cadre_id=duplicate.pk, online_only=True)
    for enrolment in Enrolment.objects.filter(cadre=kept).select_related("course", "cadre"):
        if _gain_quizzes(enrolment.course):
            knowledge_score_online_refresh(enrolment=enrolment)
    return merged


def enrolments_reevaluate(*, cadre: Cadre) -> int:
    """Ask the completion engine about each incomplete enrolment of the record (after a merge
    brought lessons, attempts or attendance together). Returns how many completed now."""
    return sum(
        enrolment_evaluate(enrolment=enrolment)
        for enrolment in Enrolment.objects.filter(cadre=cadre, completed_at__isnull=True)
        .select_related("course", "cadre")
        .order_by("pk")
    )
