"""Property-based tests (hypothesis) of the in-person session import and the attendance
import (courses/sessions/imports/sessions.py, attendance.py; `manage.py import_sessions` and
`import_attendance`).

Whatever a province puts in the cells - Vietnamese typed decomposed, formulas, control
characters, huge text, numbers and dates as a spreadsheet stores them - the importer answers
with per-row errors in Vietnamese, never an exception; a file with any bad row writes nothing
(sessions, attendance, enrolments, achievements and counters are compared before and after);
a valid file imports exactly its rows, in units of the structure the file states; and
importing the same file again changes nothing. Warnings never stop a file: the rows of a
cancelled session are left out and the rest imports, and a cadre id known only to the sheet
is taken as the one person its phone identifies.

Each example runs in a savepoint that is rolled back, so examples do not see each other.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import string
import unicodedata
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import translation
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from courses.counters.models import Achievement, CounterCell
from courses.learning.models import Enrolment
from courses.registry.models import Cadre
from courses.sessions.imports import attendance as attendance_import
from courses.sessions.imports import sessions as session_import
from courses.sessions.models import Attendance, SessionKind, SessionStatus, TrainingSession
from courses.sessions.services import attendance_mark
from lms.spreadsheet import clean_text
from tests.builders import make_cadre, make_session, make_sessions_world

pytestmark = pytest.mark.django_db

SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)  # fmt: skip
FEW = settings(SETTINGS, max_examples=10)
FORMATS = st.sampled_from(["csv", "xlsx"])

# --- The world every example imports into ----------------------------------------------------

SLUGS = ["long-ghep-gioi", "binh-dang-gioi", "hoc-truc-tuyen", "giam-sat"]
# make_units: Lào Cai 10 / 100 / 10000 and Hà Giang 02 / 020 / 02000 in 2023; Lào Cai 15 /
# 10000 and Tuyên Quang 08 / 02000 in 2025.
UNIT_CODES = {"2023": ["10", "100", "10000", "02", "020", "02000"],
              "2025": ["15", "10000", "08", "02000"]}  # fmt: skip
STRUCTURES = st.sampled_from(sorted(UNIT_CODES))
# The days a session of each structure may start: a 2023 unit exists until 30 June 2025.
DAYS = {"2023": (dt.date(2021, 1, 1), dt.date(2025, 6, 30)),
        "2025": (dt.date(2021, 1, 1), dt.date(2030, 12, 31))}  # fmt: skip
EXISTING_SESSIONS = ["B001", "B002", "B003", "B004", "B005"]
# Held sessions take attendance; B003 is cancelled (its rows are left out), B005 planned
# (its rows are an error: mark it held first).
OPEN_SESSIONS = ["B001", "B002", "B004"]
# cadre key -> (ma_can_bo, phone); "em" shares "dung"'s phone and has no id: not findable.
PEOPLE = {
    "an": ("CB01", "0912000001"),
    "binh": (None, "0912000002"),
    "cuong": ("CB-03", "0912000003"),
    "dung": ("CB-04", "0912000009"),
    "em": (None, "0912000009"),
    "hoa": ("Đ-05", ""),
}
FINDABLE = ["an", "binh", "cuong", "dung", "hoa"]


@pytest.fixture
def world(db):
    world = make_sessions_world()
    commune = world.lao_cai.commune
    world.sessions = {
        "B001": make_session(course=world.in_person, unit=commune, code="B001",
                             status=SessionStatus.HELD),
        "B002": make_session(course=world.post_test, unit=commune, code="B002",
                             status=SessionStatus.HELD),
        "B003": make_session(course=world.in_person, unit=commune, code="B003",
                             status=SessionStatus.CANCELLED),
        "B004": make_session(course=world.blended, unit=world.ha_giang.commune, code="B004",
                             kind=SessionKind.VILLAGE, status=SessionStatus.HELD),
        "B005": make_session(course=world.post_test, unit=commune, code="B005"),
    }  # fmt: skip
    world.people = {
        key: make_cadre(unit=commune, full_name=f"Người {key}", ma_can_bo=ma, phone=phone)
        for key, (ma, phone) in PEOPLE.items()
    }
    # One row already there, so re-marking goes through the update path too.
    attendance_mark(session=world.sessions["B001"], cadre=world.people["binh"], present=False)
    return world


def state() -> dict:
    """Everything an import may write, in a comparable form."""
    return {
        "sessions": list(TrainingSession.objects.order_by("pk").values_list(
            "code", "kind", "course_id", "title", "start_date", "end_date", "unit_id", "venue",
            "status")),
        "attendance": list(Attendance.objects.order_by("pk").values_list(
            "session_id", "cadre_id", "present", "passed", "post_test_score")),
        "enrolments": list(Enrolment.objects.order_by("pk").values_list(
            "cadre_id", "course_id", "completed_at")),
        "achievements": list(Achievement.objects.order_by("pk").values_list("pk", flat=True)),
        "counters": list(CounterCell.objects.order_by("pk").values_list("pk", "value")),
        "cadres": Cadre.objects.count(),
    }  # fmt: skip


# --- Files ------------------------------------------------------------------------------------


def csv_bytes(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(header: list[str], rows: list[list]) -> bytes:
    """A workbook; text cells are written as text (a leading '=' stays text, as in a column
    formatted '@'), other values keep their spreadsheet type (numbers, dates, booleans)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def file_bytes(fmt: str, header: list[str], rows: list[list]) -> tuple[bytes, str]:
    if fmt == "xlsx":
        return xlsx_bytes(header, rows), "nhap.xlsx"
    return csv_bytes(header, rows), "nhap.csv"


