"""The DHIS2 export: ADX valid against the IHE schema, dataValueSets valid against the JSON
Schema written from DHIS2's documentation, figures equal to the counters, periods, the two
structures' colliding codes kept apart, scope, and bad input refused with its reason."""

import datetime as dt
import io
import json
from pathlib import Path
from zoneinfo import ZoneInfo

import jsonschema
import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from lxml import etree
from wagtail.models import APIToken

from courses.counters.dhis2 import ADX_NAMESPACE
from courses.counters.dhis2_models import (
    Dhis2DataElement,
    Dhis2DataSet,
    Dhis2Export,
    Dhis2OptionCombo,
    Dhis2OrgUnit,
)
from courses.counters.models import Achievement, Indicator
from tests.builders import complete, make_cadre, make_units, make_user

pytestmark = pytest.mark.django_db

SCHEMAS = Path(__file__).parent / "dhis2_schema"
ADX_SCHEMA = etree.XMLSchema(etree.parse(str(SCHEMAS / "adx_loose.xsd")))
JSON_SCHEMA = json.loads((SCHEMAS / "dataValueSets.schema.json").read_text())
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
NS = {"adx": ADX_NAMESPACE}


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=HCM)


def adx_valid(content: bytes) -> etree._Element:
    """The document, valid against the IHE schema (lxml, and xmllint where installed)."""
    document = etree.fromstring(content)
    assert ADX_SCHEMA.validate(document), ADX_SCHEMA.error_log
    xmllint(content)
    return document


def adx_values(document) -> list[dict]:
    rows = []
    for group in document.findall("adx:group", NS):
        for value in group.findall("adx:dataValue", NS):
            rows.append({**group.attrib, **value.attrib})
    return rows


def export(fmt="adx", **options) -> bytes:
    out = io.StringIO()
    call_command("export_dhis2", f"--format={fmt}", stdout=out, **options)
    return out.getvalue().encode()


@pytest.fixture
def july_2023(world):
    """Lào Cai (2023: 10) three women Thái, Hà Giang (2023: 02) two men Hmông and one woman
    with no ethnicity stated, all in July 2023; one more in Lào Cai in June and one in August."""
    for _ in range(3):
        complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03"), world.course,
                 at=at(2023, 7, 10, 9))  # fmt: skip
    for _ in range(2):
        complete(make_cadre(unit=world.ha_giang.commune, ethnicity="08", sex="male"),
                 world.course, at=at(2023, 7, 31, 23, 30))  # fmt: skip
    complete(make_cadre(unit=world.ha_giang.commune), world.course, at=at(2023, 7, 1, 0, 10))
    complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03"), world.course,
             at=at(2023, 6, 30, 23, 50))  # fmt: skip
    complete(make_cadre(unit=world.lao_cai.commune, ethnicity="03"), world.course,
             at=at(2023, 8, 1, 0, 5))  # fmt: skip
    return world


def show_counters(**options) -> dict[str, dict]:
    out = io.StringIO()
    call_command("show_counters", "--json", stdout=out, **options)
    return {row["code"]: row for row in json.loads(out.getvalue())}


def test_adx_of_july_2023_validates_and_equals_show_counters(july_2023):
    document = adx_valid(export(period="202307", structure="2023"))
    assert document.get("exported")
    rows = adx_values(document)
    assert {r["period"] for r in rows} == {"2023-07-01/P1M"}
    assert {r["dataSet"] for r in rows} == {"DE_AN_8"}
    cadres = [r for r in rows if r["dataElement"] == "CADRES_TRAINED"]
    assert sorted(
        (r["orgUnit"], r["SEX"], r["LEVEL"], r["ETHNICITY"], r["value"]) for r in cadres
    ) == [
        ("VN2023_02", "FEMALE", "COMMUNE", "NOT_STATED", "1"),
        ("VN2023_02", "MALE", "COMMUNE", "08", "2"),
        ("VN2023_10", "FEMALE", "COMMUNE", "03", "3"),
    ]
    # The same figures as show_counters for the period, indicator by indicator and province by
    # province, and as a recount of the achievements.
    for structure, prefix in (("2023", "VN2023_"), ("2025", "VN2025_")):
        rows = adx_values(adx_valid(export(period="202307", structure=structure)))
        figures = show_counters(period="202307", structure=structure, by="province")
        for code, figure in figures.items():
            mine = [r for r in rows if r["dataElement"] == code]
            assert sum(int(r["value"]) for r in mine) == figure["value"]
            by_unit = {}
            for r in mine:
                key = r["orgUnit"].removeprefix(prefix)
                by_unit[key] = by_unit.get(key, 0) + int(r["value"])
            assert by_unit == figure["by"]
    recount = Achievement.objects.filter(
        indicator__code="CADRES_TRAINED", month=dt.date(2023, 7, 1)
    ).count()
    assert recount == 6


