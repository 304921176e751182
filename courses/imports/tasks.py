"""Celery entry points for the imports: load the job row and call the service."""

from celery import shared_task


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def import_job_validate_task(job_id: int) -> None:
    from courses.services.registry import import_job_validate

    import_job_validate(job_id=job_id)


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def import_job_apply_task(job_id: int) -> None:
    from courses.services.registry import import_job_apply

    import_job_apply(job_id=job_id)
