"""Writes to the registry: loading the administrative units, villages, cadre imports and the
import jobs that run them from the Wagtail admin."""

from __future__ import annotations

import datetime
import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.registry.import_kinds import import_kind
from courses.registry.imports import CadreImportResult, cadre_file_import
from courses.registry.models import (
    AdminUnit,
    AdminUnitLineage,
    Cadre,
    ImportJob,
    ImportKind,
    ImportStatus,
    UnitLevel,
    UnitStructure,
)
from courses.registry.models.places import Place, lineage_changed, lineage_maps
from courses.registry.signals import place_changed
from lms.file_import import spreadsheet_problem
from lms.roles import admin_province_code
from lms.spreadsheet import ImportFileError, ImportResult, count_data_rows, file_format
from lms.spreadsheet_limits import InlineBudget, InlineBudgetExceeded
from lms.storage import files_under, local_path
from lms.text import text_fold

logger = logging.getLogger(__name__)

# --- Administrative units ----------------------------------------------------------------------

VALID_TO_2023 = datetime.date(2025, 6, 30)
VALID_FROM_2025 = datetime.date(2025, 7, 1)
UNIT_FIELDS = ["level", "name", "name_key", "parent_id", "province_code", "district_code",
               "commune_code", "valid_from", "valid_to"]  # fmt: skip


def _package_data() -> tuple[list[dict], list[dict], dict]:
    """Rows of the 2023 and 2025 lists and the converter data, from `vietnamadminunits`."""
    from vietnamadminunits.converter import converter_2025
    from vietnamadminunits.database.main import query

    legacy = query(
        "SELECT provinceCode, province, provinceKey, districtCode, district, districtKey, "
        "wardCode, ward, wardKey FROM admin_units_legacy"
    )
    current = query(
        "SELECT provinceCode, province, provinceKey, wardCode, ward, wardKey FROM admin_units"
    )
    converter = {
        "DICT_PROVINCE": converter_2025.DICT_PROVINCE,
        "DICT_PROVINCE_WARD_NO_DIVIDED": converter_2025.DICT_PROVINCE_WARD_NO_DIVIDED,
        "DICT_PROVINCE_WARD_DIVIDED": converter_2025.DICT_PROVINCE_WARD_DIVIDED,
    }
    return legacy, current, converter


def _wanted_units(legacy: list[dict], current: list[dict]) -> list[dict]:
    """Every unit to store, parents before children, keyed by (structure, code)."""
    s23, s25 = UnitStructure.S2023, UnitStructure.S2025
    units: dict[tuple[str, str], dict] = {}

    def put(structure, level, code, name, parent, province, district="", commune=""):
        units.setdefault(
            (structure, code),
            {
                "structure": structure,
                "level": level,
                "code": code,
                "name": name,
                "name_key": text_fold(name),
                "parent": parent,
                "province_code": province,
                "district_code": district,
                "commune_code": commune,
                "valid_from": VALID_FROM_2025 if structure == s25 else None,
                "valid_to": VALID_TO_2023 if structure == s23 else None,
            },
        )

    for r in legacy:
        p, d, w = r["provinceCode"], r["districtCode"], r["wardCode"]
        put(s23, UnitLevel.PROVINCE, p, r["province"], None, p)
        put(s23, UnitLevel.DISTRICT, d, r["district"], (s23, p), p, d)
        if w:
            put(s23, UnitLevel.COMMUNE, w, r["ward"], (s23, d), p, d, w)
    for r in current:
        p, w = r["provinceCode"], r["wardCode"]
        put(s25, UnitLevel.PROVINCE, p, r["province"], None, p)
        put(s25, UnitLevel.COMMUNE, w, r["ward"], (s25, p), p, "", w)
    order = {UnitLevel.PROVINCE: 0, UnitLevel.DISTRICT: 1, UnitLevel.COMMUNE: 2}
    return sorted(units.values(), key=lambda u: (order[u["level"]], u["structure"], u["code"]))


