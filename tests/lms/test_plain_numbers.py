"""Years and ids are printed as written (1996, not 1.996) and empty values as "—", never
"None", on the registry, session and admin pages that show them."""

import re

import pytest
from django.urls import reverse

from tests.builders import (
    attend,
    logged_in,
    make_cadre,
    make_session,
    make_sessions_world,
    make_user,
)

GROUPED_YEAR = re.compile(r"\b1\.9\d\d\b")


def visible_text(html: str) -> str:
    """The page's text, without markup or the icons' drawing paths."""
    html = re.sub(r"<(svg|script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.fixture
def world(db):
    world = make_sessions_world()
    cadre = make_cadre(
        unit=world.lao_cai.commune, full_name="Lò Thị Mai", birth_year=1996, ma_can_bo="123456"
    )
    session = make_session(course=world.in_person, unit=world.lao_cai.commune)
    attend(session, cadre)
    admin = make_user("quantri", role="Admin", superuser=True)
    return {"cadre": cadre, "session": session, "client": logged_in(admin)}


def pages(world):
    cadre, session = world["cadre"], world["session"]
    return [
        reverse("courses_cadre:index"),
        reverse("courses_cadre:index") + "?q=mai",
        reverse("courses_cadre:inspect", args=[cadre.pk]),
        reverse("courses_cadre:edit", args=[cadre.pk]),
        reverse("training_sessions:detail", args=[session.pk]),
    ]


def test_birth_years_and_ids_are_not_grouped(world):
    for url in pages(world):
        response = world["client"].get(url)
        assert response.status_code == 200, url
        html = visible_text(response.content.decode())
        assert not GROUPED_YEAR.search(html), (url, GROUPED_YEAR.search(html))
        assert "123.456" not in html, url
    assert "1996" in world["client"].get(reverse("courses_cadre:index")).content.decode()


def test_empty_values_are_a_dash_not_none(world):
    html = world["client"].get(reverse("courses_cadre:inspect", args=[world["cadre"].pk]))
    text = html.content.decode()
    assert "None" not in visible_text(text)
    assert "—" in text


def test_phone_fields_open_the_numeric_keypad(world):
    cadre = world["cadre"]
    html = world["client"].get(reverse("courses_cadre:edit", args=[cadre.pk])).content.decode()
    field = re.search(r'<input[^>]*name="phone"[^>]*>', html).group(0)
    assert 'type="tel"' in field and 'inputmode="numeric"' in field
    session = world["session"]
    page = world["client"].get(reverse("training_sessions:new_cadre", args=[session.pk]))
    field = re.search(r'<input[^>]*name="phone"[^>]*>', page.content.decode()).group(0)
    assert 'type="tel"' in field and 'inputmode="numeric"' in field
