"""Counters: achievements and cells move together; the dashboard, API, exports and the public
summary read the cells, within the reader's scope."""

import csv
import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from courses.counters import services as svc
from courses.counters.models import Achievement, CounterCell, Indicator, IndicatorTarget
from courses.counters.reports import csv_safe
from courses.counters.selectors import (
    CounterFilters,
    counter_figures,
    percent_of,
    unit_maps_clear,
)
from courses.registry.models import AdminUnitLineage, UnitLevel, UnitStructure
from courses.sessions.models import SessionKind, SessionStatus
from tests.builders import (
    attend,
    complete,
    make_cadre,
    make_counters_world,
    make_session,
    make_unit,
    make_user,
    session_status,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_counters_world()


def value(code: str, **kwargs) -> int:
    figures = counter_figures(scope_province=None, **kwargs)
    return next(f.value for f in figures if f.code == code)


def test_percent_is_rounded_to_a_whole_number():
    assert percent_of(239, 480) == 50
    assert percent_of(377, 1600) == 24
    assert percent_of(283, 1600) == 18
    assert percent_of(1, 200) == 1  # 0.5 rounds half up
    assert percent_of(5, None) is None


def test_the_seven_indicators_are_seeded_with_their_targets(db):
    targets = dict(Indicator.objects.values_list("code", "target"))
    assert targets == {
        "CADRES_TRAINED": 40000,
        "VILLAGE_HEADS_TRAINED": None,
        "SESSIONS_DISTRICT_COMMUNE": 480,
        "SESSIONS_VILLAGE": 1600,
        "SESSIONS_ME": 1600,
        "ME_PARTICIPANTS": None,
        "CERTIFIED_LEARNERS": None,
    }
    assert Indicator.objects.get(code="VILLAGE_HEADS_TRAINED").target_percent == 100


def test_a_person_counts_once_however_many_courses_they_finish(world):
    cadre = make_cadre(unit=world.lao_cai.commune, ethnicity="03")
    complete(cadre, world.course)
    complete(cadre, world.me_course)
    assert value(svc.CADRES_TRAINED) == 1
    # A village-level person is not a province/district/commune cadre.
    complete(
        make_cadre(
            unit=world.lao_cai.commune, ethnicity="03", level="village", target_group="other"
        ),
        world.course,
    )
    assert value(svc.CADRES_TRAINED) == 1


def test_revoking_a_certificate_and_cancelling_a_session_update_the_counters(world):
    cadre = make_cadre(unit=world.lao_cai.commune, ethnicity="03")
    at = dt.datetime(2023, 6, 1, tzinfo=dt.UTC)
    key = svc.cell_key_for_cadre(cadre, at)
    assert svc.achievement_record(code=svc.CERTIFIED_LEARNERS, key=key, at=at, cadre=cadre)
    assert not svc.achievement_record(code=svc.CERTIFIED_LEARNERS, key=key, at=at, cadre=cadre)
    assert value(svc.CERTIFIED_LEARNERS) == 1
    assert svc.achievement_remove(code=svc.CERTIFIED_LEARNERS, cadre=cadre)
    assert value(svc.CERTIFIED_LEARNERS) == 0

    session = make_session(course=world.me_course, unit=world.lao_cai.commune,
                           kind=SessionKind.MONITORING)  # fmt: skip
    attend(session, cadre)
    assert value(svc.ME_PARTICIPANTS) == 0  # planned: nothing yet
    session_status(session, SessionStatus.HELD)
    assert (value(svc.SESSIONS_ME), value(svc.ME_PARTICIPANTS)) == (1, 1)
    session_status(session, SessionStatus.CANCELLED)
    assert (value(svc.SESSIONS_ME), value(svc.ME_PARTICIPANTS)) == (0, 0)
    call_command("recount_counters", "--check")


def test_a_person_present_at_two_held_sessions_stays_counted_when_one_is_cancelled(world):
    cadre = make_cadre(unit=world.lao_cai.commune, ethnicity="03")
    first = make_session(course=world.me_course, unit=world.lao_cai.commune,
                         kind=SessionKind.MONITORING, status=SessionStatus.HELD)  # fmt: skip
    second = make_session(course=world.me_course, unit=world.ha_giang.commune,
                          kind=SessionKind.MONITORING, status=SessionStatus.HELD)  # fmt: skip
    session_status(first, SessionStatus.HELD)
    session_status(second, SessionStatus.HELD)
    attend(first, cadre)
    attend(second, cadre)
    session_status(first, SessionStatus.CANCELLED)
    assert value(svc.ME_PARTICIPANTS) == 1
    assert value(svc.SESSIONS_ME) == 1


def test_a_held_session_moved_to_another_unit_moves_its_cell(world):
    session = make_session(
        course=world.course, unit=world.lao_cai.commune, kind=SessionKind.DISTRICT_COMMUNE
    )
    session_status(session, SessionStatus.HELD)
    session.unit = world.ha_giang.commune
    session_status(session, SessionStatus.HELD)
    by = counter_figures(scope_province=None, by="province")
    figure = next(f for f in by if f.code == svc.SESSIONS_DISTRICT_COMMUNE)
    assert figure.by == {"02": 1}
    call_command("recount_counters", "--check")


def test_recount_check_reports_drift_and_recount_repairs_it(world, capsys):
    complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03"), world.course)
    call_command("recount_counters", "--check")
    CounterCell.objects.update(value=7)
    with pytest.raises(CommandError):
        call_command("recount_counters", "--check")
    out = capsys.readouterr().out
    assert "CADRES_TRAINED" in out and "stored 7, expected 1" in out
    assert CounterCell.objects.get().value == 7  # --check changed nothing
    call_command("recount_counters")
    call_command("recount_counters", "--check")
    assert value(svc.CADRES_TRAINED) == 1


def test_filters_by_sex_level_ethnicity_and_period(world):
    complete(make_cadre(unit=world.lao_cai.commune, sex="male", ethnicity="08"), world.course,
             at=dt.datetime(2022, 3, 5, tzinfo=dt.UTC))  # fmt: skip
    complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03", level="district"),
             world.course, at=dt.datetime(2023, 7, 5, tzinfo=dt.UTC))  # fmt: skip
    code = svc.CADRES_TRAINED
    assert value(code, filters=CounterFilters(sex="male")) == 1
    assert value(code, filters=CounterFilters(level="district")) == 1
    assert value(code, filters=CounterFilters(ethnicity="08")) == 1
    assert value(code, filters=CounterFilters(start=dt.date(2023, 1, 1))) == 1
    assert value(code, filters=CounterFilters(end=dt.date(2022, 12, 31))) == 1
    figures = counter_figures(scope_province=None, months=True)
    months = next(f.months for f in figures if f.code == code)
    assert months == [(dt.date(2022, 3, 1), 1), (dt.date(2023, 7, 1), 1)]

    def month_chart(filters, scope=None):
        figures = counter_figures(scope_province=scope, filters=filters, months=True)
        return next(f.months for f in figures if f.code == code)

    # Filtered month charts: national (CounterNationalMonth) and one province (CounterRollup).
    male = CounterFilters(sex="male")
    assert month_chart(male) == [(dt.date(2022, 3, 1), 1)]
    assert month_chart(male, scope=world.lao_cai.province.province_code) == [
        (dt.date(2022, 3, 1), 1)
    ]
    assert month_chart(CounterFilters(level="district")) == [(dt.date(2023, 7, 1), 1)]
    assert month_chart(CounterFilters(ethnicity="08", sex="female")) == []


