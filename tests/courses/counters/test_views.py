"""The dashboard, the API and the exports read the cells, within the reader's scope: a province
admin sees only their province."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from courses.sessions.models import SessionKind, SessionStatus
from lms.spreadsheet import neutralise_cell as csv_safe
from tests.builders import complete, make_cadre, make_session, make_user, session_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_provinces(world):
    for _ in range(3):
        complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03", full_name="=HYPERLINK(1)"),
                 world.course)  # fmt: skip
    for _ in range(5):
        complete(make_cadre(unit=world.ha_giang.commune, ethnicity="03"), world.course)
    return world


def test_api_requires_an_admin(client, two_provinces):
    assert client.get("/api/counters/").status_code == 401
    client.force_login(make_user(role="Cadre"))
    assert client.get("/api/counters/").status_code == 403


def test_api_returns_the_figures_and_breakdowns_for_a_central_admin(client, two_provinces):
    client.force_login(make_user(role="Admin"))
    data = client.get("/api/counters/?by=province").json()
    cadres = next(row for row in data if row["code"] == "CADRES_TRAINED")
    assert set(cadres) == {"code", "name", "unit", "target", "value", "percent", "by"}
    assert cadres["value"] == 8 and cadres["target"] == 40000 and cadres["percent"] == 0
    assert cadres["by"] == {"08": 5, "15": 3}  # the 2025 structure, the working one
    data = client.get("/api/counters/?by=province&structure=2023").json()
    assert next(row for row in data if row["code"] == "CADRES_TRAINED")["by"] == {"02": 5, "10": 3}
    by_ethnicity = client.get("/api/counters/?by=ethnicity").json()
    assert next(r for r in by_ethnicity if r["code"] == "CADRES_TRAINED")["by"] == {"03": 8}
    assert client.get("/api/counters/?by=commune").status_code == 400


def test_province_admin_sees_only_their_province_in_the_api(client, two_provinces):
    client.force_login(make_user(role="Admin", province_code="15"))
    data = client.get("/api/counters/?by=province").json()
    cadres = next(row for row in data if row["code"] == "CADRES_TRAINED")
    assert cadres["value"] == 3 and cadres["by"] == {"15": 3}
    data = client.get("/api/counters/?by=province&structure=2023").json()
    assert next(row for row in data if row["code"] == "CADRES_TRAINED")["by"] == {"10": 3}
    assert client.get("/api/counters/?province=08").status_code == 403
    assert client.get("/api/counters/?province=02&structure=2023").status_code == 403


def test_province_admin_sees_only_their_province_in_the_dashboard(client, two_provinces):
    client.force_login(make_user(role="Admin", province_code="15"))
    response = client.get(reverse("counters_dashboard") + "?province=02")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Tỉnh Hà Giang" not in html and "Tỉnh Tuyên Quang" not in html
    assert "data-value>3<" in html
    assert "Xã 02647 (2025)" in html  # the drill-down starts at the communes of Lào Cai
    html = client.get(reverse("counters_dashboard") + "?structure=2023").content.decode()
    assert "Tỉnh Hà Giang" not in html and "data-value>3<" in html
    assert "Tỉnh Lào Cai" in html  # the 2023 provinces that went into Lào Cai 2025
    html = client.get(reverse("counters_dashboard") + "?structure=2023&province=10").content
    assert "Huyện 080" in html.decode()


def test_central_admin_drills_down_from_provinces_to_communes(client, two_provinces):
    client.force_login(make_user(role="Admin"))
    url = reverse("counters_dashboard")
    html = client.get(url).content.decode()
    assert "Tỉnh Tuyên Quang" in html and "Tỉnh Lào Cai" in html and "data-value>8<" in html
    html = client.get(url + "?province=15").content.decode()
    assert "Xã 02647 (2025)" in html and "data-value>3<" in html
    html = client.get(url + "?structure=2023").content.decode()
    assert "Tỉnh Hà Giang" in html and "Tỉnh Lào Cai" in html and "data-value>8<" in html
    html = client.get(url + "?structure=2023&province=10").content.decode()
    assert "Huyện 080" in html and "data-value>3<" in html
    html = client.get(url + "?structure=2023&province=10&district=080").content.decode()
    assert "Xã 02647" in html


def test_dashboard_shows_the_percent_rounded(client, world):
    for _n in range(239):
        s = make_session(
            course=world.course, unit=world.lao_cai.commune, kind=SessionKind.DISTRICT_COMMUNE
        )
        session_status(s, SessionStatus.HELD)
    client.force_login(make_user(role="Admin"))
    html = client.get(reverse("counters_dashboard")).content.decode()
    assert "data-value>239<" in html and "(50 %)" in html


def test_non_admins_cannot_open_the_dashboard_or_exports(client, two_provinces):
    client.force_login(make_user(role="Trainer"))
    for name in ("counters_dashboard", "counters_export_csv", "counters_export_xlsx"):
        assert client.get(reverse(name)).status_code in (302, 403)


def test_exports_are_scoped_and_csv_is_neutralised(client, two_provinces):
    client.force_login(make_user(role="Admin", province_code="08"))
    content = client.get(reverse("counters_export_csv")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content)))
    cadres = next(r for r in rows if r and r[0] == "CADRES_TRAINED")
    assert cadres[3] == "5"
    assert "Tỉnh Lào Cai" not in content and "Huyện 080" not in content
    book = load_workbook(io.BytesIO(client.get(reverse("counters_export_xlsx")).content))
    values = list(book.worksheets[0].iter_rows(values_only=True))
    assert any(row[0] == "CADRES_TRAINED" and row[3] == 5 for row in values)
    pdf = client.get(reverse("counters_export_pdf"))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert csv_safe("=1+1") == "'=1+1" and csv_safe("@x") == "'@x" and csv_safe("-2") == "'-2"
