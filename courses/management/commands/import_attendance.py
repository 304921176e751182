"""Import attendance at training sessions (CSV or XLSX): every row is checked; the file is
written, in one transaction, only if every row is valid. Exits with status 1 and lists each
bad row (row number, column, reason in Vietnamese) otherwise. Columns: see
courses/sessions/imports/attendance.py."""

from courses.sessions.imports.attendance import attendance_file_import
from lms.file_import import FileImportCommand


class Command(FileImportCommand):
    help = "Import attendance at training sessions from a CSV or XLSX file (all or nothing)."
    importer = staticmethod(attendance_file_import)