def _wanted_lineage(legacy, current, converter) -> dict[tuple, bool]:
    """{((2023 code), (2025 code)): partial} from the package's converter data."""
    s23, s25 = UnitStructure.S2023, UnitStructure.S2025
    old_province = {r["provinceKey"]: r["provinceCode"] for r in legacy}
    old_unit = {}
    for r in legacy:
        old_unit[f"{r['provinceKey']}_{r['districtKey']}_{r['wardKey'] or ''}"] = (
            r["wardCode"] or r["districtCode"]  # island districts have no commune
        )
    new_province = {r["provinceKey"]: r["provinceCode"] for r in current}
    new_ward = {(r["provinceKey"], r["wardKey"]): r["wardCode"] for r in current}
    links: dict[tuple, bool] = {}
    for new_key, old_keys in converter["DICT_PROVINCE"].items():
        for old_key in old_keys:
            links[((s23, old_province[old_key]), (s25, new_province[new_key]))] = False
    for province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for ward_key, old_keys in wards.items():
            new = (s25, new_ward[(province_key, ward_key)])
            for old_key in old_keys:
                links[((s23, old_unit[old_key]), new)] = False
    for province_key, divided in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in divided.items():
            for target in targets:
                new = (s25, new_ward[(province_key, target["newWardKey"])])
                links[((s23, old_unit[old_key]), new)] = True
    return links


def admin_units_load(*, log: Callable[[str], None] = print) -> dict[str, int]:
    """Load both structures and the lineage from `vietnamadminunits`; idempotent (a second run
    changes nothing). Villages added by admins are left alone."""
    legacy, current, converter = _package_data()
    wanted = _wanted_units(legacy, current)
    log(_("%(count)s units in the package (2023 and 2025 structures).") % {"count": len(wanted)})
    stats = {"created": 0, "updated": 0, "lineage_created": 0, "lineage_updated": 0}
    with transaction.atomic():
        existing = {
            (u.structure, u.code): u
            for u in AdminUnit.objects.exclude(level=UnitLevel.VILLAGE).only(
                "id", "structure", "code", *UNIT_FIELDS
            )
        }
        for level in (UnitLevel.PROVINCE, UnitLevel.DISTRICT, UnitLevel.COMMUNE):
            to_create, to_update = [], []
            for data in wanted:
                if data["level"] != level:
                    continue
                key = (data["structure"], data["code"])
                values = {k: v for k, v in data.items() if k != "parent"}
                values["parent_id"] = existing[data["parent"]].pk if data["parent"] else None
                unit = existing.get(key)
                if unit is None:
                    to_create.append(AdminUnit(**values))
                elif any(getattr(unit, f) != values[f] for f in UNIT_FIELDS):
                    for f in UNIT_FIELDS:
                        setattr(unit, f, values[f])
                    to_update.append(unit)
            created = AdminUnit.objects.bulk_create(to_create, batch_size=1000)
            if created and created[0].pk is None:  # a backend that returns no ids
                created = list(
                    AdminUnit.objects.filter(level=level, code__in=[u.code for u in to_create])
                )
            for unit in created:
                existing[(unit.structure, unit.code)] = unit
            AdminUnit.objects.bulk_update(to_update, UNIT_FIELDS, batch_size=1000)
            stats["created"] += len(to_create)
            stats["updated"] += len(to_update)
            log(
                _("%(level)s: %(created)s created, %(updated)s updated.")
                % {"level": UnitLevel(level).label, "created": len(to_create),
                   "updated": len(to_update)}
            )  # fmt: skip

        links = _wanted_lineage(legacy, current, converter)
        stored = {
            (old, new): (pk, partial)
            for pk, old, new, partial in AdminUnitLineage.objects.values_list(
                "pk", "old_id", "new_id", "partial"
            )
        }
        to_create, to_update = [], []
        for (old_key, new_key), partial in links.items():
            old_id, new_id = existing[old_key].pk, existing[new_key].pk
            found = stored.get((old_id, new_id))
            if found is None:
                to_create.append(AdminUnitLineage(old_id=old_id, new_id=new_id, partial=partial))
            elif found[1] != partial:
                to_update.append(AdminUnitLineage(pk=found[0], partial=partial))
        AdminUnitLineage.objects.bulk_create(to_create, batch_size=2000)
        AdminUnitLineage.objects.bulk_update(to_update, ["partial"], batch_size=2000)
        stats["lineage_created"], stats["lineage_updated"] = len(to_create), len(to_update)
        transaction.on_commit(lineage_changed)
        log(
            _("Lineage old -> new: %(created)s created, %(updated)s updated.")
            % {"created": len(to_create), "updated": len(to_update)}
        )
    return stats


