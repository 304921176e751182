"""Speed of the cadre import (`make bench` or `python -m tests.benchmarks import_cadres`).

Targets on the two-core machine (issue 4):
- 40,000 valid rows: CSV in at most 20 s, XLSX in at most 40 s, peak memory at most 400 MB;
- dry run of a 40,000-row file with 1 % bad rows, reporting every error, in at most 20 s.

Each import runs as `manage.py import_cadres` in its own process, timed from start to exit
(Django start-up included) with the peak resident memory of that process (wait4 rusage).
The database is a scratch one: a temporary SQLite file, or, when DATABASE_URL points to
PostgreSQL, a `<name>_bench_cadres` database created next to it and dropped afterwards.
Every unit of the real 2023 and 2025 lists is loaded first (load_admin_units).

The four measures above import files of the 2023 structure (`--structure 2023`), as they
always have; a fifth imports 40,000 new rows of the 2025 structure (no district level), to
the same target as the first. `BENCH_IMPORT_ROWS` sets a smaller file size, to check that
the benchmark runs; the targets are meant for the full size only.
"""

from __future__ import annotations

import csv
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "40000"))
BAD_SHARE = 0.01
COLUMNS = [
    "ma_can_bo", "ho_ten", "gioi_tinh", "nam_sinh", "dan_toc", "nhom_doi_tuong", "cap",
    "co_quan", "ma_don_vi_hanh_chinh", "so_dien_thoai", "email",
]  # fmt: skip
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Lò", "Hà", "Lương"]
MIDDLE = ["Thị", "Văn", "Đức", "Thu", "Minh", "Ngọc", "Hữu"]
GIVEN = ["Hoa", "Mai", "Lan", "Páo", "Sùng", "Hương", "Dũng", "Thảo", "Hằng", "Tuấn", "Vân"]
ETHNIC = ["Kinh", "Tày", "thai", "Hmông", "08", "Dao", "Mường", "Nùng", ""]
GROUPS = [
    ("Cán bộ chủ chốt", "Xã"),
    ("Lãnh đạo", "Huyện"),
    ("truong_thon_ban", "thon_ban"),
    ("Người có uy tín", "Thôn, bản"),
    ("Cán bộ Hội Phụ nữ", "xa"),
    ("Lãnh đạo", "Tỉnh"),
]
# The 2025 structure has no districts: the district leaders become commune ones.
GROUPS_2025 = [(group, "Xã" if level == "Huyện" else level) for group, level in GROUPS]


def unit_codes(structure: str = "2023") -> dict[str, list[str]]:
    from vietnamadminunits.database.main import query

    if structure == "2025":
        rows = query("SELECT provinceCode, wardCode FROM admin_units")
        return {
            "Tỉnh": sorted({r["provinceCode"] for r in rows}),
            "commune": sorted({r["wardCode"] for r in rows if r["wardCode"]}),
        }
    rows = query("SELECT provinceCode, districtCode, wardCode FROM admin_units_legacy")
    return {
        "Tỉnh": sorted({r["provinceCode"] for r in rows}),
        "Huyện": sorted({r["districtCode"] for r in rows}),
        "commune": sorted({r["wardCode"] for r in rows if r["wardCode"]}),
    }


def make_rows(
    count: int, *, offset: int, seed: int, bad_share: float = 0.0, structure: str = "2023"
):
    """`count` distinct people with unit codes of `structure`; with bad_share, that share
    of rows has one bad cell."""
    rng = random.Random(seed)
    codes = unit_codes(structure)
    groups = GROUPS_2025 if structure == "2025" else GROUPS
    bad_every = int(1 / bad_share) if bad_share else 0
    for n in range(count):
        person = offset + n
        group, level = groups[n % len(groups)]
        code = rng.choice(codes.get(level, codes["commune"]))
        row = [
            f"BM{person:07d}" if n % 2 else "",
            f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)} {person}",
            "Nữ" if n % 3 else "nam",
            str(rng.randint(1950, 2000)),
            rng.choice(ETHNIC),
            group,
            level,
            f"UBND {code}",
            code,
            f"09{person:08d}",
            f"cb{person}@example.vn" if n % 4 == 0 else "",
        ]
        if bad_every and n % bad_every == bad_every - 1:
            row[3] = "1800"  # an impossible birth year: exactly one error on this row
        yield row


