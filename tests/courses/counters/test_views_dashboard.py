"""The dashboard's panels (rendered from their template): numbers in the reader's language, unit
names escaped, links one level down, and the cached fragment the same as a fresh one."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse

from tests.builders import complete, make_cadre, make_units, make_user

pytestmark = pytest.mark.django_db
URL = "/admin/counters/"


@pytest.fixture
def world(world):
    odd = make_units(province_code="20", province_name='Tỉnh <b>"Lạng"</b> & Sơn',
                     district_code="181", commune_code="06001")  # fmt: skip
    march = dt.datetime(2023, 3, 5, tzinfo=dt.UTC)
    for _ in range(3):
        complete(make_cadre(unit=world.lao_cai.commune), world.course, at=march)
    complete(make_cadre(unit=odd.commune), world.course, at=dt.datetime(2024, 7, 5, tzinfo=dt.UTC))
    return world


def panel(html: str, code: str) -> str:
    start = html.index(f'<section class="counters-panel" id="indicator-{code}"')
    return html[start : html.index("</section>", start)]


def test_numbers_are_in_the_readers_format_and_names_are_escaped(client, world):
    client.force_login(make_user(role="Admin"))
    html = client.get(reverse("counters_dashboard") + "?structure=2023").content.decode()
    cadres = panel(html, "CADRES_TRAINED")
    assert "<strong data-value>4</strong> / 40.000 người" in cadres
    assert "Tỉnh &lt;b&gt;&quot;Lạng&quot;&lt;/b&gt; &amp; Sơn" in cadres
    assert "<b>" not in cadres
    assert '<a href="?structure=2023&amp;province=10">Tỉnh Lào Cai</a>' in cadres
    assert 'width="100.0"' in cadres and 'width="33.3"' in cadres  # bars: 3 and 1 of 3
    assert "<title>03/2023: 3</title>" in cadres and "03/2023 – 07/2024" in cadres
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("counters_dashboard")).content.decode()
    assert "<strong data-value>4</strong> / 40,000 people" in panel(html, "CADRES_TRAINED")


def test_a_district_links_to_its_communes_and_keeps_the_filters(client, world):
    client.force_login(make_user(role="Admin"))
    html = client.get(URL + "?structure=2023&sex=female&province=10").content.decode()
    cadres = panel(html, "CADRES_TRAINED")
    assert "Theo huyện" in cadres
    link = '<a href="?structure=2023&amp;sex=female&amp;province=10&amp;district=080">Huyện 080</a>'
    assert link in cadres
    assert '<option value="female" selected>' in html
    html = client.get(URL + "?structure=2023&province=10&district=080").content.decode()
    cadres = panel(html, "CADRES_TRAINED")
    assert "Theo xã" in cadres and '<th scope="row">Xã 02647</th>' in cadres


def test_the_cached_panels_are_the_fresh_ones(client, world):
    client.force_login(make_user(role="Admin"))
    fresh = client.get(URL).content.decode()
    cached = client.get(URL).content.decode()
    assert panel(cached, "CADRES_TRAINED") == panel(fresh, "CADRES_TRAINED")
    complete(
        make_cadre(unit=world.ha_giang.commune), world.course
    )  # a new generation: not the cached one
    assert "<strong data-value>5</strong>" in panel(
        client.get(URL).content.decode(), "CADRES_TRAINED"
    )


def test_the_month_chart_has_an_axis_value_and_a_table_twin(client, world):
    client.force_login(make_user(role="Admin"))
    html = client.get(reverse("counters_dashboard") + "?structure=2023").content.decode()
    cadres = panel(html, "CADRES_TRAINED")
    assert "Tháng cao nhất: 3" in cadres
    assert "Xem theo tháng dưới dạng bảng" in cadres
    assert '<tr><th scope="row">03/2023</th><td class="counters-num">3</td></tr>' in cadres
    assert '<tr><th scope="row">07/2024</th><td class="counters-num">1</td></tr>' in cadres