def village_next_code(*, commune: AdminUnit) -> str:
    """'<commune code>-<n>', n one more than the highest used under this commune."""
    prefix = f"{commune.code}-"
    numbers = [
        int(code[len(prefix) :])
        for code in AdminUnit.objects.filter(
            structure=commune.structure, code__startswith=prefix
        ).values_list("code", flat=True)
        if code[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1}"


def village_prepare(*, unit: AdminUnit) -> AdminUnit:
    """Fill in a new village's structure, code and denormalised codes from its commune."""
    commune = unit.parent
    if commune is None or commune.level != UnitLevel.COMMUNE:
        raise ValidationError({"parent": _("A village belongs to a commune.")})
    unit.structure = commune.structure
    unit.level = UnitLevel.VILLAGE
    if not unit.code:
        unit.code = village_next_code(commune=commune)
    unit.province_code = commune.province_code
    unit.district_code = commune.district_code
    unit.commune_code = commune.code
    unit.valid_from = unit.valid_from or commune.valid_from
    unit.valid_to = unit.valid_to or commune.valid_to
    return unit


def village_create(*, commune: AdminUnit, name: str) -> AdminUnit:
    unit = village_prepare(unit=AdminUnit(parent=commune, name=name.strip()))
    unit.save()
    return unit


# --- Places of records: the new commune of a split 2023 commune --------------------------------


def record_place(record) -> Place:
    """The place a record (Cadre, TrainingSession) stores in its place columns."""
    return Place(
        province_code=record.province_code,
        district_code=record.district_code,
        commune_code=record.commune_code,
        province_2025=record.province_2025,
        commune_2025=record.commune_2025,
    )


def successor_check(*, unit: AdminUnit | None, successor: AdminUnit) -> None:
    """Refuse a new commune that the record's 2023 commune did not go into (ValidationError
    with a message for the admin). The candidates are the lineage's."""
    commune = unit.commune_code if unit is not None else ""
    if (
        not commune
        or unit.structure != UnitStructure.S2023
        or successor.structure != UnitStructure.S2025
        or successor.level != UnitLevel.COMMUNE
        or successor.code not in lineage_maps().commune_candidates(commune)
    ):
        raise ValidationError(
            {"successor": _("%(successor)s is not one of the new communes that this commune "
                            "went into: pick one of those listed.")
             % {"successor": successor.name}},
            code="not_a_candidate",
        )  # fmt: skip


def successor_follow_unit(*, record) -> None:
    """Keep the new commune picked for a record only while its unit's 2023 commune went into
    it: after the unit changed to another commune it is dropped (and the record is back on the
    to-do list if that commune was split too)."""
    if record.successor_id is None:
        return
    unit = record.unit
    old = unit is not None and unit.structure == UnitStructure.S2023
    commune = unit.commune_code if old else ""
    if record.successor.code not in lineage_maps().commune_candidates(commune):
        record.successor = None


def cadre_successor_pick(*, cadre: Cadre, successor: AdminUnit) -> Cadre:
    """Record the new commune an admin picked for a cadre of a split 2023 commune; the cadre's
    place and everything it counts for move there, in one transaction."""
    with transaction.atomic():
        locked = Cadre.objects.select_for_update().get(pk=cadre.pk)
        successor_check(unit=locked.unit, successor=successor)
        locked.successor = successor
        locked.save()
        place_changed.send(sender=Cadre, cadre=locked)
    return locked


def cadre_save(*, cadre: Cadre) -> Cadre:
    """Save a cadre changed in memory (an admin's edit form). When that moves them to another
    place (their unit changed), everything they count for moves with them, in the same
    transaction (see successor_follow_unit for the new commune picked for the old unit)."""
    with transaction.atomic():
        stored = Cadre.objects.select_for_update().filter(pk=cadre.pk).first()
        successor_follow_unit(record=cadre)
        cadre.save()
        if stored is not None and record_place(stored) != record_place(cadre):
            place_changed.send(sender=Cadre, cadre=cadre)
    return cadre


# --- Cadres ------------------------------------------------------------------------------------


def cadre_rename(*, cadre_id: int, full_name: str) -> tuple[str, str]:
    """Correct a person's full name (inside the caller's transaction, the row locked).
    Returns the old and the new name."""
    cadre = Cadre.objects.select_for_update().get(pk=cadre_id)
    old_name = cadre.full_name
    cadre.full_name = full_name
    cadre.save()
    return old_name, cadre.full_name


def cadre_id_assign(*, cadre_id: int, ma_can_bo: str) -> None:
    """Store the cadre id an attendance sheet gives for a person registered without one
    (found by their phone). Refused with a ValidationError when their record has an id by
    now; the database refuses an id someone else holds (IntegrityError). Inside the
    caller's transaction."""
    updated = (
        Cadre.objects.filter(pk=cadre_id)
        .filter(Q(ma_can_bo__isnull=True) | Q(ma_can_bo=""))
        .update(ma_can_bo=ma_can_bo, updated_at=timezone.now())
    )
    if not updated:
        raise ValidationError(
            _("This person is registered with another cadre id."), code="has_cadre_id"
        )


# --- Cadre imports -------------------------------------------------------------------------------


def cadre_import(
    *,
    source: str | Path | IO[bytes],
    name: str,
    structure: str,
    dry_run: bool = False,
    province_code: str | None = None,
    progress: Callable[[int], None] | None = None,
    budget: InlineBudget | None = None,
    consent_notice_version: str = "",
    attested_by_id: int | None = None,
) -> CadreImportResult:
    """Check a cadre list whose unit codes are of `structure` and write it all, or nothing
    (see courses/registry/imports.py). With `consent_notice_version` the importer (the
    user `attested_by_id`) attests that the file's consent dates are of signed forms of
    that notice."""
    return cadre_file_import(
        source, name=name, structure=structure, dry_run=dry_run, province_code=province_code,
        progress=progress, budget=budget, consent_notice_version=consent_notice_version,
        attested_by_id=attested_by_id,
    )  # fmt: skip


# Files up to this size are checked and written during the request; larger ones go to a
# Celery worker and the page shows a progress bar.
IMPORT_INLINE_MAX_BYTES = 256 * 1024


def import_inline_budget() -> InlineBudget:
    """What the request itself may read of a small file: a few thousand rows, a few
    megabytes unpacked, a few seconds. A small upload can still unpack to the XLSX limit or
    hold rows by the hundred thousand; past the budget, the file goes to a worker."""
    return InlineBudget(rows=5_000, uncompressed_bytes=8 * 1024 * 1024, seconds=5.0)


def import_job_create(
    *,
    user,
    uploaded: UploadedFile,
    kind: str = ImportKind.CADRES,
    structure: str = UnitStructure.S2025,
    consent_notice_version: str = "",
) -> ImportJob:
    """Store an uploaded file as a pending job, with the structure its unit codes are of
    (the worker reads them in that structure) and the consent notice version the uploader
    attested ("" = none); refuse files that are too large, of the wrong type or unreadable
    (ValidationError with a message for the user)."""
    limit = settings.MAX_IMPORT_UPLOAD_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            _("The file is %(size)s MB, larger than the %(limit)s MB allowed. Split it into "
              "several files.")
            % {"size": f"{uploaded.size / 1024 / 1024:.1f}".replace(".", ","),
               "limit": f"{limit / 1024 / 1024:g}".replace(".", ",")}
        )  # fmt: skip
    try:
        file_format(uploaded.name)
    except ImportFileError as exc:
        raise ValidationError(str(exc)) from exc
    # A small file is checked in this request anyway: all its rows are read now. A large one
    # is only opened; reading its rows is the worker's work.
    problem = spreadsheet_problem(
        uploaded, name=uploaded.name, walk=uploaded.size <= IMPORT_INLINE_MAX_BYTES
    )
    if problem:
        raise ValidationError(problem)
    job = ImportJob(
        kind=kind,
        structure=structure,
        original_name=Path(uploaded.name).name[:255],
        created_by=user,
        province_code=admin_province_code(user) or "",
        consent_notice_version=consent_notice_version,
    )
    job.file.save(Path(uploaded.name).name, uploaded, save=False)
    job.save()
    return job


