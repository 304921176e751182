"""`manage.py import_sessions FILE [--structure 2023|2025]`: all or nothing, per-row
Vietnamese errors, idempotent; codes read in the stated structure only, and no session after
the reform in a 2023 unit."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from courses.counters.services import SESSIONS_DISTRICT_COMMUNE, SESSIONS_VILLAGE
from courses.sessions.models import SessionKind, SessionStatus, TrainingSession
from tests.builders import cell_total, make_reform_units

pytestmark = pytest.mark.django_db

HEADER = (
    "ma_buoi,loai,khoa_hoc,tieu_de,ngay_bat_dau,ngay_ket_thuc,ma_don_vi_hanh_chinh,"
    "dia_diem,trang_thai"
)


def write(tmp_path, *lines, name="buoi.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return str(path)


def run(path, *options):
    """Run the command; return (ok, stdout, stderr)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_sessions", path, *options, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def good_lines(world):
    """Sessions of 2026 in units of the 2025 structure (the default)."""
    commune = world.lao_cai.commune_2025.code
    return [
        f"B001,can_bo_huyen_xa,long-ghep-gioi,Tập huấn cán bộ xã,2026-03-10,2026-03-11,"
        f"{commune},Nhà văn hóa,đã tổ chức",
        f"B002,truong_thon_uy_tin,binh-dang-gioi,Tập huấn trưởng thôn,15/04/2026,,"
        f"{world.lao_cai.scope},,Kế hoạch",
        f"B003,TRUONG_THON_UY_TIN,binh-dang-gioi,Buổi đã hủy,2026-05-01,2026-05-01,"
        f"{commune},,da huy",
    ]


def test_import_creates_sessions_and_counts_the_held_ones(world, tmp_path):
    ok, out, _err = run(write(tmp_path, *good_lines(world)))
    assert ok, _err
    assert "3 dòng: 3 mới" in out
    b1 = TrainingSession.objects.get(code="B001")
    assert b1.status == SessionStatus.HELD
    assert b1.kind == SessionKind.DISTRICT_COMMUNE
    assert b1.course.pk == world.in_person.pk
    assert (b1.start_date, b1.end_date) == (dt.date(2026, 3, 10), dt.date(2026, 3, 11))
    assert b1.unit == world.lao_cai.commune_2025
    assert (b1.province_code, b1.province_2025) == ("", world.lao_cai.scope)
    b2 = TrainingSession.objects.get(code="B002")
    assert b2.status == SessionStatus.PLANNED
    assert b2.start_date == b2.end_date == dt.date(2026, 4, 15)
    assert TrainingSession.objects.get(code="B003").status == SessionStatus.CANCELLED
    assert cell_total(SESSIONS_DISTRICT_COMMUNE) == 1
    assert cell_total(SESSIONS_VILLAGE) == 0


def test_reimport_is_idempotent_and_changes_are_applied(world, tmp_path):
    path = write(tmp_path, *good_lines(world))
    assert run(path)[0]
    ok, out, _err = run(path)
    assert ok
    assert "0 mới, 0 cập nhật, 3 không đổi" in out
    assert TrainingSession.objects.count() == 3
    assert cell_total(SESSIONS_DISTRICT_COMMUNE) == 1

    lines = good_lines(world)
    lines[0] = lines[0].replace("đã tổ chức", "cancelled")
    lines[1] = lines[1].replace("Kế hoạch", "held")
    ok, out, _err = run(write(tmp_path, *lines, name="lan2.csv"))
    assert ok
    assert "2 cập nhật" in out
    assert cell_total(SESSIONS_DISTRICT_COMMUNE) == 0  # the cancelled session stops counting
    assert cell_total(SESSIONS_VILLAGE) == 1