def test_period_boundaries_month_quarter_year(july_2023):
    def total(period):
        rows = adx_values(adx_valid(export(period=period, structure="2025")))
        return sum(int(r["value"]) for r in rows if r["dataElement"] == "CADRES_TRAINED")

    assert total("202306") == 1 and total("202307") == 6 and total("202308") == 1
    assert total("2023Q3") == 7 and total("2023Q2") == 1 and total("2023") == 8
    periods = {r["period"] for r in adx_values(adx_valid(export(period="2023Q3")))}
    assert periods == {"2023-07-01/P3M"}
    assert {r["period"] for r in adx_values(adx_valid(export(period="2023")))} == {"2023-01-01/P1Y"}
    assert show_counters(period="2023Q3")["CADRES_TRAINED"]["value"] == 7
    assert show_counters(start="2023-07-01", end="2023-07-31")["CADRES_TRAINED"]["value"] == 6


def test_json_for_a_2026_quarter_in_the_2025_structure(world):
    for month in (1, 3, 4):
        complete(make_cadre(unit=world.lao_cai.commune, ethnicity="08"), world.course,
                 at=at(2026, month, 15, 10))  # fmt: skip
    body = json.loads(export("json", period="2026Q1", structure="2025"))
    jsonschema.validate(body, JSON_SCHEMA)
    assert body["period"] == "2026Q1" and body["dataSet"] == "DE_AN_8"
    cadres = [v for v in body["dataValues"] if v["dataElement"] == "CADRES_TRAINED"]
    assert cadres == [
        {"dataElement": "CADRES_TRAINED", "period": "2026Q1", "orgUnit": "VN2025_15",
         "categoryOptionCombo": "FEMALE_COMMUNE_08", "value": "2"},
    ]  # fmt: skip
    # By uid: every identifier used needs its uid; with them, the uids are what is sent.
    with pytest.raises(CommandError, match="uid"):
        export("json", period="2026Q1", id_scheme="uid")
    Dhis2DataSet.objects.update(uid="dsDeAn8xxxx")
    for i, element in enumerate(Dhis2DataElement.objects.all()):
        element.uid = f"de{i:09d}"
        element.save()
    Dhis2OrgUnit.objects.filter(structure="2025", province_code="15").update(uid="ouLaoCai025")
    element = Dhis2DataElement.objects.get(code="CADRES_TRAINED")
    combo = Dhis2OptionCombo.objects.create(code="F_COM_HMONG", uid="cocFComHmon")
    combo.options.set(
        [o for c in element.categories.all() for o in c.options.all()
         if (c.code, o.code) in {("SEX", "FEMALE"), ("LEVEL", "COMMUNE"), ("ETHNICITY", "08")}]
    )  # fmt: skip
    body = json.loads(export("json", period="2026Q1", id_scheme="uid"))
    jsonschema.validate(body, JSON_SCHEMA)
    assert body["dataSet"] == "dsDeAn8xxxx"
    value = next(v for v in body["dataValues"] if v["dataElement"] == element.uid)
    assert value["orgUnit"] == "ouLaoCai025" and value["categoryOptionCombo"] == "cocFComHmon"
    assert json.loads(export("json", period="2026Q1"))["dataValues"][0]["categoryOptionCombo"] == (
        "F_COM_HMONG"
    )


