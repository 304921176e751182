"""Import of attendance (CSV or XLSX), all or nothing.

Columns: ma_buoi, ma_can_bo, so_dien_thoai, co_mat, dat. The session is found by its code;
the person by ma_can_bo, or, when that cell is empty, by phone number. A cadre id the
registry does not know yet, next to a phone number that identifies exactly one person, is
that person (a warning says so) and the id is stored on their record; if their record holds
another id, the row is an error. `co_mat` (present) and `dat` (passed the post-test) take
1/0, có/không or x/blank; a blank `dat` means no post-test result. Two optional columns
carry the knowledge-gain scores, whole numbers from 0 to 100: `diem_truoc` (pre-test) and
`diem_sau` (post-test); a blank cell, or a file without the column, leaves the score already
recorded as it is, and a score outside 0-100 is an error of its row. Importing the same file
again changes nothing.

Attendance belongs to a held session: the rows of a cancelled session are left out with a
warning (the rest of the file imports); a row of a session still planned is an error that
says to mark the session held first.

Every row is checked first, against the sessions and people the file names, read in a few
queries for the whole file (not one per row); the file is written, in one transaction and
through `attendance_mark` (so counters and completions follow), only if no row has an error.
With `province_code` (a province admin's file), a session or a person outside that 2025
province gets the one answer that names no one and no place, as in the cadre import.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, NamedTuple

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from courses.registry.imports import PROGRESS_EVERY
from courses.registry.models import Cadre
from courses.registry.services import cadre_id_assign
from courses.sessions.models import Attendance, SessionStatus, TrainingSession
from courses.sessions.services import attendance_mark
from lms.spreadsheet import (
    ErrorList,
    ImportFileError,
    ImportResult,
    LabelMatcher,
    ProgressCallback,
    Row,
    WarningList,
    normalise_phone,
    read_rows,
)
from lms.spreadsheet_limits import InlineBudget

COLUMNS = ["ma_buoi", "ma_can_bo", "so_dien_thoai", "co_mat", "dat"]
REQUIRED = ["ma_buoi"]
OPTIONAL = ["diem_truoc", "diem_sau"]
# Keys per query when the file's sessions and people are read (well below any backend's
# limit on parameters).
CHUNK = 500

FLAGS = LabelMatcher(
    {
        "1": ["x", "có", "yes", "true", "đạt", "có mặt"],
        "0": ["không", "no", "false", "không đạt", "vắng"],
    }
)
# check() says so of a row that a warning leaves out.
SKIP = "skip"


def parse_flag(text: str) -> bool | None:
    """1/có/x -> True, 0/không -> False, blank -> False; None when not understood."""
    if not text:
        return False
    value = FLAGS.match(text)
    if value is None:
        return None
    return value == "1"


def parse_score(text: str) -> int | None | str:
    """A score cell: "" -> None (keep what is recorded), a whole number from 0 to 100 (a
    trailing ".0" from a spreadsheet accepted) -> that number; anything else -> "bad"."""
    text = text.strip().replace(",", ".")
    if not text:
        return None
    if text.endswith(".0"):
        text = text[:-2]
    if not text.isdigit() or not 0 <= int(text) <= 100:
        return "bad"
    return int(text)


class Person(NamedTuple):
    id: int
    ma_can_bo: str | None
    phone: str
    full_name: str
    birth_year: int | None
    province_2025: str


PERSON_FIELDS = list(Person._fields)


def _chunks(values: set[str]):
    ordered = sorted(values)
    for start in range(0, len(ordered), CHUNK):
        yield ordered[start : start + CHUNK]


class _Checker:
    def __init__(
        self,
        errors: ErrorList,
        *,
        warnings: WarningList | None = None,
        labels: dict | None = None,
        province_code: str | None = None,
    ):
        self.errors = errors
        self.warnings = warnings if warnings is not None else WarningList()
        self.labels = labels if labels is not None else {}
        # Only the rows whose reasons are kept need their label.
        self.label_limit = self.errors.limit + self.warnings.limit
        self.province_code = province_code
        self.sessions: dict[str, TrainingSession] = {}
        self.by_ma: dict[str, Person] = {}
        self.by_phone: dict[str, list[Person]] = {}
        self.phones: dict[str, str | None] = {}  # cell -> normalised phone
        self.seen: dict[tuple[int, int], int] = {}
        # Cadre ids this file stores on people registered without one.
        self.id_for: dict[int, tuple[str, int]] = {}  # person -> (id, first row)
        self.owner_of: dict[str, tuple[int, int]] = {}  # id -> (person, first row)
        self.refused: set[int] = set()  # rows given the out-of-scope answer
        self.out_of_scope = _(
            "This person cannot be imported here; please contact the central administrator."
        )

    # -- everything the file names, read once ----------------------------------------------------

    def phone(self, text: str) -> str | None:
        if text not in self.phones:
            self.phones[text] = normalise_phone(text)
        return self.phones[text]

    def load(self, rows: list[Row]) -> None:
        codes = {row.values["ma_buoi"] for row in rows} - {""}
        ids = {row.values["ma_can_bo"] for row in rows} - {""}
        phones = {self.phone(row.values["so_dien_thoai"]) for row in rows} - {None}
        for chunk in _chunks(codes):
            for session in TrainingSession.objects.filter(code__in=chunk).select_related(
                "course", "unit"
            ):
                self.sessions[session.code] = session
        for chunk in _chunks(ids):
            for values in Cadre.objects.filter(ma_can_bo__in=chunk).values_list(*PERSON_FIELDS):
                person = Person(*values)
                self.by_ma[person.ma_can_bo] = person
        for chunk in _chunks(phones):
            people = Cadre.objects.filter(phone__in=chunk).order_by("pk")
            for values in people.values_list(*PERSON_FIELDS):
                person = Person(*values)
                self.by_phone.setdefault(person.phone, []).append(person)

    def _refuse(self, n: int) -> None:
        """The one answer to a row that reaches outside the scope, whatever the reason."""
        self.errors.add(n, "", self.out_of_scope)
        self.refused.add(n)

    def _outside(self, province_2025: str) -> bool:
        return bool(self.province_code) and province_2025 != self.province_code

    # -- one row -------------------------------------------------------------------------------

    def _by_phone(self, n: int, phone: str) -> list[Person] | None:
        """The people in scope with this phone; None (after the out-of-scope answer) when
        only people outside the scope have it."""
        everyone = self.by_phone.get(phone, [])
        found = [p for p in everyone if not self._outside(p.province_2025)]
        if not found and everyone:
            self._refuse(n)
            return None
        return found

    def person(self, row: Row) -> Person | None:
        n, v, add = row.number, row.values, self.errors.add
        ma = v["ma_can_bo"]
        if ma and ma in self.by_ma:
            person = self.by_ma[ma]
            if self._outside(person.province_2025):
                self._refuse(n)
                return None
            return person
        if not v["so_dien_thoai"]:
            if ma:
                add(n, "ma_can_bo", _(
                    "No one in the registry has this cadre id. Give the person's phone "
                    "number too, to find them by it."
                ))  # fmt: skip
            else:
                add(n, "ma_can_bo", _("Give the cadre id (ma_can_bo) or the phone number."))
            return None
        phone = self.phone(v["so_dien_thoai"])
        if phone is None:
            add(n, "so_dien_thoai", _("Invalid phone number."))
            return None
        found = self._by_phone(n, phone)
        if found is None:
            return None
        if not found:
            if ma:
                add(n, "ma_can_bo", _("No one in the registry has this cadre id or this phone "
                                      "number."))  # fmt: skip
            else:
                add(n, "so_dien_thoai", _("No one in the registry has this phone number."))
            return None
        if len(found) > 1:
            if ma:
                add(n, "so_dien_thoai", _(
                    "No one in the registry has this cadre id, and several people have this "
                    "phone number: check the cadre id."
                ))  # fmt: skip
            else:
                add(n, "so_dien_thoai", _(
                    "Several people in the registry have this phone number: give the cadre id."
                ))  # fmt: skip
            return None
        person = found[0]
        if ma and not self._take_id(n, ma, person):
            return None
        return person

    def _take_id(self, n: int, ma: str, person: Person) -> bool:
        """A cadre id unknown to the registry, for the one person with the row's phone:
        stored on their record if it holds none (a warning); an error if it holds another
        one, or if the file gives the id to two people or two ids to one person."""
        add = self.errors.add
        if person.ma_can_bo:
            add(n, "ma_can_bo", _(
                "No one in the registry has this cadre id, and the person with this phone "
                "number (%(name)s) is registered with the cadre id %(other)s."
            ) % {"name": person.full_name, "other": person.ma_can_bo})  # fmt: skip
            return False
        owner = self.owner_of.get(ma)
        if owner is not None and owner[0] != person.id:
            add(n, "ma_can_bo", _("Row %(row)s gives this cadre id to another person.")
                % {"row": owner[1]})  # fmt: skip
            return False
        given = self.id_for.get(person.id)
        if given is not None and given[0] != ma:
            add(n, "ma_can_bo", _("Row %(row)s gives this person another cadre id (%(other)s).")
                % {"row": given[1], "other": given[0]})  # fmt: skip
            return False
        self.owner_of.setdefault(ma, (person.id, n))
        self.id_for.setdefault(person.id, (ma, n))
        born = f" ({person.birth_year})" if person.birth_year else ""
        self.warnings.add(n, "ma_can_bo", _(
            "No one in the registry had the cadre id %(id)s; the person was found by phone "
            "number: %(name)s%(born)s. The cadre id is stored on their record."
        ) % {"id": ma, "name": person.full_name, "born": born})  # fmt: skip
        return True

    def check(self, row: Row) -> tuple | str | None:
        """The values to write; SKIP for a row a warning leaves out; None for a bad row."""
        n, v, add = row.number, row.values, self.errors.add
        before, warned = len(self.errors), len(self.warnings)
        session = None
        if not v["ma_buoi"]:
            add(n, "ma_buoi", _("This column must not be empty."))
        else:
            session = self.sessions.get(v["ma_buoi"])
            if session is None:
                add(n, "ma_buoi", _("No session has this code: import the sessions first."))
            elif self._outside(session.province_2025):
                self._refuse(n)
                self._remember(n, None, None, v)
                return None
            elif session.status == SessionStatus.CANCELLED:
                self.warnings.add(n, "ma_buoi", _(
                    "This session was cancelled: the row is left out."
                ))  # fmt: skip
                self._remember(n, None, session, v)
                return SKIP
            elif session.status == SessionStatus.PLANNED:
                add(n, "ma_buoi", _(
                    "This session is still planned: mark it held first (status “held”), then "
                    "import its attendance."
                ))  # fmt: skip
        person = self.person(row)
        present = parse_flag(v["co_mat"])
        if present is None:
            add(n, "co_mat", _("Write 1 or 0, có or không, or x or leave it empty."))
        passed = parse_flag(v["dat"]) if v["dat"] else None
        if v["dat"] and passed is None:
            add(n, "dat", _("Write 1 or 0, có or không, or x or leave it empty."))
        if passed and present is False:
            add(n, "dat", _("A person who was not present cannot have passed the post-test."))
        scores = {}
        for column in OPTIONAL:
            scores[column] = parse_score(v.get(column, ""))
            if scores[column] == "bad":
                add(n, column, _("Write a whole number from 0 to 100, or leave it empty."))
        if session is not None and person is not None:
            key = (session.pk, person.id)
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
        if len(self.errors) > before or len(self.warnings) > warned:
            self._remember(n, person, session, v)
        if len(self.errors) > before:
            return None
        return session, person, present, passed, scores["diem_truoc"], scores["diem_sau"]

    def _remember(self, n: int, person: Person | None, session, v: dict) -> None:
        """What the report shows next to this row's reasons: the person (or, not found, the
        id or phone the row gives) and the session with its unit; nothing for a row that
        reaches outside the importer's scope."""
        if len(self.labels) >= self.label_limit:
            return
        if n in self.refused:
            self.labels[n] = ("", "")
            return
        name = person.full_name if person is not None else (v["ma_can_bo"] or v["so_dien_thoai"])
        where = ""
        if session is not None and not self._outside(session.province_2025):
            where = f"{session.code} — {session.unit.name}"
        self.labels[n] = (name, where)