KINDS = {
    "sessions": (session_import.session_file_import, session_import.COLUMNS),
    "attendance": (attendance_import.attendance_file_import, attendance_import.COLUMNS),
}


@dataclass
class Outcome:
    result: object
    before: dict
    after: dict
    messages: dict = field(default_factory=dict)  # language -> [(row, column, message)]


def run_import(
    kind: str, data: bytes, name: str, *, dry_run: bool = False, structure: str = "2025"
) -> Outcome:
    """Import in Vietnamese inside a savepoint that is rolled back (a session file as one of
    `structure`). When the file has errors, the same file is checked again in English, so
    the test can tell that every message was translated."""
    importer, _columns = KINDS[kind]
    options = {"structure": structure} if kind == "sessions" else {}
    with transaction.atomic():
        before = state()
        with translation.override("vi"):
            result = importer(io.BytesIO(data), name=name, dry_run=dry_run, **options)
        after = state()
        messages = {"vi": [e.as_list() for e in result.errors.sorted()]}
        if messages["vi"]:
            with translation.override("en"):
                english = importer(io.BytesIO(data), name=name, dry_run=True, **options)
            messages["en"] = [e.as_list() for e in english.errors.sorted()]
        transaction.set_rollback(True)
    return Outcome(result, before, after, messages)


def assert_clean_vietnamese_errors(outcome: Outcome, *, data_rows: int) -> None:
    """Errors name a row of the file (0 = the file as a whole, 1 = the header) and carry a
    translated, non-empty message."""
    vi, en = outcome.messages["vi"], outcome.messages.get("en", [])
    assert [(r, c) for r, c, _m in vi] == [(r, c) for r, c, _m in en]
    for (row, _column, message), (_r, _c, english) in zip(vi, en, strict=True):
        assert 0 <= row <= data_rows + 1, (row, data_rows)
        assert message.strip()
        assert message != english, f"not translated into Vietnamese: {message!r}"


# --- Cells ------------------------------------------------------------------------------------

nfd = st.text(alphabet=st.characters(categories=["Mn", "Ll", "Lu", "Zs"]), max_size=20).map(
    lambda s: unicodedata.normalize("NFD", s)
)
# Every control character is generated, NUL included (a NUL cell is a row error: no
# database text can hold it; see also test_a_nul_character_in_a_cell_is_a_clean_error).
NUL = "\x00"


junk_text = st.one_of(
    st.text(max_size=40),
    nfd,
    st.text(alphabet=st.characters(categories=["Cc", "Cf", "Zl", "Zp"]), min_size=1, max_size=4),
    st.sampled_from([
        "", " ", "Tập huấn cán bộ xã", "đã tổ chức", "Kế hoạch", "da huy", "có", "không", "x",
        "=1+1", "=HYPERLINK(\"http://x.vn\",\"bấm\")", "+84 912 000 001", "-1", "@SUM(A1)",
        "=cmd|' /C calc'!A0", "\x01", "B0\x1f01", "\ufeff", "\u200b", "1/1/1", "0000-00-00",
        "31/02/2026", "2026-02-29", "9999-12-31", "0001-01-01", "B001", "CB01", "0912000009",
        "Đ-05", "long-ghep-gioi", "10000", "99999", "x" * 300, "ư" * 140_000,
    ]),
)  # fmt: skip
# What a spreadsheet cell can hold besides text.
typed_cell = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
)
# Text an XLSX file can hold (XML 1.0 forbids most control characters; 32,767 per cell).
xlsx_text = junk_text.map(
    lambda s: "".join(ch for ch in s if ch in "\t\n\r" or ord(ch) >= 32)[:2000]
)