def test_bad_rows_write_nothing_and_are_reported_in_vietnamese(world, tmp_path):
    commune = world.lao_cai.commune.code
    lines = good_lines(world) + [
        f"B004,hoi_thao,long-ghep-gioi,Sai loại,2026-03-10,,{commune},,",
        f"B005,can_bo_huyen_xa,khong-co,Sai khóa,2026-03-10,,{commune},,",
        f"B006,can_bo_huyen_xa,long-ghep-gioi,Sai ngày,31/02/2026,,{commune},,",
        f"B007,can_bo_huyen_xa,long-ghep-gioi,Ngày ngược,2026-03-10,2026-03-01,{commune},,",
        "B008,can_bo_huyen_xa,long-ghep-gioi,Sai đơn vị,2026-03-10,,99999,,",
        f"B009,can_bo_huyen_xa,long-ghep-gioi,Sai trạng thái,2026-03-10,,{commune},,xong",
        f"B001,can_bo_huyen_xa,long-ghep-gioi,Trùng mã,2026-03-10,,{commune},,",
        f",can_bo_huyen_xa,long-ghep-gioi,,2026-03-10,,{commune},,",
    ]
    ok, _out, err = run(write(tmp_path, *lines))
    assert not ok
    assert TrainingSession.objects.count() == 0
    assert cell_total(SESSIONS_DISTRICT_COMMUNE) == 0
    expected = [
        ("dòng 5, loai", "Loại buổi tập huấn không hợp lệ"),
        ("dòng 6, khoa_hoc", "Không có khóa học nào"),
        ("dòng 7, ngay_bat_dau", "Ngày không hợp lệ"),
        ("dòng 8, ngay_ket_thuc", "Ngày kết thúc không được trước ngày bắt đầu"),
        ("dòng 9, ma_don_vi_hanh_chinh", "Không có đơn vị mã “99999” trong cơ cấu 2025"),
        ("dòng 10, trang_thai", "Trạng thái không hợp lệ"),
        ("dòng 11, ma_buoi", "đã có ở dòng 2"),
        ("dòng 12, ma_buoi", "Cột này không được để trống"),
        ("dòng 12, tieu_de", "Cột này không được để trống"),
    ]
    for where, reason in expected:
        assert any(where in line and reason in line for line in err.splitlines()), (where, err)
    assert "không có dữ liệu nào được ghi" in err


def test_wrong_header_is_reported(world, tmp_path):
    path = tmp_path / "sai.csv"
    path.write_text("ma_buoi,loai\nB001,can_bo_huyen_xa\n", encoding="utf-8")
    ok, _out, err = run(str(path))
    assert not ok
    assert "khoa_hoc" in err
    assert TrainingSession.objects.count() == 0


def test_xlsx_file(world, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["X1", "giam_sat_danh_gia", "giam-sat", "Giám sát", dt.datetime(2026, 6, 1),
                  None, world.ha_giang.commune_2025.code, "UBND xã", "held"])  # fmt: skip
    path = tmp_path / "buoi.xlsx"
    book.save(path)
    ok, _out, err = run(str(path))
    assert ok, err
    session = TrainingSession.objects.get(code="X1")
    assert session.start_date == dt.date(2026, 6, 1)
    assert session.province_2025 == world.ha_giang.scope


# --- The structure a file states ----------------------------------------------------------------


def session_line(code, unit, start, *, course="long-ghep-gioi", status="đã tổ chức"):
    return f"{code},can_bo_huyen_xa,{course},Tập huấn {code},{start},,{unit},,{status}"


def test_a_2023_file_and_a_2025_file_place_their_sessions_in_their_own_structure(world, tmp_path):
    """Province 15 is Yên Bái in 2023 and Lào Cai in 2025; a 2024 session of the 2023 file
    and a 2026 one of the 2025 file both count in Lào Cai 2025."""
    units = make_reform_units()
    old = write(tmp_path, session_line("C23", "15", "2024-05-02"),
                session_line("C24", "04378", "2025-06-30"), name="cu.csv")  # fmt: skip
    new = write(tmp_path, session_line("C25", "15", "2026-05-02"), name="moi.csv")
    assert run(old, "--structure", "2023")[0]
    assert run(new)[0]
    by_code = {s.code: s for s in TrainingSession.objects.all()}
    assert by_code["C23"].unit == units["2023:15"]
    assert (by_code["C23"].province_code, by_code["C23"].province_2025) == ("15", "15")
    assert (by_code["C24"].commune_code, by_code["C24"].commune_2025) == ("04378", "04375")
    assert by_code["C25"].unit == units["2025:15"]
    assert (by_code["C25"].province_code, by_code["C25"].province_2025) == ("", "15")
    assert cell_total(SESSIONS_DISTRICT_COMMUNE) == 3