def test_the_2025_structure_maps_provinces_through_the_lineage(world):
    new = make_unit(UnitStructure.S2025, UnitLevel.PROVINCE, "15", "Tỉnh Lào Cai (mới)", None,
                    province_code="15")  # fmt: skip
    AdminUnitLineage.objects.create(old=world.lao_cai.province, new=new)
    unit_maps_clear()
    complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03"), world.course)
    figures = counter_figures(
        scope_province=None, filters=CounterFilters(structure="2025"), by="province", areas=True
    )
    figure = next(f for f in figures if f.code == svc.CADRES_TRAINED)
    assert figure.by == {"15": 1}
    assert figure.areas == [("15", "Tỉnh Lào Cai (mới)", 1)]
    assert value(svc.CADRES_TRAINED, filters=CounterFilters(structure="2025", province="15")) == 1


# --- Scope: a province admin sees only their province --------------------------------------


@pytest.fixture
def two_provinces(world):
    for _ in range(3):
        complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03", full_name="=HYPERLINK(1)"),
                 world.course)  # fmt: skip
    for _ in range(5):
        complete(make_cadre(unit=world.ha_giang.commune, ethnicity="03"), world.course)
    return world


def test_api_requires_an_admin(client, two_provinces):
    assert client.get("/api/counters/").status_code == 401
    client.force_login(make_user(role="Cadre"))
    assert client.get("/api/counters/").status_code == 403


