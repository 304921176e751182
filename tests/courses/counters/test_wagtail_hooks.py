"""The public summary the counters register for the home page (HOME_PAGE_PANELS): the
national totals, small values hidden, no breakdown by province or ethnicity."""

import pytest

from tests.builders import complete, make_cadre, make_counters_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_counters_world()


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