def junk_rows(columns: list[str], valid_cell) -> st.SearchStrategy:
    """Rows of 0..len+2 cells; each cell is a valid value for its column or junk."""

    def row(length):
        return st.tuples(*[
            st.one_of(valid_cell(columns[i]) if i < len(columns) else st.nothing(), junk_text)
            for i in range(length)
        ]).map(list)  # fmt: skip

    return st.lists(st.integers(0, len(columns) + 2).flatmap(row), min_size=1, max_size=8)


# --- Valid session rows -----------------------------------------------------------------------

STATUS_LABELS = {
    SessionStatus.PLANNED: ["", "planned", "kế hoạch", "KE HOACH", "dự kiến", "chưa tổ chức"],
    SessionStatus.HELD: ["held", "đã tổ chức", "Da to chuc", "tổ chức"],
    SessionStatus.CANCELLED: ["cancelled", "đã hủy", "đã huỷ", "da huy", "HỦY"],
}
words = st.text(
    alphabet=st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), min_size=1, max_size=60
)
session_code = st.one_of(
    st.text(alphabet=string.ascii_letters + string.digits + "-_./ĐđƯư", min_size=1, max_size=50),
    st.sampled_from(EXISTING_SESSIONS[:2] + EXISTING_SESSIONS[3:]),  # updates (not cancelled)
)


def date_text(day: dt.date, style: int):
    return [day.isoformat(), day.strftime("%d/%m/%Y"), f"{day.day}/{day.month}/{day.year}",
            dt.datetime.combine(day, dt.time())][style]  # fmt: skip


@st.composite
def session_row(draw, *, structure: str, typed: bool = False):
    """(cells, expected) for one valid row of a file of `structure`; `typed`: dates may be
    spreadsheet dates."""
    code = draw(session_code)
    kind = draw(st.sampled_from(SessionKind.values))
    status = draw(st.sampled_from(list(STATUS_LABELS)))
    first, last = DAYS[structure]
    start = draw(st.dates(min_value=first, max_value=last))
    days = draw(st.none() | st.integers(0, 10))
    end = start if days is None else start + dt.timedelta(days=days)
    styles = st.integers(0, 3 if typed else 2)
    title = draw(words.filter(lambda t: clean_text(t)))
    venue = draw(st.just("") | words)
    unit = draw(st.sampled_from(UNIT_CODES[structure]))
    cells = [
        code,
        draw(st.sampled_from([kind, kind.upper(), kind.replace("_", " ")])),
        draw(st.sampled_from(SLUGS)),
        title,
        date_text(start, draw(styles)),
        "" if days is None else date_text(end, draw(styles)),
        unit,
        venue,
        draw(st.sampled_from(STATUS_LABELS[status])),
    ]
    expected = SimpleNamespace(code=code, kind=kind, slug=cells[2], title=clean_text(title),
                               start=start, end=end, unit=unit, structure=structure,
                               venue=clean_text(venue), status=status)  # fmt: skip
    return cells, expected


def session_file(*, structure: str, typed=False, min_size=1):
    return st.lists(session_row(structure=structure, typed=typed), min_size=min_size,
                    max_size=6, unique_by=lambda r: r[1].code)  # fmt: skip


def session_valid_cell(column: str):
    return {
        "ma_buoi": session_code,
        "loai": st.sampled_from(SessionKind.values),
        "khoa_hoc": st.sampled_from(SLUGS),
        "tieu_de": words,
        "ngay_bat_dau": st.sampled_from(["2026-03-10", "10/03/2026"]),
        "ngay_ket_thuc": st.sampled_from(["", "2026-03-12", "1/4/2026"]),
        "ma_don_vi_hanh_chinh": st.sampled_from(UNIT_CODES["2025"] + ["100", "10"]),
        "dia_diem": words,
        "trang_thai": st.sampled_from(sum(STATUS_LABELS.values(), [])),
    }[column]


