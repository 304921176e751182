"""The cadre list import: columns, accepted labels, row checks, matching people, consent,
and the all-or-nothing write.

A file states its structure (2023 or 2025): its unit codes are looked up in that structure
only (courses/registry/unit_codes.py), and every person gets the place of their unit in both
structures, so a 2023 file and a 2025 file land side by side in the same register.

Matching people. A row is the registered person with its cadre id, else its phone, else its
email, else its name key (name without diacritics, birth year, unit). Namesakes are common
in ethnic-minority communes, so the name key never joins two records whose cadre id, phone
or email are both given and differ: those are two people, imported as such with a warning
("có thể trùng") that names both rows, or the row and the registered person. The same cadre
id, phone or email twice in one file, or the name key twice with nothing to tell the two
apart, is an error. Errors refuse the whole file; warnings are reported and the file is
written with them.

Consent. Ethnicity is sensitive: it is stored only for a person who consented. A file may
carry the date each person signed the province's paper consent form (`ngay_dong_y`); those
dates count only when the importer attests the notice version they signed
(`consent_notice_version`), and are then recorded as paper consent attested by the
importer. Without consent, the row is imported with its ethnicity left out (a warning).

Built for 40,000-row files: every lookup (units, existing cadres) is loaded once into dicts,
rows are checked without a query, and the writes are plain SQL in batches inside one
transaction.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.registry.models import (
    Cadre,
    ConsentAction,
    ConsentMethod,
    ConsentRecord,
    Level,
    Sex,
    TargetGroup,
    UnitLevel,
    UnitStructure,
)
from courses.registry.models.cadres import ETHNIC_GROUPS, NOT_STATED, name_key
from courses.registry.models.places import undecided_changed
from courses.registry.privacy import notice_version_current
from courses.registry.unit_codes import CodeUnit, PlacedImportResult, UnitCodes, UnitTally
from lms.spreadsheet import (
    ErrorList,
    ImportFileError,
    LabelMatcher,
    ProgressCallback,
    Row,
    WarningList,
    normalise_email,
    normalise_phone,
    parse_date,
    read_rows,
)
from lms.spreadsheet_limits import InlineBudget
from lms.text import name_problem

COLUMNS = [
    "ma_can_bo",
    "ho_ten",
    "gioi_tinh",
    "nam_sinh",
    "dan_toc",
    "nhom_doi_tuong",
    "cap",
    "co_quan",
    "ma_don_vi_hanh_chinh",
    "so_dien_thoai",
    "email",
]
REQUIRED = ["ho_ten", "gioi_tinh", "nhom_doi_tuong", "cap", "ma_don_vi_hanh_chinh"]
# Columns a file may leave out: the date the person signed the paper consent form.
OPTIONAL_COLUMNS = ["ngay_dong_y"]
# The template shows every column, the optional ones last.
TEMPLATE_COLUMNS = [*COLUMNS, *OPTIONAL_COLUMNS]
# Consent forms of the programme (2021-2030) are not older than its start.
FIRST_CONSENT_DATE = datetime.date(2021, 1, 1)

# Labels accepted in a file for each stored value (diacritics, case and punctuation are
# ignored, so "Trưởng thôn, bản", "truong_thon_ban" and "TRUONG THON BAN" are the same). The
# first label is the one the README and the template show.
SEX_LABELS = {
    Sex.FEMALE: ["Nữ", "female", "f"],
    Sex.MALE: ["Nam", "male", "m"],
}
TARGET_GROUP_LABELS = {
    TargetGroup.LEADER: ["Lãnh đạo", "Cán bộ lãnh đạo"],
    TargetGroup.KEY_CADRE: ["Cán bộ chủ chốt", "Chủ chốt"],
    TargetGroup.VILLAGE_HEAD: ["Trưởng thôn, bản", "Trưởng thôn", "Trưởng bản"],
    TargetGroup.PRESTIGIOUS: ["Người có uy tín", "Người uy tín"],
    TargetGroup.WU_OFFICER: ["Cán bộ Hội Phụ nữ", "Cán bộ Hội LHPN", "Hội Phụ nữ"],
    TargetGroup.OTHER: ["Khác"],
}
LEVEL_LABELS = {
    Level.PROVINCE: ["Tỉnh", "Cấp tỉnh", "Tỉnh, thành phố"],
    Level.DISTRICT: ["Huyện", "Cấp huyện", "Quận, huyện", "Quận"],
    Level.COMMUNE: ["Xã", "Cấp xã", "Xã, phường", "Phường", "Thị trấn"],
    Level.VILLAGE: ["Thôn, bản", "Thôn", "Bản", "Cấp thôn", "Tổ dân phố"],
}
ETHNICITY_ALIASES = {
    "01": ["Việt"],
    "05": ["Khmer", "Khơ Me"],
    "08": ["Mông", "H'Mông", "Hmong", "Mèo"],
    "12": ["Ê Đê", "Rađê"],
    "10": ["Jrai"],
    "13": ["Bahnar"],
}
ETHNICITY_LABELS = {
    code: [name, str(int(code)), *ETHNICITY_ALIASES.get(code, [])] for code, name in ETHNIC_GROUPS
}
NOT_STATED_LABELS = ["Không xác định", "Không nêu", "Không rõ", "not stated", "-"]

SEX = LabelMatcher(SEX_LABELS)
TARGET_GROUP = LabelMatcher(TARGET_GROUP_LABELS)
LEVEL = LabelMatcher(LEVEL_LABELS)
ETHNICITY = LabelMatcher({**ETHNICITY_LABELS, NOT_STATED: NOT_STATED_LABELS})

# The unit level a person of each level gives the code of.
UNIT_LEVEL_FOR = {
    Level.PROVINCE: {UnitLevel.PROVINCE},
    Level.DISTRICT: {UnitLevel.DISTRICT},
    Level.COMMUNE: {UnitLevel.COMMUNE},
    Level.VILLAGE: {UnitLevel.COMMUNE, UnitLevel.VILLAGE},
}
CODE_DIGITS = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5, Level.VILLAGE: 5}

MIN_BIRTH_YEAR = 1930
MIN_AGE = 15
BATCH = 2000
PROGRESS_EVERY = 1000

# The template's example rows, with real codes of each structure: Phường Phúc Xá (00001) and
# Xã Mường Nhé (03160) in 2023; Phường Ba Đình (00004) and Xã Nghĩa Đô (02953) in 2025.
EXAMPLE_ROWS = {
    UnitStructure.S2023: [
        ["HN-0001", "Nguyễn Thị Hoa", "Nữ", "1985", "Kinh", "Cán bộ chủ chốt", "Xã",
         "Hội LHPN phường Phúc Xá", "00001", "0912345678", "hoa.nguyen@example.vn",
         "15/03/2024"],
        ["", "Lò Văn Páo", "Nam", "1970", "Thái", "Trưởng thôn, bản", "Thôn, bản",
         "Bản Na Sang", "03160", "", "", ""],
    ],
    UnitStructure.S2025: [
        ["HN-0001", "Nguyễn Thị Hoa", "Nữ", "1985", "Kinh", "Cán bộ chủ chốt", "Xã",
         "Hội LHPN phường Ba Đình", "00004", "0912345678", "hoa.nguyen@example.vn",
         "15/03/2026"],
        ["", "Hoàng Văn Páo", "Nam", "1970", "Tày", "Trưởng thôn, bản", "Thôn, bản",
         "Thôn Nghĩa Đô", "02953", "", "", ""],
    ],
}  # fmt: skip


def max_birth_year() -> int:
    return timezone.localdate().year - MIN_AGE


def choices_text(labels: dict) -> str:
    return ", ".join(values[0] for values in labels.values())


class Existing(NamedTuple):
    id: int
    ma_can_bo: str | None
    full_name: str
    name_key: str
    sex: str
    birth_year: int | None
    ethnicity: str
    target_group: str
    level: str
    agency: str
    unit_id: int | None
    province_2025: str
    commune_2025: str
    phone: str
    email: str
    consent_at: datetime.datetime | None
    consent_notice_version: str
    consent_method: str
    consent_attested_by_id: int | None


EXISTING_FIELDS = list(Existing._fields)
CONSENT_FIELDS = [
    "consent_at", "consent_notice_version", "consent_method", "consent_attested_by_id",
]  # fmt: skip
WRITE_FIELDS = [
    "ma_can_bo", "full_name", "name_key", "sex", "birth_year", "ethnicity", "target_group",
    "level", "agency", "unit_id", "province_code", "district_code", "commune_code",
    "province_2025", "commune_2025", "phone", "email", *CONSENT_FIELDS,
]  # fmt: skip
COMPARE_FIELDS = [
    "ma_can_bo", "full_name", "sex", "birth_year", "ethnicity", "target_group", "level",
    "agency", "unit_id", "phone", "email", *CONSENT_FIELDS,
]  # fmt: skip
STRONG_KEYS = ("ma", "phone", "email")


@dataclass
class CadreImportResult(PlacedImportResult):
    """A cadre import's result, with what it did about consent: the people whose paper
    consent it records, and the rows whose ethnicity it leaves out for want of consent."""

    consent_notice_version: str = ""
    consent_recorded: int = 0
    ethnicity_withheld: int = 0

    def summary(self) -> dict:
        return {
            **super().summary(),
            "consent_notice_version": self.consent_notice_version,
            "consent_recorded": self.consent_recorded,
            "ethnicity_withheld": self.ethnicity_withheld,
        }


logger = logging.getLogger(__name__)


def _differs(one: tuple[str, str, str], other: tuple[str, str, str]) -> str | None:
    """The first strong key (cadre id, phone, email) that both sides give and that differs,
    or None: a different one on both sides means two people, whatever their names."""
    for kind, mine, theirs in zip(STRONG_KEYS, one, other, strict=True):
        if mine and theirs and mine != theirs:
            return kind
    return None


def _strong(person: Existing) -> tuple[str, str, str]:
    return (person.ma_can_bo or "", person.phone or "", (person.email or "").lower())


def _consent_moment(day: datetime.date) -> datetime.datetime:
    """The start of the day the form was signed, in the project's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def load_existing() -> list[Existing]:
    return [
        Existing(*row)
        for row in Cadre.objects.order_by("pk").values_list(*EXISTING_FIELDS).iterator(5000)
    ]