def import_job_start(*, job: ImportJob, step: str) -> None:
    """Run a step ('validate' or 'apply') now for a small file, else queue it for a worker."""
    from courses.registry.tasks import import_job_apply_task, import_job_validate_task

    task = import_job_validate_task if step == "validate" else import_job_apply_task
    status = ImportStatus.VALIDATING if step == "validate" else ImportStatus.IMPORTING
    ImportJob.objects.filter(pk=job.pk).update(status=status, processed_rows=0)
    if job.file and job.file.size <= IMPORT_INLINE_MAX_BYTES:
        run = import_job_validate if step == "validate" else import_job_apply
        try:
            run(job_id=job.pk, budget=import_inline_budget())
            return
        except InlineBudgetExceeded:
            # Larger than it looks (nothing was written: the file is read before any write).
            ImportJob.objects.filter(pk=job.pk).update(status=status, processed_rows=0)
    transaction.on_commit(lambda: task.delay(job.pk))


def _progress_writer(job_id: int) -> Callable[[int], None]:
    def write(done: int) -> None:
        ImportJob.objects.filter(pk=job_id).update(processed_rows=done)

    return write


def _run(job: ImportJob, *, dry_run: bool, budget: InlineBudget | None) -> ImportResult:
    """Run the importer of the job's kind on its file (see courses/registry/import_kinds.py)."""
    spec = import_kind(job.kind)
    if spec is None:
        raise ValueError(f"no importer for the kind {job.kind!r}")
    with local_path(job.file.storage, job.file.name) as path:
        total = count_data_rows(path, name=job.original_name)
        ImportJob.objects.filter(pk=job.pk).update(total_rows=total)
        return spec.run(
            path, job=job, dry_run=dry_run, progress=_progress_writer(job.pk), budget=budget
        )


