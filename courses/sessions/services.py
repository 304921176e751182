"""Writes for in-person training sessions and their attendance.

Every write that changes what the counters count (a session's status, a participant's
presence) calls the counter service in the same transaction, and a participant present at a
held session is announced (`participant_present`, in the same transaction) to the completion
engine, which enrols them on the session's course if needed and completes it at most once.
When a session becomes held, everyone present is announced in one `participants_present`, so
the engine enrols and completes them together.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from content.models import CoursePage
from courses.counters.gain import knowledge_scores_forget
from courses.registry.models import AdminUnit, Cadre, ConsentMethod
from courses.registry.privacy import consent_record
from courses.registry.services import record_place, successor_check, successor_follow_unit
from courses.registry.signals import place_changed
from courses.sessions.counting import (
    achievements_for_attendance,
    achievements_for_session,
    knowledge_scores_for_attendance,
    knowledge_scores_for_session,
)
from courses.sessions.models import Attendance, SessionStatus, TrainingSession
from courses.sessions.signals import (
    participant_present,
    participant_withdrawn,
    participants_present,
)
from lms.roles import is_admin
from lms.text import name_problem, nfc

# Changing one of these on a held session moves it to another counter cell or indicator.
COUNTED_FIELDS = ("kind", "unit", "end_date")
SESSION_FIELDS = (
    "code",
    "kind",
    "course",
    "title",
    "start_date",
    "end_date",
    "unit",
    "venue",
)


def _session_check(session: TrainingSession) -> None:
    if session.end_date < session.start_date:
        raise ValidationError(
            {"end_date": _("The end date cannot be before the start date.")}, code="dates"
        )


def session_create(
    *,
    kind: str,
    course: CoursePage,
    title: str,
    start_date: dt.date,
    end_date: dt.date | None = None,
    unit: AdminUnit,
    venue: str = "",
    code: str | None = None,
    status: str = SessionStatus.PLANNED,
    trainers: Iterable = (),
) -> TrainingSession:
    """Create a session; a session created as held is counted and completes its course for
    the people present (none yet, unless attendance is added later)."""
    session = TrainingSession(
        code=nfc(code) or None,
        kind=kind,
        course=course,
        title=nfc(title),
        start_date=start_date,
        end_date=end_date or start_date,
        unit=unit,
        venue=nfc(venue),
        status=SessionStatus.PLANNED,
    )
    _session_check(session)
    with transaction.atomic():
        session.save()
        if trainers:
            session.trainers.set(trainers)
        if status != SessionStatus.PLANNED:
            session_status_set(session=session, status=status)
    return session


def session_update(*, session: TrainingSession, **fields) -> bool:
    """Change a session's fields (and status, if given). True if anything changed.

    A held session whose kind, unit or end date changes is counted again in its new cell;
    a session whose place changes announces it (place_changed), so nothing it counts for
    stays behind.
    """
    unknown = set(fields) - set(SESSION_FIELDS) - {"status", "trainers"}
    if unknown:
        raise TypeError(f"unknown session fields: {sorted(unknown)}")
    status = fields.pop("status", None)
    trainers = fields.pop("trainers", None)
    for name in ("title", "venue"):
        if name in fields:
            fields[name] = nfc(fields[name])
    if "code" in fields:
        fields["code"] = nfc(fields["code"]) or None
    changed = {
        name: value
        for name, value in fields.items()
        if getattr(session, name if name not in ("unit", "course") else f"{name}_id")
        != (value.pk if name in ("unit", "course") and value is not None else value)
    }
    with transaction.atomic():
        locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
        place = record_place(locked)
        recount = locked.status == SessionStatus.HELD and any(
            name in changed for name in COUNTED_FIELDS
        )
        if recount:
            # Uncount it where it was counted, then count it where it now belongs.
            locked.status = SessionStatus.PLANNED
            locked.save(update_fields=["status", "updated_at"])
            achievements_for_session(session=locked)
        for name, value in changed.items():
            setattr(locked, name, value)
        if "unit" in changed:
            successor_follow_unit(record=locked)
        _session_check(locked)
        if recount:
            locked.status = SessionStatus.HELD
        locked.save()
        if record_place(locked) != place:
            place_changed.send(sender=TrainingSession, session=locked)
        if recount:
            achievements_for_session(session=locked)
        if recount or (locked.status == SessionStatus.HELD and "course" in changed):
            session_completions_evaluate(session=locked)
        if "course" in changed:
            knowledge_scores_for_session(session=locked)
        if trainers is not None:
            before = set(locked.trainers.values_list("pk", flat=True))
            locked.trainers.set(trainers)
            if before != set(locked.trainers.values_list("pk", flat=True)):
                changed["trainers"] = trainers
        if status is not None and status != locked.status:
            session_status_set(session=locked, status=status)
            changed["status"] = status
    session.refresh_from_db()
    return bool(changed)


def session_successor_pick(*, session: TrainingSession, successor: AdminUnit) -> TrainingSession:
    """Record the new commune an admin picked for a session held in a split 2023 commune; the
    session's place, and its count if it was held, move there in one transaction."""
    with transaction.atomic():
        locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
        successor_check(unit=locked.unit, successor=successor)
        locked.successor = successor
        locked.save()
        place_changed.send(sender=TrainingSession, session=locked)
    return locked


