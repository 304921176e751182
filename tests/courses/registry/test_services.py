"""Administrative units: the loader from `vietnamadminunits` (both structures, lineage,
idempotent) and villages added under a commune."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from courses.registry.models import AdminUnit, AdminUnitLineage, UnitLevel, UnitStructure
from courses.registry.services import village_create
from tests.builders import make_unit_tree


@pytest.mark.django_db
def test_load_admin_units_loads_both_structures_with_lineage_and_is_idempotent():
    out = io.StringIO()
    call_command("load_admin_units", stdout=out)
    s23 = AdminUnit.objects.filter(structure=UnitStructure.S2023)
    s25 = AdminUnit.objects.filter(structure=UnitStructure.S2025)
    assert s23.filter(level=UnitLevel.PROVINCE).count() == 63
    assert 690 <= s23.filter(level=UnitLevel.DISTRICT).count() <= 720
    assert 10_000 <= s23.filter(level=UnitLevel.COMMUNE).count() <= 10_700
    assert s25.filter(level=UnitLevel.PROVINCE).count() == 34
    assert s25.filter(level=UnitLevel.COMMUNE).count() == 3321
    assert not s25.filter(level=UnitLevel.DISTRICT).exists()

    # Validity dates: the old list ends on 30/06/2025, the new one starts on 01/07/2025.
    assert str(s23.first().valid_to) == "2025-06-30"
    assert str(s25.first().valid_from) == "2025-07-01"

    # Denormalised codes and parents: Phường Phúc Xá, Quận Ba Đình, Hà Nội.
    phuc_xa = s23.get(code="00001")
    assert (phuc_xa.province_code, phuc_xa.district_code, phuc_xa.commune_code) == (
        "01", "001", "00001",
    )  # fmt: skip
    assert phuc_xa.parent.code == "001" and phuc_xa.parent.parent.code == "01"

    # Lineage: every old commune has a successor; Hà Giang (02) went into Tuyên Quang (08).
    assert not s23.filter(level=UnitLevel.COMMUNE, successor_links__isnull=True).exists()
    ha_giang = s23.get(code="02")
    assert [link.new.code for link in ha_giang.successor_links.all()] == ["08"]
    assert AdminUnitLineage.objects.filter(partial=True).exists()

    units, links = AdminUnit.objects.count(), AdminUnitLineage.objects.count()
    out = io.StringIO()
    call_command("load_admin_units", stdout=out)
    assert "OK: 0 created, 0 updated, 0 lineage links created" in out.getvalue()
    assert (AdminUnit.objects.count(), AdminUnitLineage.objects.count()) == (units, links)


@pytest.mark.django_db
def test_loader_leaves_villages_alone_and_repairs_an_edited_name():
    call_command("load_admin_units", stdout=io.StringIO())
    commune = AdminUnit.objects.get(structure=UnitStructure.S2023, code="00001")
    village = village_create(commune=commune, name="Tổ dân phố 1")
    AdminUnit.objects.filter(pk=commune.pk).update(name="Sai tên")
    call_command("load_admin_units", stdout=io.StringIO())
    commune.refresh_from_db()
    assert commune.name == "Phường Phúc Xá"
    assert AdminUnit.objects.filter(pk=village.pk).exists()


@pytest.mark.django_db
def test_villages_get_the_commune_code_with_a_number_and_its_enclosing_codes():
    units = make_unit_tree()
    first = village_create(commune=units["00001"], name="Thôn Một")
    second = village_create(commune=units["00001"], name="Thôn Hai")
    assert (first.code, second.code) == ("00001-1", "00001-2")
    assert first.level == UnitLevel.VILLAGE and first.structure == UnitStructure.S2023
    assert (first.province_code, first.district_code, first.commune_code) == (
        "01", "001", "00001",
    )  # fmt: skip


@pytest.mark.django_db
def test_a_village_sits_under_a_commune_of_either_structure():
    units = make_unit_tree()
    with pytest.raises(ValidationError):
        village_create(commune=units["001"], name="Thôn dưới huyện")
    village = village_create(commune=units["2025:00004"], name="Thôn mới")
    assert (village.structure, village.code, village.province_code) == ("2025", "00004-1", "01")
    assert village.commune_code == "00004" and village.district_code == ""