def test_api_returns_the_figures_and_breakdowns_for_a_central_admin(client, two_provinces):
    client.force_login(make_user(role="Admin"))
    data = client.get("/api/counters/?by=province").json()
    cadres = next(row for row in data if row["code"] == "CADRES_TRAINED")
    assert set(cadres) == {"code", "name", "unit", "target", "value", "percent", "by"}
    assert cadres["value"] == 8 and cadres["target"] == 40000 and cadres["percent"] == 0
    assert cadres["by"] == {"02": 5, "10": 3}
    by_ethnicity = client.get("/api/counters/?by=ethnicity").json()
    assert next(r for r in by_ethnicity if r["code"] == "CADRES_TRAINED")["by"] == {"03": 8}
    assert client.get("/api/counters/?by=commune").status_code == 400


def test_province_admin_sees_only_their_province_in_the_api(client, two_provinces):
    client.force_login(make_user(role="Admin", province_code="10"))
    data = client.get("/api/counters/?by=province").json()
    cadres = next(row for row in data if row["code"] == "CADRES_TRAINED")
    assert cadres["value"] == 3 and cadres["by"] == {"10": 3}
    assert client.get("/api/counters/?province=02").status_code == 403


def test_province_admin_sees_only_their_province_in_the_dashboard(client, two_provinces):
    client.force_login(make_user(role="Admin", province_code="10"))
    response = client.get(reverse("counters_dashboard") + "?province=02")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tỉnh Hà Giang" not in html
    assert "data-value>3<" in html
    assert "Huyện 080" in html  # the drill-down starts at the districts of Lào Cai


def test_central_admin_drills_down_from_provinces_to_communes(client, two_provinces):
    client.force_login(make_user(role="Admin"))
    url = reverse("counters_dashboard")
    html = client.get(url).content.decode()
    assert "Tỉnh Hà Giang" in html and "Tỉnh Lào Cai" in html and "data-value>8<" in html
    html = client.get(url + "?province=10").content.decode()
    assert "Huyện 080" in html and "data-value>3<" in html
    html = client.get(url + "?province=10&district=080").content.decode()
    assert "Xã 02647" in html


def test_dashboard_shows_the_percent_rounded(client, world):
    for _n in range(239):
        s = make_session(
            course=world.course, unit=world.lao_cai.commune, kind=SessionKind.DISTRICT_COMMUNE
        )
        session_status(s, SessionStatus.HELD)
    client.force_login(make_user(role="Admin"))
    html = client.get(reverse("counters_dashboard")).content.decode()
    assert "data-value>239<" in html and "(50 %)" in html


def test_non_admins_cannot_open_the_dashboard_or_exports(client, two_provinces):
    client.force_login(make_user(role="Trainer"))
    for name in ("counters_dashboard", "counters_export_csv", "counters_export_xlsx"):
        assert client.get(reverse(name)).status_code in (302, 403)


