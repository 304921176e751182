"""Hook names through which the features above the registry add their records to its pages.

The registry knows cadres and units, not the records of the features above it (sessions). A
feature whose records name a unit registers a function for one of these names with
`wagtail.hooks.register`; the registry's page calls every registered function and shows what
they return, in hook order.
"""

# fn() -> courses.registry.undecided.UndecidedRecords: a kind of record that names a unit and
# may sit in a 2023 commune split between several 2025 communes. The to-do list "new commune
# not decided" (courses/registry/undecided.py) lists and counts its records after the cadres,
# and picks their new commune through it.
UNDECIDED_PLACE_RECORDS = "registry_undecided_place_records"

# fn() -> courses.registry.import_kinds.ImportKindSpec: a kind of file that the admin's import
# pages (upload, preview, confirm, progress, report) take besides the cadre list. The
# registry runs the spec's importer on the uploaded file in a job of that kind.
IMPORT_KINDS = "registry_import_kinds"
