"""What sessions and attendance count for: a held session counts once for its kind's
indicator, in the cell of its unit and end month; people present at a held monitoring session
count once among the M&E participants. Called by the session services inside their
transactions; the ledger (counters) does the writing."""

from __future__ import annotations

from courses.counters.gain import (
    knowledge_score_set,
    knowledge_scores_forget,
    knowledge_scores_set_many,
)
from courses.counters.models import Achievement, KnowledgeScore
from courses.counters.services import (
    ME_PARTICIPANTS,
    SESSIONS_DISTRICT_COMMUNE,
    SESSIONS_ME,
    SESSIONS_VILLAGE,
    CellKey,
    achievement_key,
    achievement_record,
    achievement_remove,
    cell_key_for_cadre,
    indicator_id,
    month_of,
)
from courses.registry.models import Cadre
from courses.sessions.models import Attendance, SessionKind, SessionStatus, TrainingSession

SESSION_INDICATORS = {
    SessionKind.DISTRICT_COMMUNE: SESSIONS_DISTRICT_COMMUNE,
    SessionKind.VILLAGE: SESSIONS_VILLAGE,
    SessionKind.MONITORING: SESSIONS_ME,
}


def cell_key_for_session(session: TrainingSession) -> CellKey:
    return CellKey(
        month=month_of(session.end_date),
        province_code=session.province_code,
        district_code=session.district_code,
        commune_code=session.commune_code,
        province_2025=session.province_2025,
        commune_2025=session.commune_2025,
    )


def achievements_for_attendance(*, session: TrainingSession, cadre: Cadre, present: bool) -> None:
    """ME_PARTICIPANTS counts distinct people present at held monitoring sessions."""
    if session.kind != SessionKind.MONITORING:
        return
    if present and session.status == SessionStatus.HELD:
        achievement_record(
            code=ME_PARTICIPANTS,
            key=cell_key_for_cadre(cadre, session.ended_at),
            at=session.ended_at,
            cadre=cadre,
        )
    elif not present:
        _me_participant_recheck(cadre=cadre)


def _me_participant_recheck(*, cadre: Cadre) -> None:
    """Remove ME_PARTICIPANTS if the person is no longer present at any held M&E session."""
    still = Attendance.objects.filter(
        cadre=cadre,
        present=True,
        session__kind=SessionKind.MONITORING,
        session__status=SessionStatus.HELD,
    ).exists()
    if not still:
        achievement_remove(code=ME_PARTICIPANTS, cadre=cadre)


def achievements_for_session(*, session: TrainingSession) -> None:
    """Call after a session's status, kind, unit or dates change (inside its transaction).

    A held session counts once for its kind's indicator, in the cell of its unit and end month;
    a planned or cancelled one counts for none. People present at a held monitoring session
    count for ME_PARTICIPANTS; when the session stops counting, each of them is re-checked.
    """
    code = SESSION_INDICATORS.get(session.kind)
    held = session.status == SessionStatus.HELD
    for other in SESSION_INDICATORS.values():
        if other != code or not held:
            achievement_remove(code=other, session=session)
    if code and held:
        key = cell_key_for_session(session)
        current = Achievement.objects.filter(
            indicator_id=indicator_id(code), session=session
        ).first()
        if current is not None and achievement_key(current) != key:
            achievement_remove(code=code, session=session)  # moved to another unit or month
        achievement_record(code=code, key=key, at=session.ended_at, session=session)
    present = session.attendance.filter(present=True).select_related("cadre").order_by("cadre_id")
    if held and session.kind == SessionKind.MONITORING:
        for row in present:
            achievements_for_attendance(session=session, cadre=row.cadre, present=True)
        return
    # Only those counted among the M&E participants can stop counting: look at them alone.
    counted = set(
        Achievement.objects.filter(
            indicator_id=indicator_id(ME_PARTICIPANTS),
            cadre_id__in=present.values("cadre_id"),
        ).values_list("cadre_id", flat=True)
    )
    for row in present:
        if row.cadre_id in counted:
            _me_participant_recheck(cadre=row.cadre)


def _scores_of(row: Attendance | None, session: TrainingSession) -> tuple[int | None, int | None]:
    """The scores an attendance row counts for in the knowledge gain: those of a person
    present at a held session; none otherwise (absent, planned or cancelled)."""
    if row is None or not row.present or session.status != SessionStatus.HELD:
        return None, None
    return row.pre_test_score, row.post_test_score


def knowledge_scores_for_attendance(*, session: TrainingSession, cadre: Cadre) -> None:
    """Set a participant's in-person scores in the knowledge-gain ledger from their row on
    the sheet (inside the caller's transaction, after the row was written or deleted)."""
    row = Attendance.objects.filter(session=session, cadre=cadre).first()
    pre, post = _scores_of(row, session)
    knowledge_score_set(
        cadre=cadre, course_id=session.course_id, session_id=session.pk, pre=pre, post=post
    )


def knowledge_scores_for_session(*, session: TrainingSession) -> None:
    """Set every participant's in-person scores from the sheet (after the session's status
    or course changed): a held session counts its present participants' scores, a planned or
    cancelled one none. Scores left on the course the session had before are taken out."""
    forget = KnowledgeScore.objects.filter(session_id=session.pk).exclude(
        course_id=session.course_id
    )
    for cadre_id in forget.values_list("cadre_id", flat=True).order_by("cadre_id"):
        knowledge_scores_forget(cadre_id=cadre_id, session_ids=[session.pk])
    rows = session.attendance.select_related("cadre").order_by("cadre_id")
    held = session.status == SessionStatus.HELD
    counted = set(
        KnowledgeScore.objects.filter(session_id=session.pk).values_list("cadre_id", flat=True)
    )
    if not held:
        rows = rows.filter(cadre_id__in=counted)
    elif not counted:
        # Nothing counted yet (the session was just marked held): the sheet in one go.
        rows = rows.filter(present=True).exclude(
            pre_test_score__isnull=True, post_test_score__isnull=True
        )
    knowledge_scores_set_many(
        course_id=session.course_id,
        session_id=session.pk,
        rows=[(row.cadre, *_scores_of(row, session)) for row in rows],
    )