def _finish(job: ImportJob, result: ImportResult, status: str) -> None:
    job.refresh_from_db()
    job.status = status
    job.total_rows = result.rows
    job.processed_rows = result.rows
    job.error_count = len(result.errors)
    job.errors = [e.as_list() for e in result.errors.sorted()[: settings.IMPORT_MAX_ERRORS]]
    job.warning_count = len(result.warnings)
    job.warnings = [w.as_list() for w in result.warnings.sorted()[: settings.IMPORT_MAX_ERRORS]]
    # The report's names and units, for the rows whose reasons are kept.
    kept = {row for row, _column, _message in [*job.errors, *job.warnings] if row}
    job.row_labels = {str(row): list(label) for row, label in result.labels.items() if row in kept}
    job.summary = json.loads(json.dumps(result.summary()))
    if status in (ImportStatus.DONE, ImportStatus.INVALID, ImportStatus.FAILED):
        job.finished_at = timezone.now()
        if job.file:
            job.file.delete(save=False)  # personal data: keep the file no longer than needed
    job.save()


def _fail(job: ImportJob, exc: Exception) -> None:
    """The job failed (the database or the file store went away): nothing was written, and
    the uploaded file goes too (personal data); the admin uploads it again."""
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.FAILED, message=str(exc)[:2000], finished_at=timezone.now()
    )
    try:
        if job.file:
            job.file.delete(save=False)
            ImportJob.objects.filter(pk=job.pk).update(file="")
    except Exception:
        logger.exception("could not delete the file of failed import %s", job.pk)


def import_job_validate(*, job_id: int, budget: InlineBudget | None = None) -> ImportJob:
    """Check every row (a dry run) and record the errors or the counts for the preview.
    With a `budget` (the request's), InlineBudgetExceeded leaves the job as it was."""
    job = ImportJob.objects.get(pk=job_id)
    if job.status not in (ImportStatus.PENDING, ImportStatus.VALIDATING):
        return job
    try:
        result = _run(job, dry_run=True, budget=budget)
    except InlineBudgetExceeded:
        raise
    except Exception as exc:
        _fail(job, exc)
        raise
    _finish(job, result, ImportStatus.INVALID if result.errors else ImportStatus.VALIDATED)
    return job


