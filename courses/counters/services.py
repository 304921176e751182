"""Achievements and counter cells: written in the same transaction as the event they count.

A person (or a session) counts once per indicator: the Achievement row is unique, and the cell
is changed only when the row is really inserted or deleted. Concurrent writers are safe on
PostgreSQL: the second insert of the same achievement (INSERT ... ON CONFLICT DO NOTHING
RETURNING) waits for the first and then inserts nothing, and a cell changes by one INSERT ...
ON CONFLICT DO UPDATE SET value = value + delta statement, which locks the row. After a commit
that changed a cell, the counters generation (in the cache) moves on, so cached figures are
recomputed.

Callers: completion (achievements_for_completion), sessions (achievements_for_session on a
status/kind/unit change, achievements_for_attendance when attendance is marked) and
certificates (achievement_record / achievement_remove with CERTIFIED_LEARNERS).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils import timezone

from courses.counters.models import (
    Achievement,
    CounterCell,
    CounterMonthTotal,
    CounterNationalMonth,
    CounterRollup,
    CounterYearRollup,
    Indicator,
)
from courses.learning.models import Enrolment
from courses.registry.models import Cadre, Level, TargetGroup
from courses.sessions.models import Attendance, SessionKind, SessionStatus, TrainingSession

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


def achievement_key(achievement: Achievement) -> CellKey:
    """The cell an achievement is counted in."""
    return CellKey(
        month=achievement.month,
        province_code=achievement.province_code,
        district_code=achievement.district_code,
        commune_code=achievement.commune_code,
        level=achievement.level,
        sex=achievement.sex,
        ethnicity=achievement.ethnicity,
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


_CELL_COLUMNS = (
    "indicator_id", "month", "province_code", "district_code", "commune_code", "level", "sex",
    "ethnicity",
)  # fmt: skip

# The rollups: each is the fine cells summed over the columns it leaves out ("year" is the
# year of the month). Written together with the fine cell, in this order (the lock order).
ROLLUPS: tuple[tuple[type, tuple[str, ...]], ...] = (
    (CounterRollup, ("indicator_id", "month", "province_code", "level", "sex", "ethnicity")),
    (CounterYearRollup, ("indicator_id", "year", "province_code", "level", "sex", "ethnicity")),
    (CounterMonthTotal, ("indicator_id", "month", "province_code")),
    (CounterNationalMonth, ("indicator_id", "month", "level", "sex", "ethnicity")),
)
COUNTER_TABLES: tuple[tuple[type, tuple[str, ...]], ...] = ((CounterCell, _CELL_COLUMNS), *ROLLUPS)


def _upsert_sql(*, table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(columns)
    placeholders = ", ".join(["%s"] * (len(columns) + 1))
    return (
        f"INSERT INTO {table} ({names}, value) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({names}) DO UPDATE SET value = {table}.value + EXCLUDED.value"
    )


def _server_side_binding() -> bool:
    return bool(connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"))


def counter_cell_add(*, indicator: int, key: CellKey, delta: int) -> None:
    """Add delta to one fine cell and to the rollup rows it is summed into, creating them if
    needed, one statement each (inside the caller's transaction, so all move together).

    INSERT ... ON CONFLICT DO UPDATE (PostgreSQL and SQLite): two transactions adding to a new
    row at once cannot both insert it; the second waits for the first's row and adds to it.
    The tables are always written in the same order (fine cell, then ROLLUPS).
    """
    fields = {"indicator_id": indicator, "year": key.month.year, **key.as_filter()}
    statements = [
        _upsert_sql(table=model._meta.db_table, columns=columns)
        for model, columns in COUNTER_TABLES
    ]
    params = [[*(fields[c] for c in columns), delta] for _model, columns in COUNTER_TABLES]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not _server_side_binding():
            # One round trip (psycopg's client-side binding sends them as one simple query):
            # the statements run one after the other, in this order, in this transaction.
            cursor.execute("; ".join(statements), [p for group in params for p in group])
        else:
            for sql, group in zip(statements, params, strict=True):
                cursor.execute(sql, group)
    counters_changed()


GENERATION_KEY = "counters:generation"


def counters_generation() -> int:
    """A number that changes after every committed counter write (cache key for the figures)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, 1, timeout=None)
        value = cache.get(GENERATION_KEY) or 1
    return value


def _bump_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.add(GENERATION_KEY, 2, timeout=None)


def counters_changed() -> None:
    """Invalidate cached figures now (this transaction reads its own writes) and again once
    it commits (a reader may have cached the figures before the commit in between)."""
    _bump_generation()
    transaction.on_commit(_bump_generation)


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
    values = {
        "indicator_id": indicator,
        "cadre_id": cadre.pk if cadre is not None else None,
        "session_id": session.pk if session is not None else None,
        "achieved_at": at,
        **key.as_filter(),
    }
    if not _achievement_insert(values):
        return False  # counted already, perhaps by a concurrent transaction
    counter_cell_add(indicator=indicator, key=key, delta=1)
    return True


