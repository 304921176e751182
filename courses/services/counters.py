"""Achievements and counter cells: written in the same transaction as the event they count.

A person (or a session) counts once per indicator: the Achievement row is unique, and the cell
is changed only when the row is really inserted or deleted. Concurrent writers are safe on
PostgreSQL: the second insert of the same achievement waits for the first and fails on the
unique index (caught in a savepoint), and cell increments are single UPDATE ... SET value =
value + 1 statements that lock the row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from courses.models import (
    Achievement,
    Attendance,
    Cadre,
    CounterCell,
    Enrolment,
    Indicator,
    Level,
    SessionKind,
    SessionStatus,
    TargetGroup,
    TrainingSession,
)

CADRES_TRAINED = "CADRES_TRAINED"
VILLAGE_HEADS_TRAINED = "VILLAGE_HEADS_TRAINED"
SESSIONS_DISTRICT_COMMUNE = "SESSIONS_DISTRICT_COMMUNE"
SESSIONS_VILLAGE = "SESSIONS_VILLAGE"
SESSIONS_ME = "SESSIONS_ME"
ME_PARTICIPANTS = "ME_PARTICIPANTS"
CERTIFIED_LEARNERS = "CERTIFIED_LEARNERS"

SESSION_INDICATORS = {
    SessionKind.DISTRICT_COMMUNE: SESSIONS_DISTRICT_COMMUNE,
    SessionKind.VILLAGE: SESSIONS_VILLAGE,
    SessionKind.MONITORING: SESSIONS_ME,
}

CADRE_LEVELS = {Level.PROVINCE, Level.DISTRICT, Level.COMMUNE}
CADRE_GROUPS = {TargetGroup.LEADER, TargetGroup.KEY_CADRE}


@dataclass(frozen=True)
class CellKey:
    month: dt.date
    province_code: str = ""
    district_code: str = ""
    commune_code: str = ""
    level: str = ""
    sex: str = ""
    ethnicity: str = ""

    def as_filter(self) -> dict:
        return {
            "month": self.month,
            "province_code": self.province_code,
            "district_code": self.district_code,
            "commune_code": self.commune_code,
            "level": self.level,
            "sex": self.sex,
            "ethnicity": self.ethnicity,
        }


def month_of(moment: dt.datetime | dt.date) -> dt.date:
    if isinstance(moment, dt.datetime):
        moment = timezone.localdate(moment) if timezone.is_aware(moment) else moment.date()
    return moment.replace(day=1)


def cell_key_for_cadre(cadre: Cadre, at: dt.datetime | dt.date) -> CellKey:
    return CellKey(
        month=month_of(at),
        province_code=cadre.province_code,
        district_code=cadre.district_code,
        commune_code=cadre.commune_code,
        level=cadre.level,
        sex=cadre.sex,
        ethnicity=cadre.ethnicity,
    )


def cell_key_for_session(session: TrainingSession) -> CellKey:
    return CellKey(
        month=month_of(session.end_date),
        province_code=session.province_code,
        district_code=session.district_code,
        commune_code=session.commune_code,
    )


_indicator_ids: dict[str, int] = {}


def indicator_id(code: str) -> int | None:
    """The indicator's id, cached per process; None if the indicator is not seeded."""
    if code not in _indicator_ids:
        pk = Indicator.objects.filter(code=code).values_list("pk", flat=True).first()
        if pk is None:
            return None
        _indicator_ids[code] = pk
    return _indicator_ids[code]


def indicator_cache_clear() -> None:
    _indicator_ids.clear()


def counter_cell_add(*, indicator: int, key: CellKey, delta: int) -> None:
    """Add delta to one cell, creating it if needed (must run inside a transaction)."""
    cells = CounterCell.objects.filter(indicator_id=indicator, **key.as_filter())
    if cells.update(value=F("value") + delta):
        return
    try:
        with transaction.atomic():
            CounterCell.objects.create(indicator_id=indicator, value=delta, **key.as_filter())
    except IntegrityError:
        # Another transaction created the cell meanwhile; now the update finds it.
        cells.update(value=F("value") + delta)


def achievement_record(
    *,
    code: str,
    key: CellKey,
    at: dt.datetime,
    cadre: Cadre | None = None,
    session: TrainingSession | None = None,
) -> bool:
    """Count a person or a session once for an indicator. True if it was new."""
    indicator = indicator_id(code)
    if indicator is None:
        return False
    lookup = {"cadre": cadre} if cadre is not None else {"session": session}
    if Achievement.objects.filter(indicator_id=indicator, **lookup).exists():
        return False
    try:
        with transaction.atomic():
            Achievement.objects.create(
                indicator_id=indicator, achieved_at=at, **lookup, **key.as_filter()
            )
    except IntegrityError:
        return False  # a concurrent transaction counted it first
    counter_cell_add(indicator=indicator, key=key, delta=1)
    return True


def achievement_remove(
    *, code: str, cadre: Cadre | None = None, session: TrainingSession | None = None
) -> bool:
    """Stop counting a person or a session for an indicator. True if it was counted."""
    indicator = indicator_id(code)
    if indicator is None:
        return False
    lookup = {"cadre": cadre} if cadre is not None else {"session": session}
    achievement = (
        Achievement.objects.select_for_update().filter(indicator_id=indicator, **lookup).first()
    )
    if achievement is None:
        return False
    key = CellKey(
        month=achievement.month,
        province_code=achievement.province_code,
        district_code=achievement.district_code,
        commune_code=achievement.commune_code,
        level=achievement.level,
        sex=achievement.sex,
        ethnicity=achievement.ethnicity,
    )
    deleted, _ = Achievement.objects.filter(pk=achievement.pk).delete()
    if deleted:
        counter_cell_add(indicator=indicator, key=key, delta=-1)
    return bool(deleted)


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


def achievements_for_attendance(*, session: TrainingSession, cadre: Cadre, present: bool) -> None:
    """ME_PARTICIPANTS counts distinct people present at held monitoring sessions."""
    if session.kind != SessionKind.MONITORING:
        return
    if present and session.status == SessionStatus.HELD:
        at = timezone.now()
        achievement_record(
            code=ME_PARTICIPANTS,
            key=cell_key_for_cadre(cadre, session.end_date),
            at=at,
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
    """A held session counts for its kind's indicator; a cancelled or planned one does not."""
    code = SESSION_INDICATORS.get(session.kind)
    held = session.status == SessionStatus.HELD
    if code:
        if held:
            achievement_record(
                code=code, key=cell_key_for_session(session), at=timezone.now(), session=session
            )
        else:
            achievement_remove(code=code, session=session)
    if session.kind == SessionKind.MONITORING:
        present = session.attendance.filter(present=True).select_related("cadre")
        for row in present:
            if held:
                achievements_for_attendance(session=session, cadre=row.cadre, present=True)
            else:
                _me_participant_recheck(cadre=row.cadre)
