"""Celery entry points for the imports: load the job row and call the service."""

from celery import shared_task

# Below the broker's visibility timeout (900 s), so a running import is never delivered to a
# second worker; 40,000 rows take some 15 s.
LIMITS = {"time_limit": 660, "soft_time_limit": 600}


@shared_task(acks_late=True, **LIMITS)
def import_job_validate_task(job_id: int) -> None:
    from courses.registry.services import import_job_validate

    import_job_validate(job_id=job_id)


@shared_task(acks_late=True, **LIMITS)
def import_job_apply_task(job_id: int) -> None:
    from courses.registry.services import import_job_apply

    import_job_apply(job_id=job_id)


@shared_task(acks_late=True, time_limit=360, soft_time_limit=300)
def purge_import_files() -> int:
    """Beat runs this every hour: uploaded files past the retention period are deleted."""
    from courses.registry.services import import_files_purge

    return import_files_purge()


@shared_task(acks_late=True, time_limit=360, soft_time_limit=300)
def purge_import_jobs() -> int:
    """Beat runs this every hour: finished imports past their retention are deleted."""
    from courses.registry.services import import_jobs_purge

    return import_jobs_purge()
