"""A province admin's figures never turn national: the Lào Cai admin of the security world
(province 10), by session or by API token, asking /api/counters/ for another province of either
unit structure is refused with a Vietnamese error, and figures limited to no province at all
carry no national target and no national count of registered village heads."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import APIToken

from courses.counters.models import Indicator, IndicatorTarget
from courses.counters.selectors import unit_maps_clear
from courses.registry.models import AdminUnit, AdminUnitLineage, UnitLevel, UnitStructure
from tests.builders import make_cadre, make_units

API = "/api/counters/"
NATIONAL_CADRES_TARGET = 40000  # the strategy's national target (seeded by the migrations)
OUT_OF_SCOPE = "Tỉnh này nằm ngoài phạm vi quản lý của bạn."
LAO_CAI_TARGET = 100  # IndicatorTarget of province 10 in the world


def province_2025(code: str, name: str, *predecessors: AdminUnit) -> AdminUnit:
    unit, _ = AdminUnit.objects.update_or_create(
        structure=UnitStructure.S2025, code=code,
        defaults={"level": UnitLevel.PROVINCE, "name": name, "province_code": code},
    )  # fmt: skip
    for old in predecessors:
        AdminUnitLineage.objects.get_or_create(old=old, new=unit)
    return unit


@pytest.fixture
def country(world):
    """Hà Nội besides the world's Lào Cai (10) and Lạng Sơn (20), the 2025 provinces they
    became (Lào Cai 15, Lạng Sơn 20, Hà Nội 01), national targets, and village heads: 2 in
    Lào Cai, 7 elsewhere."""
    ha_noi = make_units(province_code="01", province_name="Thành phố Hà Nội")
    province_2025("15", "Tỉnh Lào Cai (2025)", world.p10.province)
    province_2025("20", "Tỉnh Lạng Sơn (2025)", world.p20.province)
    province_2025("01", "Thành phố Hà Nội (2025)", ha_noi.province)
    unit_maps_clear()
    cadres = Indicator.objects.get(code="CADRES_TRAINED")
    assert cadres.target == NATIONAL_CADRES_TARGET
    IndicatorTarget.objects.update_or_create(
        indicator=cadres, province_code="10", defaults={"target": LAO_CAI_TARGET}
    )
    IndicatorTarget.objects.update_or_create(
        indicator=cadres, province_code="01", defaults={"target": 5000}
    )
    heads_indicator = Indicator.objects.get(code="VILLAGE_HEADS_TRAINED")
    for code, villages in (("10", 30), ("20", 45), ("01", 12)):
        IndicatorTarget.objects.update_or_create(
            indicator=heads_indicator, province_code=code, defaults={"villages": villages}
        )
    for unit, heads in ((world.p10.commune, 2), (world.p20.commune, 3), (ha_noi.commune, 4)):
        for _n in range(heads):
            make_cadre(unit=unit, target_group="village_head", level="village")
    return world


def lao_cai(world, how: str) -> Client:
    """The Lào Cai admin, signed in (session) or with an API token (no session)."""
    user = world.users["admin_same"]
    if how == "session":
        client = Client()
        client.force_login(user)
        return client
    _row, token = APIToken.create_token(user=user, name="Báo cáo Lào Cai")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def figure(data: list[dict], code: str) -> dict:
    return next(row for row in data if row["code"] == code)


@pytest.mark.parametrize("how", ["session", "token"])
@pytest.mark.parametrize("other", ["01", "20"])  # Hà Nội, Lạng Sơn in the 2025 list
def test_another_2025_province_is_refused_and_the_own_one_shows_its_own_targets(
    country, how, other
):
    client = lao_cai(country, how)
    response = client.get(API + f"?structure=2025&province={other}")
    assert response.status_code == 403
    assert response.json() == {"detail": OUT_OF_SCOPE}
    assert str(NATIONAL_CADRES_TARGET) not in response.content.decode()
    # Lào Cai's own 2025 province (15, formed from 2023's 10 and 15): Lào Cai's own targets.
    for query in ("?structure=2025&province=15", "?structure=2025"):
        response = client.get(API + query)
        assert response.status_code == 200
        data = response.json()
        assert figure(data, "CADRES_TRAINED")["target"] == LAO_CAI_TARGET
        # 100 % of the 30 villages entered for Lào Cai, not of the 87 in the country (the
        # target was 100 % of the registered village heads before admins entered villages).
        assert figure(data, "VILLAGE_HEADS_TRAINED")["target"] == 30


def test_a_2025_province_with_no_known_predecessor_has_no_national_targets(country):
    """Figures limited to no province at all (a 2025 code no 2023 province became) are empty:
    zero, and no target, rather than the country's targets and village heads."""
    client = Client()
    client.force_login(country.users["central"])
    data = client.get(API + "?structure=2025&province=99").json()
    assert all(row["value"] == 0 for row in data)
    assert figure(data, "CADRES_TRAINED")["target"] is None
    assert figure(data, "VILLAGE_HEADS_TRAINED")["target"] is None


def test_the_dashboard_of_a_province_not_yet_mapped_to_2025_shows_no_national_target(world):
    """Before the 2025 lineage is loaded, the Lào Cai admin's 2025 dashboard is empty, not
    the country's: no national target of 40.000 cadres."""
    AdminUnitLineage.objects.all().delete()
    client = Client()
    client.force_login(world.users["admin_same"])
    response = client.get("/admin/counters/?structure=2025")
    assert response.status_code == 200
    assert "40.000" not in response.content.decode()
