"""Property-based tests (hypothesis) of the import limits (lms/spreadsheet_limits.py): for
any table, limits and format (CSV or XLSX), reading the file is refused exactly when the
table goes over a limit, with the reason naming that limit; within them, every data row
comes through. An import over a limit writes nothing; errors beyond the number kept are
counted, never lost.

The limits are lowered for the examples (a few rows, columns and characters), so that each
example stays small; the code reads them from the settings as in production.
"""

from __future__ import annotations

import csv
import io

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from courses.registry.imports import COLUMNS
from courses.registry.models import Cadre
from courses.registry.services import cadre_import
from lms.spreadsheet import ErrorList, ImportFileError, clean_text, read_rows
from lms.spreadsheet_limits import ImportLimits
from tests.builders import make_units

SETTINGS = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
HEADER = ["ma", "ten", "gc"]  # shorter than any cell limit drawn

# Text a spreadsheet cell may hold (no control characters, which XLSX cannot), with the
# separators, quotes and line breaks that make CSV records span lines.
pieces = st.sampled_from([*"abcxyzÀàĐđơưỹ ,;\"'\n", "Nguyễn", "Thị"])
cell = st.lists(pieces, max_size=8).map("".join)
limits = st.builds(
    ImportLimits,
    rows=st.integers(1, 5),
    columns=st.integers(4, 6),
    cell_chars=st.integers(5, 12),
    uncompressed_bytes=st.just(50 * 1024 * 1024),
    errors=st.integers(1, 5),
)
table = st.lists(st.lists(cell, max_size=8), max_size=8)


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *rows])
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    for row in [HEADER, *rows]:
        sheet.append([value if value != "" else None for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def csv_line(row: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(row)
    return out.getvalue()


def expected(rows: list[list[str]], lim: ImportLimits, kind: str) -> tuple[str | None, int]:
    """What the limits make of the table: the limit it goes over first (None: none) and the
    number of data rows read before that. A CSV record longer than any row within the limits
    can be is refused as it is read, before its cells are known."""
    data = 0
    for row in [HEADER, *rows]:
        if kind == "csv" and len(csv_line(row)) > lim.record_chars:
            return "record", data
        for position, value in enumerate(row, start=1):
            if len(value) > lim.cell_chars:
                return "cell", data
            if position > lim.columns and value.strip():
                return "columns", data
        if row is not HEADER and any(clean_text(value) for value in row[: len(HEADER)]):
            data += 1
            if data > lim.rows:
                return "rows", data - 1
    return None, data


REASONS = {
    "cell": "ký tự, vượt quá giới hạn của một ô.",
    "columns": "cột của một lần nhập.",
    "rows": "dòng dữ liệu, vượt quá giới hạn của một lần nhập",
    "record": "dài hơn mức cho phép của một dòng",
}


@SETTINGS
@given(rows=table, lim=limits, kind=st.sampled_from(["csv", "xlsx"]))
def test_a_file_is_refused_exactly_when_it_goes_over_a_limit_and_names_that_limit(rows, lim, kind):
    data = as_csv(rows) if kind == "csv" else as_xlsx(rows)
    errors = ErrorList(limit=lim.errors)
    read, refused = 0, None
    with translation.override("vi"):
        try:
            for _row in read_rows(io.BytesIO(data), name=f"f.{kind}", columns=HEADER,
                                  errors=errors, limits=lim):  # fmt: skip
                read += 1
        except ImportFileError as exc:
            refused = str(exc)
    over, rows_before = expected(rows, lim, kind)
    assert not errors, "the header is right: no row error from the reader"
    if over is None:
        assert refused is None and read == rows_before
    else:
        assert refused is not None, f"over the {over} limit but read"
        assert REASONS[over] in refused, refused
        named = {"cell": [lim.cell_chars], "columns": [lim.columns], "rows": [lim.rows],
                 "record": [lim.columns, lim.cell_chars]}[over]  # fmt: skip
        assert all(f" {limit} " in refused for limit in named), refused
        assert read == rows_before


@pytest.fixture
def units(db):
    return make_units(province_code="10")


@SETTINGS
@given(count=st.integers(0, 6), max_rows=st.integers(1, 4), kind=st.sampled_from(["csv", "xlsx"]))
def test_an_import_over_the_row_limit_writes_nothing_and_within_it_writes_every_row(
    units, count, max_rows, kind
):
    rows = [[f"LC-{n}", f"Người {n}", "Nữ", "1985", "", "Khác", "Xã", "", units.commune.code,
             "", ""] for n in range(count)]  # fmt: skip
    if kind == "csv":
        out = io.StringIO()
        csv.writer(out).writerows([COLUMNS, *rows])
        data = out.getvalue().encode("utf-8")
    else:
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet()
        for row in [COLUMNS, *rows]:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
    with (
        override_settings(IMPORT_MAX_ROWS=max_rows),
        translation.override("vi"),
        transaction.atomic(),
    ):
        result = cadre_import(source=io.BytesIO(data), name=f"can_bo.{kind}", structure="2023")
        written = Cadre.objects.count()
        transaction.set_rollback(True)
    if count > max_rows:
        assert written == 0 and not result.written
        assert [e.row for e in result.errors.sorted()] == [0]
        assert f"Tệp có hơn {max_rows} dòng dữ liệu" in result.errors.sorted()[0].message
    elif count == 0:
        assert written == 0 and result.errors
    else:
        assert result.ok and written == count


@SETTINGS
@given(
    bad=st.lists(st.integers(0, 30), max_size=60),
    limit=st.integers(1, 10),
)
def test_errors_beyond_the_limit_are_counted_and_the_file_errors_always_kept(bad, limit):
    errors = ErrorList(limit=limit)
    for row in bad:
        errors.add(row, "", "x")
    file_errors = sum(1 for row in bad if row == 0)
    row_errors = len(bad) - file_errors
    assert len(errors) == len(bad)
    assert sum(1 for e in errors if e.row == 0) == file_errors
    assert len(errors.errors) == file_errors + min(row_errors, limit)
    assert errors.more == len(bad) - len(errors.errors)
    with translation.override("vi"):
        assert (errors.more_text() == f"… và {errors.more} lỗi khác.") == (errors.more > 0)
