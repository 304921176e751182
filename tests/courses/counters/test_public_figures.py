"""/so-lieu/: the programme's national figures against their targets, with bars and a table,
and a map of the provinces drawn inline from the package's coordinates."""

import re

import pytest

from courses.counters import province_map
from courses.counters.services import CADRES_TRAINED
from tests.builders import attend, make_cadre, make_session, make_sessions_world, session_status


@pytest.fixture
def figures(db):
    world = make_sessions_world()
    session = make_session(course=world.in_person, unit=world.lao_cai.commune)
    for n in range(3):
        attend(session, make_cadre(unit=world.lao_cai.commune, level="commune",
                                   target_group="key_cadre", full_name=f"Cán bộ {n}"))  # fmt: skip
    session_status(session, "held")
    return world


def test_the_page_is_public_and_shows_bars_against_targets_and_a_table(client, figures):
    response = client.get("/so-lieu/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Số liệu thực hiện Đề án 8" in html
    assert 'class="progress-bar"' in html and "bar-fill" in html
    assert "Xem các số liệu dưới dạng bảng" in html and "<table>" in html
    # National figures are exact, even when small: no "< 10" on this page.
    assert "&lt; 10" not in html
    rows = response.context["rows"]
    assert rows and all(not row["suppressed"] for row in rows)


def test_the_map_is_inline_svg_from_the_package_with_no_other_host(client, figures):
    html = client.get("/so-lieu/").content.decode()
    svg = re.search(r'<svg class="province-map".*?</svg>', html, re.S).group(0)
    assert svg.count("<circle") == len(province_map.provinces()) == 34
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert not re.search(r"<(img|iframe|script)\b", svg)


def test_circles_grow_with_the_province_s_figure(figures, client):
    data = client.get("/so-lieu/").context["map"]
    assert data["figure"].code == CADRES_TRAINED
    circles = {c["code"]: c for c in province_map.province_circles({"15": 400, "01": 100})}
    assert circles["15"]["r"] == province_map.LARGEST_RADIUS
    assert circles["01"]["r"] == province_map.LARGEST_RADIUS / 2  # area in proportion
    assert circles["08"]["r"] < circles["01"]["r"]  # none trained: a small dot
    assert circles["15"]["name"] == "Lào Cai"


def test_the_drawing_fits_a_phone_and_keeps_vietnam_inside_the_viewbox():
    for province in province_map.provinces().values():
        assert 0 <= province.x <= province_map.WIDTH
        assert 0 <= province.y <= province_map.HEIGHT
    assert province_map.outline_path().startswith("M")


def test_the_home_page_links_to_the_figures(client, figures):
    from tests.builders import home_page

    home_page()
    assert 'href="/so-lieu/"' in client.get("/").content.decode()
