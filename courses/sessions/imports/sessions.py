"""Import of training sessions (CSV or XLSX), all or nothing.

Columns: ma_buoi, loai, khoa_hoc, tieu_de, ngay_bat_dau, ngay_ket_thuc, ma_don_vi_hanh_chinh,
dia_diem, trang_thai. A session is matched by its code (ma_buoi), so importing the same file
again changes nothing. `khoa_hoc` is the course page's slug, `loai` a kind code, `trang_thai`
planned / held / cancelled or the Vietnamese label (kế hoạch, đã tổ chức, đã hủy, with or
without diacritics), dates YYYY-MM-DD or DD/MM/YYYY, `ma_don_vi_hanh_chinh` a GSO code of
the structure the file states (2023 or 2025; courses/registry/unit_codes.py reads the units
once per file). A session on or after 1 July 2025 cannot take place in a 2023 unit.

Every row is checked first; the file is written, in one transaction and through the session
services (so counters and completions follow), only if no row has an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from content.models import CoursePage
from courses.registry.imports import PROGRESS_EVERY
from courses.registry.models import AdminUnit
from courses.registry.unit_codes import PlacedImportResult, UnitCodes, UnitTally
from courses.sessions.models import (
    SessionKind,
    SessionStatus,
    TrainingSession,
    session_unit_refusal,
)
from courses.sessions.services import session_create, session_update
from lms.spreadsheet import (
    ErrorList,
    ImportFileError,
    LabelMatcher,
    ProgressCallback,
    Row,
    parse_date,
    read_rows,
)
from lms.spreadsheet_limits import InlineBudget

COLUMNS = [
    "ma_buoi",
    "loai",
    "khoa_hoc",
    "tieu_de",
    "ngay_bat_dau",
    "ngay_ket_thuc",
    "ma_don_vi_hanh_chinh",
    "dia_diem",
    "trang_thai",
]
# Rows whose title the report shows next to their reasons, at most.
LABEL_LIMIT = 5000
REQUIRED = ["ma_buoi", "loai", "khoa_hoc", "tieu_de", "ngay_bat_dau", "ma_don_vi_hanh_chinh"]

KINDS_LIST = list(SessionKind.values)
KINDS = LabelMatcher({value: [] for value in SessionKind.values})
STATUSES = LabelMatcher(
    {
        SessionStatus.PLANNED: ["kế hoạch", "dự kiến", "chưa tổ chức"],
        SessionStatus.HELD: ["đã tổ chức", "tổ chức", "đã tổ chức xong"],
        SessionStatus.CANCELLED: ["đã hủy", "đã huỷ", "hủy", "huỷ"],
    }
)


def _label_list(values) -> str:
    return ", ".join(values)


class _Checker:
    def __init__(self, errors: ErrorList, *, structure: str, province_code: str | None = None):
        self.errors = errors
        self.province_code = province_code
        self.outside = _(
            "This unit is outside your province: you can import sessions of your province only."
        )
        # Translated once: a file of bad rows asks for it on every row.
        self.empty = _("This column must not be empty.")
        self.codes: dict[str, int] = {}
        self.courses: dict[str, list[CoursePage]] = {}
        self.units = UnitCodes(structure)
        self.tally = UnitTally(self.units)

    def _required(self, row: Row) -> bool:
        ok = True
        for column in REQUIRED:
            if not row.values[column]:
                self.errors.add(row.number, column, self.empty)
                ok = False
        return ok

    def course(self, slug: str) -> list[CoursePage]:
        if slug not in self.courses:
            self.courses[slug] = list(CoursePage.objects.filter(slug=slug)[:2])
        return self.courses[slug]

    def check(self, row: Row) -> dict | None:
        n, v, add = row.number, row.values, self.errors.add
        before = len(self.errors)
        self._required(row)
        code = v["ma_buoi"]
        if code:
            if len(code) > 50:
                add(n, "ma_buoi", _("The session code is too long (at most 50 characters)."))
            elif code in self.codes:
                add(
                    n,
                    "ma_buoi",
                    _("This session code already appears in row {row}.").format(
                        row=self.codes[code]
                    ),
                )
            else:
                self.codes[code] = n
        kind = None
        if v["loai"]:
            kind = KINDS.match(v["loai"])
            if kind is None:
                add(
                    n,
                    "loai",
                    _("Unknown kind of session. Use one of: {values}.").format(
                        values=_label_list(SessionKind.values)
                    ),
                )
        course = None
        if v["khoa_hoc"]:
            found = self.course(v["khoa_hoc"])
            if not found:
                add(n, "khoa_hoc", _("No course has this slug (the last part of its address)."))
            elif len(found) > 1:
                add(n, "khoa_hoc", _("Several courses have this slug: rename one of them."))
            else:
                course = found[0]
        if len(v["tieu_de"]) > 255:
            add(n, "tieu_de", _("The title is too long (at most 255 characters)."))
        start = end = None
        if v["ngay_bat_dau"]:
            start = parse_date(v["ngay_bat_dau"])
            if start is None:
                add(n, "ngay_bat_dau", _("Invalid date: write it as YYYY-MM-DD or DD/MM/YYYY."))
        if v["ngay_ket_thuc"]:
            end = parse_date(v["ngay_ket_thuc"])
            if end is None:
                add(n, "ngay_ket_thuc", _("Invalid date: write it as YYYY-MM-DD or DD/MM/YYYY."))
        else:
            end = start
        if start and end and end < start:
            add(n, "ngay_ket_thuc", _("The end date cannot be before the start date."))
        unit = None
        if v["ma_don_vi_hanh_chinh"]:
            unit, reason = self.units.lookup(v["ma_don_vi_hanh_chinh"])
            if unit is None:
                add(n, "ma_don_vi_hanh_chinh", reason)
            elif self.province_code and unit.province_2025 != self.province_code:
                add(n, "ma_don_vi_hanh_chinh", self.outside)
                unit = None
            elif start is not None:
                refusal = session_unit_refusal(structure=unit.structure, start_date=start)
                if refusal:
                    add(n, "ma_don_vi_hanh_chinh", refusal)
        if len(v["dia_diem"]) > 255:
            add(n, "dia_diem", _("The venue is too long (at most 255 characters)."))
        status = SessionStatus.PLANNED
        if v["trang_thai"]:
            status = STATUSES.match(v["trang_thai"])
            if status is None:
                add(
                    n,
                    "trang_thai",
                    _(
                        "Unknown status. Use planned, held or cancelled "
                        "(kế hoạch, đã tổ chức, đã hủy)."
                    ),
                )
        if len(self.errors) > before:
            return None
        self.tally.add(unit, n)
        return {
            "code": code,
            "kind": kind,
            "course": course,
            "title": v["tieu_de"],
            "start_date": start,
            "end_date": end,
            "unit": unit,
            "venue": v["dia_diem"],
            "status": status,
        }


def _differs(session: TrainingSession, values: dict) -> bool:
    return any(
        (
            session.kind != values["kind"],
            session.course_id != values["course"].pk,
            session.title != values["title"],
            session.start_date != values["start_date"],
            session.end_date != values["end_date"],
            session.unit_id != values["unit"].id,
            session.venue != values["venue"],
            session.status != values["status"],
        )
    )


def session_file_import(
    source: str | Path | IO[bytes],
    *,
    name: str,
    structure: str,
    dry_run: bool = False,
    province_code: str | None = None,
    progress: ProgressCallback | None = None,
    budget: InlineBudget | None = None,
) -> PlacedImportResult:
    """Check every row of a session file whose unit codes are of `structure` ("2023" or
    "2025") and, unless `dry_run` or any row is bad, write them all in one transaction. The
    result lists the units the rows name, for the preview. `province_code` (a 2025
    province: a province admin's file) limits the rows to units of that province, and to
    sessions that are not another province's; `progress` hears the rows read so far."""
    result = PlacedImportResult(dry_run=dry_run, structure=structure)
    errors = result.errors
    checker = _Checker(errors, structure=structure, province_code=province_code)
    rows: list[dict] = []
    try:
        for row in read_rows(
            source, name=name, columns=COLUMNS, required=REQUIRED, errors=errors, budget=budget
        ):
            result.rows += 1
            values = checker.check(row)
            if values is not None:
                rows.append(values)
            if len(result.labels) < LABEL_LIMIT:
                # The report's "name" and "unit" of the row: its title and its code as typed.
                result.labels[row.number] = (
                    row.values["tieu_de"],
                    row.values["ma_don_vi_hanh_chinh"],
                )
            if progress is not None and result.rows % PROGRESS_EVERY == 0:
                progress(result.rows)
    except ImportFileError as exc:
        errors.add(0, "", str(exc))
    if progress is not None:
        progress(result.rows)
    result.units = checker.tally.rows()
    if not errors and result.rows == 0:
        errors.add(0, "", _("The file has a header but no rows."))
    existing = TrainingSession.objects.in_bulk([v["code"] for v in rows], field_name="code")
    if province_code:
        # A code already taken by a session elsewhere: the row says so without naming it.
        for code, session in existing.items():
            if session.province_2025 != province_code:
                errors.add(
                    checker.codes.get(code, 0),
                    "ma_buoi",
                    _("This session code is taken by a session outside your province; "
                      "give this session another code."),
                )  # fmt: skip
    if errors:
        return result
    plan = []
    for values in rows:
        session = existing.get(values["code"])
        if session is None:
            result.created += 1
        elif _differs(session, values):
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        plan.append((values, session))
    if dry_run:
        return result
    # The services save model rows: the units the plan names, in one query.
    units = AdminUnit.objects.in_bulk({values["unit"].id for values, _session in plan})
    with transaction.atomic():
        for values, session in plan:
            values = {**values, "unit": units[values["unit"].id]}
            if session is None:
                session_create(**values)
            else:
                fields = {k: v for k, v in values.items() if k != "code"}
                session_update(session=session, **fields)
    result.written = True
    return result
