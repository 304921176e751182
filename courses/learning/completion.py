"""The one completion engine.

An enrolment is complete when:
- online: every live lesson of the course is done and the final quiz (if any) is passed;
- in person: the learner was present at a held session of the course, and passed the
  post-test where the course requires one;
- blended: either path.

`enrolment_complete` is idempotent and safe under concurrency: the completion is a single
conditional UPDATE (`... WHERE completed_at IS NULL`), so of two transactions completing the
same enrolment at once, PostgreSQL makes the second wait for the first's row lock and then
finds nothing to update. In the same transaction it records the achievements for the counters
and sends `enrolment_completed` (the certificates app creates the pending certificate).

A completion is dated by what it records, not by when it was entered: in person, the end of
the session (attendance of 2023 entered in 2026 completes in 2023); online, the moment the
last requirement was met. Where both paths are met, the earlier one. When what dated a
completion changes (the presence that made it is taken back while another path holds, a held
session's end date is corrected), the completion is dated again by the earliest path met now,
the person's counts follow, and `enrolment_redated` lets the certificates app print the new
date.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from content.models import CoursePage, Delivery
from courses.counters.services import (
    CADRES_TRAINED,
    VILLAGE_HEADS_TRAINED,
    achievement_record,
    achievement_redate,
    achievement_remove,
    cell_key_for_cadre,
)
from courses.learning.models import CompletionPath, Enrolment, LessonProgress, QuizAttempt
from courses.learning.selectors import lesson_links
from courses.learning.signals import enrolment_completed, enrolment_redated, enrolment_uncompleted
from courses.registry.models import Cadre, Level, TargetGroup
from courses.sessions.models import Attendance, SessionStatus, TrainingSession
from lms.rows import row_lock, row_update

# Leaders and key cadres of province, district and commune count as trained cadres.
CADRE_LEVELS = {Level.PROVINCE, Level.DISTRICT, Level.COMMUNE}
CADRE_GROUPS = {TargetGroup.LEADER, TargetGroup.KEY_CADRE}


def achievements_for_completion(*, enrolment: Enrolment) -> list[str]:
    """The indicators a completed enrolment counts for; returns the codes newly counted."""
    cadre = enrolment.cadre
    at = enrolment.completed_at or timezone.now()
    key = cell_key_for_cadre(cadre, at)
    codes = []
    if cadre.level in CADRE_LEVELS and cadre.target_group in CADRE_GROUPS:
        codes.append(CADRES_TRAINED)
    if cadre.target_group == TargetGroup.VILLAGE_HEAD:
        codes.append(VILLAGE_HEADS_TRAINED)
    return [code for code in codes if achievement_record(code=code, key=key, at=at, cadre=cadre)]


def path_allowed(*, course: CoursePage, via: str) -> bool:
    if course.delivery == Delivery.BLENDED:
        return True
    if course.delivery == Delivery.IN_PERSON:
        return via == CompletionPath.IN_PERSON
    return via == CompletionPath.ONLINE


def enrolment_complete(
    *,
    enrolment: Enrolment,
    via: str,
    session: TrainingSession | None = None,
    at: dt.datetime | None = None,
) -> bool:
    """Mark the enrolment complete. True if this call completed it, False if it already was.

    The person's registry row is locked first: a completion and the withdrawal of another
    one of the same person (which asks whether any other completion still counts them) take
    their turns, in the same lock order (person, then enrolment)."""
    at = at or timezone.now()
    with transaction.atomic():
        _person_lock(enrolment.cadre_id)
        values = {
            "completed_at": at,
            "completed_via": via,
            "completed_session_id": session.pk if session is not None else None,
        }
        updated = row_update(Enrolment, enrolment.pk, values, where_null="completed_at")
        if not updated:
            return False
        enrolment.completed_at = at
        enrolment.completed_via = via
        enrolment.completed_session = session
        achievements_for_completion(enrolment=enrolment)
        enrolment_completed.send(sender=Enrolment, enrolment=enrolment)
    return True


def online_requirements_met(
    *, enrolment: Enrolment, lesson_ids: set[int] | None = None
) -> dt.datetime | None:
    """The moment the online rule was met (the last lesson done or the final quiz passed,
    whichever came last), or None if it is not met. `lesson_ids`: the ids of the course's
    live lessons, when the caller has just read them."""
    course = enrolment.course
    if lesson_ids is None:
        lesson_ids = {lesson.pk for lesson in lesson_links(course)}
    done = dict(
        LessonProgress.objects.filter(enrolment=enrolment, lesson_id__in=lesson_ids).values_list(
            "lesson_id", "completed_at"
        )
    )
    if lesson_ids - set(done):
        return None
    moments = list(done.values())
    if course.final_quiz_id:
        passed = (
            QuizAttempt.objects.filter(
                enrolment=enrolment, quiz_id=course.final_quiz_id, passed=True
            )
            .order_by("submitted_at")
            .values_list("submitted_at", flat=True)
            .first()
        )
        if passed is None:
            return None
        moments.append(passed)
    return max(moments, default=None) or timezone.now()


def in_person_requirements_met(*, enrolment: Enrolment) -> TrainingSession | None:
    """The held session at which the learner met the in-person rule, if any."""
    course = enrolment.course
    rows = Attendance.objects.filter(
        cadre_id=enrolment.cadre_id,
        present=True,
        session__course_id=course.pk,
        session__status=SessionStatus.HELD,
    ).select_related("session")
    if course.requires_post_test:
        rows = rows.filter(passed=True)
    row = rows.order_by("session__end_date", "pk").first()
    return row.session if row else None


def _paths_met(
    enrolment: Enrolment, lesson_ids: set[int] | None = None
) -> list[tuple[dt.datetime, str, TrainingSession | None]]:
    """Each allowed path the enrolment meets now, with the moment it was met."""
    course = enrolment.course
    met: list[tuple[dt.datetime, str, TrainingSession | None]] = []
    if path_allowed(course=course, via=CompletionPath.ONLINE):
        moment = online_requirements_met(enrolment=enrolment, lesson_ids=lesson_ids)
        if moment is not None:
            met.append((moment, CompletionPath.ONLINE, None))
    if path_allowed(course=course, via=CompletionPath.IN_PERSON):
        session = in_person_requirements_met(enrolment=enrolment)
        if session is not None:
            met.append((session.ended_at, CompletionPath.IN_PERSON, session))
    return met


def enrolment_evaluate(*, enrolment: Enrolment, lesson_ids: set[int] | None = None) -> bool:
    """Complete the enrolment if either allowed path is met, dated by the earlier path met.
    True if it completed now. `lesson_ids`: the ids of the course's live lessons, when the
    caller has just read them."""
    if enrolment.completed_at is not None:
        return False
    met = _paths_met(enrolment, lesson_ids)
    if not met:
        return False
    at, via, session = min(met, key=lambda m: m[0])
    return enrolment_complete(enrolment=enrolment, via=via, session=session, at=at)


def _person_lock(cadre_id: int) -> None:
    row_lock(Cadre, cadre_id)


def completion_withdraw(*, cadre: Cadre, session: TrainingSession, by=None) -> bool:
    """A presence at `session` was taken back (called in that change's transaction, after the
    attendance row changed). If it is what completed the person's enrolment on the session's
    course, the enrolment stands on another path still met (dated by it) or is taken back:
    its counts go down (or move to the person's next earliest completion) and
    `enrolment_uncompleted` lets the certificates app withdraw or revoke the certificate.
    True if a completion was taken back."""
    with transaction.atomic():
        _person_lock(cadre.pk)
        enrolment = (
            Enrolment.objects.select_for_update()
            .select_related("course")
            .filter(cadre=cadre, course_id=session.course_id)
            .first()
        )
        if enrolment is None or enrolment.completed_session_id != session.pk:
            return False  # not completed, or completed by another path or session
        reason = _("Presence at “{session}” was taken back.").format(session=session.title)
        met = _paths_met(enrolment)
        if met:
            _completion_move(enrolment, cadre, min(met, key=lambda m: m[0]), reason, by)
            return False
        Enrolment.objects.filter(pk=enrolment.pk).update(
            completed_at=None, completed_via="", completed_session=None
        )
        _person_counts_follow(cadre)
        enrolment_uncompleted.send(sender=Enrolment, enrolment=enrolment, reason=reason, by=by)
        log(
            instance=cadre,
            action="courses.completion_withdrawn",
            user=by,
            data={"course": enrolment.course.title, "session": session.title},
        )
    return True


def _completion_move(enrolment: Enrolment, cadre: Cadre, path, reason: str, by) -> bool:
    """Date the completed (and locked) `enrolment` by `path` (moment, via, session), the
    earliest path it meets now; the person's counts follow, and a new day is announced with
    `enrolment_redated`. True if the day changed."""
    at, via, session = path
    before = enrolment.completed_at
    Enrolment.objects.filter(pk=enrolment.pk).update(
        completed_at=at, completed_via=via, completed_session=session
    )
    enrolment.completed_at, enrolment.completed_via = at, via
    enrolment.completed_session = session
    if at != before:
        _person_counts_follow(cadre)
    if timezone.localdate(at) == timezone.localdate(before):
        return False
    enrolment_redated.send(sender=Enrolment, enrolment=enrolment, before=before, reason=reason,
                           by=by)  # fmt: skip
    log(
        instance=cadre,
        action="courses.completion_redated",
        user=by,
        data={
            "course": enrolment.course.title,
            "before": timezone.localdate(before).isoformat(),
            "after": timezone.localdate(at).isoformat(),
        },
    )
    return True


def completions_redate(*, session: TrainingSession, cadre_ids: list[int], by=None) -> int:
    """Completions of the session's course by `cadre_ids` (people present at the held
    `session`) that the session may now date otherwise (inside the caller's transaction):
    those it dates (its end date was corrected) and those dated after it ends (it was entered
    after the person completed another way). Each is dated again by the earliest path it
    meets now. Returns how many changed day."""
    if session.status != SessionStatus.HELD or not cadre_ids:
        return 0
    enrolments = (
        Enrolment.objects.filter(
            course_id=session.course_id, cadre_id__in=cadre_ids, completed_at__isnull=False
        )
        .filter(Q(completed_session=session) | Q(completed_at__gt=session.ended_at))
        .order_by("cadre_id")
        .values_list("pk", "cadre_id")
    )
    reason = _("“{session}” dates the completion otherwise now.").format(session=session.title)
    moved = 0
    with transaction.atomic():
        for enrolment_id, cadre_id in list(enrolments):
            _person_lock(cadre_id)
            enrolment = (
                Enrolment.objects.select_for_update()
                .select_related("course", "cadre")
                .get(pk=enrolment_id)
            )
            met = _paths_met(enrolment)
            if not met:  # a session no longer met is taken back by participant_withdrawn
                continue
            path = min(met, key=lambda m: m[0])
            session_id = path[2].pk if path[2] is not None else None
            if (path[0], session_id) != (enrolment.completed_at, enrolment.completed_session_id):
                moved += _completion_move(enrolment, enrolment.cadre, path, reason, by)
    return moved


def _person_counts_follow(cadre: Cadre) -> None:
    """After a completion went or changed date: the person counts as trained from their
    earliest remaining completion, or not at all."""
    first = (
        Enrolment.objects.filter(cadre=cadre, completed_at__isnull=False)
        .order_by("completed_at")
        .values_list("completed_at", flat=True)
        .first()
    )
    for code in (CADRES_TRAINED, VILLAGE_HEADS_TRAINED):
        if first is None:
            achievement_remove(code=code, cadre=cadre)
        else:
            achievement_redate(code=code, cadre=cadre, at=first)


def session_enrolments_evaluate(*, session: TrainingSession, people: list[tuple]) -> int:
    """What evaluate-in-person does for each (cadre, by) present at a held session, for all
    of them at once: enrol those not enrolled on the session's course (recording `by`), then
    let the rules decide. An enrolment with online work behind it goes through
    enrolment_evaluate (either path, the earlier date); the others can only be completed in
    person, at the earliest held session of the course where they were present (and passed
    the post-test if the course requires one), dated by its end: what enrolment_evaluate would
    find, read for everyone in a few statements. Completions the session may now date
    otherwise are dated again first (completions_redate). Returns how many were completed."""
    course = session.course
    cadres = {cadre.pk: (cadre, by) for cadre, by in people}
    enrolments = Enrolment.objects.filter(course=course, cadre_id__in=cadres)
    known = set(enrolments.values_list("cadre_id", flat=True))
    Enrolment.objects.bulk_create(
        [
            Enrolment(cadre_id=pk, course=course, enrolled_by=by)
            for pk, (_cadre, by) in cadres.items()
            if pk not in known
        ],
        ignore_conflicts=True,
    )
    completions_redate(session=session, cadre_ids=list(known))
    open_ = list(enrolments.filter(completed_at__isnull=True).order_by("cadre_id"))
    for enrolment in open_:
        enrolment.cadre, enrolment.course = cadres[enrolment.cadre_id][0], course
    if not open_:
        return 0
    ids = [e.pk for e in open_]
    online_work = set(
        LessonProgress.objects.filter(enrolment_id__in=ids).values_list("enrolment_id", flat=True)
    ) | set(
        QuizAttempt.objects.filter(enrolment_id__in=ids, passed=True).values_list(
            "enrolment_id", flat=True
        )
    )
    rows = Attendance.objects.filter(
        cadre_id__in=[e.cadre_id for e in open_],
        present=True,
        session__course_id=course.pk,
        session__status=SessionStatus.HELD,
    )
    if course.requires_post_test:
        rows = rows.filter(passed=True)
    first: dict[int, int] = {}
    for cadre_id, session_id in rows.order_by("session__end_date", "pk").values_list(
        "cadre_id", "session_id"
    ):
        first.setdefault(cadre_id, session_id)
    sessions = {s.pk: s for s in TrainingSession.objects.filter(pk__in=set(first.values()))}
    in_person = path_allowed(course=course, via=CompletionPath.IN_PERSON)
    completed = 0
    by_session: dict[int, list[Enrolment]] = {}
    for enrolment in open_:
        if enrolment.pk in online_work or not in_person:
            completed += enrolment_evaluate(enrolment=enrolment)
        elif enrolment.cadre_id in first:
            by_session.setdefault(first[enrolment.cadre_id], []).append(enrolment)
    for session_id, group in by_session.items():
        completed += _complete_at_session(enrolments=group, session=sessions[session_id])
    return completed


def _complete_at_session(*, enrolments: list[Enrolment], session: TrainingSession) -> int:
    """Complete, in person at one session, enrolments the rules have been read for together:
    each through enrolment_complete (one conditional UPDATE, its achievements, the
    certificate), so what it guarantees holds here too."""
    at = session.ended_at
    return sum(
        enrolment_complete(enrolment=e, via=CompletionPath.IN_PERSON, session=session, at=at)
        for e in enrolments
    )