class _Checker:
    """Turns rows into the values to write, adding errors; remembers who was seen.

    With a province scope, only the people of that province can be matched; of everyone
    else the checker keeps only the keys (cadre ids, phones, e-mails), to refuse a row that
    carries one. Such a row, like a row of a unit outside the province, gets one message
    that names no one and no place (`out_of_scope`), in no particular column: the preview
    must not tell a province admin where, or as whom, a phone or an id is registered."""

    def __init__(
        self,
        *,
        errors: ErrorList,
        province_code: str | None,
        structure: str,
        warnings: WarningList | None = None,
        labels: dict | None = None,
        consent_notice_version: str = "",
        attested_by_id: int | None = None,
    ):
        self.errors = errors
        self.warnings = warnings if warnings is not None else WarningList()
        self.labels = labels if labels is not None else {}
        # Only the rows whose reasons are kept need their label (a file of a million bad
        # rows must not hold a million of them), and a unit's text is built once.
        self.label_limit = self.errors.limit + self.warnings.limit
        self.unit_texts: dict[str, str] = {}
        self.consent_version = consent_notice_version
        self.attested_by_id = attested_by_id
        self.consent_recorded = 0
        self.ethnicity_withheld = 0
        self.unattested_dates = False
        self.province_code = province_code
        self.units = UnitCodes(structure)
        self.tally = UnitTally(self.units)
        self.by_ma: dict[str, Existing] = {}
        self.by_phone: dict[str, Existing] = {}
        self.by_email: dict[str, Existing] = {}
        # Namesakes: several registered people may share a name key.
        self.by_identity: dict[tuple, list[Existing]] = {}
        self.outside_ma: set[str] = set()
        self.outside_phones: set[str] = set()
        self.outside_emails: set[str] = set()
        for person in load_existing():
            if province_code and person.province_2025 != province_code:
                if person.ma_can_bo:
                    self.outside_ma.add(person.ma_can_bo)
                if person.phone:
                    self.outside_phones.add(person.phone)
                if person.email:
                    self.outside_emails.add(person.email.lower())
                continue
            if person.ma_can_bo:
                self.by_ma.setdefault(person.ma_can_bo, person)
            if person.phone:
                self.by_phone.setdefault(person.phone, person)
            if person.email:
                self.by_email.setdefault(person.email.lower(), person)
            self.by_identity.setdefault(
                (person.name_key, person.birth_year, person.unit_id), []
            ).append(person)
        self.seen: dict[tuple, int] = {}  # (key kind, key) -> first row number
        # name key -> [(row number, (its cadre id, phone, email), the registered person it
        # matched or None)], the rows seen so far
        self.seen_identity: dict[tuple, list[tuple[int, tuple[str, str, str], int | None]]] = {}
        self.max_year = max_birth_year()
        self.today = timezone.localdate()
        # Translated once: a file of bad rows asks for them on every row.
        self.required = _("Required.")
        # The one answer to a row that reaches outside the scope, whatever the reason.
        self.out_of_scope = _(
            "This person cannot be imported here; please contact the central administrator."
        )
        self.key_labels = {
            "ma": (_("cadre id"), "ma_can_bo"),
            "phone": (_("phone number"), "so_dien_thoai"),
            "email": (_("email"), "email"),
            "identity": (_("name, birth year and unit"), "ho_ten"),
            "existing": (_("registered person"), "ho_ten"),
        }
        self.withheld = _(
            "No consent is recorded for this person: their ethnicity is not stored (it "
            "counts as not stated). Give the date they signed the consent form in "
            "ngay_dong_y and attest the notice version to store it."
        )
        self.bad_date = _("Invalid date: write it as DD/MM/YYYY or YYYY-MM-DD.")

    # -- one row ----------------------------------------------------------------------------

    def check(self, row: Row) -> tuple[dict | None, Existing | None]:
        v = row.values
        n = row.number
        add = self.errors.add
        before = len(self.errors)
        warned_before = len(self.warnings)

        for column in REQUIRED:
            if not v[column]:
                add(n, column, self.required)

        ma = v["ma_can_bo"] or None
        if ma and len(ma) > 50:
            add(n, "ma_can_bo", _("Too long (at most %(max)s characters).") % {"max": 50})
        full_name = v["ho_ten"]
        if len(full_name) > 200:
            add(n, "ho_ten", _("Too long (at most %(max)s characters).") % {"max": 200})
        elif full_name and not any(ch.isalpha() for ch in full_name):
            add(n, "ho_ten", _("A name must contain letters."))
        elif problem := name_problem(full_name):
            add(n, "ho_ten", problem)
        key = name_key(full_name)

        sex = self._label(n, "gioi_tinh", v["gioi_tinh"], SEX, SEX_LABELS)
        target_group = self._label(
            n, "nhom_doi_tuong", v["nhom_doi_tuong"], TARGET_GROUP, TARGET_GROUP_LABELS
        )
        level = self._label(n, "cap", v["cap"], LEVEL, LEVEL_LABELS)

        birth_year = None
        if v["nam_sinh"]:
            try:
                birth_year = int(float(v["nam_sinh"].replace(",", ".")))
                if str(birth_year) not in v["nam_sinh"]:
                    raise ValueError
            except (ValueError, OverflowError):  # "abc", or "inf" which float() accepts
                birth_year = None
            if birth_year is None or not MIN_BIRTH_YEAR <= birth_year <= self.max_year:
                add(n, "nam_sinh", _("Birth year must be a year between %(min)s and %(max)s.")
                    % {"min": MIN_BIRTH_YEAR, "max": self.max_year})  # fmt: skip
                birth_year = None

        ethnicity = None  # None: not given, keep what is stored
        if v["dan_toc"]:
            ethnicity = ETHNICITY.match(v["dan_toc"])
            if ethnicity is None:
                add(n, "dan_toc", _("Unknown ethnic group “%(value)s”: give its name or its "
                                    "code (01 to 54).") % {"value": v["dan_toc"]})  # fmt: skip

        agency = v["co_quan"]
        if len(agency) > 255:
            add(n, "co_quan", _("Too long (at most %(max)s characters).") % {"max": 255})

        outside = False  # the row reaches outside the import's scope
        unit = None
        code = v["ma_don_vi_hanh_chinh"]
        if level == Level.DISTRICT and not self.units.has_districts:
            add(n, "cap", self.units.no_districts_message())
        elif code:
            written = code
            if code.isdigit() and level in CODE_DIGITS:
                code = code.zfill(CODE_DIGITS[level])
            unit, reason = self.units.lookup(code, written=written)
            if unit is None:
                add(n, "ma_don_vi_hanh_chinh", reason)
            elif level and unit.level not in UNIT_LEVEL_FOR[level]:
                # Option labels are capitalised; inside the sentence they are not.
                expected = str(UnitLevel(sorted(UNIT_LEVEL_FOR[level])[0]).label).lower()
                add(n, "ma_don_vi_hanh_chinh", _(
                    "A person at level “%(level)s” gives the code of their %(expected)s, "
                    "but %(code)s is a %(actual)s."
                ) % {"level": Level(level).label, "expected": expected, "code": code,
                     "actual": str(UnitLevel(unit.level).label).lower()})  # fmt: skip
            elif self.province_code and unit.province_2025 != self.province_code:
                outside = True

        phone = ""
        if v["so_dien_thoai"]:
            phone = normalise_phone(v["so_dien_thoai"]) or ""
            if not phone:
                add(n, "so_dien_thoai", _("Not a Vietnamese phone number (for example "
                                          "0912345678 or 02431234567)."))  # fmt: skip
        email = ""
        if v["email"]:
            email = normalise_email(v["email"]) or ""
            if not email:
                add(n, "email", _("Not a valid email address."))

        consent_day = None
        if v["ngay_dong_y"]:
            consent_day = parse_date(v["ngay_dong_y"])
            if consent_day is None:
                add(n, "ngay_dong_y", self.bad_date)
            elif not FIRST_CONSENT_DATE <= consent_day <= self.today:
                add(n, "ngay_dong_y", _("A consent date lies between %(first)s and today.")
                    % {"first": FIRST_CONSENT_DATE.strftime("%d/%m/%Y")})  # fmt: skip
                consent_day = None
            elif not self.consent_version:
                self.unattested_dates = True
                consent_day = None

        strong = (ma or "", phone, email)
        # The same cadre id, phone or email twice in the file: the same person twice.
        duplicate = False
        for kind, value in zip(STRONG_KEYS, strong, strict=True):
            if not value:
                continue
            first = self.seen.setdefault((kind, value), n)
            if first != n:
                label, column = self.key_labels[kind]
                add(n, column, _("The same person as row %(row)s (same %(key)s).")
                    % {"row": first, "key": label})  # fmt: skip
                duplicate = True
                break
        # The same name key: the same person, unless a strong key tells them apart.
        identity = (key, birth_year, unit.id) if key and unit is not None else None
        earlier = None
        pairs = []  # (earlier row, the key that tells them apart, its registered match)
        if identity is not None and not duplicate:
            earlier = self.seen_identity.setdefault(identity, [])
            for other, other_strong, other_match in earlier:
                kind = _differs(strong, other_strong)
                if kind is None:
                    add(n, "ho_ten", _("The same person as row %(row)s (same %(key)s).")
                        % {"row": other, "key": self.key_labels["identity"][0]})  # fmt: skip
                    break
                pairs.append((other, kind, other_match))

        if (
            (ma and ma in self.outside_ma)
            or (phone and phone in self.outside_phones)
            or (email and email in self.outside_emails)
        ):
            outside = True
        if outside:
            add(n, "", self.out_of_scope)
            self._remember(n, full_name, None, v)
            if earlier is not None:
                earlier.append((n, strong, None))
            return None, None

        match = None
        namesakes: list[Existing] = []  # registered, with a strong key that differs
        if ma and ma in self.by_ma:
            match = self.by_ma[ma]
        elif phone and phone in self.by_phone:
            match = self.by_phone[phone]
        elif email and email in self.by_email:
            match = self.by_email[email]
        elif identity is not None and identity in self.by_identity:
            same = []
            for person in self.by_identity[identity]:
                if _differs(strong, _strong(person)) is None:
                    same.append(person)
                else:
                    namesakes.append(person)
            if len(same) == 1:
                match = same[0]
            elif same:
                add(n, "ho_ten", _(
                    "Several registered people have this name, birth year and unit: give "
                    "the cadre id, phone number or email of the one this row is about."
                ))  # fmt: skip
                namesakes = []
        if match is not None:
            first = self.seen.setdefault(("existing", match.id), n)
            if first != n and len(self.errors) == before:
                add(n, "ho_ten", _("The same person as row %(row)s (same %(key)s).")
                    % {"row": first, "key": self.key_labels["existing"][0]})  # fmt: skip
            if ma and match.ma_can_bo and match.ma_can_bo != ma:  # someone in scope
                add(n, "ma_can_bo", _("This person is already registered with the cadre id "
                                      "%(other)s.") % {"other": match.ma_can_bo})  # fmt: skip
        for person in namesakes:
            self._namesake_warning(n, strong, person)
        if earlier is not None:
            earlier.append((n, strong, match.id if match is not None else None))
        for other, kind, other_match in pairs:
            if match is not None and other_match is not None:
                continue  # two people registered as such already (a file imported again)
            self.warnings.add(n, "ho_ten", _(
                "Two people who may be duplicates: rows %(other)s and %(row)s have the "
                "same name, birth year and unit but a different %(key)s, so they are "
                "imported as two people."
            ) % {"other": other, "row": n, "key": self.key_labels[kind][0]})  # fmt: skip

        # Consent: the person's own, or the paper form this file gives a date for.
        consented = match is not None and match.consent_at is not None
        consent_at = None
        if consent_day is not None and not consented:
            consent_at = _consent_moment(consent_day)
        if ethnicity not in (None, NOT_STATED) and not (consented or consent_at):
            self.warnings.add(n, "dan_toc", self.withheld)
            self.ethnicity_withheld += 1
            ethnicity = None  # not stored: a new person's is "not stated"

        if len(self.errors) != before:
            self._remember(n, full_name, unit, v)
            return None, None
        if warned_before != len(self.warnings):
            self._remember(n, full_name, unit, v)
        if consent_at is not None:
            self.consent_recorded += 1
        self.tally.add(unit, n)
        values = {
            "ma_can_bo": ma,
            "full_name": full_name,
            "name_key": key,
            "sex": sex,
            "birth_year": birth_year,
            "ethnicity": ethnicity,
            "target_group": target_group,
            "level": level,
            "agency": agency,
            "unit": unit,
            "phone": phone,
            "email": email,
            "consent_at": consent_at,
        }
        return values, match

    def _namesake_warning(self, n: int, strong: tuple, person: Existing) -> None:
        """The row and a registered person share the name key but not a strong key: a new
        person, and a warning that says which registered one it may duplicate (in scope:
        the checker only matches people of the importer's province)."""
        kind = _differs(strong, _strong(person))
        label = self.key_labels[kind][0]
        if person.ma_can_bo:
            who = _("cadre id %(id)s") % {"id": person.ma_can_bo}
        elif person.phone:
            who = _("phone number ending in %(digits)s") % {"digits": person.phone[-3:]}
        else:
            who = _("registered without cadre id or phone number")
        self.warnings.add(n, "ho_ten", _(
            "A person who may be a duplicate of one already registered (%(who)s): the same "
            "name, birth year and unit but a different %(key)s, so this row is imported as a "
            "new person."
        ) % {"who": who, "key": label})  # fmt: skip

    def _remember(self, n: int, name: str, unit: CodeUnit | None, v: dict) -> None:
        """The name and unit the report shows next to this row's reasons. A unit outside
        the importer's scope is left out: the report names no other province."""
        if len(self.labels) >= self.label_limit:
            return
        if unit is not None:
            if self.province_code and unit.province_2025 != self.province_code:
                text = ""
            else:
                text = self.unit_texts.get(unit.code)
                if text is None:
                    text = self.unit_texts[unit.code] = f"{unit.code} — {self.units.label(unit)}"
        elif self.province_code:
            text = ""
        else:
            text = v["ma_don_vi_hanh_chinh"]
        self.labels[n] = (name, text)

    def file_warnings(self) -> None:
        """The warnings of the file as a whole, once the rows are read."""
        if self.unattested_dates:
            self.warnings.add(0, "ngay_dong_y", _(
                "The file gives consent dates (ngay_dong_y) but the notice version was not "
                "attested: no consent was recorded, and ethnicity is stored only for people "
                "who had consented before."
            ))  # fmt: skip

    def _label(self, n, column, text, matcher, labels) -> str | None:
        if not text:
            return None
        value = matcher.match(text)
        if value is None:
            self.errors.add(n, column, _("Unknown value “%(value)s”. Accepted: %(choices)s.")
                            % {"value": text, "choices": choices_text(labels)})  # fmt: skip
        return value


