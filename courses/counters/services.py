"""The counter ledger: achievements and counter cells, written in the transaction of the event
they count.

A person (or a session) counts once per indicator: the Achievement row is unique, and the cell
is changed only when the row is really inserted or deleted. Concurrent writers are safe on
PostgreSQL: the second insert of the same achievement (INSERT ... ON CONFLICT DO NOTHING
RETURNING) waits for the first and then inserts nothing, and a cell changes by one INSERT ...
ON CONFLICT DO UPDATE SET value = value + delta statement, which locks the row. After a commit
that changed a cell, the counters generation (in the cache) moves on, so cached figures are
recomputed.

What counts for which indicator is decided by the features whose events are counted: the
completion engine (learning), sessions and attendance (sessions), and the certificates app
through `certified_learner_record` / `certified_learner_remove`.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, replace

from django.db import connection, transaction
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
from courses.counters.selectors import COUNTERS_GENERATION
from courses.registry.models import Cadre
from lms.cache import generation_moved
from lms.rows import row_insert_new

CADRES_TRAINED = "CADRES_TRAINED"
VILLAGE_HEADS_TRAINED = "VILLAGE_HEADS_TRAINED"
SESSIONS_DISTRICT_COMMUNE = "SESSIONS_DISTRICT_COMMUNE"
SESSIONS_VILLAGE = "SESSIONS_VILLAGE"
SESSIONS_ME = "SESSIONS_ME"
ME_PARTICIPANTS = "ME_PARTICIPANTS"
CERTIFIED_LEARNERS = "CERTIFIED_LEARNERS"


@dataclass(frozen=True)
class CellKey:
    month: dt.date
    province_code: str = ""
    district_code: str = ""
    commune_code: str = ""
    level: str = ""
    sex: str = ""
    ethnicity: str = ""
    province_2025: str = ""
    commune_2025: str = ""

    def as_filter(self) -> dict:
        return {
            "month": self.month,
            "province_code": self.province_code,
            "district_code": self.district_code,
            "commune_code": self.commune_code,
            "province_2025": self.province_2025,
            "commune_2025": self.commune_2025,
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
        province_2025=cadre.province_2025,
        commune_2025=cadre.commune_2025,
        level=cadre.level,
        sex=cadre.sex,
        ethnicity=cadre.ethnicity,
    )


def achievement_key(achievement: Achievement) -> CellKey:
    """The cell an achievement is counted in."""
    return CellKey(
        month=achievement.month,
        province_code=achievement.province_code,
        district_code=achievement.district_code,
        commune_code=achievement.commune_code,
        province_2025=achievement.province_2025,
        commune_2025=achievement.commune_2025,
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


CELL_COLUMNS = (
    "indicator_id", "month", "province_code", "district_code", "commune_code", "province_2025",
    "commune_2025", "level", "sex", "ethnicity",
)  # fmt: skip

# The rollups: each is the fine cells summed over the columns it leaves out ("year" is the
# year of the month). Written together with the fine cell, in this order (the lock order).
ROLLUPS: tuple[tuple[type, tuple[str, ...]], ...] = (
    (CounterRollup, ("indicator_id", "month", "province_code", "province_2025", "level", "sex",
                     "ethnicity")),
    (CounterYearRollup, ("indicator_id", "year", "province_code", "province_2025", "level",
                         "sex", "ethnicity")),
    (CounterMonthTotal, ("indicator_id", "month", "province_code", "province_2025")),
    (CounterNationalMonth, ("indicator_id", "month", "province_2025", "level", "sex",
                            "ethnicity")),
)  # fmt: skip
COUNTER_TABLES: tuple[tuple[type, tuple[str, ...]], ...] = ((CounterCell, CELL_COLUMNS), *ROLLUPS)


def _upsert_sql(*, table: str, columns: tuple[str, ...]) -> str:
    names = ", ".join(columns)
    placeholders = ", ".join(["%s"] * (len(columns) + 1))
    return (
        f"INSERT INTO {table} ({names}, value) VALUES ({placeholders}) "  # noqa: S608
        f"ON CONFLICT ({names}) DO UPDATE SET value = {table}.value + EXCLUDED.value"
    )


def _server_side_binding() -> bool:
    return bool(connection.settings_dict.get("OPTIONS", {}).get("server_side_binding"))


_batch: contextvars.ContextVar[dict | None] = contextvars.ContextVar("counters_batch", default=None)


@contextlib.contextmanager
def counters_batched():
    """One transaction in which the cell deltas are summed in memory and each counter row is
    written once, at the end, before the commit: for a single writer loading history in bulk
    (the demo's thousands of completions), where one upsert per table and achievement would
    be most of the work. The achievements are written as they happen, so the rules (counted
    once, moved to an earlier month) stay those of achievement_record; the figures read inside
    are not up to date until the block ends. Nested use joins the outer batch."""
    if _batch.get() is not None:
        yield
        return
    pending: dict[tuple[int, CellKey], int] = defaultdict(int)
    token = _batch.set(pending)
    try:
        with transaction.atomic():
            yield
            _batch.reset(token)
            token = None
            _cells_write(pending)
    finally:
        if token is not None:
            _batch.reset(token)


def _cells_write(pending: dict[tuple[int, CellKey], int]) -> None:
    """Write summed deltas: each row of each counter table once (executemany), in the lock
    order of counter_cell_add."""
    if not any(pending.values()):
        return
    with connection.cursor() as cursor:
        for model, columns in COUNTER_TABLES:
            rows: dict[tuple, int] = defaultdict(int)
            for (indicator, key), delta in pending.items():
                fields = {"indicator_id": indicator, "year": key.month.year, **key.as_filter()}
                rows[tuple(fields[c] for c in columns)] += delta
            cursor.executemany(
                _upsert_sql(table=model._meta.db_table, columns=columns),
                [[*row, delta] for row, delta in sorted(rows.items()) if delta],
            )
    counters_changed()


def counter_cell_add(*, indicator: int, key: CellKey, delta: int) -> None:
    """Add delta to one fine cell and to the rollup rows it is summed into, creating them if
    needed, one statement each (inside the caller's transaction, so all move together).

    INSERT ... ON CONFLICT DO UPDATE (PostgreSQL and SQLite): two transactions adding to a new
    row at once cannot both insert it; the second waits for the first's row and adds to it.
    The tables are always written in the same order (fine cell, then ROLLUPS). Inside
    counters_batched the delta is summed and written when the batch ends.
    """
    pending = _batch.get()
    if pending is not None:
        pending[(indicator, key)] += delta
        return
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


def counters_changed() -> None:
    """Cached figures are recomputed once this transaction commits; its own readers compute
    them from its writes meanwhile (lms.cache.generation_moved)."""
    generation_moved(COUNTERS_GENERATION)


def achievement_record(
    *,
    code: str,
    key: CellKey,
    at: dt.datetime,
    cadre: Cadre | None = None,
    session=None,
) -> bool:
    """Count a person or a session once for an indicator, in the cell of its earliest
    moment: True if it was new. A person counted already, but whose new achievement happened
    earlier (history entered late), moves to the earlier month (-1 there, +1 here)."""
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
        # Counted already, perhaps by a concurrent transaction (now committed: the insert
        # waited for it).
        _achievement_move_earlier(indicator=indicator, key=key, at=at, cadre=cadre,
                                  session=session)  # fmt: skip
        return False
    counter_cell_add(indicator=indicator, key=key, delta=1)
    return True


def _achievement_move_earlier(*, indicator: int, key: CellKey, at: dt.datetime, cadre, session):
    """Counted already: if this achievement happened earlier, the count moves there."""
    lookup = {"cadre": cadre} if cadre is not None else {"session": session}
    current = (
        Achievement.objects.select_for_update()
        .filter(indicator_id=indicator, achieved_at__gt=at, **lookup)
        .first()
    )
    if current is not None:
        _achievement_to_month(current, at=at)


def _achievement_to_month(achievement: Achievement, *, at: dt.datetime) -> bool:
    """Date a (locked) achievement at `at`; if that is another month, its count moves there
    (-1 in the old cell, +1 in the new one, rollups included). True if it moved."""
    month = month_of(at)
    if achievement.month == month:
        if achievement.achieved_at != at:
            Achievement.objects.filter(pk=achievement.pk).update(achieved_at=at)
        return False
    old = achievement_key(achievement)
    Achievement.objects.filter(pk=achievement.pk).update(achieved_at=at, month=month)
    counter_cell_add(indicator=achievement.indicator_id, key=old, delta=-1)
    counter_cell_add(indicator=achievement.indicator_id, key=replace(old, month=month), delta=1)
    return True


def _achievement_insert(values: dict) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING RETURNING: True if the row is new.

    One statement, no savepoint: a concurrent insert of the same person (or session) and
    indicator makes this one wait for it, then do nothing if it committed."""
    return row_insert_new(Achievement(**values))


def achievement_remove(*, code: str, cadre: Cadre | None = None, session=None) -> bool:
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


def achievement_redate(*, code: str, cadre: Cadre, at: dt.datetime) -> bool:
    """Count a person's achievement in the month of `at` (their earliest completion once a
    later or earlier one went away): -1 in the old cell, +1 in the new one. True if moved."""
    indicator = indicator_id(code)
    if indicator is None:
        return False
    current = (
        Achievement.objects.select_for_update().filter(indicator_id=indicator, cadre=cadre).first()
    )
    return current is not None and _achievement_to_month(current, at=at)


# The place columns a record (Cadre, TrainingSession) shares with its achievements and cells.
PLACE_COLUMNS = ("province_code", "district_code", "commune_code", "province_2025", "commune_2025")


def achievements_move(*, cadre: Cadre | None = None, session=None) -> int:
    """Count a record's achievements at the record's place as it is now (inside the caller's
    transaction, after the record was saved). Returns how many moved.

    An achievement copies its place when it is achieved; when the record moves afterwards (an
    admin picks the new commune of a split 2023 commune, or corrects the unit), each achievement
    of it that is elsewhere leaves its old cell (-1), takes the record's place columns and
    joins the new cell (+1), rollups included, so the totals stay the same and a recount
    finds no drift. The month, level, sex and ethnicity it was counted with stay as they were.
    Running it again moves nothing.
    """
    record = cadre if cadre is not None else session
    if record is None:
        return 0
    lookup = {"cadre_id": record.pk} if cadre is not None else {"session_id": record.pk}
    place = {column: getattr(record, column) for column in PLACE_COLUMNS}
    moved = 0
    for achievement in Achievement.objects.select_for_update().filter(**lookup).order_by("pk"):
        old = achievement_key(achievement)
        new = replace(old, **place)
        if new == old:
            continue
        Achievement.objects.filter(pk=achievement.pk).update(**place)
        counter_cell_add(indicator=achievement.indicator_id, key=old, delta=-1)
        counter_cell_add(indicator=achievement.indicator_id, key=new, delta=1)
        moved += 1
    return moved


def achievements_ethnicity_forget(*, cadre: Cadre) -> int:
    """A person withdrew their consent to sensitive data (inside that transaction): each of
    their achievements counted with an ethnicity leaves its cell (-1) and joins the same cell
    with ethnicity "not stated" (+1), rollups included, so the totals stay the same and a
    recount finds no drift. Running it again moves nothing. Returns how many moved."""
    moved = 0
    rows = Achievement.objects.select_for_update().filter(cadre_id=cadre.pk).exclude(ethnicity="")
    for achievement in rows.order_by("pk"):
        old = achievement_key(achievement)
        Achievement.objects.filter(pk=achievement.pk).update(ethnicity="")
        counter_cell_add(indicator=achievement.indicator_id, key=old, delta=-1)
        counter_cell_add(
            indicator=achievement.indicator_id, key=replace(old, ethnicity=""), delta=1
        )
        moved += 1
    return moved


def certified_learner_record(*, cadre: Cadre, at: dt.datetime) -> bool:
    """Count a person once among the certified learners, in the cell of `at`'s month."""
    return achievement_record(
        code=CERTIFIED_LEARNERS, cadre=cadre, key=cell_key_for_cadre(cadre, at), at=at
    )


def certified_learner_redate(*, cadre: Cadre, at: dt.datetime) -> bool:
    """Count a certified learner in the month of `at` instead (the completion their first
    certificate stands for was dated again). True if moved."""
    return achievement_redate(code=CERTIFIED_LEARNERS, cadre=cadre, at=at)


def certified_learner_remove(*, cadre_id: int) -> bool:
    """Stop counting a person among the certified learners (their last certificate went)."""
    return achievement_remove(code=CERTIFIED_LEARNERS, cadre=Cadre.objects.get(pk=cadre_id))


def achievements_merge(*, kept: Cadre, duplicate: Cadre) -> int:
    """Two records of one person become one (inside the merge's transaction, both rows
    locked): the duplicate's achievements go to the kept record; where both were counted for
    the same indicator, the earlier achievement stays and the later one leaves its cell (-1),
    so the person counts once, in the month they first counted. Then all of them sit at the
    kept record's place (achievements_move). Returns how many left a cell."""
    rows = Achievement.objects.select_for_update().filter(cadre_id__in=[kept.pk, duplicate.pk])
    mine: dict[int, Achievement] = {}
    theirs: list[Achievement] = []
    for achievement in rows.order_by("pk"):
        if achievement.cadre_id == kept.pk:
            mine[achievement.indicator_id] = achievement
        else:
            theirs.append(achievement)
    removed = 0
    for achievement in theirs:
        other = mine.get(achievement.indicator_id)
        if other is not None:
            later = achievement if other.achieved_at <= achievement.achieved_at else other
            Achievement.objects.filter(pk=later.pk).delete()
            counter_cell_add(indicator=later.indicator_id, key=achievement_key(later), delta=-1)
            removed += 1
            if later is achievement:
                continue
        Achievement.objects.filter(pk=achievement.pk).update(cadre_id=kept.pk)
    achievements_move(cadre=kept)
    return removed
