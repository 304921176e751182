"""Celery's face of the `courses` app (found by `autodiscover_tasks`): the features' tasks."""

from courses.registry.tasks import (
    import_job_apply_task,
    import_job_validate_task,
    purge_import_files,
    purge_import_jobs,
)

__all__ = [
    "import_job_apply_task",
    "import_job_validate_task",
    "purge_import_files",
    "purge_import_jobs",
]