def test_exports_are_scoped_and_csv_is_neutralised(client, two_provinces):
    client.force_login(make_user(role="Admin", province_code="02"))
    content = client.get(reverse("counters_export_csv")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    cadres = next(r for r in rows if r and r[0] == "CADRES_TRAINED")
    assert cadres[3] == "5"
    assert "Tỉnh Lào Cai" not in content and "Huyện 080" not in content
    book = load_workbook(io.BytesIO(client.get(reverse("counters_export_xlsx")).content))
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert any(row[0] == "CADRES_TRAINED" and row[3] == 5 for row in values)
    pdf = client.get(reverse("counters_export_pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert csv_safe("=1+1") == "'=1+1" and csv_safe("@x") == "'@x" and csv_safe("-2") == "'-2"


def test_province_targets_apply_to_a_province_view(world):
    indicator = Indicator.objects.get(code=svc.CADRES_TRAINED)
    IndicatorTarget.objects.create(indicator=indicator, province_code="10", target=4)
    complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03"), world.course)
    figures = counter_figures(scope_province="10")
    figure = next(f for f in figures if f.code == svc.CADRES_TRAINED)
    assert (figure.value, figure.target, figure.percent) == (1, 4, 25)


def test_village_heads_target_is_a_share_of_the_registry(world):
    heads = [make_cadre(unit=world.lao_cai.commune, ethnicity="03", target_group="village_head",
                        level="village") for _ in range(4)]  # fmt: skip
    complete(heads[0], world.course)
    figure = next(
        f for f in counter_figures(scope_province=None) if f.code == svc.VILLAGE_HEADS_TRAINED
    )
    assert (figure.value, figure.target, figure.percent) == (1, 4, 25)


# --- Public summary ---------------------------------------------------------------------


def test_public_summary_shows_national_totals_and_hides_small_values(client, world):
    from tests.builders import home_page  # noqa: F401  (home exists via world)

    for _ in range(12):
        complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03"), world.course)
    complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03", target_group="village_head",
                        level="village"), world.course)  # fmt: skip
    html = client.get("/").content.decode()
    assert 'data-code="CADRES_TRAINED"' in html
    assert "12 / 40.000" in html or "12 / 40,000" in html
    assert "&lt; 10" in html  # one village head: suppressed
    assert "Tỉnh Lào Cai" not in html and "Thái" not in html


def test_show_counters_prints_the_same_figures(world, capsys):
    complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03"), world.course)
    call_command("show_counters", "--json", "--province", "10")
    data = json.loads(capsys.readouterr().out)
    assert next(r for r in data if r["code"] == "CADRES_TRAINED")["value"] == 1
    call_command("show_counters", "--json", "--province", "02")
    data = json.loads(capsys.readouterr().out)
    assert next(r for r in data if r["code"] == "CADRES_TRAINED")["value"] == 0


def test_achievements_copy_the_cell_key(world):
    cadre = make_cadre(unit=world.lao_cai.commune, sex="male", ethnicity="08", level="district")
    complete(cadre, world.course, at=dt.datetime(2023, 7, 20, 20, tzinfo=dt.UTC))
    a = Achievement.objects.get(cadre=cadre)
    # 20:00 UTC is the next day in Vietnam, still July.
    assert (a.month, a.province_code, a.sex, a.ethnicity, a.level) == (
        dt.date(2023, 7, 1), "10", "male", "08", "district",
    )  # fmt: skip


# --- Rollups: bounded tables read by national and province views ----------------------------


def test_a_drifted_rollup_is_reported_and_recount_repairs_it(world, capsys):
    from courses.counters.models import CounterRollup, CounterYearRollup

    complete(
        make_cadre(unit=world.lao_cai.commune, ethnicity="03"),
        world.course,
        at=dt.datetime(2023, 7, 5, tzinfo=dt.UTC),
    )
    rollup = CounterRollup.objects.get(indicator__code=svc.CADRES_TRAINED)
    assert (rollup.month, rollup.province_code, rollup.value) == (dt.date(2023, 7, 1), "10", 1)
    assert CounterYearRollup.objects.get(indicator__code=svc.CADRES_TRAINED).year == 2023
    CounterYearRollup.objects.update(value=3)
    with pytest.raises(CommandError):
        call_command("recount_counters", "--check")
    assert "[year] 2023 10" in capsys.readouterr().out
    assert value(svc.CADRES_TRAINED) == 3  # the national figure reads the rollup
    call_command("recount_counters")
    call_command("recount_counters", "--check")
    assert value(svc.CADRES_TRAINED) == 1


def test_a_period_that_cuts_a_year_counts_whole_years_and_the_cut_months(world):
    for at in (dt.datetime(2022, 3, 5), dt.datetime(2022, 11, 5), dt.datetime(2023, 7, 5)):
        complete(
            make_cadre(unit=world.lao_cai.commune, ethnicity="03"),
            world.course,
            at=at.replace(tzinfo=dt.UTC),
        )
    code = svc.CADRES_TRAINED
    assert value(code) == 3
    assert value(code, filters=CounterFilters(start=dt.date(2022, 6, 1))) == 2
    assert value(code, filters=CounterFilters(start=dt.date(2022, 11, 20))) == 2  # whole month
    assert value(code, filters=CounterFilters(end=dt.date(2022, 10, 31))) == 1
    assert (
        value(code, filters=CounterFilters(start=dt.date(2022, 4, 1), end=dt.date(2022, 12, 1)))
        == 1
    )
    by = counter_figures(scope_province=None, filters=CounterFilters(start=dt.date(2022, 6, 1)),
                         by="province")  # fmt: skip
    assert next(f for f in by if f.code == code).by == {"10": 2}