# One certainly bad row: name -> (column, value put in it; or, by structure, the value).
SESSION_BREAKS = {
    "code too long": ("ma_buoi", "M" * 51),
    "unknown kind": ("loai", "tap_huan_khac"),
    "unknown course": ("khoa_hoc", "khong-co-khoa-nay"),
    "title too long": ("tieu_de", "Tập " * 70),
    "no title": ("tieu_de", "   "),
    "no kind": ("loai", ""),
    "no course": ("khoa_hoc", ""),
    "no start": ("ngay_bat_dau", ""),
    "no unit": ("ma_don_vi_hanh_chinh", ""),
    "bad start": ("ngay_bat_dau", "31/02/2026"),
    "words for a date": ("ngay_bat_dau", "hôm qua"),
    "bad end": ("ngay_ket_thuc", "2026-13-01"),
    "end before start": ("ngay_ket_thuc", "2020-12-31"),
    "unknown unit": ("ma_don_vi_hanh_chinh", "99999"),
    "unit of the other structure": ("ma_don_vi_hanh_chinh", {"2023": "15", "2025": "10"}),
    "district in 2025": ("ma_don_vi_hanh_chinh", {"2023": "1000", "2025": "100"}),
    "2023 unit after the reform": ("ma_don_vi_hanh_chinh", {"2023": "10000", "2025": "99"}),
    "venue too long": ("dia_diem", "Nhà văn hóa " * 24),
    "unknown status": ("trang_thai", "hoãn lại"),
    "duplicate code": ("ma_buoi", None),  # the code of the row above
}


def assert_sessions_match(expected_rows) -> None:
    for exp in expected_rows:
        session = TrainingSession.objects.select_related("course", "unit").get(code=exp.code)
        assert (session.kind, session.course.slug, session.title, session.start_date,
                session.end_date, session.unit.code, session.unit.structure, session.venue,
                session.status) == (
            exp.kind, exp.slug, exp.title, exp.start, exp.end, exp.unit, exp.structure,
            exp.venue, exp.status
        )  # fmt: skip


COLUMNS_END = session_import.COLUMNS.index("ngay_ket_thuc")


# --- Valid attendance rows --------------------------------------------------------------------

PRESENT = {True: ["1", "x", "X", "có", "Có", "co", "yes", "true", "có mặt"],
           False: ["0", "", "không", "khong", "no", "false", "vắng"]}  # fmt: skip
PASSED = {None: [""], True: ["1", "x", "có", "đạt", "Đạt"],
          False: ["0", "không", "không đạt", "KHONG DAT"]}  # fmt: skip


def phone_texts(phone: str) -> list:
    rest = phone[1:]
    return [phone, f"+84 {rest[:3]} {rest[3:6]} {rest[6:]}",
            f"{phone[:4]}.{phone[4:7]}.{phone[7:]}", f"84{rest}", rest]  # fmt: skip


@st.composite
def attendance_row(draw, *, session: str, person: str, typed: bool = False):
    ma, phone = PEOPLE[person]
    by_phone = phone and person != "dung" and (not ma or draw(st.booleans()))
    if by_phone:
        cells_person = ["", draw(st.sampled_from(phone_texts(phone)))]
        if typed and draw(st.booleans()):
            cells_person[1] = int(phone)  # a spreadsheet that dropped the leading zero
    else:  # by id; the phone cell is then not read at all
        cells_person = [ma, draw(st.sampled_from(["", phone or "", "không nhớ"]))]
    present = draw(st.booleans())
    passed = draw(st.sampled_from([None, False] + ([True] if present else [])))
    present_cell = draw(st.sampled_from(PRESENT[present]))
    if typed and present_cell in ("0", "1") and draw(st.booleans()):
        present_cell = int(present_cell)
    cells = [session, *cells_person, present_cell, draw(st.sampled_from(PASSED[passed]))]
    return cells, SimpleNamespace(session=session, person=person, present=present, passed=passed)


@st.composite
def attendance_file(draw, *, typed=False, min_size=1):
    pairs = draw(st.lists(st.tuples(st.sampled_from(OPEN_SESSIONS), st.sampled_from(FINDABLE)),
                          min_size=min_size, max_size=8, unique=True))  # fmt: skip
    return [draw(attendance_row(session=s, person=p, typed=typed)) for s, p in pairs]


def attendance_valid_cell(column: str):
    return {
        "ma_buoi": st.sampled_from(EXISTING_SESSIONS),
        "ma_can_bo": st.sampled_from([ma for ma, _p in PEOPLE.values() if ma] + [""]),
        "so_dien_thoai": st.sampled_from([p for _m, p in PEOPLE.values()]),
        "co_mat": st.sampled_from(sum(PRESENT.values(), [])),
        "dat": st.sampled_from(sum(PASSED.values(), [])),
    }[column]


