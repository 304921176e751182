"""Import training sessions (CSV or XLSX): every row is checked; the file is written, in one
transaction, only if every row is valid. Exits with status 1 and lists each bad row (row
number, column, reason in Vietnamese) otherwise. `--structure 2023|2025` (default 2025) says
which list the unit codes are of; a dry run prints the unit each code names. Columns: see
courses/sessions/imports/sessions.py."""

from courses.registry.models import UnitStructure
from courses.registry.unit_codes import unit_preview_lines
from courses.sessions.imports.sessions import session_file_import
from lms.file_import import FileImportCommand


class Command(FileImportCommand):
    help = "Import training sessions from a CSV or XLSX file (all or nothing)."
    importer = staticmethod(session_file_import)
    structures = tuple(UnitStructure.values)
    default_structure = UnitStructure.S2025

    def preview_lines(self, result) -> list[str]:
        return unit_preview_lines(result)
