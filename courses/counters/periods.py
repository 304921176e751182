"""Reporting periods as DHIS2 names them: a year (2026), a quarter (2026Q1), a month (202601).

The counters are kept by month, so each period is a range of whole months. A period carries
its DHIS2 id (dataValueSets JSON) and its ISO 8601 start/duration (ADX: 2026-01-01/P3M).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

_YEAR = re.compile(r"^(\d{4})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")
_MONTH = re.compile(r"^(\d{4})(\d{2})$")


class PeriodError(ValueError):
    """A period or date that does not parse; the message says why, for the person who typed it."""


@dataclass(frozen=True)
class Period:
    kind: str  # year, quarter, month
    first: dt.date  # the first day of the first month
    months: int

    @property
    def last_month(self) -> dt.date:
        index = self.first.year * 12 + self.first.month - 1 + self.months - 1
        return dt.date(index // 12, index % 12 + 1, 1)

    @property
    def end(self) -> dt.date:
        """The last day of the period."""
        index = self.first.year * 12 + self.first.month - 1 + self.months
        return dt.date(index // 12, index % 12 + 1, 1) - dt.timedelta(days=1)

    @property
    def dhis2_id(self) -> str:
        if self.kind == "year":
            return f"{self.first.year}"
        if self.kind == "quarter":
            return f"{self.first.year}Q{(self.first.month - 1) // 3 + 1}"
        return f"{self.first:%Y%m}"

    @property
    def iso(self) -> str:
        """ISO 8601 start and duration, as ADX writes a period."""
        duration = {"year": "P1Y", "quarter": "P3M", "month": "P1M"}[self.kind]
        return f"{self.first.isoformat()}/{duration}"


def period_parse(text: str) -> Period:
    """A DHIS2 period id (2026, 2026Q1, 202601); PeriodError with the reason otherwise."""
    value = (text or "").strip()
    if not value:
        raise PeriodError(
            _("Enter a period: a year (2026), a quarter (2026Q1) or a month (202601).")
        )
    if match := _YEAR.match(value):
        year = _year(match.group(1), value)
        return Period("year", dt.date(year, 1, 1), 12)
    if match := _QUARTER.match(value):
        year = _year(match.group(1), value)
        return Period("quarter", dt.date(year, (int(match.group(2)) - 1) * 3 + 1, 1), 3)
    if match := _MONTH.match(value):
        year, month = _year(match.group(1), value), int(match.group(2))
        if not 1 <= month <= 12:
            raise PeriodError(
                _("“{value}”: there is no month {month}.").format(value=value, month=month)
            )
        return Period("month", dt.date(year, month, 1), 1)
    raise PeriodError(
        _("“{value}” is not a period: write a year (2026), a quarter (2026Q1) or a month (202601).")
        .format(value=value)
    )  # fmt: skip


def _year(text: str, value: str) -> int:
    year = int(text)
    if not 2000 <= year <= 2100:
        raise PeriodError(
            _("“{value}”: the year must be between 2000 and 2100.").format(value=value)
        )
    return year


def date_parse(text: str, *, name: str) -> dt.date | None:
    """An ISO 8601 date (2026-01-31) or None for an empty value; PeriodError otherwise."""
    value = (text or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise PeriodError(
            _("{name} “{value}” is not a date: write it as YYYY-MM-DD (2026-01-31).").format(
                name=name, value=value
            )
        ) from None


def range_parse(
    *, period: str = "", start: str = "", end: str = ""
) -> tuple[dt.date | None, dt.date | None]:
    """The first and last day asked for: a period, or ISO start and end dates (either may be
    open), never both; PeriodError with the reason when they do not parse or do not agree."""
    if period and (start or end):
        raise PeriodError(_("Give either a period or start and end dates, not both."))
    if period:
        parsed = period_parse(period)
        return parsed.first, parsed.end
    first, last = date_parse(start, name="start"), date_parse(end, name="end")
    if first and last and first > last:
        raise PeriodError(_("The start date is after the end date."))
    return first, last