# One certainly bad row: name -> cells changed in a row for a person not otherwise in the file.
# A cancelled session's row is no longer one: it is left out with a warning (see
# test_rows_of_a_cancelled_session_never_stop_the_file). An unknown cadre id is an error only
# when no phone settles it: with a phone that identifies one person without an id, it is
# that person (test_an_id_known_only_to_the_sheet_is_the_person_its_phone_identifies).
ATTENDANCE_BREAKS = {
    "unknown session": {"ma_buoi": "KHONG-CO"},
    "planned session": {"ma_buoi": "B005"},
    "no session": {"ma_buoi": ""},
    "unknown cadre id": {"ma_can_bo": "CB-999", "so_dien_thoai": ""},
    "unknown id, phone of someone with another id": {
        "ma_can_bo": "CB-999",
        "so_dien_thoai": "0912000001",
    },
    "unknown id, shared phone": {"ma_can_bo": "CB-999", "so_dien_thoai": "0912000009"},
    "neither id nor phone": {"ma_can_bo": "", "so_dien_thoai": ""},
    "invalid phone": {"ma_can_bo": "", "so_dien_thoai": "12345"},
    "unknown phone": {"ma_can_bo": "", "so_dien_thoai": "0987654321"},
    "shared phone": {"ma_can_bo": "", "so_dien_thoai": "0912000009"},
    "bad presence": {"co_mat": "có lẽ"},
    "bad result": {"dat": "2"},
    "passed while absent": {"co_mat": "0", "dat": "1"},
    "same person twice": {},  # a copy of the row above
}


def attendance_cells(session: str, person: str) -> list:
    ma, phone = PEOPLE[person]
    return [session, ma or "", "" if ma else phone, "1", ""]


def assert_attendance_matches(world, expected_rows) -> None:
    for exp in expected_rows:
        row = Attendance.objects.get(session=world.sessions[exp.session],
                                     cadre=world.people[exp.person])  # fmt: skip
        assert (row.present, row.passed) == (exp.present, exp.passed), exp


# === Properties ===============================================================================


@SETTINGS
@given(kind=st.sampled_from(list(KINDS)), data=st.binary(max_size=2000),
       fmt=st.sampled_from(["csv", "xlsx"]))  # fmt: skip
def test_any_bytes_give_clean_errors_or_a_whole_import(world, kind, data, fmt):
    outcome = run_import(kind, data, f"tep.{fmt}")
    result = outcome.result
    if result.errors:
        assert outcome.after == outcome.before, "a file with errors wrote something"
        lines = data.count(b"\n") + data.count(b"\r") + 1
        assert_clean_vietnamese_errors(outcome, data_rows=lines)
    else:
        assert result.written and result.rows > 0
        # Every row is accounted for; the rows a warning left out too.
        assert result.created + result.updated + result.unchanged + result.skipped == result.rows


def check_all_or_nothing(kind: str, table: str, columns: list[str], rows, dry_run: bool):
    """Rows of arbitrary cells: clean Vietnamese errors and nothing written, or (not a dry
    run) exactly the new rows written and every row accounted for."""
    outcome = run_import(kind, csv_bytes(columns, rows), f"{kind}.csv", dry_run=dry_run)
    result = outcome.result
    event("rejected" if result.errors else "dry run" if dry_run else "imported")
    if result.errors or dry_run:
        assert outcome.after == outcome.before
        assert not result.written
    else:
        added = len(outcome.after[table]) - len(outcome.before[table])
        assert added == result.created
        # Every row is accounted for; the rows a warning left out too.
        assert result.created + result.updated + result.unchanged + result.skipped == result.rows
    if result.errors:
        assert_clean_vietnamese_errors(outcome, data_rows=len(rows))


@SETTINGS
@given(rows=junk_rows(session_import.COLUMNS, session_valid_cell), dry_run=st.booleans())
def test_session_rows_of_arbitrary_cells_give_clean_errors_and_write_all_or_nothing(
    world, rows, dry_run
):
    check_all_or_nothing("sessions", "sessions", session_import.COLUMNS, rows, dry_run)


@SETTINGS
@given(rows=junk_rows(attendance_import.COLUMNS, attendance_valid_cell), dry_run=st.booleans())
def test_attendance_rows_of_arbitrary_cells_give_clean_errors_and_write_all_or_nothing(
    world, rows, dry_run
):
    check_all_or_nothing("attendance", "attendance", attendance_import.COLUMNS, rows, dry_run)


