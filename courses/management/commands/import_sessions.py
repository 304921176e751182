"""Import training sessions (CSV or XLSX): every row is checked; the file is written, in one
transaction, only if every row is valid. Exits with status 1 and lists each bad row (row
number, column, reason in Vietnamese) otherwise. Columns: see
courses/sessions/imports/sessions.py."""

from courses.sessions.imports.sessions import session_file_import
from lms.file_import import FileImportCommand


class Command(FileImportCommand):
    help = "Import training sessions from a CSV or XLSX file (all or nothing)."
    importer = staticmethod(session_file_import)
