"""Administrative units chosen by name: the folded search, the Vietnamese order, the Wagtail
chooser and its scope, the public search endpoint, and the forms that use them."""

from __future__ import annotations

import unicodedata

import pytest
from django.urls import reverse

from courses.registry.choosers import AdminUnitChooser
from courses.registry.models import AdminUnit, Cadre, UnitLevel, UnitStructure
from courses.registry.selectors import (
    cadres_in_unit,
    province_choices,
    unit_label,
    units_search,
    units_sorted,
)
from lms.roles import ADMIN, CADRE, TRAINER
from lms.text import unit_name_fold, vi_sort_key
from tests.builders import make_cadre, make_reform_units, make_unit, make_user

pytestmark = pytest.mark.django_db

CHOOSE = "courses_adminunit_chooser:choose"
RESULTS = "courses_adminunit_chooser:choose_results"
CHOSEN = "courses_adminunit_chooser:chosen"


@pytest.fixture
def units():
    return make_reform_units()


@pytest.fixture
def lao_cai_admin():
    return make_user("tinh_laocai", role=ADMIN, province_code="15")


@pytest.fixture
def central():
    return make_user("quantri", role=ADMIN)


def found(query, **kwargs) -> set[str]:
    return {
        f"{u.structure}:{u.code}"
        for u in units_search(units=AdminUnit.objects.all(), query=query, **kwargs)
    }


# --- Folding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    ["nghia do", "Nghĩa Đô", "NGHIA DO", "nghĩa đô", unicodedata.normalize("NFD", "Nghĩa Đô"),
     "  Nghia   Do ", "do nghia", "Xã Nghĩa Đô"],
)  # fmt: skip
def test_a_name_is_found_with_or_without_diacritics_in_any_case(units, query):
    assert found(query) == {"2023:02953", "2025:02953"}


def test_d_with_stroke_folds_to_d_and_the_key_is_kept_on_save(units):
    nghia_do = units["2025:02953"]
    assert nghia_do.name_key == "xa nghia do"
    nghia_do.name = "Xã Nghĩa Đô Mới"
    nghia_do.save(update_fields=["name"])
    nghia_do.refresh_from_db()
    assert nghia_do.name_key == "xa nghia do moi"
    assert found("DO MOI") == {"2025:02953"}


def test_search_narrows_by_structure_level_and_province(units):
    assert found("nghia do", structure=UnitStructure.S2025) == {"2025:02953"}
    assert found("lao cai", levels=[UnitLevel.PROVINCE]) == {"2023:10", "2025:15"}
    assert found("", structure=UnitStructure.S2025, levels=[UnitLevel.COMMUNE],
                 province="15") == {"2025:02953", "2025:04375"}  # fmt: skip
    assert found("phuc xa", province="15") == set()


def test_the_label_shows_the_path_and_the_structure(units):
    old = AdminUnit.objects.select_related("parent__parent__parent").get(
        structure="2023", code="02953"
    )
    new = AdminUnit.objects.select_related("parent__parent__parent").get(
        structure="2025", code="02953"
    )
    assert unit_label(old) == "Xã Nghĩa Đô, Huyện Bảo Yên, Tỉnh Lào Cai (2023)"
    assert unit_label(new) == "Xã Nghĩa Đô, Tỉnh Lào Cai (2025)"


def test_the_migration_fills_the_name_key_of_stored_units(units):
    """The data migration's function, on rows stored before the column existed."""
    from importlib import import_module

    from django.apps import apps

    AdminUnit.objects.update(name_key="")
    import_module("courses.migrations.0016_adminunit_name_key").fill_name_keys(apps, None)
    assert found("NGHIA DO") == {"2023:02953", "2025:02953"}


# --- Vietnamese order ------------------------------------------------------------------------


