"""`manage.py import_sessions FILE`: all or nothing, per-row Vietnamese errors, idempotent."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from courses.counters.services import SESSIONS_DISTRICT_COMMUNE, SESSIONS_VILLAGE
from courses.sessions.models import SessionKind, SessionStatus, TrainingSession
from tests.builders import cell_total

pytestmark = pytest.mark.django_db

HEADER = (
    "ma_buoi,loai,khoa_hoc,tieu_de,ngay_bat_dau,ngay_ket_thuc,ma_don_vi_hanh_chinh,"
    "dia_diem,trang_thai"
)


def write(tmp_path, *lines, name="buoi.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return str(path)


def run(path):
    """Run the command; return (ok, stdout, stderr)."""
    from io import StringIO

    out, err = StringIO(), StringIO()
    try:
        call_command("import_sessions", path, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


def good_lines(world):
    commune = world.lao_cai.commune.code
    return [
        f"B001,can_bo_huyen_xa,long-ghep-gioi,Tập huấn cán bộ xã,2026-03-10,2026-03-11,"
        f"{commune},Nhà văn hóa,đã tổ chức",
        f"B002,truong_thon_uy_tin,binh-dang-gioi,Tập huấn trưởng thôn,15/04/2026,,"
        f"{world.lao_cai.district.code},,Kế hoạch",
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
    assert b1.province_code == "10"
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
        ("dòng 9, ma_don_vi_hanh_chinh", "Mã đơn vị hành chính không tồn tại"),
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
                  None, world.ha_giang.commune.code, "UBND xã", "held"])  # fmt: skip
    path = tmp_path / "buoi.xlsx"
    book.save(path)
    ok, _out, err = run(str(path))
    assert ok, err
    session = TrainingSession.objects.get(code="X1")
    assert session.start_date == dt.date(2026, 6, 1)
    assert session.province_code == "02"
