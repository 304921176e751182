"""The kinds of file the admin's import pages take: what to run on the file, who may upload
it, and what the pages call it.

The cadre list is the registry's own kind. Features above the registry (training sessions,
attendance) register theirs through the IMPORT_KINDS hook, so one upload → preview →
confirm flow, with its progress bar, report and retention, serves every import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from wagtail import hooks

from courses.registry.hooks import IMPORT_KINDS
from courses.registry.imports import COLUMNS, cadre_file_import, template_rows
from courses.registry.models import ImportJob, ImportKind, UnitStructure
from lms.roles import is_admin
from lms.spreadsheet import ImportResult, ProgressCallback
from lms.spreadsheet_limits import InlineBudget

# (path, job=…, dry_run=…, progress=…, budget=…) -> ImportResult. The job says who uploaded
# the file, the province they were limited to and the structure the codes are of.
Runner = Callable[..., ImportResult]


@dataclass(frozen=True)
class ImportKindSpec:
    kind: str
    run: Runner
    # Page title, e.g. "Import cadres".
    title: Promise
    # The list the import adds to: its admin URL name and label, for breadcrumbs and links.
    index_url_name: str
    index_label: Promise
    # What a created row is, in the summary: "new people", "new sessions".
    created_label: Promise
    allowed: Callable[[object], bool]
    # Template file: header and example rows for a structure.
    template: Callable[[str], tuple[list[str], list[list[str]]]]
    template_stem: str
    # Whether the file's rows name units (then the uploader says which structure).
    placed: bool = True
    # Lines shown above the upload form (what the columns mean).
    notes: tuple[Promise, ...] = field(default_factory=tuple)
    # The columns a file must hold, and those it may hold.
    columns: tuple[str, ...] = ()
    optional_columns: tuple[str, ...] = ()


def _cadres_run(
    path: Path,
    *,
    job: ImportJob,
    dry_run: bool,
    progress: ProgressCallback | None,
    budget: InlineBudget | None,
) -> ImportResult:
    return cadre_file_import(
        path, name=job.original_name, structure=job.structure, dry_run=dry_run,
        province_code=job.province_code or None, progress=progress, budget=budget,
        consent_notice_version=job.consent_notice_version, attested_by_id=job.created_by_id,
    )  # fmt: skip


def _may_import_cadres(user) -> bool:
    return is_admin(user) and user.has_perm("courses.add_cadre")


CADRES = ImportKindSpec(
    kind=ImportKind.CADRES,
    run=_cadres_run,
    title=_("Import cadres"),
    index_url_name="courses_cadre:index",
    index_label=_("Cadres"),
    created_label=_("new people"),
    allowed=_may_import_cadres,
    template=template_rows,
    template_stem="mau_nhap_can_bo",
    columns=tuple(COLUMNS),
)


def import_kinds() -> dict[str, ImportKindSpec]:
    """Every kind, the cadre list first."""
    kinds = {CADRES.kind: CADRES}
    for fn in hooks.get_hooks(IMPORT_KINDS):
        spec = fn()
        kinds[spec.kind] = spec
    return kinds


def import_kind(kind: str) -> ImportKindSpec | None:
    return import_kinds().get(kind)


def structure_or_default(value: str | None) -> str | None:
    """A structure asked for in a query string, the 2025 one by default; None if unknown."""
    value = value or UnitStructure.S2025
    return value if value in UnitStructure.values else None