def session_status_set(*, session: TrainingSession, status: str) -> bool:
    """Plan, hold or cancel a session. True if the status changed.

    The counters follow (a held session counts, a cancelled one stops counting); when the
    session becomes held, every participant marked present has their enrolment on the
    session's course evaluated, so the in-person path completes it.
    """
    if status not in SessionStatus.values:
        raise ValidationError(_("Unknown session status."), code="status")
    with transaction.atomic():
        locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
        if locked.status == status:
            session.status = status
            return False
        was_held = locked.status == SessionStatus.HELD
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        session.status = status
        achievements_for_session(session=locked)
        knowledge_scores_for_session(session=locked)
        if status == SessionStatus.HELD:
            session_completions_evaluate(session=locked)
        elif was_held:
            for row in locked.attendance.filter(present=True).select_related("cadre"):
                participant_withdrawn.send(
                    sender=TrainingSession, session=locked, cadre=row.cadre, by=None
                )
    return True


def session_completions_evaluate(*, session: TrainingSession) -> None:
    """Tell the completion engine about everyone present at a held session."""
    if session.status != SessionStatus.HELD:
        return
    rows = session.attendance.filter(present=True).select_related("cadre", "marked_by")
    people = [(row.cadre, row.marked_by) for row in rows.order_by("cadre_id")]
    if people:
        participants_present.send(sender=TrainingSession, session=session, people=people)


def _attendance_check(session: TrainingSession, by) -> None:
    """Refuse a change of a cancelled session's attendance, and of a signed-off session's
    unless an admin makes it (`by` None: a command or an import run by an admin)."""
    if session.status == SessionStatus.CANCELLED:
        raise ValidationError(
            _("This session was cancelled: its attendance cannot be changed."), code="cancelled"
        )
    if session.signed_off_at is not None and by is not None and not is_admin(by):
        raise ValidationError(
            _(
                "This session was signed off by its trainer: only an admin can change "
                "its attendance."
            ),
            code="signed_off",
        )


def session_sign_off(*, session: TrainingSession, by) -> bool:
    """The trainer confirms a held session's attendance as final; after that only an admin
    changes it. True if it was signed off now."""
    with transaction.atomic():
        locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
        if locked.status != SessionStatus.HELD:
            raise ValidationError(_("Only a held session can be signed off."), code="not_held")
        if locked.signed_off_at is not None:
            return False
        locked.signed_off_at = timezone.now()
        locked.signed_off_by = by
        locked.save(update_fields=["signed_off_at", "signed_off_by", "updated_at"])
        session.signed_off_at, session.signed_off_by = locked.signed_off_at, by
    return True


# attendance_mark's pre_score when the caller leaves the pre-test score as it is.
KEEP = object()


def _score_check(score, *, field: str) -> None:
    """A test score is a whole number from 0 to 100 (or empty): anything else is refused
    before anything is written."""
    if score is None:
        return
    if isinstance(score, bool) or not isinstance(score, int) or not 0 <= score <= 100:
        if field == "pre_test_score":
            message = _("The pre-test score must be between 0 and 100.")
        else:
            message = _("The post-test score must be between 0 and 100.")
        raise ValidationError({field: message}, code="score")


