"""The attendance import's knowledge-gain columns diem_truoc and diem_sau: optional, whole
numbers from 0 to 100, a bad score an error of its row in Vietnamese with nothing written, a
blank cell keeps the score recorded; the scores of the people present at a held session
reach the knowledge gain."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from courses.counters.gain import knowledge_gain_drift
from courses.counters.gain_selectors import GainFilters, knowledge_gain
from courses.counters.models import KnowledgeScore
from courses.sessions.models import Attendance, SessionStatus
from tests.builders import make_cadre, make_session, make_sessions_world

pytestmark = pytest.mark.django_db

HEADER = "ma_buoi,ma_can_bo,so_dien_thoai,co_mat,dat,diem_truoc,diem_sau"


@pytest.fixture
def world(db):
    world = make_sessions_world()
    commune = world.lao_cai.commune
    world.held = make_session(course=world.in_person, unit=commune, code="B001",
                              status=SessionStatus.HELD)  # fmt: skip
    world.an = make_cadre(unit=commune, full_name="Lò Văn An", ma_can_bo="CB01")
    world.binh = make_cadre(unit=commune, full_name="Giàng Thị Bình", ma_can_bo="CB02")
    return world


def run(tmp_path, *lines, header=HEADER):
    path = tmp_path / "diem_danh.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    try:
        call_command("import_attendance", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        return False, out.getvalue() + err.getvalue() + str(exc)
    return True, out.getvalue() + err.getvalue()


def scores():
    return {
        a.cadre.ma_can_bo: (a.pre_test_score, a.post_test_score)
        for a in Attendance.objects.select_related("cadre")
    }


def test_scores_are_imported_and_reach_the_knowledge_gain(world, tmp_path):
    ok, out = run(tmp_path, "B001,CB01,,1,1,40,70", "B001,CB02,,1,,100,100")
    assert ok, out
    assert scores() == {"CB01": (40, 70), "CB02": (100, 100)}
    total = knowledge_gain(scope_province=None, filters=GainFilters(session_id=world.held.pk))
    sums = total["total"].sums
    assert (sums.learners, sums.pre_sum, sums.post_sum, sums.normalised_count) == (2, 140, 170, 1)
    assert knowledge_gain_drift() == []


def test_a_blank_score_keeps_the_recorded_one_and_a_file_without_the_columns_too(world, tmp_path):
    assert run(tmp_path, "B001,CB01,,1,1,40,70")[0]
    ok, out = run(tmp_path, "B001,CB01,,1,1,,75")
    assert ok, out
    assert scores() == {"CB01": (40, 75)}
    ok, out = run(tmp_path, "B001,CB01,,1,1", header="ma_buoi,ma_can_bo,so_dien_thoai,co_mat,dat")
    assert ok, out
    assert scores() == {"CB01": (40, 75)}
    assert KnowledgeScore.objects.get().post == 75


@pytest.mark.parametrize("bad", ["101", "-5", "7.5", "tám"])
def test_a_score_outside_0_100_is_an_error_of_its_row_and_nothing_is_written(world, tmp_path, bad):
    ok, out = run(tmp_path, "B001,CB02,,1,1,40,70", f"B001,CB01,,1,1,{bad},70")
    assert not ok
    assert "diem_truoc" in out and "số nguyên từ 0 đến 100" in out
    assert not Attendance.objects.exists() and not KnowledgeScore.objects.exists()


def test_a_post_test_without_a_pre_test_is_counted_as_missing(world, tmp_path):
    assert run(tmp_path, "B001,CB01,,1,1,,70")[0]
    sums = knowledge_gain(scope_province=None)["total"].sums
    assert (sums.learners, sums.missing_pre) == (0, 1)