@SETTINGS
@given(kind=st.sampled_from(list(KINDS)),
       rows=st.lists(st.lists(st.one_of(typed_cell, xlsx_text), max_size=11), min_size=1,
                     max_size=6))  # fmt: skip
def test_spreadsheet_typed_cells_give_clean_errors_or_a_whole_import(world, kind, rows):
    """Numbers, dates, booleans and empty cells as an XLSX stores them."""
    columns = KINDS[kind][1]
    outcome = run_import(kind, xlsx_bytes(columns, rows), "nhap.xlsx")
    if outcome.result.errors:
        assert outcome.after == outcome.before
        assert_clean_vietnamese_errors(outcome, data_rows=len(rows))


@st.composite
def structured_session_file(draw, **options):
    """(structure, rows of session_file of that structure)."""
    structure = draw(STRUCTURES)
    return structure, draw(session_file(structure=structure, **options))


@SETTINGS
@given(file=structured_session_file(typed=True), fmt=st.sampled_from(["csv", "xlsx"]))
def test_a_valid_session_file_imports_exactly_its_rows_and_again_changes_nothing(world, file, fmt):
    structure, rows = file
    cells = [c for c, _e in rows]
    if fmt == "csv":
        cells = [[str(v) if isinstance(v, dt.datetime) else v for v in row] for row in cells]
    data, name = file_bytes(fmt, session_import.COLUMNS, cells)
    existing = {e.code for _c, e in rows} & set(EXISTING_SESSIONS)
    with transaction.atomic():
        before = state()
        with translation.override("vi"):
            first = session_import.session_file_import(
                io.BytesIO(data), name=name, structure=structure
            )
            assert not first.errors, first.errors.sorted()
            assert (first.rows, first.created) == (len(rows), len(rows) - len(existing))
            assert first.updated + first.unchanged == len(existing)
            after = state()
            assert len(after["sessions"]) == len(before["sessions"]) + first.created
            assert_sessions_match([e for _c, e in rows])
            second = session_import.session_file_import(
                io.BytesIO(data), name=name, structure=structure
            )
        assert not second.errors
        assert (second.created, second.updated, second.unchanged) == (0, 0, len(rows))
        assert state() == after, "importing the same file again changed something"
        transaction.set_rollback(True)


@SETTINGS
@given(rows=attendance_file(typed=True), fmt=st.sampled_from(["csv", "xlsx"]))
def test_a_valid_attendance_file_imports_exactly_its_rows_and_again_changes_nothing(
    world, rows, fmt
):
    data, name = file_bytes(fmt, attendance_import.COLUMNS, [c for c, _e in rows])
    already = {("B001", "binh"): (False, None)}
    with transaction.atomic():
        before = state()
        first = attendance_import.attendance_file_import(io.BytesIO(data), name=name)
        assert not first.errors, first.errors.sorted()
        new = [e for _c, e in rows if (e.session, e.person) not in already]
        assert (first.rows, first.created) == (len(rows), len(new))
        assert first.created + first.updated + first.unchanged == len(rows)
        after = state()
        assert len(after["attendance"]) == len(before["attendance"]) + len(new)
        assert_attendance_matches(world, [e for _c, e in rows])
        second = attendance_import.attendance_file_import(io.BytesIO(data), name=name)
        assert not second.errors
        assert (second.created, second.updated, second.unchanged) == (0, 0, len(rows))
        assert state() == after, "importing the same file again changed something"
        transaction.set_rollback(True)


@SETTINGS
@given(file=structured_session_file(min_size=1), where=st.integers(0, 6),
       breaks=st.sampled_from(sorted(SESSION_BREAKS)), fmt=FORMATS)  # fmt: skip
