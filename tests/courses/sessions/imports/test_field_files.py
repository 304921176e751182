"""A province's real files, end to end through the two commands: a cadre list with
namesakes, then an attendance sheet that carries cadre ids the registry learns from it and
rows of a cancelled session. Both import, each with its warnings listed; a file with one
truly bad row is still refused whole."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from courses.counters.services import CADRES_TRAINED, VILLAGE_HEADS_TRAINED
from courses.registry.imports import COLUMNS
from courses.registry.models import Cadre
from courses.sessions.models import Attendance, SessionStatus
from tests.builders import cell_total, enrolment_of, make_session, make_sessions_world

pytestmark = pytest.mark.django_db

CADRES = [
    # Two Lò Thị Mai born 1988 in the same commune, told apart by their phones.
    ",Lò Thị Mai,Nữ,1988,Thái,Cán bộ chủ chốt,Xã,,10000,0912000101,",
    ",Lò Thị Mai,Nữ,1988,Thái,Trưởng thôn bản,Thôn bản,,10000,0912000102,",
    "LC-07,Giàng A Dính,Nam,1975,Hmông,Người có uy tín,Thôn bản,,10000,0912000103,",
]
ATTENDANCE = [
    # The sheet knows the two Mai by cadre ids the registry has not seen yet.
    "B001,LC-01,0912000101,1,",
    "B001,LC-02,0912000102,1,",
    "B001,LC-07,,1,",
    # B003 was cancelled: left out.
    "B003,LC-01,0912000101,1,",
    "B003,LC-07,,1,",
]


def write(tmp_path, name, header, lines):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return str(path)


def command(name, path, *args):
    out, err = StringIO(), StringIO()
    call_command(name, path, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def world(db):
    world = make_sessions_world()
    commune = world.lao_cai.commune_2025
    world.held = make_session(course=world.in_person, unit=commune, code="B001",
                              status=SessionStatus.HELD)  # fmt: skip
    world.cancelled = make_session(course=world.in_person, unit=commune, code="B003",
                                   status=SessionStatus.CANCELLED)  # fmt: skip
    return world


def test_a_provincial_registry_and_attendance_import_with_their_warnings(world, tmp_path):
    out, err = command("import_cadres", write(tmp_path, "can_bo.csv", ",".join(COLUMNS), CADRES))
    assert "3 dòng: 3 mới" in out
    warnings = [line for line in err.splitlines() if line.startswith("cảnh báo: ")]
    assert warnings[0].startswith("cảnh báo: dòng 2, dan_toc: Chưa ghi nhận sự đồng ý")
    assert (
        "cảnh báo: dòng 3, ho_ten: Hai người có thể trùng: dòng 2 và dòng 3 cùng họ tên, "
        "năm sinh và đơn vị nhưng khác số điện thoại, nên được nhập là hai người."
    ) in warnings
    assert len(warnings) == 4  # the namesakes, and three ethnicities without consent
    assert Cadre.objects.filter(name_key="lo thi mai").count() == 2

    report = tmp_path / "bao_cao.xlsx"
    path = write(tmp_path, "diem_danh.csv", "ma_buoi,ma_can_bo,so_dien_thoai,co_mat,dat",
                 ATTENDANCE)  # fmt: skip
    out, err = command("import_attendance", path, "--report", str(report))
    assert "5 dòng: 3 mới" in out and "2 dòng bị bỏ qua" in out
    warnings = [line for line in err.splitlines() if line.startswith("cảnh báo: ")]
    assert [line.split(":")[1].strip() for line in warnings] == [
        "dòng 2, ma_can_bo", "dòng 3, ma_can_bo", "dòng 5, ma_buoi", "dòng 6, ma_buoi",
    ]  # fmt: skip
    mai_1, mai_2 = Cadre.objects.filter(name_key="lo thi mai").order_by("phone")
    assert (mai_1.ma_can_bo, mai_2.ma_can_bo) == ("LC-01", "LC-02")
    assert Attendance.objects.filter(session=world.held, present=True).count() == 3
    assert not Attendance.objects.filter(session=world.cancelled).exists()
    assert enrolment_of(mai_1, world.in_person).is_complete
    assert enrolment_of(mai_2, world.in_person).is_complete
    assert cell_total(CADRES_TRAINED) == 1  # the key cadre; the village head counts apart
    assert cell_total(VILLAGE_HEADS_TRAINED) == 1
    assert report.stat().st_size > 0


def test_a_file_with_one_truly_bad_row_is_still_refused_whole(world, tmp_path):
    rows = [*CADRES, ",Người Bốn,Nữ,1800,,Khác,Xã,,10000,,"]
    with pytest.raises(CommandError) as refused:
        command("import_cadres", write(tmp_path, "can_bo.csv", ",".join(COLUMNS), rows))
    assert str(refused.value) == "1 lỗi ở 1 trên 4 dòng: không ghi gì."
    assert Cadre.objects.count() == 0

    command("import_cadres", write(tmp_path, "ok.csv", ",".join(COLUMNS), CADRES))
    lines = [*ATTENDANCE, "B001,LC-09,0999999999,1,"]  # an id and a phone nobody has
    path = write(tmp_path, "diem_danh.csv", "ma_buoi,ma_can_bo,so_dien_thoai,co_mat,dat", lines)
    with pytest.raises(CommandError):
        command("import_attendance", path)
    assert Attendance.objects.count() == 0
    assert not Cadre.objects.filter(ma_can_bo__in=["LC-01", "LC-02"]).exists()
    assert cell_total(CADRES_TRAINED) == 0
