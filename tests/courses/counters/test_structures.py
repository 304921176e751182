"""The same programme counted in both administrative structures: after a mixed workload through
the real engine (online completions, sessions before and after the reform, attendance,
certificates, the new commune of a split commune picked), every indicator has the same national
total in the 2023 and the 2025 view; each 2025 province's figure is the sum of its 2023
provinces' figures and of the records made in its own 2025 units (the 2023 view's "recorded in
the new units" line); and the API, `show_counters` and the exports say the same, naming the
structure and those lines in Vietnamese."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from courses.counters import services as svc
from courses.counters.recount import counters_drift
from courses.counters.selectors import NEW_UNITS, UNDECIDED, CounterFilters, counter_figures
from courses.registry.models import UnitLevel, UnitStructure
from courses.registry.services import cadre_successor_pick
from courses.sessions.models import SessionKind
from courses.sessions.services import attendance_mark
from tests.builders import (
    complete,
    enrolment_of,
    make_cadre,
    make_certificate,
    make_session,
    make_split_commune,
    make_unit,
    make_units,
    make_user,
)

pytestmark = pytest.mark.django_db

BEFORE = dt.datetime(2024, 5, 3, 9, tzinfo=dt.UTC)  # under the 2023 structure
AFTER = dt.datetime(2026, 3, 9, 9, tzinfo=dt.UTC)  # under the 2025 structure
LAO_CAI, TUYEN_QUANG = "15", "08"  # 2025: Lào Cai took in Lào Cai 10 and Yên Bái 15 of 2023
# What the workload below counts: by 2023 province (NEW_UNITS: made in a 2025 unit), and the
# part of NEW_UNITS made in each 2025 province's own units.
EXPECTED_2023 = {
    svc.CADRES_TRAINED: {"10": 7, "15": 2, "02": 4, NEW_UNITS: 7},
    svc.VILLAGE_HEADS_TRAINED: {"15": 1, NEW_UNITS: 1},
    svc.SESSIONS_DISTRICT_COMMUNE: {"10": 1, NEW_UNITS: 1},
    svc.SESSIONS_VILLAGE: {"10": 1, NEW_UNITS: 1},
    svc.SESSIONS_ME: {"02": 1, NEW_UNITS: 1},
    svc.ME_PARTICIPANTS: {"02": 2, NEW_UNITS: 1},
    svc.CERTIFIED_LEARNERS: {"10": 1, NEW_UNITS: 1},
}
NEW_UNITS_OF = {
    LAO_CAI: {svc.CADRES_TRAINED: 5, svc.VILLAGE_HEADS_TRAINED: 1,
              svc.SESSIONS_DISTRICT_COMMUNE: 1, svc.SESSIONS_VILLAGE: 1,
              svc.CERTIFIED_LEARNERS: 1},
    TUYEN_QUANG: {svc.CADRES_TRAINED: 2, svc.SESSIONS_ME: 1, svc.ME_PARTICIPANTS: 1},
}  # fmt: skip
PROVINCES_2023_OF = {LAO_CAI: ("10", "15"), TUYEN_QUANG: ("02",)}


@pytest.fixture
def workload(world):
    """Lào Cai 10 (> 080 > 02647, whole; 02650 split into Xã Bản Xèo and Xã Mường Hum) and Yên
    Bái 15 (> 136 > 04378) went into Lào Cai 15; Hà Giang 02 (> 024 > 00688) into Tuyên Quang
    08. Then the workload whose counts EXPECTED_2023 and NEW_UNITS_OF give."""
    lao_cai, ha_giang = world.lao_cai, world.ha_giang
    yen_bai = make_units(province_code="15", province_name="Tỉnh Yên Bái", district_code="136",
                         commune_code="04378")  # fmt: skip
    split, (_ban_xeo, muong_hum) = make_split_commune(
        lao_cai, code="02650", name="Xã Tả Phìn",
        successors=(("02656", "Xã Bản Xèo"), ("02659", "Xã Mường Hum")),
    )  # fmt: skip
    coc_san = make_unit(
        UnitStructure.S2025, UnitLevel.COMMUNE, "02662", "Xã Cốc San", lao_cai.province_2025,
        province_code=LAO_CAI, commune_code="02662",
    )  # fmt: skip
    course, me_course = world.course, world.me_course

    def cadres(unit, n, **fields):
        return [make_cadre(unit=unit, ethnicity="08", **fields) for _ in range(n)]

    def present(session, people):
        for cadre in people:
            attendance_mark(session=session, cadre=cadre, present=True)

    held = {"status": "held"}
    # Before the reform, in 2023 units: online completions...
    lao_cai_online = cadres(lao_cai.commune, 3)
    ta_phin = cadres(split, 2)
    for cadre in [*lao_cai_online, *cadres(yen_bai.commune, 2), *cadres(ha_giang.commune, 2),
                  *ta_phin, *cadres(yen_bai.commune, 1, target_group="village_head",
                                    level="village")]:  # fmt: skip
        complete(cadre, course, at=BEFORE)
    # ... and sessions, with the people present (the blended and the in-person M&E course).
    start = BEFORE.date()
    dc = make_session(course=course, unit=lao_cai.commune, start_date=start, **held)
    present(dc, cadres(lao_cai.commune, 2))
    me = make_session(course=me_course, unit=ha_giang.commune, kind=SessionKind.MONITORING,
                      start_date=start, **held)  # fmt: skip
    present(me, cadres(ha_giang.commune, 2))
    make_session(course=course, unit=split, kind=SessionKind.VILLAGE, start_date=start, **held)
    # After the reform, in 2025 units.
    coc_san_online = cadres(coc_san, 2)
    for cadre in [*coc_san_online, *cadres(lao_cai.commune_2025, 1),
                  *cadres(ha_giang.commune_2025, 1),
                  *cadres(coc_san, 1, target_group="village_head", level="village")]:  # fmt: skip
        complete(cadre, course, at=AFTER)
    start = AFTER.date()
    present(make_session(course=course, unit=coc_san, start_date=start, **held),
            cadres(coc_san, 2))  # fmt: skip
    me = make_session(course=me_course, unit=ha_giang.commune_2025, kind=SessionKind.MONITORING,
                      start_date=start, **held)  # fmt: skip
    present(me, cadres(ha_giang.commune_2025, 1))
    make_session(course=course, unit=lao_cai.commune_2025, kind=SessionKind.VILLAGE,
                 start_date=start, **held)  # fmt: skip
    # A certificate on each side of the reform, and the new commune of one of the split ones.
    for cadre in (lao_cai_online[0], coc_san_online[0]):
        make_certificate(enrolment=enrolment_of(cadre, course), issue=True)
    cadre_successor_pick(cadre=ta_phin[0], successor=muong_hum)
    return world


def by_province(structure: str, scope: str | None = None) -> dict[str, dict[str, int]]:
    figures = counter_figures(
        scope_province=scope, filters=CounterFilters(structure=structure), by="province"
    )
    return {f.code: f.by for f in figures}


def national(structure: str) -> dict[str, int]:
    figures = counter_figures(scope_province=None, filters=CounterFilters(structure=structure))
    return {f.code: f.value for f in figures}


def test_totals_are_equal_in_both_structures_after_a_mixed_workload(workload):
    old, new = by_province("2023"), by_province("2025")
    totals_2023, totals_2025 = national("2023"), national("2025")
    assert totals_2023 == totals_2025  # every indicator, the whole country
    for code, expected in EXPECTED_2023.items():
        assert old[code] == expected, code
        # The 2023 breakdown, the new units' line included, adds up to the national total.
        assert sum(old[code].values()) == totals_2023[code] == sum(new[code].values()), code
        for province, provinces_2023 in PROVINCES_2023_OF.items():
            made_here = NEW_UNITS_OF[province].get(code, 0)
            from_2023 = sum(old[code].get(p, 0) for p in provinces_2023)
            assert new[code].get(province, 0) == from_2023 + made_here, (code, province)
            # A province admin's 2023 view: its 2023 provinces and its own new units' line.
            scoped = by_province("2023", scope=province)[code]
            assert scoped == {
                k: v for k, v in {**{p: old[code].get(p, 0) for p in provinces_2023},
                                  NEW_UNITS: made_here}.items() if v
            }, (code, province)  # fmt: skip
    # The split commune: one record picked, one still on the "not decided" line of Lào Cai.
    drill = counter_figures(
        scope_province=None, filters=CounterFilters(structure="2025", province=LAO_CAI),
        areas=True,
    )  # fmt: skip
    cadres = {code: value for code, _name, value in next(
        f for f in drill if f.code == svc.CADRES_TRAINED).areas}  # fmt: skip
    assert (cadres["02659"], cadres[UNDECIDED]) == (1, 1)
    assert sum(cadres.values()) == new[svc.CADRES_TRAINED][LAO_CAI]
    assert counters_drift() == []
    call_command("recount_counters", "--check")


def test_the_api_and_show_counters_give_the_same_breakdowns(client, workload, capsys):
    client.force_login(make_user(role="Admin"))
    for structure in ("2023", "2025"):
        api = client.get(f"/api/counters/?structure={structure}&by=province").json()
        assert {row["code"]: row["by"] for row in api} == by_province(structure)
        call_command("show_counters", "--json", "--structure", structure, "--by", "province")
        assert json.loads(capsys.readouterr().out) == api
    # A province admin's API answers for their scope, the new units' line included.
    client.force_login(make_user(role="Admin", province_code=LAO_CAI))
    api = client.get("/api/counters/?structure=2023&by=province").json()
    cadres = next(row for row in api if row["code"] == svc.CADRES_TRAINED)
    assert cadres["by"] == {"10": 7, "15": 2, NEW_UNITS: 5} and cadres["value"] == 14
    api = client.get("/api/counters/?structure=2025&by=province").json()
    assert next(row for row in api if row["code"] == svc.CADRES_TRAINED)["by"] == {LAO_CAI: 14}
    # The text output names the structure and the line that is not a unit.
    call_command("show_counters", "--structure", "2023", "--by", "province")
    text = capsys.readouterr().out
    assert text.splitlines()[0] == "cơ cấu 2023 (tỉnh, huyện, xã)"
    assert f"    {NEW_UNITS} (ghi nhận theo đơn vị mới): 7" in text
    call_command("show_counters", "--structure", "2025", "--by", "province")
    text = capsys.readouterr().out
    assert text.splitlines()[0] == "cơ cấu 2025 (tỉnh, xã)" and "    15: 14" in text


def test_the_exports_name_the_structure_and_the_lines_that_are_not_a_unit(client, workload):
    client.force_login(make_user(role="Admin"))

    def csv_rows(query: str) -> list[list[str]]:
        content = client.get(reverse("counters_export_csv") + query).content
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))

    def xlsx_rows(query: str) -> list[list]:
        response = client.get(reverse("counters_export_xlsx") + query)
        book = load_workbook(io.BytesIO(response.content))
        return [list(row) for sheet in book for row in sheet.iter_rows(values_only=True)]

    for rows in (csv_rows("?structure=2023"), xlsx_rows("?structure=2023")):
        assert "cơ cấu 2023 (tỉnh, huyện, xã)" in rows[0][0]
        assert [svc.CADRES_TRAINED, NEW_UNITS, "ghi nhận theo đơn vị mới", 7] in [
            [int(c) if isinstance(c, str) and c.isdigit() else c for c in row] for row in rows
        ]
    for rows in (csv_rows(f"?structure=2025&province={LAO_CAI}"),
                 xlsx_rows(f"?structure=2025&province={LAO_CAI}")):  # fmt: skip
        assert "cơ cấu 2025 (tỉnh, xã)" in rows[0][0]
        assert [svc.CADRES_TRAINED, UNDECIDED, "chưa xác định xã mới", 1] in [
            [int(c) if isinstance(c, str) and c.isdigit() else c for c in row] for row in rows
        ]