def _merged(values: dict, match: Existing | None, consent: dict) -> dict:
    """The stored values after this row: blank optional cells keep what is stored. The place
    columns are the unit's in both structures (a 2025 unit has blank 2023 codes); a person
    who stays in a split 2023 commune keeps the 2025 commune an admin picked for them. A
    consent the file records (`consent`: how, which notice, attested by whom) is added to a
    person who had none; one already stored is kept."""
    unit: CodeUnit = values["unit"]
    merged = {
        "ma_can_bo": values["ma_can_bo"],
        "full_name": values["full_name"],
        "name_key": values["name_key"],
        "sex": values["sex"],
        "birth_year": values["birth_year"],
        "ethnicity": values["ethnicity"],
        "target_group": values["target_group"],
        "level": values["level"],
        "agency": values["agency"],
        "unit_id": unit.id,
        "province_code": unit.province_code,
        "district_code": unit.district_code,
        "commune_code": unit.commune_code,
        "province_2025": unit.province_2025,
        "commune_2025": unit.commune_2025,
        "phone": values["phone"],
        "email": values["email"],
        "consent_at": None,
        "consent_notice_version": "",
        "consent_method": "",
        "consent_attested_by_id": None,
    }
    if values["consent_at"] is not None:
        merged.update(consent, consent_at=values["consent_at"])
    elif match is not None:
        for name in CONSENT_FIELDS:
            merged[name] = getattr(match, name)
    if match is None:
        if merged["ethnicity"] is None:
            merged["ethnicity"] = NOT_STATED
        return merged
    if match.unit_id == unit.id and unit.commune_code and not unit.commune_2025:
        merged["commune_2025"] = match.commune_2025
    for name in ("ma_can_bo", "birth_year", "ethnicity", "agency", "phone", "email"):
        if merged[name] in (None, ""):
            merged[name] = getattr(match, name)
    if merged["ethnicity"] is None:
        merged["ethnicity"] = NOT_STATED
    if merged["agency"] is None:
        merged["agency"] = ""
    return merged


