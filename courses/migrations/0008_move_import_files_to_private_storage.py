"""Uploaded import files stored before the private storage existed move out of the public media
(served at /media/) into it (lms.storage.public_files_move); the clean-up deletes them once
they are past IMPORT_FILE_RETENTION_HOURS. The migration needs both MEDIA_ROOT and
PRIVATE_MEDIA_ROOT; it is not atomic, so an interrupted run can simply be run again."""

from django.db import migrations

from lms.storage import public_files_move


def report(folder: str, moved: int, left: int) -> None:
    if moved:
        print(f"\n  {moved} files moved from MEDIA_ROOT/{folder}/ to the private storage")
    if left:
        print(
            f"\n  {left} files under MEDIA_ROOT/{folder}/ are named by no row of this database;"
            " unless another database needs them, delete them"
        )


def move(apps, schema_editor):
    model = apps.get_model("courses", "ImportJob")
    report("imports", *public_files_move(folder="imports", model=model, field="file"))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("courses", "0007_import_files_private"),
    ]

    operations = [migrations.RunPython(move, migrations.RunPython.noop, elidable=True)]