def test_vietnamese_order_compares_word_by_word_and_ignores_prefixes():
    names = ["Xã Anh Sơn", "Xã An Phú", "Thị trấn An", "Xã An Bình", "Xã Đa Phúc",
             "Xã Dương Quỳ", "Phường Ba Đình", "Xã Bà Rịa", "Xã Ba Vì", "Tỉnh Điện Biên",
             "Thành phố Hà Nội"]  # fmt: skip
    assert sorted(names, key=vi_sort_key) == [
        "Thị trấn An", "Xã An Bình", "Xã An Phú", "Xã Anh Sơn",  # "An" before "Anh"
        "Phường Ba Đình", "Xã Ba Vì", "Xã Bà Rịa",  # a syllable's tone before the next syllable
        "Xã Dương Quỳ", "Xã Đa Phúc", "Tỉnh Điện Biên",  # Đ after D
        "Thành phố Hà Nội",
    ]  # fmt: skip


def test_province_lists_are_in_vietnamese_order():
    for code, name in (("11", "Tỉnh Điện Biên"), ("12", "Tỉnh Lai Châu"), ("66", "Tỉnh Đắk Lắk"),
                       ("01", "Thành phố Hà Nội"), ("04", "Tỉnh Cao Bằng"),
                       ("48", "Thành phố Đà Nẵng"), ("68", "Tỉnh Lâm Đồng")):  # fmt: skip
        make_unit("2025", UnitLevel.PROVINCE, code, name, province_code=code)
    assert [name for _code, name in province_choices(structure="2025")] == [
        "Tỉnh Cao Bằng", "Thành phố Đà Nẵng", "Tỉnh Đắk Lắk", "Tỉnh Điện Biên",
        "Thành phố Hà Nội", "Tỉnh Lai Châu", "Tỉnh Lâm Đồng",
    ]  # fmt: skip


def test_units_are_listed_2025_first_by_level_then_by_name(units):
    listed = units_sorted(units_search(units=AdminUnit.objects.all(), query=""))
    assert [f"{u.structure}:{u.name}" for u in listed] == [
        "2025:Thành phố Hà Nội", "2025:Tỉnh Lào Cai",
        "2025:Phường Ba Đình", "2025:Xã Mậu A", "2025:Xã Nghĩa Đô",
        "2023:Thành phố Hà Nội", "2023:Tỉnh Lào Cai", "2023:Tỉnh Yên Bái",
        "2023:Quận Ba Đình", "2023:Huyện Bảo Yên", "2023:Huyện Văn Yên",
        "2023:Xã Lang Thíp", "2023:Xã Nghĩa Đô", "2023:Phường Phúc Xá",
    ]  # fmt: skip


def test_a_unit_name_folds_without_its_prefix():
    assert unit_name_fold("Xã Nghĩa Đô") == unit_name_fold("nghia do") == "nghia do"


# --- The Wagtail chooser and its scope ---------------------------------------------------------


def test_the_chooser_finds_a_name_typed_without_diacritics(client, units, central):
    client.force_login(central)
    response = client.get(reverse(CHOOSE), {"q": "nghia do"})
    assert response.status_code == 200
    html = response.json()["html"]
    assert "Xã Nghĩa Đô, Huyện Bảo Yên, Tỉnh Lào Cai (2023)" in html
    assert "Xã Nghĩa Đô, Tỉnh Lào Cai (2025)" in html
    assert "Phường Phúc Xá" not in html


def test_a_province_admins_chooser_offers_their_2025_province_and_its_2023_units(
    client, units, lao_cai_admin
):
    client.force_login(lao_cai_admin)
    html = client.get(reverse(RESULTS)).content.decode()
    for name in ("Xã Nghĩa Đô, Tỉnh Lào Cai (2025)", "Xã Mậu A", "Xã Lang Thíp, Huyện Văn Yên, "
                 "Tỉnh Yên Bái (2023)", "Huyện Bảo Yên"):  # fmt: skip
        assert name in html
    assert "Hà Nội" not in html and "Phúc Xá" not in html and "Ba Đình" not in html
    # Searching for another province's unit finds nothing, and says nothing about it.
    html = client.get(reverse(RESULTS), {"q": "phuc xa"}).content.decode()
    assert "Phúc Xá" not in html and "Hà Nội" not in html