def test_one_bad_session_row_among_good_ones_writes_nothing(world, file, where, breaks, fmt):
    structure, rows = file
    cells = [list(c) for c, _e in rows]
    where = min(where, len(cells))
    column, value = SESSION_BREAKS[breaks]
    if isinstance(value, dict):
        value = value[structure]
    index = session_import.COLUMNS.index(column)
    if breaks == "duplicate code":
        assume(where > 0)
        value = cells[where - 1][0]  # the code of the row just above
    bad = list(cells[where - 1] if where else cells[0])
    bad[0] = f"X-{breaks[:10]}-{where}" if column != "ma_buoi" else bad[0]
    bad[index] = value
    if breaks == "2023 unit after the reform":
        start, end = session_import.COLUMNS.index("ngay_bat_dau"), COLUMNS_END
        bad[start], bad[end] = "2026-03-10", ""
    cells.insert(where, bad)
    data, name = file_bytes(fmt, session_import.COLUMNS, cells)
    outcome = run_import("sessions", data, name, structure=structure)
    line = where + 2
    assert outcome.result.errors, f"{breaks}: the bad row was accepted"
    assert {row for row, _c, _m in outcome.messages["vi"]} == {line}, outcome.messages["vi"]
    assert column in {c for _r, c, _m in outcome.messages["vi"]}
    assert outcome.after == outcome.before, "one bad row, yet the good rows were written"
    assert_clean_vietnamese_errors(outcome, data_rows=len(cells))


@SETTINGS
@given(rows=attendance_file(min_size=1), where=st.integers(0, 8),
       breaks=st.sampled_from(sorted(ATTENDANCE_BREAKS)), fmt=FORMATS)  # fmt: skip
def test_one_bad_attendance_row_among_good_ones_writes_nothing(world, rows, where, breaks, fmt):
    cells = [list(c) for c, _e in rows]
    where = min(where, len(cells))
    columns = attendance_import.COLUMNS
    if breaks == "same person twice":
        assume(where > 0)
        bad = list(cells[where - 1])
    else:
        # A (session, person) pair the file does not list yet, so only this row is wrong.
        used = {(e.session, e.person) for _c, e in rows}
        free = [(s, p) for s in OPEN_SESSIONS for p in FINDABLE if (s, p) not in used]
        bad = attendance_cells(*free[where % len(free)])
        for column, value in ATTENDANCE_BREAKS[breaks].items():
            bad[columns.index(column)] = value
    cells.insert(where, bad)
    data, name = file_bytes(fmt, columns, cells)
    outcome = run_import("attendance", data, name)
    line = where + 2
    assert outcome.result.errors, f"{breaks}: the bad row was accepted"
    assert {row for row, _c, _m in outcome.messages["vi"]} == {line}, outcome.messages["vi"]
    assert outcome.after == outcome.before, "one bad row, yet the good rows were written"
    assert_clean_vietnamese_errors(outcome, data_rows=len(cells))


@FEW
@given(kind=st.sampled_from(list(KINDS)),
       rows=st.lists(st.lists(junk_text, max_size=10), min_size=1, max_size=4))  # fmt: skip
def test_the_commands_end_in_success_or_a_clean_command_error(world, tmp_path, kind, rows):
    """`manage.py import_sessions|import_attendance FILE`: no traceback, whatever the cells."""
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(csv_bytes(KINDS[kind][1], rows))
    command = {"sessions": "import_sessions", "attendance": "import_attendance"}[kind]
    out, err = io.StringIO(), io.StringIO()
    with transaction.atomic():
        before = state()
        try:
            call_command(command, str(path), stdout=out, stderr=err)
        except CommandError as exc:
            assert "không có dữ liệu nào được ghi" in str(exc), str(exc)
            assert state() == before
        else:
            assert "dòng" in out.getvalue()
        transaction.set_rollback(True)


# --- NUL: what a UTF-16 file read as UTF-8 looks like ------------------------------------------

NUL_CASES = {
    # kind, column -> a file whose only row has a NUL in that cell (else valid)
    ("sessions", "ma_buoi"): ["B0\x0009", "can_bo_huyen_xa", "long-ghep-gioi", "Tập huấn",
                              "2026-03-10", "", "10000", "", ""],
    ("sessions", "khoa_hoc"): ["B009", "can_bo_huyen_xa", "long-ghep\x00", "Tập huấn",
                               "2026-03-10", "", "10000", "", ""],
    ("sessions", "tieu_de"): ["B009", "can_bo_huyen_xa", "long-ghep-gioi", "Tập\x00huấn",
                              "2026-03-10", "", "10000", "", ""],
    ("attendance", "ma_buoi"): ["B001\x00", "CB01", "", "1", ""],
    ("attendance", "ma_can_bo"): ["B001", "CB01\x00", "", "1", ""],
}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "column", "utf16"),
    [pytest.param(kind, column, False, id=f"{kind}-{column}") for kind, column in NUL_CASES]
    + [pytest.param(kind, "", True, id=f"{kind}-utf16") for kind in ("sessions", "attendance")],
)
def test_a_nul_character_in_a_cell_is_a_clean_error(world, kind, column, utf16):
    """A NUL is what a file saved as UTF-16 without a byte order mark ("Unicode text" from
    some spreadsheet programs) looks like when read as UTF-8: every other byte is 0, yet the
    header still folds to the right column names."""
    columns = KINDS[kind][1]
    if utf16:  # ASCII content: Vietnamese letters in UTF-16 are refused as "not UTF-8"
        row = next(cells for (k, _c), cells in NUL_CASES.items() if k == kind)
        row = [cell.replace(NUL, "") if cell.isascii() else "Tap huan" for cell in row]
        data = csv_bytes(columns, [row]).decode().encode("utf-16-le")
    else:
        data = csv_bytes(columns, [NUL_CASES[(kind, column)]])
    outcome = run_import(kind, data, "nhap.csv")
    assert outcome.result.errors, "a NUL was accepted"
    assert outcome.after == outcome.before
    lines = data.count(b"\n") + data.count(b"\r") + 1
    assert_clean_vietnamese_errors(outcome, data_rows=lines)


