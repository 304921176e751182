"""Administrative units chosen by name, in Debian's Chromium, one screenshot per step under
tests/browser/screenshots/<journey>/:

1. A province admin adds a cadre in the Wagtail admin and finds the commune in the unit
   chooser by typing "nghia do" (no diacritics); units of other provinces are not offered.
2. A learner on a phone fills in their profile and finds their commune by typing "nghia do"
   in the search box (unit-search.js, the site's own JSON, no other host), picking it with
   the keyboard.
3. The same profile without JavaScript: "NGHIA DO" typed and sent is matched on the server.
"""

from __future__ import annotations

import pytest

from lms.roles import ADMIN, CADRE
from tests.browser.conftest import PASSWORD, PHONE
from tests.builders import make_reform_units, make_user

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

NGHIA_DO_2025 = "Xã Nghĩa Đô, Tỉnh Lào Cai (2025)"
NGHIA_DO_2023 = "Xã Nghĩa Đô, Huyện Bảo Yên, Tỉnh Lào Cai (2023)"


def test_journey_a_province_admin_picks_a_commune_by_name_in_the_cadre_form(journey):
    from playwright.sync_api import expect

    from courses.registry.models import Cadre

    units = make_reform_units()
    make_user("tinh_laocai", role=ADMIN, province_code="15")
    j = journey("unit-chooser-admin-cadre-form")
    admin = j.person()
    admin.login("tinh_laocai", next_path="/admin/registry/cadres/new/")
    page = admin.page
    page.fill("#id_full_name", "Phạm Thị Thu")
    page.select_option("#id_sex", "female")
    page.select_option("#id_target_group", "key_cadre")
    page.select_option("#id_level", "commune")
    admin.shot("cadre form")

    page.click("#id_unit-chooser .unchosen [data-chooser-action-choose]")
    search = page.locator(".modal input[name=q]")
    search.wait_for()
    admin.shot("unit chooser opened")
    search.fill("nghia do")
    # The listing is replaced by the matches: Xã Nghĩa Đô in both structures, nothing else.
    choices = page.locator(".modal a[data-chooser-modal-choice]")
    expect(choices).to_have_count(2)
    choice = choices.filter(has_text=NGHIA_DO_2025)
    modal = page.locator(".modal").inner_text()
    assert NGHIA_DO_2023 in modal  # both structures, each with its path
    assert "Hà Nội" not in modal and "Phúc Xá" not in modal  # another province
    admin.shot("nghia do typed without diacritics")

    choice.click()
    page.locator("#id_unit-title", has_text=NGHIA_DO_2025).wait_for()
    assert page.locator("#id_unit").input_value() == str(units["2025:02953"].pk)
    admin.shot("commune chosen")

    with page.expect_navigation():
        page.locator("#main form[method=post] button[type=submit]").first.click()
    admin.shot("cadre saved")
    thu = Cadre.objects.get(full_name="Phạm Thị Thu")
    assert thu.unit == units["2025:02953"]
    assert (thu.province_2025, thu.commune_2025) == ("15", "02953")
    assert not j.requests_elsewhere, j.requests_elsewhere


def _profile_details(page) -> None:
    page.fill("#id_full_name", "Lò Thị Mai")
    page.select_option("#id_sex", "female")
    page.select_option("#id_target_group", "key_cadre")
    page.select_option("#id_level", "commune")


def test_journey_a_learner_finds_their_commune_by_name_on_the_profile(journey):
    from courses.registry.models import Cadre

    units = make_reform_units()
    user = make_user("moi", role=CADRE)
    j = journey("unit-chooser-profile")
    learner = j.person(viewport=PHONE)
    learner.login("moi", next_path="/learn/profile/")
    page = learner.page
    _profile_details(page)
    page.select_option("#id_province", "15")
    learner.shot("profile form")

    page.locator("#id_commune_name").press_sequentially("nghia do", delay=40)
    option = page.locator("#id_commune_name_results [role=option]", has_text=NGHIA_DO_2025)
    option.wait_for()
    assert page.locator("#id_commune_name").get_attribute("aria-expanded") == "true"
    learner.shot("nghia do typed without diacritics")

    page.keyboard.press("ArrowDown")
    assert option.get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")
    assert page.locator("#id_commune_name").input_value() == "Xã Nghĩa Đô"
    assert page.locator("#id_commune").input_value() == str(units["2025:02953"].pk)
    assert NGHIA_DO_2025 in page.locator("#id_commune_name_status").inner_text()
    learner.shot("commune picked with the keyboard")

    page.check("#id_consent")
    with page.expect_navigation():
        page.locator("form:has(#id_commune_name) button[type=submit]").click()
    learner.shot("details saved")
    cadre = Cadre.objects.get(user=user)
    assert cadre.unit == units["2025:02953"]
    assert not j.requests_elsewhere, j.requests_elsewhere
    assert not j.csp_violations(), j.csp_violations()


def test_journey_the_profile_finds_the_commune_without_javascript(journey):
    from courses.registry.models import Cadre

    units = make_reform_units()
    user = make_user("khongjs", role=CADRE)
    j = journey("unit-chooser-profile-no-javascript")
    context = j.browser.new_context(viewport=PHONE, locale="vi-VN", java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{j.base}/accounts/login/?next=/learn/profile/")
        page.fill("input[name=username]", "khongjs")
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.locator("form:has(input[name=password]) [type=submit]").click()
        _profile_details(page)
        page.select_option("#id_province", "15")
        page.fill("#id_commune_name", "NGHIA DO")
        page.check("#id_consent")
        j.shot("NGHIA DO typed, no javascript", page=page)
        with page.expect_navigation():
            page.locator("form:has(#id_commune_name) button[type=submit]").click()
        j.shot("details saved", page=page)
        assert Cadre.objects.get(user=user).unit == units["2025:02953"]
    finally:
        context.close()
