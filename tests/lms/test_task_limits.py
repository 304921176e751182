"""Every task ends before Redis would deliver its unacknowledged message again."""

from django.conf import settings

from lms.celery import app


def test_every_task_ends_before_its_message_is_delivered_again():
    app.loader.import_default_modules()
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    ours = {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}
    assert "certificates.tasks.build_bulk_export" in ours
    too_long = {
        name: task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        for name, task in ours.items()
        if (task.time_limit or settings.CELERY_TASK_TIME_LIMIT) >= visibility
    }
    assert not too_long, f"hard time limits at or above the {visibility} s visibility timeout"
    for name, task in ours.items():
        soft = task.soft_time_limit or settings.CELERY_TASK_SOFT_TIME_LIMIT
        hard = task.time_limit or settings.CELERY_TASK_TIME_LIMIT
        assert soft < hard, name