# --- Warnings never stop a file ----------------------------------------------------------------


@SETTINGS
@given(rows=attendance_file(min_size=1), cancelled=st.lists(st.sampled_from(FINDABLE + ["?"]),
       min_size=1, max_size=4), where=st.lists(st.integers(0, 8), min_size=4, max_size=4),
       fmt=FORMATS)  # fmt: skip
def test_rows_of_a_cancelled_session_never_stop_the_file(world, rows, cancelled, where, fmt):
    """Rows of the cancelled B003, wherever they are and whatever they hold (someone the
    registry does not know, "?", included), are left out with a warning each; the other
    rows import exactly as they would alone."""
    cells = [list(c) for c, _e in rows]
    for n, person in enumerate(cancelled):
        bad = attendance_cells("B003", person) if person != "?" else ["B003", "X", "", "có lẽ", ""]
        cells.insert(min(where[n], len(cells)), bad)
    data, name = file_bytes(fmt, attendance_import.COLUMNS, cells)
    with transaction.atomic():
        with translation.override("vi"):
            result = attendance_import.attendance_file_import(io.BytesIO(data), name=name)
        assert not result.errors, result.errors.sorted()
        assert result.written and result.skipped == len(cancelled)
        left_out = [w for w in result.warnings.sorted() if w.column == "ma_buoi"]
        assert len(left_out) == len(cancelled)
        assert all("đã bị hủy" in w.message for w in left_out)
        assert result.created + result.updated + result.unchanged == len(rows)
        assert not Attendance.objects.filter(session=world.sessions["B003"]).exists()
        assert_attendance_matches(world, [e for _c, e in rows])
        transaction.set_rollback(True)


@SETTINGS
@given(sessions=st.lists(st.sampled_from(OPEN_SESSIONS), min_size=1, max_size=3, unique=True),
       new_id=st.text(alphabet=string.ascii_uppercase + string.digits + "-", min_size=1,
                      max_size=12).filter(lambda t: t not in {m for m, _p in PEOPLE.values()}),
       phone_text=st.sampled_from(phone_texts("0912000002")), dry_run=st.booleans())  # fmt: skip
def test_an_id_known_only_to_the_sheet_is_the_person_its_phone_identifies(
    world, sessions, new_id, phone_text, dry_run
):
    """Bình is registered by phone only. Rows that give her phone (however written) with a
    cadre id the registry does not know are hers, each with a warning, and the id is stored
    on her record (unless a dry run); nobody else is touched."""
    rows = [[code, new_id, phone_text, "1", ""] for code in sessions]
    binh = world.people["binh"]
    with transaction.atomic():
        before = state()
        result = attendance_import.attendance_file_import(
            io.BytesIO(csv_bytes(attendance_import.COLUMNS, rows)), name="a.csv", dry_run=dry_run
        )
        assert not result.errors, result.errors.sorted()
        assert [w.row for w in result.warnings.sorted()] == list(range(2, len(rows) + 2))
        binh.refresh_from_db()
        if dry_run:
            assert binh.ma_can_bo is None and state() == before
        else:
            assert binh.ma_can_bo == new_id
            marked = Attendance.objects.filter(cadre=binh, present=True)
            assert set(marked.values_list("session__code", flat=True)) == set(sessions)
            others = Cadre.objects.exclude(pk=binh.pk).values_list("ma_can_bo", flat=True)
            assert new_id not in set(others)
        transaction.set_rollback(True)