def attendance_file_import(
    source: str | Path | IO[bytes],
    *,
    name: str,
    dry_run: bool = False,
    by=None,
    province_code: str | None = None,
    progress: ProgressCallback | None = None,
    budget: InlineBudget | None = None,
) -> ImportResult:
    """Check every row of an attendance file and, unless `dry_run` or any row has an error,
    write them all in one transaction (the rows of cancelled sessions left out, with a
    warning). `province_code` (a 2025 province) limits the file to that province's sessions
    and people; `progress` hears the rows read so far."""
    result = ImportResult(dry_run=dry_run)
    errors = result.errors
    checker = _Checker(
        errors, warnings=result.warnings, labels=result.labels, province_code=province_code
    )
    rows: list[Row] = []
    checked = []
    try:
        for row in read_rows(
            source, name=name, columns=COLUMNS, required=REQUIRED, optional=OPTIONAL,
            errors=errors, budget=budget,
        ):  # fmt: skip
            result.rows += 1
            rows.append(row)
            if progress is not None and result.rows % PROGRESS_EVERY == 0:
                progress(result.rows)
    except ImportFileError as exc:
        errors.add(0, "", str(exc))
    if progress is not None:
        progress(result.rows)
    if not errors:
        checker.load(rows)
        for row in rows:
            values = checker.check(row)
            if values == SKIP:
                result.skipped += 1
            elif values is not None:
                checked.append(values)
    if not errors and result.rows == 0:
        errors.add(0, "", _("The file has a header but no rows."))
    if errors:
        return result
    existing = {
        (a.session_id, a.cadre_id): a
        for a in Attendance.objects.filter(
            session_id__in={values[0].pk for values in checked},
            cadre_id__in={values[1].id for values in checked},
        )
    }
    plan = []
    for session, person, present, passed, pre, post in checked:
        current = existing.get((session.pk, person.id))
        # A blank score cell keeps the score already recorded.
        if current is not None:
            pre = current.pre_test_score if pre is None else pre
            post = current.post_test_score if post is None else post
        if current is None:
            result.created += 1
        elif (current.present, current.passed, current.pre_test_score,
              current.post_test_score) != (present, passed, pre, post):  # fmt: skip
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        plan.append((session, person.id, present, passed, pre, post))
    if dry_run:
        return result
    cadres = Cadre.objects.in_bulk({values[1] for values in plan})
    try:
        with transaction.atomic():
            for pk, (ma, _row) in checker.id_for.items():
                cadre_id_assign(cadre_id=pk, ma_can_bo=ma)
            for session, pk, present, passed, pre, post in plan:
                attendance_mark(
                    session=session, cadre=cadres[pk], present=present, passed=passed,
                    score=post, pre_score=pre, by=by,
                )  # fmt: skip
    except (IntegrityError, ValidationError):
        # Someone took the id, or changed a session, since the file was checked: nothing
        # was written; the reasons may concern people outside the scope, so they stay out.
        result.created = result.updated = result.unchanged = 0
        errors.add(0, "", _("The register changed while the file was imported; try again."))
        return result
    result.written = True
    return result
