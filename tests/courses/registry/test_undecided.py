"""The to-do list "Chưa xác định xã mới": records of a 2023 commune split between several 2025
communes count under their 2025 province until an admin picks the new commune by name; the
pick (and an admin's change of unit) moves what they count for, totals unchanged, no drift;
each admin sees and picks within their scope only."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from courses.counters import services as svc
from courses.counters.models import Achievement
from courses.counters.recount import counters_drift
from courses.counters.selectors import UNDECIDED, CounterFilters, counter_figures
from courses.registry.models import AdminUnit, Cadre
from courses.registry.services import cadre_import, cadre_successor_pick
from courses.sessions.models import SessionKind, SessionStatus
from tests.builders import (
    Units,
    complete,
    course_index,
    home_page,
    make_cadre,
    make_course,
    make_session,
    make_split_commune,
    make_units,
    make_user,
)

pytestmark = pytest.mark.django_db

LIST = "courses_registry_undecided"
EMPTY = "Không có hồ sơ nào cần chọn xã mới."


@dataclass
class SplitWorld:
    """Lào Cai (2023: 10 > 080 > 02647, whole; 02650 Xã Tả Phìn split into Xã Mường Hum and
    Xã Bản Xèo of Lào Cai 2025, 15) and Hà Giang (2023: 02 > 024 > 00688; 00691 Xã Ngọc Linh
    split into two communes of Tuyên Quang 2025, 08), a course, and the admins."""

    lao_cai: Units
    ha_giang: Units
    old: AdminUnit
    a: AdminUnit
    b: AdminUnit
    hg_old: AdminUnit
    hg_new: list[AdminUnit]
    course: object
    admin_lc: object
    admin_hg: object
    central: object


@pytest.fixture
def split(db) -> SplitWorld:
    svc.indicator_cache_clear()
    lao_cai = make_units(province_code="10", district_code="080", commune_code="02647")
    ha_giang = make_units(province_code="02", district_code="024", commune_code="00688")
    old, (a, b) = make_split_commune(
        lao_cai, code="02650", name="Xã Tả Phìn",
        successors=(("02659", "Xã Mường Hum"), ("02656", "Xã Bản Xèo")),
    )  # fmt: skip
    hg_old, hg_new = make_split_commune(
        ha_giang, code="00691", name="Xã Ngọc Linh",
        successors=(("00694", "Xã Ngọc Đường"), ("00697", "Xã Phú Linh")),
    )  # fmt: skip
    course = make_course(
        index=course_index(home=home_page(), published=True), title="Lồng ghép giới",
        slug="long-ghep-gioi", delivery="blended", modules=0, quiz=False, published=True,
    ).course  # fmt: skip
    return SplitWorld(
        lao_cai=lao_cai, ha_giang=ha_giang, old=old, a=a, b=b, hg_old=hg_old, hg_new=hg_new,
        course=course, admin_lc=make_user(role="Admin", province_code=lao_cai.scope),
        admin_hg=make_user(role="Admin", province_code=ha_giang.scope),
        central=make_user(role="Admin"),
    )  # fmt: skip


def figure(code: str, **filters):
    """One indicator's figure in the 2025 structure (keywords: CounterFilters' fields, and
    `by` / `areas` for counter_figures)."""
    by = filters.pop("by", None)
    areas = filters.pop("areas", False)
    filters.setdefault("structure", "2025")
    figures = counter_figures(
        scope_province=None, filters=CounterFilters(**filters), by=by, areas=areas
    )
    return next(f for f in figures if f.code == code)


def communes_of(province: str, code: str = svc.CADRES_TRAINED) -> list[tuple[str, str, int]]:
    return figure(code, province=province, areas=True).areas


def pick_url(record) -> str:
    kind = "cadre" if isinstance(record, Cadre) else "session"
    return reverse(f"courses_registry_undecided_{kind}", args=[record.pk])


def assert_no_drift():
    assert counters_drift() == []
    call_command("recount_counters", "--check")


def test_a_cadre_counts_under_the_province_until_an_admin_picks_the_new_commune(client, split):
    cadre = make_cadre(unit=split.old, full_name="Sùng Thị Mỷ", birth_year=1990)
    complete(cadre, split.course)
    national = figure(svc.CADRES_TRAINED).value
    assert national == 1
    assert figure(svc.CADRES_TRAINED, by="province").by == {"15": 1}
    assert communes_of("15") == [(UNDECIDED, "chưa xác định xã mới", 1)]

    client.force_login(split.admin_lc)
    html = client.get(reverse(LIST)).content.decode()
    assert "Chưa xác định xã mới" in html and "1 hồ sơ" in html
    assert "Sùng Thị Mỷ (1990)" in html
    assert "Xã Tả Phìn, Huyện 080, Tỉnh Lào Cai" in html  # the 2023 unit, smallest first
    # The candidates by name, in Vietnamese order, each a radio button; "partly" from the lineage.
    assert html.index("Xã Bản Xèo (một phần)") < html.index("Xã Mường Hum (một phần)")
    assert pick_url(cadre) in html
    # Post what the browser sends: the value of the radio button labelled Xã Bản Xèo.
    choices = dict(re.findall(r'name="successor" value="([^"]*)" required> ([^<]*)<', html))
    assert choices == {str(split.b.pk): "Xã Bản Xèo (một phần)",
                       str(split.a.pk): "Xã Mường Hum (một phần)"}  # fmt: skip

    response = client.post(pick_url(cadre), {"successor": str(split.b.pk), "p": "1"})
    assert response.status_code == 302 and response["Location"] == reverse(LIST) + "?p=1"
    cadre.refresh_from_db()
    assert (cadre.successor, cadre.commune_code, cadre.commune_2025) == (split.b, "02650", "02656")
    achievement = Achievement.objects.get(cadre=cadre)
    assert (achievement.commune_code, achievement.commune_2025) == ("02650", "02656")
    assert communes_of("15") == [("02656", "Xã Bản Xèo", 1)]
    assert figure(svc.CADRES_TRAINED).value == national
    assert figure(svc.CADRES_TRAINED, by="province").by == {"15": 1}
    assert figure(svc.CADRES_TRAINED, structure="2023", by="province").by == {"10": 1}
    assert_no_drift()
    assert EMPTY in client.get(reverse(LIST)).content.decode()


def test_the_menu_counts_the_records_waiting_in_the_admins_scope(client, split):
    make_cadre(unit=split.old, full_name="Sùng Thị Mỷ")
    make_cadre(unit=split.hg_old, full_name="Lục Thị Dung")

    def menu_shows(user, label: str) -> bool:
        client.force_login(user)
        html = client.get(reverse("wagtailadmin_home")).content.decode()
        return f'"label": {json.dumps(label)}' in html  # the sidebar's props, in JSON

    assert menu_shows(split.admin_lc, "Chưa xác định xã mới (1)")
    assert menu_shows(split.central, "Chưa xác định xã mới (2)")


def test_the_menus_kept_count_follows_an_import_and_a_pick_at_once(
    client, split, tmp_path, django_capture_on_commit_callbacks
):
    """The count is kept between pages; an import (written by SQL, without save signals)
    and a pick show on the next page all the same."""
    from courses.registry.imports import COLUMNS

    def menu_label(user) -> str:
        client.force_login(user)
        html = client.get(reverse("wagtailadmin_home")).content.decode()
        prefix = json.dumps("Chưa xác định xã mới")[:-1]  # the sidebar's props, in JSON
        return json.loads(re.search(re.escape(prefix) + r'[^"]*"', html).group(0))

    assert menu_label(split.admin_lc) == "Chưa xác định xã mới"
    path = tmp_path / "can_bo.csv"
    row = ",Sùng Thị Mỷ,Nữ,1990,Hmông,Cán bộ chủ chốt,Xã,,02650,,"
    path.write_text("\n".join([",".join(COLUMNS), row]) + "\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):
        result = cadre_import(source=path, name=str(path), structure="2023")
    assert result.written, result.errors.sorted()
    assert menu_label(split.admin_lc) == "Chưa xác định xã mới (1)"
    cadre = Cadre.objects.get(full_name="Sùng Thị Mỷ")
    with django_capture_on_commit_callbacks(execute=True):
        cadre_successor_pick(cadre=cadre, successor=split.a)
    assert menu_label(split.admin_lc) == "Chưa xác định xã mới"


def test_a_province_admin_neither_sees_nor_picks_another_provinces_record(client, split):
    mine = make_cadre(unit=split.old, full_name="Sùng Thị Mỷ")
    theirs = make_cadre(unit=split.hg_old, full_name="Lục Thị Dung")
    client.force_login(split.admin_lc)
    html = client.get(reverse(LIST)).content.decode()
    assert "Sùng Thị Mỷ" in html and "Lục Thị Dung" not in html
    assert client.get(pick_url(theirs)).status_code == 404
    assert client.post(pick_url(theirs), {"successor": split.hg_new[0].pk}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.successor is None and theirs.commune_2025 == ""
    assert client.get(pick_url(mine)).status_code == 200
    # Their own admin and the central admins do see it; trainers have no such list.
    client.force_login(split.admin_hg)
    assert "Lục Thị Dung" in client.get(reverse(LIST)).content.decode()
    client.force_login(split.central)
    html = client.get(reverse(LIST)).content.decode()
    assert "Sùng Thị Mỷ" in html and "Lục Thị Dung" in html
    client.force_login(make_user(role="Trainer"))
    for path in (reverse(LIST), pick_url(mine)):
        response = client.get(path)  # Wagtail's "permission denied": back to the admin's home
        assert (response.status_code, response["Location"]) == (302, reverse("wagtailadmin_home"))


def test_a_commune_that_is_not_a_candidate_is_refused(client, split):
    cadre = make_cadre(unit=split.old, full_name="Sùng Thị Mỷ")
    complete(cadre, split.course)
    client.force_login(split.admin_lc)
    other = split.lao_cai.commune_2025  # a 2025 commune of the province, not one of the two
    response = client.post(pick_url(cadre), {"successor": other.pk})
    assert response.status_code == 200
    assert "Hãy chọn một trong các xã mới được liệt kê." in response.content.decode()
    cadre.refresh_from_db()
    assert cadre.successor is None and communes_of("15") == [(UNDECIDED, "chưa xác định xã mới", 1)]
    # The service refuses it too, whoever calls it.
    with pytest.raises(ValidationError) as refused:
        cadre_successor_pick(cadre=cadre, successor=other)
    assert "không phải là một trong các xã mới" in str(refused.value)
    assert_no_drift()


def test_a_session_held_in_a_split_commune_moves_to_the_picked_commune(client, split):
    session = make_session(
        course=split.course, unit=split.old, kind=SessionKind.DISTRICT_COMMUNE,
        title="Tập huấn lồng ghép giới", start_date=dt.date(2024, 5, 10),
        status=SessionStatus.HELD,
    )  # fmt: skip
    code = svc.SESSIONS_DISTRICT_COMMUNE
    assert communes_of("15", code) == [(UNDECIDED, "chưa xác định xã mới", 1)]
    client.force_login(split.admin_lc)
    html = client.get(reverse(LIST)).content.decode()
    assert "Tập huấn lồng ghép giới (10/05/2024)" in html and "Buổi tập huấn" in html
    response = client.post(pick_url(session), {"successor": split.a.pk})
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.successor, session.commune_2025) == (split.a, "02659")
    assert communes_of("15", code) == [("02659", "Xã Mường Hum", 1)]
    assert figure(code).value == 1
    assert_no_drift()
    # Another province's admin does not find it.
    client.force_login(split.admin_hg)
    assert client.get(pick_url(session)).status_code == 404


def cadre_form(cadre: Cadre, unit: AdminUnit) -> dict:
    return {
        "full_name": cadre.full_name, "ma_can_bo": "", "sex": cadre.sex, "birth_year": "",
        "target_group": cadre.target_group, "level": cadre.level, "agency": "",
        "unit": unit.pk, "phone": "", "email": "", "consent_notice_version": "",
        "consent_at": "", "ethnicity": "",
    }  # fmt: skip


def test_moving_a_cadre_to_another_unit_in_the_admin_moves_what_they_count_for(client, split):
    cadre = make_cadre(unit=split.lao_cai.commune, full_name="Sùng Thị Mỷ")
    complete(cadre, split.course)
    assert communes_of("15") == [("02647", "Xã 02647 (2025)", 1)]
    client.force_login(split.central)
    edit = reverse("courses_cadre:edit", args=[cadre.pk])
    assert client.post(edit, cadre_form(cadre, split.old)).status_code == 302
    assert communes_of("15") == [(UNDECIDED, "chưa xác định xã mới", 1)]
    assert_no_drift()
    client.post(pick_url(cadre), {"successor": split.a.pk})
    assert communes_of("15") == [("02659", "Xã Mường Hum", 1)]
    # To another province: the figures follow, the pick made for the old commune is dropped.
    assert client.post(edit, cadre_form(cadre, split.ha_giang.commune)).status_code == 302
    cadre.refresh_from_db()
    assert cadre.successor is None and cadre.province_2025 == "08"
    assert figure(svc.CADRES_TRAINED, by="province").by == {"08": 1}
    assert figure(svc.CADRES_TRAINED, structure="2023", by="province").by == {"02": 1}
    assert figure(svc.CADRES_TRAINED).value == 1
    assert_no_drift()
