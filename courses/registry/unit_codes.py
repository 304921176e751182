"""Administrative unit codes as a file import reads them.

A code means nothing without its structure: province 15 is Yên Bái in the 2023 structure and
Lào Cai in the 2025 one, commune 03208 is Phì Nhừ and Xa Dung. So an import states the
structure of its file, and its codes are looked up in that structure only. When a code is
missing there, the message says whether it exists in the other structure (the likely
mistake: the wrong structure chosen), and a 2025 file that gives a district is told that the
2025 structure has no districts.

Everything is read once per file, never per row: the units of the stated structure in one
query, their places in both structures through the lineage map (read once), the province
names in another small query, and the other structure in one more query only when a code is
missing. The units the valid rows name are tallied for the preview, so that a person sees
what the codes mean ("Xã Nghĩa Đô — Tỉnh Lào Cai (2025)") before confirming.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from courses.registry.models import AdminUnit, UnitLevel, UnitStructure
from courses.registry.models.places import LineageMaps, lineage_maps, place_from_codes
from lms.spreadsheet import ImportResult

STRUCTURES = tuple(UnitStructure.values)
# How many row numbers the preview lists for each unit, and how many units an import job
# keeps for its preview page (a national file can name thousands).
PREVIEW_ROWS_PER_UNIT = 5
PREVIEW_UNITS = 1000


class CodeUnit(NamedTuple):
    """A unit of the stated structure, with the place a record attached to it gets: the
    2023 codes (blank for a 2025 unit) and the 2025 codes (through the lineage for a 2023
    unit; the commune blank while a split 2023 commune is undecided)."""

    id: int
    code: str
    level: str
    name: str
    structure: str
    province_code: str
    district_code: str
    commune_code: str
    province_2025: str
    commune_2025: str
    own_province: str  # the enclosing province's code in the unit's own structure


def other_structure(structure: str) -> str:
    return UnitStructure.S2023 if structure == UnitStructure.S2025 else UnitStructure.S2025


def _load(structure: str, maps: LineageMaps) -> dict[str, CodeUnit]:
    rows = AdminUnit.objects.filter(structure=structure).values_list(
        "id", "code", "level", "name", "province_code", "district_code", "commune_code"
    )
    units = {}
    for pk, code, level, name, province, district, commune in rows.iterator(5000):
        place = place_from_codes(
            structure=structure, province_code=province, district_code=district,
            commune_code=commune, maps=maps,
        )  # fmt: skip
        units[code] = CodeUnit(
            pk, code, level, name, structure, place.province_code, place.district_code,
            place.commune_code, place.province_2025, place.commune_2025, province,
        )  # fmt: skip
    return units


class UnitCodes:
    """The units of one structure by code, for one file."""

    def __init__(self, structure: str, *, maps: LineageMaps | None = None):
        if structure not in STRUCTURES:
            raise ValueError(f"unknown structure {structure!r}")
        self.structure = structure
        self.maps = maps or lineage_maps()
        self.units = _load(structure, self.maps)
        self.province_names = {
            (s, code): name
            for s, code, name in AdminUnit.objects.filter(level=UnitLevel.PROVINCE).values_list(
                "structure", "code", "name"
            )
        }
        self._other: dict[str, CodeUnit] | None = None
        self._labels: dict[str, str] = {}

    def get(self, code: str) -> CodeUnit | None:
        return self.units.get(code)

    def in_other_structure(self, code: str) -> CodeUnit | None:
        """The unit of this code in the other structure (read on the first miss)."""
        if self._other is None:
            self._other = _load(other_structure(self.structure), self.maps)
        return self._other.get(code)

    @property
    def has_districts(self) -> bool:
        return self.structure == UnitStructure.S2023

    # -- what a person reads -------------------------------------------------------------------

    def label(self, unit: CodeUnit) -> str:
        """'Xã Nghĩa Đô — Tỉnh Lào Cai (2025)'; a 2023 unit also names the 2025 province
        it is in now: 'Xã Âu Lâu — Tỉnh Yên Bái (2023), nay thuộc Tỉnh Lào Cai'."""
        key = f"{unit.structure}:{unit.code}"
        if key not in self._labels:
            province = self.province_names.get((unit.structure, unit.own_province), "")
            if unit.level == UnitLevel.PROVINCE or not province:
                text = f"{unit.name} ({unit.structure})"
            else:
                text = f"{unit.name} — {province} ({unit.structure})"
            if unit.structure == UnitStructure.S2023:
                now = self.province_names.get((UnitStructure.S2025, unit.province_2025))
                if now:
                    text = _("%(unit)s, now in %(province)s") % {"unit": text, "province": now}
            self._labels[key] = text
        return self._labels[key]

    def no_districts_message(self) -> str:
        return _(
            "The 2025 structure has no districts; import this file as a file of the 2023 structure."
        )

    def district_code_message(self, code: str) -> str:
        """A 3-digit code in a 2025 file: a district, which the 2025 structure has not."""
        message = self.no_districts_message()
        old = self.in_other_structure(code)
        if old is not None:
            message += " " + _("(This code belongs to the 2023 structure: %(unit)s.)") % {
                "unit": self.label(old)
            }
        return message

    def unknown_message(self, code: str) -> str:
        """No unit of this code in the stated structure; and, when the other structure has
        one, which one, since choosing the wrong structure is the likely mistake."""
        message = _("No unit has the code “%(code)s” in the %(structure)s structure.") % {
            "code": code,
            "structure": self.structure,
        }
        other = self.in_other_structure(code)
        if other is not None:
            message += " " + _(
                "This code belongs to the %(structure)s structure: %(unit)s. Was the file "
                "meant to be imported as a file of the %(structure)s structure?"
            ) % {"structure": other.structure, "unit": self.label(other)}
        elif self.has_districts:
            message += " " + _("Give 2 digits for a province, 3 for a district, 5 for a commune.")
        else:
            message += " " + _("Give 2 digits for a province, 5 for a commune.")
        return message

    def lookup(self, code: str, *, written: str = "") -> tuple[CodeUnit | None, str]:
        """(the unit, "") or (None, the reason in the user's language). `written` is the
        cell as the file gave it, when the caller padded it with leading zeros that a
        spreadsheet dropped: three digits there are a district."""
        unit = self.units.get(code)
        if unit is not None:
            return unit, ""
        written = written or code
        if not self.has_districts and len(written) == 3 and written.isdigit():
            return None, self.district_code_message(written)
        return None, self.unknown_message(code)


@dataclass
class UnitTally:
    """The units the rows of a file name, in the order they first appear, each with its
    number of rows and the first few row numbers: the preview of what the codes mean."""

    codes: UnitCodes
    _seen: dict[str, list] = field(default_factory=dict)

    def add(self, unit: CodeUnit, row: int) -> None:
        entry = self._seen.get(unit.code)
        if entry is None:
            self._seen[unit.code] = [unit, 1, [row]]
            return
        entry[1] += 1
        if len(entry[2]) < PREVIEW_ROWS_PER_UNIT:
            entry[2].append(row)

    def __len__(self) -> int:
        return len(self._seen)

    def rows(self) -> list[list]:
        """[[code, label, number of rows, [first row numbers]], ...] (JSON-ready)."""
        return [
            [unit.code, self.codes.label(unit), count, list(first)]
            for unit, count, first in self._seen.values()
        ]


@dataclass
class PlacedImportResult(ImportResult):
    """An import's result with the structure its codes were read in and, for the preview,
    the units its valid rows name (see UnitTally.rows)."""

    structure: str = ""
    units: list[list] = field(default_factory=list)

    def summary(self) -> dict:
        return {
            **super().summary(),
            "structure": self.structure,
            "unit_count": len(self.units),
            "units": self.units[:PREVIEW_UNITS],
        }


def unit_preview_lines(result: PlacedImportResult) -> list[str]:
    """The preview as text lines, for a command's dry run: a heading, then one line per
    unit, '02953 → Xã Nghĩa Đô — Tỉnh Lào Cai (2025): 3 dòng (2, 5, 9)'."""
    units = result.units
    if not units:
        return []
    lines = [
        _("Units of the %(structure)s structure named by the valid rows:")
        % {"structure": result.structure}
    ]
    for code, label, count, first in units:
        shown = ", ".join(str(n) for n in first)
        if count > len(first):
            shown += ", …"
        text = ngettext(
            "%(code)s → %(unit)s: %(count)s row (%(rows)s)",
            "%(code)s → %(unit)s: %(count)s rows (%(rows)s)",
            count,
        )
        lines.append("  " + text % {"code": code, "unit": label, "count": count, "rows": shown})
    return lines
