"""Hostile spreadsheets, built here, are refused with a Vietnamese reason naming the limit,
and nothing is written: many rows in a tiny compressed file, rows wider than the column
limit, a cell or a shared string longer than the cell limit, a zip part whose header lies
about its unpacked size, more errors than are kept. Every import reads its file through the
same limits (lms/spreadsheet_limits.py): the cadre upload and its worker, `import_cadres`,
`import_sessions` and `import_attendance`.

Each file is written a chunk at a time (the xlsx builders of tests.builders), so that a
sheet of 600,000 rows or a string of 200,000,000 characters costs the test a few hundred
kilobytes.
"""

from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from courses.registry.imports import COLUMNS
from courses.registry.models import Cadre, ImportJob, ImportStatus
from courses.registry.services import cadre_import
from courses.sessions.imports.attendance import COLUMNS as ATTENDANCE_COLUMNS
from courses.sessions.imports.sessions import COLUMNS as SESSION_COLUMNS
from courses.sessions.models import Attendance, TrainingSession
from tests.builders import (
    make_unit_tree,
    make_user,
    write_xlsx_stream,
    xlsx_long_shared_string,
    xlsx_many_rows,
    xlsx_text_row,
    xlsx_zip_bomb,
)

pytestmark = pytest.mark.django_db

ROWS_REFUSED = "Tệp có hơn 200.000 dòng dữ liệu, vượt quá giới hạn của một lần nhập"
UNPACKED_REFUSED = "Khi giải nén, tệp XLSX lớn hơn 200 MiB, vượt quá giới hạn của một lần nhập"
LONG_STRING_REFUSED = "Tệp có một ô dài hơn 1.000 ký tự, vượt quá giới hạn của một ô."
VALID = ["", "Nguyễn Thị Hoa", "Nữ", "1985", "Kinh", "Cán bộ chủ chốt", "Xã", "", "00001", "", ""]


@pytest.fixture
def units(db):
    return make_unit_tree()


def refusals(result) -> list[str]:
    """The reasons the file as a whole was refused (row 0 of the report)."""
    return [e.message for e in result.errors.sorted() if e.row == 0]


def run(path, **kwargs):
    return cadre_import(source=path, name=str(path), **{"structure": "2023", **kwargs})


def test_a_small_xlsx_of_600000_rows_is_handed_to_a_worker_and_refused_at_the_row_limit(
    client, units, tmp_path, tasks_inline, django_capture_on_commit_callbacks, settings
):
    path = xlsx_many_rows(tmp_path / "ds.xlsx", 600_000, COLUMNS)
    assert path.stat().st_size < 100 * 1024, "the point: a tiny upload"
    client.force_login(make_user("central", role="Admin"))
    with django_capture_on_commit_callbacks() as queued:
        response = client.post(
            reverse("courses_registry_import"),
            {"file": SimpleUploadedFile("ds.xlsx", path.read_bytes()), "structure": "2023"},
        )
    job = ImportJob.objects.get()
    assert response["Location"] == reverse("courses_registry_import_job", args=[job.pk])
    # The request read only its budget of the file, then left the file to a worker.
    assert (job.status, job.error_count, len(queued)) == (ImportStatus.VALIDATING, 0, 1)

    queued[0]()  # the worker's turn
    job.refresh_from_db()
    assert job.status == ImportStatus.INVALID
    assert job.errors[0][0] == 0 and job.errors[0][2].startswith(ROWS_REFUSED)
    assert len(job.errors) <= settings.IMPORT_MAX_ERRORS < job.error_count
    html = client.get(response["Location"]).content.decode()
    assert ROWS_REFUSED in html and "lỗi khác" in html
    assert not job.file and Cadre.objects.count() == 0