def _achievement_insert(values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: True if the row is new.

    One statement, no savepoint: a concurrent insert of the same person (or session) and
    indicator makes this one wait for it, then do nothing if it committed."""
    table = Achievement._meta.db_table
    fields = [Achievement._meta.get_field(name) for name in values]
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({', '.join(f.column for f in fields)}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))}) ON CONFLICT DO NOTHING RETURNING id",
            params,
        )
        return cursor.fetchone() is not None


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
    key = achievement_key(achievement)
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
        achievement_record(code=code, key=key, at=timezone.now(), session=session)
    present = session.attendance.filter(present=True).select_related("cadre").order_by("cadre_id")
    counts_people = held and session.kind == SessionKind.MONITORING
    for row in present:
        if counts_people:
            achievements_for_attendance(session=session, cadre=row.cadre, present=True)
        else:
            _me_participant_recheck(cadre=row.cadre)


@dataclass(frozen=True)
class Drift:
    indicator_code: str
    key: CellKey
    stored: int
    expected: int
    table: str = "cell"  # or the rollup's name: "rollup", "year", "month-total", ...

    def where(self) -> str:
        k = self.key
        if self.table == "year":
            return (
                f"[year] {k.month:%Y} {k.province_code or '-'} {k.level or '-'} {k.sex or '-'} "
                f"{k.ethnicity or '-'}"
            )
        if self.table == "month-total":
            return f"[month-total] {k.month:%Y-%m} {k.province_code or '-'}"
        if self.table == "national-month":
            return (
                f"[national-month] {k.month:%Y-%m} {k.level or '-'} {k.sex or '-'} "
                f"{k.ethnicity or '-'}"
            )
        place = f"{k.province_code or '-'}"
        if self.table == "cell":
            place += f"/{k.district_code or '-'}/{k.commune_code or '-'}"
        return (
            f"[{self.table}] {k.month:%Y-%m} {place} {k.level or '-'} {k.sex or '-'} "
            f"{k.ethnicity or '-'}"
        )


TABLE_NAMES = {
    CounterCell: "cell",
    CounterRollup: "rollup",
    CounterYearRollup: "year",
    CounterMonthTotal: "month-total",
    CounterNationalMonth: "national-month",
}


def _expected(columns: tuple[str, ...]) -> dict[tuple, int]:
    rows = Achievement.objects.all()
    if "year" in columns:
        rows = rows.annotate(year=ExtractYear("month"))
    rows = rows.values(*columns).annotate(n=Count("pk")).values_list(*columns, "n").order_by()
    return {tuple(row[:-1]): row[-1] for row in rows}


def _stored(model, columns: tuple[str, ...]) -> dict[tuple, int]:
    rows = model.objects.exclude(value=0).values_list(*columns, "value").order_by()
    return {tuple(row[:-1]): row[-1] for row in rows}


def _drift_key(columns: tuple[str, ...], cell: tuple) -> CellKey:
    fields = dict(zip(columns, cell, strict=True))
    if "year" in fields:
        fields["month"] = dt.date(fields.pop("year"), 1, 1)
    fields.pop("indicator_id")
    return CellKey(**fields)


def counters_drift() -> list[Drift]:
    """Rows of the fine cells and of every rollup whose value differs from the count of their
    achievements (zero rows ignored). The rollups are checked against the achievements, so
    when nothing drifted they also equal the fine cells summed."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A consistent view: writers wait, readers don't.
            tables = ", ".join(model._meta.db_table for model, _c in COUNTER_TABLES)
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {tables} IN SHARE MODE")
        pairs = [
            (model, columns, _expected(columns), _stored(model, columns))
            for model, columns in COUNTER_TABLES
        ]
    codes = dict(Indicator.objects.values_list("pk", "code"))
    drift = []
    for model, columns, expected, stored in pairs:
        for cell in sorted(set(expected) | set(stored), key=str):
            if expected.get(cell, 0) != stored.get(cell, 0):
                drift.append(
                    Drift(
                        indicator_code=codes.get(cell[0], str(cell[0])),
                        key=_drift_key(columns, cell),
                        stored=stored.get(cell, 0),
                        expected=expected.get(cell, 0),
                        table=TABLE_NAMES[model],
                    )
                )
    return drift


def counters_recount() -> int:
    """Rebuild the fine cells from the achievements, and the rollups from the fine cells, in
    one transaction. Returns the fine cell count.

    On PostgreSQL the counter tables are locked against writers first, in the writers' order
    (readers go on): a writer that has inserted an achievement but not yet its cell waits, and
    adds its +1 after the rebuild, which did not see its uncommitted achievement.
    """
    cells = CounterCell._meta.db_table
    achievements = Achievement._meta.db_table
    columns = ", ".join(_CELL_COLUMNS)
    postgres = connection.vendor == "postgresql"
    year = (
        "CAST(EXTRACT(YEAR FROM month) AS integer)"
        if postgres
        else "CAST(strftime('%Y', month) AS integer)"
    )
    with transaction.atomic():
        with connection.cursor() as cursor:
            if postgres:
                tables = ", ".join(model._meta.db_table for model, _c in COUNTER_TABLES)
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
            for model, _c in COUNTER_TABLES:
                cursor.execute(f"DELETE FROM {model._meta.db_table}")  # noqa: S608
            cursor.execute(
                f"INSERT INTO {cells} ({columns}, value) "  # noqa: S608
                f"SELECT {columns}, COUNT(*) FROM {achievements} GROUP BY {columns}"
            )
            for model, key in ROLLUPS:
                names = ", ".join(key)
                select = names.replace("year", year)
                cursor.execute(
                    f"INSERT INTO {model._meta.db_table} ({names}, value) "  # noqa: S608
                    f"SELECT {select}, SUM(value) FROM {cells} GROUP BY {select}"
                )
        counters_changed()
        return CounterCell.objects.count()
