"""Import of attendance (CSV or XLSX), all or nothing.

Columns: ma_buoi, ma_can_bo, so_dien_thoai, co_mat, dat. The session is found by its code;
the person by ma_can_bo, or, when that cell is empty, by phone number. `co_mat` (present)
and `dat` (passed the post-test) take 1/0, có/không or x/blank; a blank `dat` means no
post-test result. Importing the same file again changes nothing.

Every row is checked first; the file is written, in one transaction and through
`attendance_mark` (so counters and completions follow), only if no row has an error.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from courses.registry.models import Cadre
from courses.sessions.models import Attendance, SessionStatus, TrainingSession
from courses.sessions.services import attendance_mark
from lms.spreadsheet import (
    ErrorList,
    ImportFileError,
    ImportResult,
    LabelMatcher,
    Row,
    normalise_phone,
    read_rows,
)

COLUMNS = ["ma_buoi", "ma_can_bo", "so_dien_thoai", "co_mat", "dat"]
REQUIRED = ["ma_buoi"]

FLAGS = LabelMatcher(
    {
        "1": ["x", "có", "yes", "true", "đạt", "có mặt"],
        "0": ["không", "no", "false", "không đạt", "vắng"],
    }
)


def parse_flag(text: str) -> bool | None:
    """1/có/x -> True, 0/không -> False, blank -> False; None when not understood."""
    if not text:
        return False
    value = FLAGS.match(text)
    if value is None:
        return None
    return value == "1"


class _Checker:
    def __init__(self, errors: ErrorList):
        self.errors = errors
        self.sessions: dict[str, TrainingSession | None] = {}
        self.seen: dict[tuple[int, int], int] = {}

    def session(self, code: str) -> TrainingSession | None:
        if code not in self.sessions:
            self.sessions[code] = (
                TrainingSession.objects.filter(code=code).select_related("course").first()
            )
        return self.sessions[code]

    def person(self, row: Row) -> Cadre | None:
        n, v, add = row.number, row.values, self.errors.add
        if v["ma_can_bo"]:
            cadre = Cadre.objects.filter(ma_can_bo=v["ma_can_bo"]).first()
            if cadre is None:
                add(
                    n,
                    "ma_can_bo",
                    _(
                        "No one in the registry has this cadre id. Leave it empty to find "
                        "the person by phone number."
                    ),
                )
            return cadre
        if not v["so_dien_thoai"]:
            add(n, "ma_can_bo", _("Give the cadre id (ma_can_bo) or the phone number."))
            return None
        phone = normalise_phone(v["so_dien_thoai"])
        if phone is None:
            add(n, "so_dien_thoai", _("Invalid phone number."))
            return None
        found = list(Cadre.objects.filter(phone=phone)[:2])
        if not found:
            add(n, "so_dien_thoai", _("No one in the registry has this phone number."))
            return None
        if len(found) > 1:
            add(
                n,
                "so_dien_thoai",
                _("Several people in the registry have this phone number: give the cadre id."),
            )
            return None
        return found[0]

    def check(self, row: Row) -> tuple[TrainingSession, Cadre, bool, bool | None] | None:
        n, v, add = row.number, row.values, self.errors.add
        before = len(self.errors)
        session = None
        if not v["ma_buoi"]:
            add(n, "ma_buoi", _("This column must not be empty."))
        else:
            session = self.session(v["ma_buoi"])
            if session is None:
                add(n, "ma_buoi", _("No session has this code: import the sessions first."))
            elif session.status == SessionStatus.CANCELLED:
                add(
                    n,
                    "ma_buoi",
                    _("This session was cancelled: its attendance cannot be changed."),
                )
        cadre = self.person(row)
        present = parse_flag(v["co_mat"])
        if present is None:
            add(n, "co_mat", _("Write 1 or 0, có or không, or x or leave it empty."))
        passed = parse_flag(v["dat"]) if v["dat"] else None
        if v["dat"] and passed is None:
            add(n, "dat", _("Write 1 or 0, có or không, or x or leave it empty."))
        if passed and present is False:
            add(n, "dat", _("A person who was not present cannot have passed the post-test."))
        if session is not None and cadre is not None:
            key = (session.pk, cadre.pk)
            if key in self.seen:
                add(
                    n,
                    "",
                    _("This person is already listed for this session in row {row}.").format(
                        row=self.seen[key]
                    ),
                )
            else:
                self.seen[key] = n
        if len(self.errors) > before:
            return None
        return session, cadre, present, passed


def attendance_file_import(
    source: str | Path | IO[bytes], *, name: str, dry_run: bool = False, by=None
) -> ImportResult:
    """Check every row of an attendance file and, unless `dry_run` or any row is bad, write
    them all in one transaction."""
    result = ImportResult(dry_run=dry_run)
    errors = result.errors
    checker = _Checker(errors)
    rows = []
    try:
        for row in read_rows(source, name=name, columns=COLUMNS, required=REQUIRED, errors=errors):
            result.rows += 1
            checked = checker.check(row)
            if checked is not None:
                rows.append(checked)
    except ImportFileError as exc:
        errors.add(0, "", str(exc))
    if not errors and result.rows == 0:
        errors.add(0, "", _("The file has a header but no rows."))
    if errors:
        return result
    existing = {
        (a.session_id, a.cadre_id): a
        for a in Attendance.objects.filter(
            session_id__in={s.pk for s, _c, _p, _d in rows},
            cadre_id__in={c.pk for _s, c, _p, _d in rows},
        )
    }
    plan = []
    for session, cadre, present, passed in rows:
        current = existing.get((session.pk, cadre.pk))
        if current is None:
            result.created += 1
        elif (current.present, current.passed) != (present, passed):
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        score = current.post_test_score if current is not None else None
        plan.append((session, cadre, present, passed, score))
    if dry_run:
        return result
    with transaction.atomic():
        for session, cadre, present, passed, score in plan:
            attendance_mark(
                session=session, cadre=cadre, present=present, passed=passed, score=score, by=by
            )
    result.written = True
    return result