def write_csv(path: Path, rows) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(COLUMNS)
        writer.writerows(rows)


def write_xlsx(path: Path, rows) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("import")
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def run(args: list[str], env: dict) -> tuple[float, float, int, str, str]:
    """(seconds, peak MB, exit code, stdout, stderr) of one manage.py process."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, stdout=out, stderr=err
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0), err.seek(0)
        return (seconds, usage.ru_maxrss / 1024, proc.returncode,
                out.read().decode(), err.read().decode())  # fmt: skip


def scratch_database() -> tuple[str, callable]:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        import psycopg

        parts = urlsplit(url)
        name = parts.path.lstrip("/") + "_bench_cadres"
        admin = psycopg.connect(url, autocommit=True)
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')

        def drop():
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.close()

        return urlunsplit(parts._replace(path=f"/{name}")), drop
    folder = tempfile.mkdtemp(prefix="bench-cadres-")
    return f"sqlite:///{folder}/bench.db", lambda: None


def main() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="bench-cadres-files-"))
    db_url, drop = scratch_database()
    env = {**os.environ, "DATABASE_URL": db_url, "DJANGO_SETTINGS_MODULE": "lms.settings",
           "LOG_LEVEL": "WARNING"}  # fmt: skip
    engine = "PostgreSQL" if db_url.startswith("postgres") else "SQLite"
    print(f"database: {engine} (scratch), rows per file: {ROWS:,}".replace(",", "."))
    size = f"{ROWS:,}".replace(",", ".")
    try:
        for args in (["migrate", "--no-input"], ["load_admin_units"]):
            seconds, _, code, out, err = run(args, env)
            assert code == 0, err
        print(f"setup: migrate + load_admin_units done ({seconds:.1f} s for the units)")

        csv_path, xlsx_path, bad_path = (workdir / "valid.csv", workdir / "valid.xlsx",
                                         workdir / "bad.csv")  # fmt: skip
        new_path = workdir / "valid_2025.csv"
        write_csv(csv_path, make_rows(ROWS, offset=0, seed=1))
        write_xlsx(xlsx_path, make_rows(ROWS, offset=ROWS, seed=2))
        write_csv(bad_path, make_rows(ROWS, offset=2 * ROWS, seed=3, bad_share=BAD_SHARE))
        write_csv(new_path, make_rows(ROWS, offset=3 * ROWS, seed=4, structure="2025"))
        expected_bad = sum(1 for n in range(ROWS) if n % 100 == 99)
        old = ["--structure", "2023"]

        results = []

        def measure(label, args, target_s, *, expect_code=0):
            seconds, peak, code, out, err = run(["import_cadres", *args], env)
            if code != expect_code:
                print(err[-2000:])
                raise SystemExit(f"{label}: exit code {code}, expected {expect_code}")
            ok = seconds <= target_s and peak <= 400
            results.append(ok)
            line = (f"{label:<38} {seconds:6.1f} s (target <= {target_s} s)  "
                    f"peak {peak:6.0f} MB (<= 400)  {'OK' if ok else 'OVER'}")  # fmt: skip
            print(line)
            return out, err

        out, _ = measure(f"CSV import, {size} new rows", [*old, str(csv_path)], 20)
        print("   ", out.strip().splitlines()[-1])
        out, _ = measure(f"XLSX import, {size} new rows", [*old, str(xlsx_path)], 40)
        print("   ", out.strip().splitlines()[-1])
        out, _ = measure("CSV re-import (nothing changes)", [*old, str(csv_path)], 20)
        print("   ", out.strip().splitlines()[-1])
        _, err = measure(
            f"dry run, {size} rows, 1 % bad", [*old, "--dry-run", str(bad_path)], 20,
            expect_code=1,
        )  # fmt: skip
        reported = sum(1 for line in err.splitlines() if line.startswith("dòng "))
        print(f"    errors reported: {reported} (bad rows in the file: {expected_bad})")
        results.append(reported == expected_bad)
        out, _ = measure(f"CSV import, {size} new rows (2025)", [str(new_path)], 20)
        print("   ", out.strip().splitlines()[-1])
        print("all targets met" if all(results) else "SOME TARGETS MISSED")
    finally:
        drop()


if __name__ == "__main__":
    main()
