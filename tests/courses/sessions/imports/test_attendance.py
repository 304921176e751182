"""`manage.py import_attendance FILE`: people by ma_can_bo else phone, 1/0, có/không, x/blank;
all or nothing, per-row Vietnamese errors, idempotent, completions counted once."""

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


GOOD = [
    "B001,CB01,,1,",
    "B001,,+84 912 000 002,có,không",
    "B001,,0912000003,,",
    "B002,,0912.000.001,x,x",
    "B002,,0912000002,Có,",
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
        ("B002", "Lò Văn An"): (True, True),
        ("B002", "Giàng Thị Bình"): (True, None),
    }
    # Held session B001: the present completed the in-person course, the absent did not.
    assert enrolment_of(world.an, world.in_person).is_complete
    assert enrolment_of(world.binh, world.in_person).is_complete
    assert enrolment_of(world.cuong, world.in_person) is None
    # B002 is only planned: nothing is complete yet.
    assert enrolment_of(world.an, world.post_test) is None
    assert cell_total(CADRES_TRAINED) == 2


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


def test_post_test_course_completes_when_held_only_for_those_who_passed(world, tmp_path):
    from courses.sessions.services import session_status_set

    assert run(write(tmp_path, *GOOD))[0]
    session_status_set(session=world.planned, status=SessionStatus.HELD)
    assert enrolment_of(world.an, world.post_test).is_complete  # passed
    assert not enrolment_of(world.binh, world.post_test).is_complete  # no result


def test_bad_rows_write_nothing_and_are_reported_in_vietnamese(world, tmp_path):
    lines = GOOD + [
        "B999,CB01,,1,",  # row 7: unknown session
        "B003,CB01,,1,",  # row 8: cancelled session
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
        ("dòng 8, ma_buoi", "đã bị hủy"),
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
