"""The demo's July 2023 report as DHIS2 data: the ADX of each year of the history (2021 to
June 2023, in the 2023 structure of the time) validates against the IHE schema, and its values
are show_counters' for the same periods: 239 district and commune sessions, 377 village
sessions, 283 on monitoring and evaluation."""

import io
import json

import pytest
from django.core.management import call_command

from courses.counters import services as svc
from tests.courses.counters.test_dhis2 import adx_valid, adx_values

pytestmark = pytest.mark.django_db


def test_the_july_2023_report_as_adx_equals_show_counters(demo_courses):
    from certificates.demo import load_programme_history

    svc.indicator_cache_clear()
    list(load_programme_history(scale=0.05, report=True))
    totals: dict[str, int] = {}
    for year in ("2021", "2022", "2023"):
        out = io.StringIO()
        call_command("export_dhis2", "--format=adx", f"--period={year}", "--structure=2023",
                     stdout=out)  # fmt: skip
        rows = adx_values(adx_valid(out.getvalue().encode()))
        assert {r["period"] for r in rows} == {f"{year}-01-01/P1Y"}
        shown = io.StringIO()
        call_command("show_counters", "--json", f"--period={year}", "--structure=2023",
                     "--by=province", stdout=shown)  # fmt: skip
        for figure in json.loads(shown.getvalue()):
            mine = [r for r in rows if r["dataElement"] == figure["code"]]
            assert sum(int(r["value"]) for r in mine) == figure["value"], (year, figure["code"])
            by_unit: dict[str, int] = {}
            for r in mine:
                code = r["orgUnit"].removeprefix("VN2023_")
                by_unit[code] = by_unit.get(code, 0) + int(r["value"])
            assert by_unit == figure["by"], (year, figure["code"])
            totals[figure["code"]] = totals.get(figure["code"], 0) + figure["value"]
    assert totals[svc.SESSIONS_DISTRICT_COMMUNE] == 239
    assert totals[svc.SESSIONS_VILLAGE] == 377
    assert totals[svc.SESSIONS_ME] == 283
    assert totals[svc.ME_PARTICIPANTS] > 4400
