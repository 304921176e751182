"""A hostile file ends its import with the refusal, not with a MemoryError, in a process
whose address space is capped.

`manage.py import_cadres` runs in a process of its own whose RLIMIT_AS is set (in the child,
before it starts Python) to what a small worker would have: Django and the app take about
half of it before the file is opened. Each hostile file is a few hundred kilobytes: three
million rows, one shared string of two hundred million letters, and a sheet that unpacks to
more than the limit while its header claims a thousand bytes. The process must exit with the
Vietnamese reason, within a minute of processor time, and the register must be untouched.
The bound is on the child's processor time, not on the clock: the machine is shared, and the
clock would measure the neighbours too.
"""

from __future__ import annotations

import resource
import subprocess
import sys

import pytest

from courses.registry.imports import COLUMNS
from courses.registry.models import Cadre
from tests.builders import (
    make_units,
    xlsx_long_shared_string,
    xlsx_many_rows,
    xlsx_zip_bomb,
)
from tests.conftest import ROOT
from tests.faults.conftest import fault_env

pytestmark = [
    pytest.mark.fault,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.timeout(300),
]

ADDRESS_SPACE = 640 * 1024 * 1024
SECONDS = 60

HOSTILE = {
    "3000000-rows": (
        lambda path: xlsx_many_rows(path, 3_000_000, COLUMNS),
        "Tệp có hơn 200.000 dòng dữ liệu",
    ),
    "huge-shared-string": (
        lambda path: xlsx_long_shared_string(path, 200_000_000, COLUMNS),
        "Tệp có một ô dài hơn 1.000 ký tự",
    ),
    "zip-bomb-lying-header": (
        lambda path: xlsx_zip_bomb(path, 220_000_000, COLUMNS, declared=1_000),
        "Khi giải nén, tệp XLSX lớn hơn 200 MiB",
    ),
}


def capped_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


@pytest.mark.parametrize("hostile", HOSTILE)
def test_a_hostile_file_is_refused_within_a_capped_address_space(fault_ready, tmp_path, hostile):
    settings = fault_ready
    make_units(province_code="10")
    build, reason = HOSTILE[hostile]
    path = build(tmp_path / "hostile.xlsx")
    assert path.stat().st_size < 500 * 1024

    env = fault_env("", settings)
    env.pop("REDIS_URL")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "manage.py", "import_cadres", str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=SECONDS * 5, check=False,
        preexec_fn=capped_address_space,  # noqa: PLW1509 - the child starts no thread first
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    assert "MemoryError" not in done.stderr, done.stderr[-2000:]
    assert done.returncode == 1, done.stderr[-2000:]
    assert reason in done.stderr, done.stderr[-2000:]
    assert "không ghi gì" in done.stderr
    assert seconds < SECONDS, f"the refusal took {seconds:.0f} s of processor time"
    assert Cadre.objects.count() == 0