def attendance_mark(
    *,
    session: TrainingSession,
    cadre: Cadre,
    present: bool,
    passed: bool | None = None,
    score: int | None = None,
    pre_score: int | None | object = KEEP,
    by=None,
) -> Attendance:
    """Record whether a participant was present (and passed the post-test, with a score;
    `pre_score` the pre-test score, kept as it is unless given).

    Creates or updates the participant's row; the counters and the knowledge gain follow in
    the same transaction, and at a held session a present participant's enrolment is
    evaluated for completion. A score outside 0-100 is refused and nothing is written.
    """
    _attendance_check(session, by)
    _score_check(score, field="post_test_score")
    if pre_score is not KEEP:
        _score_check(pre_score, field="pre_test_score")
    with transaction.atomic():
        attendance, created = Attendance.objects.select_for_update().get_or_create(
            session=session,
            cadre=cadre,
            defaults={
                "present": present,
                "passed": passed,
                "post_test_score": score,
                "marked_by": by,
            },
        )
        was_present = False if created else attendance.present
        before = (attendance.pre_test_score, attendance.post_test_score, attendance.present)
        if pre_score is not KEEP:
            attendance.pre_test_score = pre_score
        if not created:
            attendance.present = present
            attendance.passed = passed
            attendance.post_test_score = score
            attendance.marked_by = by
            attendance.save()
        elif pre_score is not KEEP and pre_score is not None:
            attendance.save(update_fields=["pre_test_score"])
        after = (attendance.pre_test_score, attendance.post_test_score, attendance.present)
        if created or before != after:
            knowledge_scores_for_attendance(session=session, cadre=cadre)
        if present != was_present or created:
            achievements_for_attendance(session=session, cadre=cadre, present=present)
        if present and session.status == SessionStatus.HELD:
            participant_present.send(sender=TrainingSession, session=session, cadre=cadre, by=by)
        elif was_present and not present and session.status == SessionStatus.HELD:
            participant_withdrawn.send(sender=TrainingSession, session=session, cadre=cadre, by=by)
    return attendance


def attendance_mark_many(
    *,
    session: TrainingSession,
    rows: Iterable[tuple],
    by=None,
) -> int:
    """A whole sheet of (cadre, present, passed, score) or (cadre, present, passed, score,
    pre-test score), as attendance_mark would record each row. At a session not held yet
    nothing counts or completes until it is marked held (session_status_set then evaluates
    everyone present and counts their scores), so the new rows are written in one statement;
    rows already on the sheet, and every row of a held session, go through attendance_mark.
    Returns how many rows were written."""
    rows = [(*row, KEEP) if len(row) == 4 else tuple(row) for row in rows]
    if session.status != SessionStatus.PLANNED:
        for cadre, present, passed, score, pre in rows:
            attendance_mark(session=session, cadre=cadre, present=present, passed=passed,
                            score=score, pre_score=pre, by=by)  # fmt: skip
        return len(rows)
    for _cadre, _present, _passed, score, pre in rows:
        _score_check(score, field="post_test_score")
        if pre is not KEEP:
            _score_check(pre, field="pre_test_score")
    with transaction.atomic():
        locked = TrainingSession.objects.select_for_update().get(pk=session.pk)
        if locked.status != SessionStatus.PLANNED:  # held meanwhile: row by row
            session.status = locked.status
            return attendance_mark_many(session=session, rows=rows, by=by)
        on_sheet = set(session.attendance.values_list("cadre_id", flat=True))
        new = []
        for cadre, present, passed, score, pre in rows:
            if cadre.pk in on_sheet:
                attendance_mark(session=session, cadre=cadre, present=present, passed=passed,
                                score=score, pre_score=pre, by=by)  # fmt: skip
            else:
                new.append(
                    Attendance(session=session, cadre=cadre, present=present, passed=passed,
                               post_test_score=score, marked_by=by,
                               pre_test_score=None if pre is KEEP else pre)
                )  # fmt: skip
        Attendance.objects.bulk_create(new)
    return len(rows)


def attendance_remove(*, session: TrainingSession, cadre: Cadre, by=None) -> bool:
    """Take a participant off a session's list (added by mistake). True if they were on it.

    What their presence completed is reconsidered (participant_withdrawn), as when their
    presence is taken back."""
    _attendance_check(session, by)
    with transaction.atomic():
        row = Attendance.objects.select_for_update().filter(session=session, cadre=cadre).first()
        if row is None:
            return False
        was_present = row.present
        row.delete()
        achievements_for_attendance(session=session, cadre=cadre, present=False)
        knowledge_scores_for_attendance(session=session, cadre=cadre)
        if was_present and session.status == SessionStatus.HELD:
            participant_withdrawn.send(sender=TrainingSession, session=session, cadre=cadre, by=by)
    return True


