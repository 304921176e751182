"""Work done on a device while offline, applied when it arrives: exactly once, in the order it
was done, dated when the learner did it, through the same services as work done online (so
progress, counters and certificates follow as they would have).

Each piece of work carries the id the device made for it (a UUID). The OfflineAction row with
that id is written in the transaction that applies the work: a second copy (a retry after a
lost answer, the same queue sent from two tabs at once) waits for the first to commit, finds
the row and changes nothing. Work the services refuse (a lesson no longer in the course, a
quiz changed since it was stored) is recorded as refused with the reason, so the device stops
sending it and tells the learner.

Quiz work done on the page stored with a course names the course and the quiz, not an
attempt: storing the course started none, so the first answer that arrives starts it (dated
when it was given), within the attempt limit, and the rest continue it.

The learner's clock is believed within bounds: a time in the future becomes now, a time
before the enrolment (or before the attempt started) becomes that moment.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from content.models import CoursePage, LessonPage, Quiz
from courses.learning.models import OfflineAction, OfflineActionStatus, QuizAttempt
from courses.learning.selectors import enrolment_for
from courses.learning.services import (
    LearningError,
    lesson_complete,
    quiz_answer_save,
    quiz_attempt_start,
    quiz_attempt_submit,
)
from courses.registry.models import Cadre

KINDS = ("lesson", "answer", "submit")
MAX_ITEMS = 500


class Malformed(LearningError):
    """A piece of work the device could not have made: refused without being recorded."""


def _ids(values) -> list[int]:
    if not isinstance(values, list) or len(values) > 100:
        raise Malformed(_("Malformed answer."))
    try:
        return [int(v) for v in values]
    except (TypeError, ValueError) as exc:
        raise Malformed(_("Malformed answer.")) from exc


def _id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise Malformed(_("Malformed answer.")) from exc


def acted_at_bounded(raw, *, floor: dt.datetime, now: dt.datetime) -> dt.datetime:
    """The time the device says the learner acted, within [floor, now]; now if unreadable."""
    at = parse_datetime(raw) if isinstance(raw, str) else None
    if at is None:
        return now
    if timezone.is_naive(at):
        at = timezone.make_aware(at, dt.UTC)
    return max(floor, min(at, now))


def _attempt_of(cadre: Cadre, item: dict, now: dt.datetime) -> QuizAttempt:
    """The attempt a piece of quiz work goes to: the one it names (a quiz page opened online),
    or, for work done on the quiz page stored with a course (which names the course and the
    quiz), the open attempt, else one started when the learner acted."""
    if "attempt" not in item:
        course = CoursePage.objects.live().filter(pk=_id(item.get("course"))).first()
        quiz = Quiz.objects.filter(pk=_id(item.get("quiz"))).first()
        enrolment = enrolment_for(cadre=cadre, course_id=course.pk) if course else None
        if enrolment is None or quiz is None:
            raise LearningError(_("Enrol in the course first."), status=403)
        enrolment.course = course
        at = acted_at_bounded(item.get("at"), floor=enrolment.enrolled_at, now=now)
        return quiz_attempt_start(enrolment=enrolment, quiz=quiz, at=at, for_device=True)
    attempt = (
        QuizAttempt.objects.select_related("enrolment", "quiz", "enrolment__course")
        .filter(pk=_id(item.get("attempt")), enrolment__cadre=cadre)
        .first()
    )
    if attempt is None:
        raise LearningError(_("This attempt belongs to someone else."), status=403)
    return attempt


def _apply(*, cadre: Cadre, item: dict, now: dt.datetime) -> tuple[str, dt.datetime]:
    """Applies one piece of work; returns its status and the time it was dated by."""
    kind = item.get("kind")
    if kind == "lesson":
        lesson = LessonPage.objects.live().filter(pk=_id(item.get("lesson"))).first()
        course = CoursePage.objects.ancestor_of(lesson).live().first() if lesson else None
        enrolment = enrolment_for(cadre=cadre, course_id=course.pk) if course else None
        if enrolment is None:
            raise LearningError(_("Enrol in the course first."), status=403)
        at = acted_at_bounded(item.get("at"), floor=enrolment.enrolled_at, now=now)
        lesson_complete(enrolment=enrolment, lesson_id=lesson.pk, at=at)
        return OfflineActionStatus.APPLIED, at
    attempt = _attempt_of(cadre, item, now)
    floor = max(attempt.enrolment.enrolled_at, attempt.started_at)
    at = acted_at_bounded(item.get("at"), floor=floor, now=now)
    if kind == "answer":
        if attempt.is_submitted:
            # The submission (sent before or with it) already holds the final answers.
            return OfflineActionStatus.SKIPPED, at
        quiz_answer_save(attempt=attempt, cadre=cadre, question_id=_id(item.get("question")),
                         choice_ids=_ids(item.get("choices", [])))  # fmt: skip
        return OfflineActionStatus.APPLIED, at
    answers = item.get("answers")
    if not isinstance(answers, dict) or len(answers) > 500:
        raise Malformed(_("Malformed answer."))
    cleaned = {_id(qid): _ids(ids) for qid, ids in answers.items()}
    was_submitted = attempt.is_submitted
    quiz_attempt_submit(attempt=attempt, cadre=cadre, answers=cleaned, at=at,
                        unanswered_confirmed=item.get("confirm_unanswered") is True)  # fmt: skip
    return (OfflineActionStatus.SKIPPED if was_submitted else OfflineActionStatus.APPLIED), at


def _result(action: OfflineAction, *, duplicate: bool) -> dict[str, Any]:
    return {
        "id": str(action.client_id),
        "status": action.status,
        "message": action.message,
        "duplicate": duplicate,
    }


def offline_action_apply(*, user, cadre: Cadre, item: Any) -> dict[str, Any]:
    """Applies one piece of work from a device's queue, once whatever the number of copies."""
    if not isinstance(item, dict) or item.get("kind") not in KINDS:
        return {"id": None, "status": "malformed", "message": _("Malformed answer.")}
    try:
        client_id = uuid.UUID(str(item.get("id")))
    except ValueError:
        return {"id": None, "status": "malformed", "message": _("Malformed answer.")}
    now = timezone.now()
    existing = OfflineAction.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.user_id != user.pk:
            return {"id": str(client_id), "status": "malformed", "message": _("Malformed answer.")}
        return _result(existing, duplicate=True)
    try:
        with transaction.atomic():
            action = OfflineAction(client_id=client_id, user=user, kind=item["kind"],
                                   acted_at=now, status=OfflineActionStatus.APPLIED)  # fmt: skip
            # The row first: a concurrent copy blocks on its unique id until this commits.
            action.save()
            status, at = _apply(cadre=cadre, item=item, now=now)
            OfflineAction.objects.filter(pk=action.pk).update(status=status, acted_at=at)
            action.status, action.acted_at = status, at
    except IntegrityError:
        existing = OfflineAction.objects.filter(client_id=client_id, user=user).first()
        if existing is None:
            raise
        return _result(existing, duplicate=True)
    except Malformed as exc:
        return {"id": str(client_id), "status": "malformed", "message": str(exc)}
    except LearningError as exc:
        action, created = OfflineAction.objects.get_or_create(
            client_id=client_id,
            defaults={"user": user, "kind": item["kind"], "acted_at": now,
                      "status": OfflineActionStatus.REJECTED, "message": str(exc)[:300]},
        )  # fmt: skip
        return _result(action, duplicate=not created)
    return _result(action, duplicate=False)


def offline_actions_apply(*, user, cadre: Cadre, items: list) -> list[dict[str, Any]]:
    """Applies a device's queue in the order given (the order the work was done)."""
    return [offline_action_apply(user=user, cadre=cadre, item=item) for item in items]