def import_job_apply(*, job_id: int, budget: InlineBudget | None = None) -> ImportJob:
    """Write the checked file (all or nothing). Running it twice writes nothing more: the
    second run finds every row unchanged. With a `budget` (the request's),
    InlineBudgetExceeded leaves the job as it was, before anything is written."""
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.status not in (ImportStatus.VALIDATED, ImportStatus.IMPORTING):
            return job
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportStatus.IMPORTING, processed_rows=0, updated_at=timezone.now()
        )
    try:
        result = _run(job, dry_run=False, budget=budget)
    except InlineBudgetExceeded:
        raise
    except Exception as exc:
        _fail(job, exc)
        raise
    _finish(job, result, ImportStatus.INVALID if result.errors else ImportStatus.DONE)
    return job


# States in which nothing has been written yet: past the retention period, such a job expires.
_UNCONFIRMED = (ImportStatus.PENDING, ImportStatus.VALIDATING, ImportStatus.VALIDATED)


def import_files_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete uploaded files (names, phones, ethnicity) that nothing needs any more: those of
    imports untouched for IMPORT_FILE_RETENTION_HOURS (an import not yet confirmed by then
    expires, and the admin uploads the file again), and any file of the imports folder that
    no import refers to and is as old (a row rolled back after its file was stored); the
    names and units an import's report shows next to its reasons go at the same time.
    Running it again deletes nothing more. Returns how many files went."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(hours=settings.IMPORT_FILE_RETENTION_HOURS)
    storage = ImportJob._meta.get_field("file").storage
    with transaction.atomic():
        # An import being confirmed right now holds its row: it is left for the next run.
        rows = list(
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(updated_at__lt=cutoff)
            .exclude(file="")
            .values_list("pk", "file", "status")
        )
        ImportJob.objects.filter(
            pk__in=[pk for pk, _name, status in rows if status in _UNCONFIRMED]
        ).update(status=ImportStatus.EXPIRED, finished_at=now)
        ImportJob.objects.filter(pk__in=[pk for pk, _name, _status in rows]).update(file="")
        # The report's names go with the file: the counts and the reasons stay.
        ImportJob.objects.filter(updated_at__lt=cutoff).exclude(row_labels={}).update(row_labels={})
    doomed = {name for _pk, name, _status in rows}
    referenced = set(ImportJob.objects.exclude(file="").values_list("file", flat=True))
    for name in files_under(storage, "imports"):
        if name in referenced or name in doomed:
            continue
        if storage.get_modified_time(name) < cutoff:
            doomed.add(name)
    deleted = 0
    for name in sorted(doomed):
        try:
            if storage.exists(name):
                storage.delete(name)
                deleted += 1
        except OSError:
            logger.exception("could not delete the import file %s; the next run tries again", name)
    return deleted


# States in which an import is over: its row is kept for import_job_days, then deleted.
_FINISHED = (ImportStatus.DONE, ImportStatus.FAILED, ImportStatus.INVALID, ImportStatus.EXPIRED)


def import_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the rows of imports finished (done, failed, refused or expired) longer than
    PERSONAL_DATA_RETENTION["import_job_days"] ago, with any file they still hold. An import
    still running or waiting for confirmation is left to import_files_purge. Returns how many
    rows went."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PERSONAL_DATA_RETENTION["import_job_days"])
    storage = ImportJob._meta.get_field("file").storage
    jobs = ImportJob.objects.filter(status__in=_FINISHED, updated_at__lt=cutoff)
    files = list(jobs.exclude(file="").values_list("file", flat=True))
    _total, detail = jobs.delete()
    for name in files:
        try:
            if storage.exists(name):
                storage.delete(name)
        except OSError:
            logger.exception("could not delete the import file %s; it is left behind", name)
    return detail.get(ImportJob._meta.label, 0)
