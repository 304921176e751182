"""`manage.py import_attendance FILE`: people by ma_can_bo else phone, 1/0, có/không, x/blank;
all or nothing, per-row Vietnamese errors, idempotent, completions counted once; a cadre id
known only to the sheet, next to a phone that identifies one person, is that person (a
warning) and is stored on them; rows of a cancelled session are left out with a warning,
rows of a planned session are an error."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from courses.counters.services import CADRES_TRAINED
from courses.sessions.models import Attendance, SessionStatus
from tests.builders import cell_total, enrolment_of, make_cadre, make_session, make_sessions_world

pytestmark = pytest.mark.django_db

HEADER = "ma_buoi,ma_can_bo,so_dien_thoai,co_mat,dat"


@pytest.fixture
def world(db):
    world = make_sessions_world()
    commune = world.lao_cai.commune
    world.held = make_session(course=world.in_person, unit=commune, code="B001",
                              status=SessionStatus.HELD)  # fmt: skip
    world.planned = make_session(course=world.post_test, unit=commune, code="B002")
    world.held_post = make_session(course=world.post_test, unit=commune, code="B004",
                                   status=SessionStatus.HELD)  # fmt: skip
    world.cancelled = make_session(course=world.in_person, unit=commune, code="B003",
                                   status=SessionStatus.CANCELLED)  # fmt: skip
    world.an = make_cadre(unit=commune, full_name="Lò Văn An", ma_can_bo="CB01",
                          phone="0912000001")  # fmt: skip
    world.binh = make_cadre(unit=commune, full_name="Giàng Thị Bình", phone="0912000002")
    world.cuong = make_cadre(unit=commune, full_name="Vàng A Cường", phone="0912000003")
    return world


def write(tmp_path, *lines, name="diem_danh.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding="utf-8")
    return str(path)


def run(path):
    out, err = StringIO(), StringIO()
    try:
        call_command("import_attendance", path, stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue(), err.getvalue() + str(exc)
    return True, out.getvalue(), err.getvalue()


# The post-test course's rows are for its held session B004 (attendance of the planned B002
# is refused: see test_rows_of_a_planned_session_are_an_error_that_says_to_mark_it_held).
GOOD = [
    "B001,CB01,,1,",
    "B001,,+84 912 000 002,có,không",
    "B001,,0912000003,,",
    "B004,,0912.000.001,x,x",
    "B004,,0912000002,Có,",
]


def test_import_marks_attendance_and_completes_once(world, tmp_path):
    ok, out, err = run(write(tmp_path, *GOOD))
    assert ok, err
    assert "5 dòng: 5 mới" in out
    rows = {(a.session.code, a.cadre.full_name): (a.present, a.passed)
            for a in Attendance.objects.select_related("session", "cadre")}  # fmt: skip
    assert rows == {
        ("B001", "Lò Văn An"): (True, None),
        ("B001", "Giàng Thị Bình"): (True, False),
        ("B001", "Vàng A Cường"): (False, None),
        ("B004", "Lò Văn An"): (True, True),
        ("B004", "Giàng Thị Bình"): (True, None),
    }
    # Held session B001: the present completed the in-person course, the absent did not.
    assert enrolment_of(world.an, world.in_person).is_complete
    assert enrolment_of(world.binh, world.in_person).is_complete
    assert enrolment_of(world.cuong, world.in_person) is None
    # Held session B004 of the post-test course: only the one who passed completed it.
    assert enrolment_of(world.an, world.post_test).is_complete
    assert not enrolment_of(world.binh, world.post_test).is_complete
    assert cell_total(CADRES_TRAINED) == 2  # An and Bình, each counted once


def test_reimport_is_idempotent(world, tmp_path):
    path = write(tmp_path, *GOOD)
    assert run(path)[0]
    completed = enrolment_of(world.an, world.in_person).completed_at
    ok, out, _err = run(path)
    assert ok
    assert "0 mới, 0 cập nhật, 5 không đổi" in out
    assert Attendance.objects.count() == 5
    assert enrolment_of(world.an, world.in_person).completed_at == completed
    assert cell_total(CADRES_TRAINED) == 2


def test_rows_of_a_planned_session_are_an_error_that_says_to_mark_it_held(world, tmp_path):
    """Before, a planned session's attendance was taken and completed when the session was
    marked held later; now the session is marked held first (the sheet belongs to a
    training that took place), then its attendance imports."""
    from courses.sessions.services import session_status_set

    lines = ["B002,,0912.000.001,x,x", "B002,,0912000002,Có,"]
    ok, _out, err = run(write(tmp_path, *lines))
    assert not ok and Attendance.objects.count() == 0
    assert "dòng 2, ma_buoi: Buổi tập huấn này vẫn ở trạng thái kế hoạch: hãy đánh dấu" in err
    session_status_set(session=world.planned, status=SessionStatus.HELD)
    assert run(write(tmp_path, *lines, name="again.csv"))[0]
    assert enrolment_of(world.an, world.post_test).is_complete  # passed
    assert not enrolment_of(world.binh, world.post_test).is_complete  # no result


def test_bad_rows_write_nothing_and_are_reported_in_vietnamese(world, tmp_path):
    lines = GOOD + [
        "B999,CB01,,1,",  # row 7: unknown session
        "B003,CB01,,1,",  # row 8: cancelled session (now a warning: see below)
        "B001,CB99,,1,",  # row 9: unknown cadre id
        "B001,,0999999999,1,",  # row 10: unknown phone
        "B001,,12345,1,",  # row 11: invalid phone
        "B001,,,1,",  # row 12: nobody
        "B001,CB01,,có lẽ,",  # row 13: bad flag (and a duplicate of row 2)
        "B002,,0912000003,0,1",  # row 14: passed but absent
    ]
    ok, _out, err = run(write(tmp_path, *lines))
    assert not ok
    assert Attendance.objects.count() == 0
    assert cell_total(CADRES_TRAINED) == 0
    expected = [
        ("dòng 7, ma_buoi", "Không có buổi tập huấn nào có mã này"),
        ("cảnh báo: dòng 8, ma_buoi", "đã bị hủy: dòng này được bỏ qua"),
        ("dòng 9, ma_can_bo", "Không có ai trong danh sách cán bộ có mã cán bộ này"),
        ("dòng 10, so_dien_thoai", "Không có ai trong danh sách cán bộ có số điện thoại này"),
        ("dòng 11, so_dien_thoai", "Số điện thoại không hợp lệ"),
        ("dòng 12, ma_can_bo", "Hãy ghi mã cán bộ (ma_can_bo) hoặc số điện thoại"),
        ("dòng 13, co_mat", "Ghi 1 hoặc 0, có hoặc không, hoặc x hoặc để trống"),
        ("dòng 13", "đã có trong danh sách của buổi tập huấn này ở dòng 2"),
        ("dòng 14, dat", "Người vắng mặt không thể đạt"),
    ]
    for where, reason in expected:
        assert any(where in line and reason in line for line in err.splitlines()), (where, err)


def test_ambiguous_phone_asks_for_the_cadre_id(world, tmp_path):
    make_cadre(unit=world.lao_cai.commune, full_name="Lò Văn Anh", phone="0912000001")
    ok, _out, err = run(write(tmp_path, "B001,,0912000001,1,"))
    assert not ok
    assert "dòng 2, so_dien_thoai" in err and "hãy ghi mã cán bộ" in err
    # by ma_can_bo the same person is found
    assert run(write(tmp_path, "B001,CB01,0912000001,1,", name="ok.csv"))[0]


# --- Ids known only to the sheet, cancelled sessions, scope ---------------------------------


def test_an_id_known_only_to_the_sheet_matches_the_one_person_with_that_phone(world, tmp_path):
    """Bình is registered by phone only; the province's sheet carries her cadre id. Before,
    the row was refused ("leave it empty to find the person by phone number")."""
    world.binh.birth_year = 1990
    world.binh.save()
    ok, out, err = run(write(tmp_path, "B001,LC-0002,0912000002,1,", "B004,LC-0002,0912000002,1,1"))
    assert ok, err
    assert "2 dòng: 2 mới" in out and "2 cảnh báo" in out
    assert ("cảnh báo: dòng 2, ma_can_bo: Chưa có ai trong danh sách cán bộ có mã cán bộ "
            "LC-0002; đã tìm thấy người này theo số điện thoại: Giàng Thị Bình (1990). Mã cán "
            "bộ được lưu vào hồ sơ của người này.") in err  # fmt: skip
    world.binh.refresh_from_db()
    assert world.binh.ma_can_bo == "LC-0002"
    assert enrolment_of(world.binh, world.in_person).is_complete
    # Again: the id is now known; nothing changes and nothing is to warn about.
    ok, out, err = run(write(tmp_path, "B001,LC-0002,0912000002,1,", name="again.csv"))
    assert ok and "0 mới, 0 cập nhật, 1 không đổi" in out and "cảnh báo" not in err


@pytest.mark.parametrize(
    ("lines", "where", "reason"),
    [
        (["B001,LC-9,0912000001,1,"], "dòng 2, ma_can_bo",
         "người có số điện thoại này (Lò Văn An) đã được đăng ký với mã cán bộ CB01"),
        (["B001,LC-9,0999999999,1,"], "dòng 2, ma_can_bo",
         "Không có ai trong danh sách cán bộ có mã cán bộ này hoặc số điện thoại này"),
        (["B001,LC-9,,1,"], "dòng 2, ma_can_bo", "Hãy ghi thêm số điện thoại"),
        (["B001,LC-9,0912000002,1,", "B004,LC-9,0912000003,1,"], "dòng 3, ma_can_bo",
         "Dòng 2 đã ghi mã cán bộ này cho một người khác"),
        (["B001,LC-8,0912000002,1,", "B004,LC-9,0912000002,1,"], "dòng 3, ma_can_bo",
         "Dòng 2 đã ghi cho người này một mã cán bộ khác (LC-8)"),
    ],
    ids=["phone of someone with another id", "unknown phone", "no phone", "id for two people",
         "two ids for one person"],
)  # fmt: skip
def test_an_unknown_id_that_cannot_be_settled_is_an_error(world, tmp_path, lines, where, reason):
    ok, _out, err = run(write(tmp_path, *lines))
    assert not ok
    assert any(where in line and reason in line for line in err.splitlines()), err
    assert Attendance.objects.count() == 0
    assert not type(world.an).objects.filter(ma_can_bo__startswith="LC-").exists()


def test_an_unknown_id_with_a_phone_several_people_share_is_an_error(world, tmp_path):
    make_cadre(unit=world.lao_cai.commune, full_name="Lò Văn Anh", phone="0912000002")
    ok, _out, err = run(write(tmp_path, "B001,LC-9,0912000002,1,"))
    assert not ok and "dòng 2, so_dien_thoai" in err and "hãy kiểm tra lại mã cán bộ" in err


def test_rows_of_a_cancelled_session_are_left_out_with_a_warning(world, tmp_path):
    lines = ["B001,CB01,,1,", "B003,CB01,,1,", "B003,khong-ai,,co le,"]
    ok, out, err = run(write(tmp_path, *lines))
    assert ok, err
    assert "3 dòng: 1 mới, 0 cập nhật, 0 không đổi. 2 dòng bị bỏ qua (xem cảnh báo)." in out
    for row in (3, 4):
        assert (f"cảnh báo: dòng {row}, ma_buoi: Buổi tập huấn này đã bị hủy: dòng này được bỏ "
                "qua.") in err  # fmt: skip
    assert list(Attendance.objects.values_list("session__code", flat=True)) == ["B001"]


def test_the_report_names_the_person_and_the_session(world, tmp_path):
    from courses.sessions.imports.attendance import attendance_file_import

    path = write(tmp_path, "B001,LC-0002,0912000002,1,", "B003,CB01,,1,")
    result = attendance_file_import(path, name=path, dry_run=True)
    assert not result.errors and len(result.warnings) == 2
    assert result.labels[2] == ("Giàng Thị Bình", f"B001 — {world.lao_cai.commune.name}")
    assert result.labels[3][1] == f"B003 — {world.lao_cai.commune.name}"


def test_a_province_file_learns_nothing_of_people_or_sessions_elsewhere(world, tmp_path):
    """A Lào Cai (2025: 15) admin's sheet: a phone or an id registered in Hà Giang, or a
    Hà Giang session, gets the one answer that names no one and no place."""
    from courses.sessions.imports.attendance import attendance_file_import

    elsewhere = make_cadre(unit=world.ha_giang.commune, full_name="Hoàng Thị Zzyến",
                           ma_can_bo="HG-42", phone="0987001542")  # fmt: skip
    make_session(course=world.in_person, unit=world.ha_giang.commune, code="HG-B1",
                 status=SessionStatus.HELD)  # fmt: skip
    path = write(tmp_path, "B001,,0987001542,1,", "B001,HG-42,,1,", "B001,LC-5,0987001542,1,",
                 "HG-B1,CB01,,1,")  # fmt: skip
    result = attendance_file_import(path, name=path, province_code="15")
    refused = "Không thể nhập người này ở đây; xin liên hệ quản trị trung ương."
    assert [(e.row, e.column, e.message) for e in result.errors.sorted()] == [
        (n, "", refused) for n in (2, 3, 4, 5)
    ]
    shown = repr(result.labels) + repr([w.as_list() for w in result.warnings])
    for secret in (elsewhere.full_name, "HG-42", "Hà Giang", world.ha_giang.commune.name):
        assert secret not in shown
    assert Attendance.objects.count() == 0


def test_the_people_and_sessions_are_read_once_not_per_row(world, tmp_path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from courses.sessions.imports.attendance import attendance_file_import

    people = [make_cadre(unit=world.lao_cai.commune, full_name=f"Người {n}",
                         phone=f"09130000{n:02d}") for n in range(40)]  # fmt: skip

    def queries(count):
        ids = [f"X-{n}" if n % 2 else "" for n in range(count)]
        lines = [f"B001,{ids[n]},{people[n].phone},1," for n in range(count)]
        path = write(tmp_path, *lines, name=f"{count}.csv")
        with CaptureQueriesContext(connection) as captured:
            result = attendance_file_import(path, name=path, dry_run=True)
        assert not result.errors, result.errors.sorted()
        return len(captured)

    assert queries(4) == queries(40)