def test_a_session_after_the_reform_in_a_2023_unit_is_refused_and_nothing_written(world, tmp_path):
    make_reform_units()
    path = write(tmp_path, session_line("C1", "04378", "2025-06-30"),
                 session_line("C2", "04378", "2026-03-10"))  # fmt: skip
    ok, _out, err = run(path, "--structure", "2023")
    assert not ok
    assert (
        "dòng 3, ma_don_vi_hanh_chinh: Buổi tập huấn từ ngày 01/07/2025 trở đi phải thuộc một "
        "đơn vị của cơ cấu 2025; khi đó cơ cấu 2023 không còn nữa."
    ) in err.splitlines()
    assert TrainingSession.objects.count() == 0
    assert cell_total(SESSIONS_DISTRICT_COMMUNE) == 0


def test_a_district_an_unknown_code_and_a_code_of_the_other_structure_are_explained(
    world, tmp_path
):
    make_reform_units()
    path = write(tmp_path, session_line("C1", "02953", "2026-03-10"),
                 session_line("C2", "136", "2026-03-10"), session_line("C3", "10", "2026-03-10"),
                 session_line("C4", "88888", "2026-03-10"))  # fmt: skip
    ok, _out, err = run(path)
    assert not ok
    lines = err.splitlines()
    assert (
        "dòng 3, ma_don_vi_hanh_chinh: Cơ cấu 2025 không có cấp huyện; hãy nhập tệp này theo "
        "cơ cấu 2023. (Mã này thuộc cơ cấu 2023: Huyện Văn Yên — Tỉnh Yên Bái (2023), nay "
        "thuộc Tỉnh Lào Cai.)"
    ) in lines
    assert (
        "dòng 4, ma_don_vi_hanh_chinh: Không có đơn vị mã “10” trong cơ cấu 2025. Mã này thuộc "
        "cơ cấu 2023: Tỉnh Lào Cai (2023), nay thuộc Tỉnh Lào Cai. Có phải tệp này cần nhập "
        "theo cơ cấu 2023?"
    ) in lines
    assert (
        "dòng 5, ma_don_vi_hanh_chinh: Không có đơn vị mã “88888” trong cơ cấu 2025. Hãy ghi 2 "
        "chữ số cho tỉnh, 5 chữ số cho xã."
    ) in lines
    assert TrainingSession.objects.count() == 0


def test_the_dry_run_names_the_unit_of_each_code(world, tmp_path):
    make_reform_units()
    path = write(tmp_path, session_line("C1", "02953", "2026-03-10"),
                 session_line("C2", "02953", "2026-04-10"),
                 session_line("C3", "15", "2026-05-10"))  # fmt: skip
    ok, out, err = run(path, "--dry-run")
    assert ok, err
    assert "02953 → Xã Nghĩa Đô — Tỉnh Lào Cai (2025): 2 dòng (2, 3)" in out
    assert "15 → Tỉnh Lào Cai (2025): 1 dòng (4)" in out
    ok, out, err = run(path, "--dry-run", "--structure", "2023")
    assert not ok  # 2026 sessions cannot be in 2023 units
    assert TrainingSession.objects.count() == 0


def test_the_units_are_read_once_not_per_row(world, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.sessions.imports.sessions import session_file_import

    def queries(count):
        lines = [session_line(f"Q{n}", "10000" if n % 2 else f"8888{n % 10}", "2026-03-10")
                 for n in range(count)]  # fmt: skip
        path = write(tmp_path, *lines, name=f"{count}.csv")
        with CaptureQueriesContext(connection) as captured:
            result = session_file_import(path, name=path, structure="2025", dry_run=True)
        assert result.errors and result.units
        return len(captured)

    queries(4)  # the lineage map is now in the cache, as it is between imports
    assert queries(4) == queries(40)