def attendance_add_new_cadre(
    *,
    session: TrainingSession,
    full_name: str,
    sex: str,
    target_group: str,
    level: str,
    birth_year: int | None = None,
    agency: str = "",
    phone: str = "",
    unit: AdminUnit | None = None,
    present: bool = True,
    consent: bool = False,
    by=None,
) -> Attendance:
    """Add a person who is not in the registry yet, on the spot, and put them on the list.

    The name is stored in NFC. A phone number already in the registry is refused, so the
    same person is not recorded twice: pick them from the search instead.
    """
    full_name = nfc(full_name)
    if not full_name:
        raise ValidationError({"full_name": _("Enter the full name.")}, code="required")
    if problem := name_problem(full_name):
        raise ValidationError({"full_name": problem}, code="name_characters")
    phone = nfc(phone).replace(" ", "")
    if phone and Cadre.objects.filter(phone=phone).exists():
        raise ValidationError(
            {
                "phone": _(
                    "A person with this phone number is already in the registry: "
                    "find them with the search instead."
                )
            },
            code="duplicate",
        )
    with transaction.atomic():
        cadre = Cadre(
            full_name=full_name,
            sex=sex,
            birth_year=birth_year,
            target_group=target_group,
            level=level,
            agency=nfc(agency),
            phone=phone,
            unit=unit or session.unit,
        )
        cadre.full_clean(
            exclude=["user", "ma_can_bo", "email", "ethnicity", "name_key", "consent_attested_by"]
        )
        cadre.save()
        if consent:
            # The trainer attests that the person agreed to the notice, on the spot.
            consent_record(cadre=cadre, method=ConsentMethod.TRAINER, attested_by=by)
        return attendance_mark(session=session, cadre=cadre, present=present, by=by)


def session_delete(*, session: TrainingSession) -> None:
    """Delete a session (entered by mistake). A held session is cancelled first, so the
    counters stop counting it (and its monitoring participants) before the row goes;
    completions already recorded stay."""
    with transaction.atomic():
        if session.status == SessionStatus.HELD:
            session_status_set(session=session, status=SessionStatus.CANCELLED)
        TrainingSession.objects.filter(pk=session.pk).delete()


def _attendance_weight(row: Attendance) -> tuple:
    """What a row says, for choosing between two rows of one person at one session: present
    beats absent, a passed post-test beats none, then the higher score."""
    return (row.present, row.passed is True, row.post_test_score or -1,
            row.pre_test_score or -1)  # fmt: skip


def attendance_merge(*, kept: Cadre, duplicate: Cadre) -> int:
    """Two records of one person become one (inside the merge's transaction): the duplicate's
    attendance goes to the kept record; where both are on one session's list, the row that
    says more stays (present, passed, score). The counts are the ledger's to merge (the
    person was present wherever either record was). Returns how many rows moved."""
    mine = {
        row.session_id: row
        for row in Attendance.objects.select_for_update().filter(cadre=kept).order_by("pk")
    }
    moved = 0
    sessions = set()
    for row in Attendance.objects.select_for_update().filter(cadre=duplicate).order_by("pk"):
        sessions.add(row.session_id)
        other = mine.get(row.session_id)
        if other is None:
            Attendance.objects.filter(pk=row.pk).update(cadre=kept)
            moved += 1
            continue
        if _attendance_weight(row) > _attendance_weight(other):
            Attendance.objects.filter(pk=other.pk).update(
                present=row.present, passed=row.passed, post_test_score=row.post_test_score,
                pre_test_score=row.pre_test_score, marked_by_id=row.marked_by_id,
            )  # fmt: skip
        Attendance.objects.filter(pk=row.pk).delete()
    # The duplicate's in-person scores leave the knowledge gain; the kept record's rows on
    # those sessions count instead.
    knowledge_scores_forget(cadre_id=duplicate.pk, session_ids=sessions)
    for session in TrainingSession.objects.filter(pk__in=sessions).order_by("pk"):
        knowledge_scores_for_attendance(session=session, cadre=kept)
    return moved