def test_many_tiny_csv_rows_are_refused_by_the_session_import_and_extra_errors_only_counted(
    tmp_path, db
):
    path = tmp_path / "buoi.csv"
    with path.open("w", encoding="utf-8") as out:
        out.write(",".join(SESSION_COLUMNS) + "\n")
        out.writelines(f"B{n}\n" for n in range(250_000))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_sessions", str(path), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[0] == f"tệp: {ROWS_REFUSED}: hãy chia thành nhiều tệp nhỏ hơn."
    assert len(lines) == 5_000 + 2, "the file's reason, the errors kept, the count of the rest"
    assert lines[-1].startswith("… và ") and lines[-1].endswith(" lỗi khác.")
    assert TrainingSession.objects.count() == 0


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_a_value_beyond_the_column_limit_is_refused(units, tmp_path, kind):
    wide = VALID + [None] * (50 - len(VALID)) + ["ngoài giới hạn"]  # column 51
    if kind == "csv":
        path = tmp_path / "rong.csv"
        cells = ["" if v is None else v for v in wide]
        path.write_text(",".join(COLUMNS) + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    else:
        path = write_xlsx_stream(
            tmp_path / "rong.xlsx", [xlsx_text_row(COLUMNS, 1), xlsx_text_row(wide, 2)]
        )
    result = run(path)
    assert refusals(result) == [
        "Dòng 2 có dữ liệu ở cột thứ 51, vượt quá giới hạn 50 cột của một lần nhập."
    ]
    assert Cadre.objects.count() == 0


def test_a_cell_longer_than_the_limit_is_refused_by_the_attendance_import(tmp_path, db):
    path = tmp_path / "diem_danh.csv"
    path.write_text(",".join(ATTENDANCE_COLUMNS) + "\nB001," + "x" * 1_001 + ",,1,\n",
                    encoding="utf-8")  # fmt: skip
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_attendance", str(path), stderr=err)
    assert err.getvalue().splitlines() == [
        "tệp: Dòng 2, cột ma_can_bo có ô dài hơn 1.000 ký tự, vượt quá giới hạn của một ô."
    ]
    assert Attendance.objects.count() == 0


def test_a_shared_string_of_200_million_characters_is_refused_without_being_held(units, tmp_path):
    path = xlsx_long_shared_string(tmp_path / "chuoi.xlsx", 200_000_000, COLUMNS)
    assert path.stat().st_size < 300 * 1024
    tracemalloc.start()
    try:
        result = run(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refusals(result) == [LONG_STRING_REFUSED]
    assert peak < 32 * 1024 * 1024, f"the import held {peak} bytes"
    assert Cadre.objects.count() == 0


@pytest.mark.parametrize("declared", [None, 1_000], ids=["honest", "lying"])
def test_a_zip_bomb_is_refused_at_the_unpacked_limit_whatever_its_header_says(
    units, tmp_path, declared
):
    """A sheet part that unpacks to more than the limit in a few hundred kilobytes: refused
    from the zip's headers when they tell the truth, and while unpacking when they claim a
    thousand bytes."""
    path = xlsx_zip_bomb(tmp_path / "bom.xlsx", 220_000_000, COLUMNS, declared=declared)
    with zipfile.ZipFile(path) as archive:
        total = sum(info.file_size for info in archive.infolist())
    assert (total < 10_000) == (declared is not None)
    tracemalloc.start()
    try:
        result = run(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert refusals(result) == [f"{UNPACKED_REFUSED}: hãy chia thành nhiều tệp nhỏ hơn."]
    assert peak < 32 * 1024 * 1024, f"the import held {peak} bytes"
    assert Cadre.objects.count() == 0


def test_valid_rows_past_the_row_limit_write_nothing_at_all(units, tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 3
    path = tmp_path / "can_bo.csv"
    rows = [",".join([f"LC-{n}", f"Người {n}", *VALID[2:]]) for n in range(4)]
    path.write_text("\n".join([",".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
    result = run(path)
    assert refusals(result) == [
        "Tệp có hơn 3 dòng dữ liệu, vượt quá giới hạn của một lần nhập: hãy chia thành nhiều "
        "tệp nhỏ hơn."
    ]
    assert not result.written and Cadre.objects.count() == 0
    settings.IMPORT_MAX_ROWS = 4
    assert run(path).written and Cadre.objects.count() == 4