def test_colliding_province_codes_are_kept_apart(world):
    """2023 province 15 (Yên Bái) and 2025 province 15 (Lào Cai) are different org units; Lào
    Cai 2025 takes in Lào Cai 2023 (10) and Yên Bái 2023 (15)."""
    yen_bai = make_units(province_code="15", province_name="Tỉnh Yên Bái")
    complete(make_cadre(unit=yen_bai.commune), world.course, at=at(2025, 3, 3, 9))
    complete(make_cadre(unit=world.lao_cai.commune), world.course, at=at(2025, 3, 4, 9))
    Dhis2OrgUnit.objects.filter(structure="2023", province_code="15").update(code="YEN_BAI")
    rows_2023 = adx_values(adx_valid(export(period="202503", structure="2023")))
    people = [r for r in rows_2023 if r["dataElement"] == "CADRES_TRAINED"]
    assert sorted((r["orgUnit"], r["value"]) for r in people) == [
        ("VN2023_10", "1"), ("YEN_BAI", "1"),
    ]  # fmt: skip
    rows_2025 = adx_values(adx_valid(export(period="202503", structure="2025")))
    people = [r for r in rows_2025 if r["dataElement"] == "CADRES_TRAINED"]
    assert [(r["orgUnit"], r["value"]) for r in people] == [("VN2025_15", "2")]


@pytest.fixture
def two_provinces(july_2023):
    return july_2023


def test_api_is_scoped_like_the_counters(client, two_provinces):
    assert client.get("/api/dhis2/adx?period=202307").status_code == 401
    client.force_login(make_user(role="Cadre"))
    assert client.get("/api/dhis2/adx?period=202307").status_code == 403
    client.force_login(make_user(role="Admin", province_code="15"))
    response = client.get("/api/dhis2/adx?period=202307&structure=2023")
    assert response.status_code == 200 and response["Content-Type"] == "application/adx+xml"
    assert {r["orgUnit"] for r in adx_values(adx_valid(response.content))} == {"VN2023_10"}
    body = client.get("/api/dhis2/dataValueSets?period=202307").json()
    jsonschema.validate(body, JSON_SCHEMA)
    assert {v["orgUnit"] for v in body["dataValues"]} == {"VN2025_15"}
    for query in ("province=08", "province=02&structure=2023"):
        response = client.get(f"/api/dhis2/dataValueSets?period=202307&{query}")
        assert response.status_code == 403
        detail = response.json()["detail"]
        assert "Hà Giang" not in detail and "Tuyên Quang" not in detail and "02" not in detail
    assert Dhis2Export.objects.filter(via="api", province_code="15").count() == 2


def test_api_takes_a_personal_token(two_provinces):
    user = make_user(role="Admin")
    _token, raw = APIToken.create_token(user=user, name="dhis2")
    response = Client(HTTP_AUTHORIZATION=f"Bearer {raw}").get(
        "/api/dhis2/dataValueSets?period=2023Q3"
    )
    assert response.status_code == 200
    orgs = {v["orgUnit"] for v in response.json()["dataValues"]}
    assert orgs == {"VN2025_15", "VN2025_08"}
    log = Dhis2Export.objects.get()
    assert (log.user, log.format, log.period, log.structure) == (user, "json", "2023Q3", "2025")


def test_bad_input_is_refused_with_its_reason_in_vietnamese(client, two_provinces):
    client.force_login(make_user(role="Admin"))
    headers = {"HTTP_ACCEPT_LANGUAGE": "vi"}
    for query in ("period=2023Q5", "period=202313", "period=", "period=last-month"):
        response = client.get(f"/api/dhis2/adx?{query}", **headers)
        assert response.status_code == 400
        assert "kỳ" in response.json()["detail"].lower() or "tháng" in response.json()["detail"]
    response = client.get("/api/dhis2/adx?period=202307&idScheme=uid", **headers)
    assert response.status_code == 400 and "ADX chỉ xuất theo mã" in response.json()["detail"]
    for query in ("structure=2024", "province=Lao+Cai", "idScheme=name"):
        response = client.get(f"/api/dhis2/dataValueSets?period=202307&{query}", **headers)
        assert response.status_code == 400, query
    response = client.get("/api/counters/?start=2023-13-01", **headers)
    assert response.status_code == 400 and "2023-13-01" in response.json()["detail"]
    response = client.get("/api/counters/?period=2023Q9", **headers)
    assert response.status_code == 400
    data = client.get("/api/counters/?period=2023Q3").json()
    assert next(r for r in data if r["code"] == "CADRES_TRAINED")["value"] == 7
    data = client.get("/api/counters/?start=2023-07-01&end=2023-07-31").json()
    assert next(r for r in data if r["code"] == "CADRES_TRAINED")["value"] == 6
    with pytest.raises(CommandError):
        export(period="2023Q5")
    assert not Dhis2Export.objects.exists()