def cadre_file_import(
    source: str | Path | IO[bytes],
    *,
    name: str,
    structure: str,
    dry_run: bool = False,
    province_code: str | None = None,
    progress: ProgressCallback | None = None,
    budget: InlineBudget | None = None,
    consent_notice_version: str = "",
    attested_by_id: int | None = None,
) -> CadreImportResult:
    """Check every row of a cadre file whose unit codes are of `structure` ("2023" or
    "2025") and, unless `dry_run` or any row is bad, write them all in one transaction.
    `province_code` (a 2025 province) limits a province admin's file to the units that lie
    in it, in either structure. `consent_notice_version`, when the importer attests it (the
    current notice's), makes the file's consent dates count as paper consent, attested by
    the user `attested_by_id`. The file is read within the import limits (a file over one
    is refused with the reason) and, with a `budget`, raises InlineBudgetExceeded past it.
    The result lists the units the rows name, for the preview, and the warnings."""
    if consent_notice_version and consent_notice_version != notice_version_current():
        raise ValueError(f"unknown consent notice version {consent_notice_version!r}")
    result = CadreImportResult(
        dry_run=dry_run, structure=structure, consent_notice_version=consent_notice_version
    )
    errors = result.errors
    checker = None
    consent = {
        "consent_notice_version": consent_notice_version,
        "consent_method": ConsentMethod.PAPER,
        "consent_attested_by_id": attested_by_id,
    }
    try:
        checker = _Checker(
            errors=errors, province_code=province_code, structure=structure,
            warnings=result.warnings, labels=result.labels,
            consent_notice_version=consent_notice_version, attested_by_id=attested_by_id,
        )  # fmt: skip
        creates: list[dict] = []
        updates: list[tuple[int, dict]] = []
        rows = read_rows(
            source, name=name, columns=COLUMNS, required=REQUIRED, errors=errors,
            optional=OPTIONAL_COLUMNS, budget=budget,
        )  # fmt: skip
        for row in rows:
            result.rows += 1
            values, match = checker.check(row)
            if progress is not None and result.rows % PROGRESS_EVERY == 0:
                progress(result.rows)
            if values is None:
                continue
            merged = _merged(values, match, consent)
            if match is None:
                creates.append(merged)
            elif any(merged[f] != getattr(match, f) for f in COMPARE_FIELDS):
                updates.append((match.id, merged))
            else:
                result.unchanged += 1
    except ImportFileError as exc:
        errors.add(0, "", str(exc))
    if progress is not None:
        progress(result.rows)
    if checker is not None:
        checker.file_warnings()
        result.units = checker.tally.rows()
        result.consent_recorded = checker.consent_recorded
        result.ethnicity_withheld = checker.ethnicity_withheld
    if errors.errors == [] and result.rows == 0:
        errors.add(0, "", _("The file has a header but no rows."))
    if errors:
        return result
    result.created = len(creates)
    result.updated = len(updates)
    if dry_run:
        return result
    try:
        _write(creates, updates)
    except IntegrityError:
        # The database's own words name the key that clashed, which may be someone's outside
        # the importer's scope: they go to the log, not to the report.
        logger.exception("a cadre import clashed with the register")
        result.created = result.updated = 0
        errors.add(0, "", _("The register changed while the file was imported; try again."))
        return result
    result.written = True
    return result


