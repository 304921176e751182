"""A PostgreSQL connection dropped in the middle of an import writes nothing.

`manage.py import_cadres` runs in its own process (application_name "lms-import-fault"); the
test watches pg_stat_activity from its own connection and, the moment the import's COPY into
the register is running, ends that backend with pg_terminate_backend. Only the importing
connection is ended: the server keeps running for everyone else.
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from django.db import connection

from courses.registry.imports import COLUMNS
from courses.registry.models import Cadre
from tests.builders import make_cadre, make_units
from tests.conftest import ROOT
from tests.faults.conftest import fault_env

pytestmark = [
    pytest.mark.fault,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(300),
]

APP_NAME = "lms-import-fault"
ROWS = 40_000
EXISTING = 50


def write_file(path, commune_code: str) -> None:
    lines = [",".join(COLUMNS)]
    for n in range(ROWS):
        lines.append(
            f"FLT-{n},Nguyễn Thị Lan {n},Nữ,1980,Kinh,Cán bộ chủ chốt,Xã,Hội LHPN xã mới,"
            f"{commune_code},09{n:08d},"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def copy_pid(application_name: str) -> int | None:
    """The backend of the given application that is running a COPY right now, if any."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s "
            "AND state = 'active' AND query ILIKE 'COPY%%'",
            [application_name],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def importing_copy_pid() -> int | None:
    return copy_pid(APP_NAME)


def register_state() -> tuple[int, set[str]]:
    rows = Cadre.objects.filter(ma_can_bo__startswith="FLT-")
    return rows.count(), set(rows.values_list("agency", flat=True))


def test_a_connection_dropped_during_an_import_leaves_the_register_untouched(fault_ready, tmp_path):
    settings = fault_ready
    unit = make_units(province_code="10").commune
    for n in range(EXISTING):  # people the file updates: their rows must not change either
        make_cadre(unit=unit, full_name=f"Nguyễn Thị Lan {n}", ma_can_bo=f"FLT-{n}",
                   agency="Hội LHPN xã cũ", phone=f"09{n:08d}", birth_year=1980)  # fmt: skip
    before = register_state()
    assert before == (EXISTING, {"Hội LHPN xã cũ"})
    path = tmp_path / "can_bo.csv"
    write_file(path, unit.code)

    env = fault_env("", settings, PGAPPNAME=APP_NAME)
    env.pop("REDIS_URL")
    process = subprocess.Popen(
        [sys.executable, "manage.py", "import_cadres", str(path)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    terminated = False
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and process.poll() is None:
            pid = importing_copy_pid()
            if pid is not None:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
                    terminated = cursor.fetchone()[0]
                break
            time.sleep(0.002)
        _out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    assert terminated, "the import finished before its COPY could be interrupted"
    assert process.returncode != 0, "the import must fail when its connection is dropped"
    assert "terminat" in err.lower() or "connection" in err.lower(), err[-2000:]
    assert register_state() == before, "the dropped import wrote part of the file"

    # The register is clean: the same file imports completely on the next try.
    again = subprocess.run(
        [sys.executable, "manage.py", "import_cadres", str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr[-3000:]
    assert register_state() == (ROWS, {"Hội LHPN xã mới"})