def test_choosing_a_unit_outside_the_scope_is_a_404(client, units, lao_cai_admin):
    client.force_login(lao_cai_admin)
    outside = units["2023:00001"]
    response = client.get(reverse(CHOSEN, args=[outside.pk]))
    assert response.status_code == 404
    assert "Phúc Xá" not in response.content.decode()
    inside = units["2023:04378"]
    chosen = client.get(reverse(CHOSEN, args=[inside.pk])).json()
    assert chosen["step"] == "chosen"
    assert chosen["result"]["title"] == "Xã Lang Thíp, Huyện Văn Yên, Tỉnh Yên Bái (2023)"


def test_the_chooser_keeps_the_levels_a_form_asked_for(client, units, central):
    client.force_login(central)
    widget = AdminUnitChooser(queryset=AdminUnit.objects.all(), levels=[UnitLevel.COMMUNE])
    assert widget.get_chooser_modal_url().endswith("?levels=commune")
    html = client.get(reverse(RESULTS), {"levels": "commune", "q": "lao cai"}).content.decode()
    assert "Tỉnh Lào Cai (2025)" not in html  # the province itself is not offered
    html = client.get(reverse(RESULTS), {"levels": "commune", "q": "nghia"}).content.decode()
    assert "Xã Nghĩa Đô, Tỉnh Lào Cai (2025)" in html


def test_cadres_and_other_learners_cannot_open_the_chooser(client, units):
    client.force_login(make_user("hocvien", role=CADRE))
    response = client.get(reverse(CHOOSE), {"q": "nghia do"})
    # Signed in without admin access: the 403 page with a way back, and no unit listed.
    assert response.status_code == 403
    assert "Nghĩa Đô" not in response.content.decode()


def test_a_cadre_form_posted_with_a_unit_outside_the_scope_names_nothing(
    client, units, lao_cai_admin
):
    client.force_login(lao_cai_admin)
    data = {
        "full_name": "Phạm Thị Thu", "ma_can_bo": "", "sex": "female", "birth_year": "1988",
        "target_group": "key_cadre", "level": "commune", "agency": "",
        "unit": units["2023:00001"].pk, "phone": "", "email": "",
        "consent_notice_version": "", "consent_at": "", "ethnicity": "",
    }  # fmt: skip
    response = client.post(reverse("courses_cadre:add"), data)
    html = response.content.decode()
    assert response.status_code == 200 and not Cadre.objects.exists()
    assert "Phúc Xá" not in html and "Hà Nội" not in html
    data["unit"] = units["2023:04378"].pk
    assert client.post(reverse("courses_cadre:add"), data).status_code == 302
    thu = Cadre.objects.get()
    assert (thu.province_code, thu.province_2025) == ("15", "15")


def test_the_cadre_form_shows_the_chosen_unit_by_its_path(client, units, central):
    cadre = make_cadre(unit=units["2025:02953"], full_name="Lò Thị Mai")
    client.force_login(central)
    html = client.get(reverse("courses_cadre:edit", args=[cadre.pk])).content.decode()
    assert "Xã Nghĩa Đô, Tỉnh Lào Cai (2025)" in html
    assert reverse(CHOOSE) in html


def test_the_session_form_uses_the_chooser(client, units, central):
    client.force_login(central)
    html = client.get(reverse("courses_trainingsession:add")).content.decode()
    assert reverse(CHOOSE) in html
    # No select of every unit by code any more.
    assert "02953" not in html


# --- The public search endpoint ------------------------------------------------------------------


