"""The public summary the counters register for the home page (HOME_PAGE_PANELS): the
national totals, exact (small-cell suppression is for cells below the province), no breakdown
by province or ethnicity."""

import pytest

from tests.builders import complete, make_cadre, make_counters_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_counters_world()


def test_public_summary_shows_exact_national_totals_and_no_breakdown(client, world):
    from tests.builders import home_page  # noqa: F401  (home exists via world)

    for _ in range(12):
        complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03"), world.course)
    complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03", target_group="village_head",
                        level="village"), world.course)  # fmt: skip
    html = client.get("/").content.decode()
    assert 'data-code="CADRES_TRAINED"' in html
    assert "12 / 40.000" in html or "12 / 40,000" in html
    # Deliberate change: a national total points at no one, so it is shown exactly (it was
    # "< 10", which put "< 10" trained cadres next to thousands of M&E participants).
    assert "&lt; 10" not in html
    village = html.split('data-code="VILLAGE_HEADS_TRAINED"', 1)[1].split("</li>", 1)[0]
    assert '<p class="summary-value">1' in village
    assert "Tỉnh Lào Cai" not in html and "Thái" not in html


def test_small_cells_are_hidden_below_the_province_only():
    from courses.counters.selectors import counters_public_value

    assert counters_public_value(3, level="national") == 3
    assert counters_public_value(3, level="province") == 3
    assert counters_public_value(3, level="commune") is None
    assert counters_public_value(3, level="district") is None
    assert counters_public_value(10, level="commune") == 10
