"""Proof and repair of the counters: the drift between the counter tables and the
achievements they count, and a rebuild of every table from the achievements
(`recount_counters [--check]`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count
from django.db.models.functions import ExtractYear

from courses.counters.models import (
    Achievement,
    CounterCell,
    CounterMonthTotal,
    CounterNationalMonth,
    CounterRollup,
    CounterYearRollup,
    Indicator,
)
from courses.counters.services import (
    CELL_COLUMNS,
    COUNTER_TABLES,
    ROLLUPS,
    CellKey,
    counters_changed,
)


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
        if self.table in ("cell", "rollup"):
            place += f" (2025: {k.province_2025 or '-'}"
            place += f"/{k.commune_2025 or '-'})" if self.table == "cell" else ")"
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
    columns = ", ".join(CELL_COLUMNS)
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