def test_the_search_endpoint_answers_signed_in_people_only(client, units):
    response = client.get("/places/units/", {"q": "nghia do"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    client.force_login(make_user("hocvien", role=CADRE))
    data = client.get("/places/units/", {"q": "NGHIA DO"}).json()
    assert [r["label"] for r in data["results"]] == ["Xã Nghĩa Đô, Tỉnh Lào Cai (2025)"]
    assert data["results"][0]["province"] == "15" and data["results"][0]["structure"] == "2025"
    data = client.get("/places/units/", {"q": "nghia do", "structure": "2023"}).json()
    assert [r["label"] for r in data["results"]] == [
        "Xã Nghĩa Đô, Huyện Bảo Yên, Tỉnh Lào Cai (2023)"
    ]
    assert client.get("/places/units/", {"structure": "1999"}).status_code == 400
    assert client.get("/places/units/", {"level": "village"}).status_code == 400
    assert client.get("/places/units/", {"province": "x1"}).status_code == 400


def test_the_search_endpoint_is_paginated(client, units):
    lao_cai = units["2025:15"]
    for n in range(25):
        make_unit("2025", UnitLevel.COMMUNE, f"9{n:04d}", f"Xã Thử {n}", lao_cai,
                  province_code="15", commune_code=f"9{n:04d}")  # fmt: skip
    client.force_login(make_user("hocvien", role=CADRE))
    first = client.get("/places/units/", {"q": "thu", "province": "15"}).json()
    second = client.get("/places/units/", {"q": "thu", "province": "15", "page": 2}).json()
    assert (len(first["results"]), first["has_next"], first["count"]) == (20, True, 25)
    assert (len(second["results"]), second["has_next"]) == (5, False)
    assert not {r["id"] for r in first["results"]} & {r["id"] for r in second["results"]}


# --- The profile: the learner's commune by name, without JavaScript -----------------------------


def profile_data(**extra):
    data = {
        "full_name": "Lò Thị Mai", "sex": "female", "birth_year": "1985",
        "target_group": "key_cadre", "level": "commune", "province": "15",
        "commune_name": "", "commune": "", "consent": "on", "next": "/learn/",
    }  # fmt: skip
    data.update(extra)
    return data


def test_the_profile_offers_the_2025_provinces_by_name(client, units):
    client.force_login(make_user("moi", role=CADRE))
    html = client.get("/learn/profile/").content.decode()
    assert '<option value="15">Tỉnh Lào Cai</option>' in html
    assert "Tỉnh Yên Bái" not in html  # a province of the 2023 structure
    assert 'data-unit-search="/places/units/"' in html
    assert "unit-search.js" in html


def test_the_profile_finds_the_commune_typed_without_diacritics(client, units):
    user = make_user("moi", role=CADRE)
    client.force_login(user)
    response = client.post("/learn/profile/", profile_data(commune_name="nghia do"))
    assert response.status_code == 302, response.content.decode()
    cadre = Cadre.objects.get(user=user)
    assert cadre.unit == units["2025:02953"]
    assert (cadre.province_2025, cadre.commune_2025) == ("15", "02953")


def test_the_profile_takes_the_commune_picked_from_the_search_list(client, units):
    user = make_user("moi", role=CADRE)
    client.force_login(user)
    picked = units["2025:04375"]
    response = client.post(
        "/learn/profile/", profile_data(commune_name="Xã Mậu A", commune=str(picked.pk))
    )
    assert response.status_code == 302
    assert Cadre.objects.get(user=user).unit == picked


def test_a_commune_of_another_province_or_unknown_is_refused_by_name(client, units):
    user = make_user("moi", role=CADRE)
    client.force_login(user)
    ha_noi_commune = units["2025:00004"]
    response = client.post(
        "/learn/profile/", profile_data(commune_name="Ba Đình", commune=str(ha_noi_commune.pk))
    )
    assert response.status_code == 200
    assert "Không có xã, phường nào tên này ở Tỉnh Lào Cai." in response.content.decode()
    assert not Cadre.objects.exists()


def test_several_matching_communes_come_back_as_a_select(client, units):
    lao_cai = units["2025:15"]
    for code, name in (("90001", "Xã Nghĩa Đô Thượng"), ("90002", "Xã Nghĩa Đô Hạ")):
        make_unit("2025", UnitLevel.COMMUNE, code, name, lao_cai, province_code="15",
                  commune_code=code)  # fmt: skip
    user = make_user("moi", role=CADRE)
    client.force_login(user)
    # "nghia do" is exactly Xã Nghĩa Đô: taken, though two other names hold the words.
    assert client.post("/learn/profile/", profile_data(commune_name="nghia do")).status_code == 302
    assert Cadre.objects.get(user=user).unit == units["2025:02953"]
    Cadre.objects.all().delete()
    response = client.post("/learn/profile/", profile_data(commune_name="nghia"))
    html = response.content.decode()
    assert response.status_code == 200 and not Cadre.objects.exists()
    assert '<select name="commune"' in html
    assert "Xã Nghĩa Đô Hạ" in html and "Xã Nghĩa Đô Thượng" in html
    chosen = AdminUnit.objects.get(structure="2025", code="90002")
    response = client.post(
        "/learn/profile/", profile_data(commune_name="nghia", commune=str(chosen.pk))
    )
    assert response.status_code == 302
    assert Cadre.objects.get(user=user).unit == chosen


def test_a_record_in_a_2023_unit_keeps_it_while_the_learner_leaves_the_place(client, units):
    user = make_user("moi", role=CADRE)
    cadre = make_cadre(user=user, unit=units["2023:02953"], full_name="Lò Thị Mai")
    client.force_login(user)
    html = client.get("/learn/profile/").content.decode()
    assert 'value="Xã Nghĩa Đô"' in html  # the 2025 commune it went into, by name
    response = client.post(
        "/learn/profile/",
        profile_data(commune_name="Xã Nghĩa Đô", commune=str(units["2025:02953"].pk),
                     agency="Hội LHPN xã"),
    )  # fmt: skip
    assert response.status_code == 302
    cadre.refresh_from_db()
    assert cadre.unit == units["2023:02953"] and cadre.agency == "Hội LHPN xã"


# --- Filters by unit ------------------------------------------------------------------------------


def test_a_2025_unit_finds_the_records_of_the_2023_units_that_went_into_it(units):
    old = make_cadre(unit=units["2023:04378"], full_name="Người cũ")
    new = make_cadre(unit=units["2025:04375"], full_name="Người mới")
    elsewhere = make_cadre(unit=units["2023:00001"], full_name="Hà Nội")
    cadres = Cadre.objects.all()
    assert set(cadres_in_unit(cadres, units["2025:04375"])) == {old, new}
    assert set(cadres_in_unit(cadres, units["2025:15"])) == {old, new}
    assert set(cadres_in_unit(cadres, units["2023:15"])) == {old}
    assert set(cadres_in_unit(cadres, units["2023:01"])) == {elsewhere}


def test_enrolment_by_unit_picks_the_unit_by_name_and_stays_in_scope(client, units, lao_cai_admin):
    from tests.builders import make_course

    course = make_course(modules=0, quiz=False, published=True).course
    inside = make_cadre(unit=units["2023:04378"], full_name="Trong tỉnh")
    make_cadre(unit=units["2023:00001"], full_name="Ngoài tỉnh")
    client.force_login(lao_cai_admin)
    page = client.get("/admin/learning/enrol/").content.decode()
    assert reverse(CHOOSE) in page and "province_code" not in page
    response = client.post(
        "/admin/learning/enrol/", {"course": course.pk, "unit": units["2025:15"].pk}
    )
    html = response.content.decode()
    assert "Trong tỉnh" in html and "Ngoài tỉnh" not in html
    # A unit of another province is not one of the choices: an error, naming nothing.
    response = client.post(
        "/admin/learning/enrol/", {"course": course.pk, "unit": units["2025:01"].pk}
    )
    html = response.content.decode()
    assert "Ngoài tỉnh" not in html and "Hà Nội" not in html
    assert inside.enrolments.count() == 0


def test_trainers_choose_among_every_unit(client, units):
    client.force_login(make_user("giangvien", role=TRAINER))
    html = client.get(reverse(RESULTS), {"q": "phuc xa"}).content.decode()
    assert "Phường Phúc Xá, Quận Ba Đình, Thành phố Hà Nội (2023)" in html


# --- The user's province scope --------------------------------------------------------------------


def test_the_province_scope_of_a_user_is_picked_by_name(client, units):
    admin = make_user("root", superuser=True)
    someone = make_user("tinh_moi", role=ADMIN)
    client.force_login(admin)
    edit = reverse("wagtailusers_users:edit", args=[someone.pk])
    html = client.get(edit).content.decode()
    assert '<option value="15">Tỉnh Lào Cai</option>' in html
    assert "Tỉnh Yên Bái" not in html
    response = client.post(
        edit,
        {"username": "tinh_moi", "email": "tinh@example.org", "first_name": "A",
         "last_name": "B", "is_active": "on", "groups": [g.pk for g in someone.groups.all()],
         "province_code": "15"},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    someone.refresh_from_db()
    assert someone.province_code == "15"