def test_unmapped_indicator_or_province_is_named_and_nothing_is_written(two_provinces, tmp_path):
    output = tmp_path / "out.xml"
    Dhis2OrgUnit.objects.filter(structure="2023", province_code="02").delete()
    with pytest.raises(CommandError, match="Hà Giang"):
        export(period="202307", structure="2023", output=str(output))
    assert not output.exists() and not list(tmp_path.iterdir())
    Dhis2DataElement.objects.filter(code="CADRES_TRAINED").delete()
    name = Indicator.objects.get(code="CADRES_TRAINED").name
    with pytest.raises(CommandError, match=name):
        export(period="202307", structure="2025", output=str(output))
    assert not output.exists()
    assert not Dhis2Export.objects.exists()


def test_admin_page_downloads_within_the_scope(client, two_provinces):
    url = reverse("counters_dhis2_export")
    client.force_login(make_user(role="Admin", province_code="15"))
    page = client.get(url)
    assert page.status_code == 200 and "Hà Giang" not in page.content.decode()
    response = client.get(url + "?period=202307&format=adx&structure=2023&province=&id_scheme=code")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert {r["orgUnit"] for r in adx_values(adx_valid(response.content))} == {"VN2023_10"}
    refused = client.get(
        url + "?period=202307&format=adx&structure=2023&province=02&id_scheme=code"
    )
    assert refused.status_code == 200 and "attachment" not in refused.get("Content-Disposition", "")
    assert "Hà Giang" not in refused.content.decode()
    bad = client.get(url + "?period=2023Q7&format=json&structure=2025&id_scheme=code")
    assert "2023Q7" in bad.content.decode()
    client.force_login(make_user(role="Cadre"))
    assert client.get(url).status_code in (302, 403)


def test_strict_schema_from_the_mapping_refuses_unknown_codes_and_negative_values(july_2023):
    content = export(period="202307", structure="2023")
    strict = etree.XMLSchema(etree.fromstring(call_schema("2023")))
    document = adx_valid(content)
    assert strict.validate(document), strict.error_log
    # The 2025 structure's schema knows only 2025 org units.
    assert not etree.XMLSchema(etree.fromstring(call_schema("2025"))).validate(document)
    for attribute, bad in (("value", "-1"), ("dataElement", "UNKNOWN"), ("SEX", "F"),
                           ("ETHNICITY", "99"), ("value", "1.5")):  # fmt: skip
        tampered = etree.fromstring(content)
        tampered.find("adx:group/adx:dataValue", NS).set(attribute, bad)
        assert not strict.validate(tampered), (attribute, bad)
        xmllint(etree.tostring(tampered), fails=True, schema=call_schema("2023"))
    tampered = etree.fromstring(content)
    tampered.find("adx:group", NS).set("orgUnit", "VN2025_15")
    assert not strict.validate(tampered)
    xmllint(content, schema=call_schema("2023"))


def call_schema(structure: str) -> bytes:
    from courses.counters.dhis2 import dhis2_adx_schema

    return dhis2_adx_schema(structure=structure)


def xmllint(content: bytes, *, fails: bool = False, schema: bytes | None = None) -> None:
    """`xmllint --schema` on the document (the IHE schema, or `schema`), where installed; lxml
    (the same libxml2) validates every document either way."""
    import shutil
    import subprocess
    import tempfile

    if shutil.which("xmllint") is None:
        return
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "doc.xml"
        doc.write_bytes(content)
        xsd = SCHEMAS / "adx_loose.xsd"
        if schema is not None:
            xsd = Path(tmp) / "strict.xsd"
            xsd.write_bytes(schema)
        run = subprocess.run(
            ["xmllint", "--noout", "--schema", str(xsd), str(doc)], capture_output=True, text=True
        )
    assert (run.returncode != 0) == fails, run.stderr


def test_every_adx_the_command_makes_passes_xmllint(july_2023):
    for period, structure in (("202307", "2023"), ("2023Q3", "2025"), ("2023", "2023")):
        xmllint(export(period=period, structure=structure))