def _write(creates: list[dict], updates: list[tuple[int, dict]]) -> None:
    """Insert and update in one transaction with plain SQL: the ORM's bulk_create spends
    most of its time building SQL for 40,000 objects. PostgreSQL gets COPY; other engines
    executemany. Values are already clean (the checks ran); `save()` is not called, so the
    denormalised codes and name_key were filled in by `_merged`."""
    now = timezone.now()
    table = connection.ops.quote_name(Cadre._meta.db_table)
    fields = [f for f in Cadre._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    defaults = {f.attname: f.get_default() for f in fields}
    defaults["created_at"] = defaults["updated_at"] = now
    if connection.vendor != "postgresql":
        stamp = connection.ops.adapt_datetimefield_value(now)
        defaults["created_at"] = defaults["updated_at"] = stamp
    if connection.vendor != "postgresql":
        # Plain SQL gets no field conversion: aware datetimes go in as the ORM stores them.
        adapt = connection.ops.adapt_datetimefield_value
        for values in [*creates, *(values for _pk, values in updates)]:
            if values["consent_at"] is not None:
                values["consent_at"] = adapt(values["consent_at"])
    rows = [tuple(values.get(n, defaults[n]) for n in names) for values in creates]
    set_names = [*WRITE_FIELDS, "updated_at"]
    assignments = ", ".join(
        f"{connection.ops.quote_name(Cadre._meta.get_field(n).column)} = %s" for n in set_names
    )
    changed = [
        tuple(values.get(n, defaults["updated_at"]) for n in set_names) + (pk,)
        for pk, values in updates
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        if rows and connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        elif rows:
            marks = ", ".join(["%s"] * len(names))
            # Only quoted names from the model's meta go into the text; values are parameters.
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
            for start in range(0, len(rows), BATCH):
                cursor.executemany(sql, rows[start : start + BATCH])
        if changed:
            sql = f"UPDATE {table} SET {assignments} WHERE id = %s"  # noqa: S608
            for start in range(0, len(changed), BATCH):
                cursor.executemany(sql, changed[start : start + BATCH])
        _paper_consents_record(now)
        transaction.on_commit(undecided_changed)  # no save() signals here


def _paper_consents_record(now) -> None:
    """The paper consents this import recorded join the consent history: one ConsentRecord
    per person written now whose paper consent has none yet."""
    recorded = ConsentRecord.objects.filter(
        cadre=OuterRef("pk"), action=ConsentAction.GIVEN, at=OuterRef("consent_at")
    )
    people = (
        Cadre.objects.filter(updated_at=now, consent_method=ConsentMethod.PAPER,
                             consent_at__isnull=False)
        .exclude(Exists(recorded))
        .values_list("pk", "consent_at", "consent_notice_version", "consent_attested_by_id")
    )  # fmt: skip
    ConsentRecord.objects.bulk_create(
        (
            ConsentRecord(cadre_id=pk, action=ConsentAction.GIVEN, notice_version=version,
                          method=ConsentMethod.PAPER, attested_by_id=attested, at=at)
            for pk, at, version, attested in people.iterator()
        ),
        batch_size=BATCH,
    )  # fmt: skip


def template_rows(structure: str) -> tuple[list[str], list[list[str]]]:
    """The template's header (the optional consent column last) and example rows, whose
    codes are of `structure`."""
    return TEMPLATE_COLUMNS, EXAMPLE_ROWS[structure]
