"""The demo after the reform: sessions and people of 2026 in units of the 2025 structure beside
the 2023 history, shown by both structures with the same totals, and the demo province admin
scoped to Lào Cai of the 2025 structure (on the fallback units, as without load_admin_units)."""

import pytest
from django.core.management import call_command

from courses.counters import services as svc
from courses.counters.selectors import NEW_UNITS, CounterFilters, counter_figures
from courses.registry.models import Cadre, UnitStructure
from courses.sessions.models import SessionStatus, TrainingSession
from tests.courses.demo.conftest import make_demo_courses

pytestmark = pytest.mark.django_db


def figures(structure: str, **kwargs) -> dict:
    filters = CounterFilters(structure=structure)
    return {
        f.code: f
        for f in counter_figures(scope_province=kwargs.pop("scope", None), filters=filters,
                                 **kwargs)
    }  # fmt: skip


def svc_sessions() -> tuple[str, ...]:
    return (svc.SESSIONS_DISTRICT_COMMUNE, svc.SESSIONS_VILLAGE, svc.SESSIONS_ME)


def test_the_demo_records_2026_in_2025_units_and_both_structures_show_it():
    from courses.demo.people import load_people
    from courses.demo.programme import load_programme
    from courses.demo.programme_2026 import PREFIX, PROVINCES_2025, load_programme_2026
    from courses.registry.undecided import undecided_count
    from lms.roles import admin_province_code

    make_demo_courses()
    svc.indicator_cache_clear()
    # The history beside it, with few people (its report figures are tested in test_programme).
    assert "239" in next(iter(load_programme(scale=0.1, report=False)))
    assert list(load_programme_2026()) == [
        "Chương trình 2026: 7 lớp tập huấn ở đơn vị của cơ cấu 2025 (5 lớp đã tổ chức), "
        "30 người có mặt."
    ]
    list(load_people())

    sessions = TrainingSession.objects.filter(code__startswith=PREFIX).select_related("unit")
    cadres = Cadre.objects.filter(ma_can_bo__startswith=PREFIX).select_related("unit")
    assert sessions.count() == 7 and cadres.count() == 30
    for record in [*sessions, *cadres]:  # never in a 2023 unit
        assert record.unit.structure == UnitStructure.S2025
        assert (record.province_code, record.commune_code) == ("", "")
        assert record.province_2025 in PROVINCES_2025
    assert {s.start_date.year for s in sessions} == {2026}

    new, old = figures("2025", by="province"), figures("2023", by="province")
    for code, figure in new.items():
        assert old[code].value == figure.value, code  # the same totals in both structures
        assert sum(old[code].by.values()) == figure.value
    # The 2023 history is kept; 2026 adds to it, on the new units' line of the 2023 view.
    held_2026 = sessions.filter(status=SessionStatus.HELD, kind="can_bo_huyen_xa").count()
    assert new[svc.SESSIONS_DISTRICT_COMMUNE].value == 239 + held_2026
    assert old[svc.SESSIONS_DISTRICT_COMMUNE].by[NEW_UNITS] == held_2026
    assert {"15", "08"} <= set(new[svc.SESSIONS_DISTRICT_COMMUNE].by)
    for code in (svc.CADRES_TRAINED, svc.VILLAGE_HEADS_TRAINED, svc.ME_PARTICIPANTS):
        assert old[code].by.get(NEW_UNITS, 0) > 0, code  # completions and presence of 2026
    call_command("recount_counters", "--check")

    # The province admin of the demo is Lào Cai of the 2025 structure, and sees its 2026 work.
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    admin = users.get(username="tinh_laocai")
    assert admin_province_code(admin) == "15"
    lao_cai_2026 = sessions.filter(province_2025="15", status=SessionStatus.HELD).count()
    in_scope = figures("2025", scope="15")
    assert sum(in_scope[code].value for code in svc_sessions()) > lao_cai_2026 > 0
    learner = Cadre.objects.get(user__username="hocvien")
    assert (learner.unit.structure, learner.province_2025) == (UnitStructure.S2025, "15")
    trainer_sessions = TrainingSession.objects.filter(trainers__username="giangvien")
    assert trainer_sessions.filter(code__startswith=PREFIX).exists()
    assert set(trainer_sessions.values_list("province_2025", flat=True)) == {"15"}
    # The split commune of the fallback list (Phường Quang Trung) waits on the central to-do.
    assert undecided_count(users.get(username="quantri")) > 0

    assert list(load_programme_2026()) == ["Chương trình 2026: các lớp tập huấn mẫu đã có."]
    assert Cadre.objects.filter(ma_can_bo__startswith=PREFIX).count() == 30