class _Dhis2Stub:
    """A small local HTTP server standing in for DHIS2's api/dataValueSets (no real DHIS2 is
    reachable from the tests): records each request, answers an import summary."""

    def __init__(self, conflicts=()):
        import http.server
        import threading

        self.requests = []
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                stub.requests.append((self.path, dict(self.headers), body))
                dry = "dryRun=true" in self.path
                answer = {
                    "httpStatus": "OK", "status": "OK",
                    "response": {
                        "responseType": "ImportSummary",
                        "status": "ERROR" if conflicts else "SUCCESS",
                        "importCount": {"imported": 0 if dry else 3, "updated": 0,
                                        "ignored": 3 if dry else 0, "deleted": 0},
                        "conflicts": list(conflicts),
                    },
                }  # fmt: skip
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/dhis"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def test_push_sends_a_dry_run_then_the_import(july_2023, monkeypatch):
    stub = _Dhis2Stub()
    monkeypatch.setenv("DHIS2_USERNAME", "lms")
    monkeypatch.setenv("DHIS2_PASSWORD", "s3cret")
    try:
        out = io.StringIO()
        call_command("export_dhis2", "--format=json", "--period=202307", f"--push={stub.url}",
                     stdout=out)  # fmt: skip
    finally:
        stub.close()
    (dry_path, dry_headers, dry_body), (path, headers, body) = stub.requests
    assert dry_path == "/dhis/api/dataValueSets?idScheme=code&dryRun=true"
    assert path == "/dhis/api/dataValueSets?idScheme=code"
    assert dry_headers["Authorization"] == "Basic bG1zOnMzY3JldA=="
    assert headers["Content-Type"] == "application/json" and dry_body == body
    sent = json.loads(body)
    jsonschema.validate(sent, JSON_SCHEMA)
    assert sent["period"] == "202307"
    assert (
        sum(int(v["value"]) for v in sent["dataValues"] if v["dataElement"] == "CADRES_TRAINED")
        == 6
    )
    printed = out.getvalue()
    assert "dryRun SUCCESS: imported 0" in printed and "import SUCCESS: imported 3" in printed


def test_push_stops_after_a_refused_dry_run(july_2023, monkeypatch):
    stub = _Dhis2Stub(conflicts=[{"object": "VN2025_15", "value": "Org unit not found"}])
    monkeypatch.setenv("DHIS2_TOKEN", "d2pat_test")
    monkeypatch.delenv("DHIS2_USERNAME", raising=False)
    try:
        with pytest.raises(CommandError):
            call_command("export_dhis2", "--format=adx", "--period=202307",
                         f"--push={stub.url}", stdout=io.StringIO())  # fmt: skip
    finally:
        stub.close()
    ((path, headers, body),) = stub.requests
    assert "dryRun=true" in path and headers["Authorization"] == "ApiToken d2pat_test"
    assert headers["Content-Type"] == "application/adx+xml"
    adx_valid(body)


def test_push_needs_credentials(july_2023, monkeypatch):
    for name in ("DHIS2_TOKEN", "DHIS2_USERNAME", "DHIS2_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CommandError, match="DHIS2_TOKEN"):
        call_command("export_dhis2", "--period=202307", "--push=http://127.0.0.1:9/")


def test_mapping_is_central_admins_and_provinces_are_picked_by_name(client, world):
    add = reverse("dhis2_org_units:add")
    client.force_login(make_user(role="Admin", province_code="15"))
    assert client.get(add).status_code != 200
    assert client.get(reverse("dhis2_data_elements:index")).status_code != 200
    client.force_login(make_user(role="Admin"))
    html = client.get(add).content.decode()
    assert 'value="2023:10"' in html and "Tỉnh Lào Cai" in html and 'value="2025:15"' in html
    Dhis2OrgUnit.objects.filter(structure="2023", province_code="10").delete()
    response = client.post(add, {"place": "2023:10", "code": "LAO_CAI_2023", "uid": ""})
    assert response.status_code == 302
    unit = Dhis2OrgUnit.objects.get(code="LAO_CAI_2023")
    assert (unit.structure, unit.province_code) == ("2023", "10")
    # The same code in the other structure is another province: its own row, untouched.
    assert Dhis2OrgUnit.objects.get(structure="2025", province_code="15").code == "VN2025_15"
    response = client.post(add, {"place": "2025:15", "code": "AGAIN", "uid": ""})
    assert response.status_code == 200 and not Dhis2OrgUnit.objects.filter(code="AGAIN").exists()
