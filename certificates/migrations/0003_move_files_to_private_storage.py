"""Certificate PDFs and bulk exports stored before the private storage existed move out of the
public media (served at /media/ under guessable names) into it, each under a name with an
unguessable part (lms.storage.public_files_move). The migration needs both MEDIA_ROOT and
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
    for folder, model, field in (
        ("certificates", apps.get_model("certificates", "Certificate"), "pdf"),
        ("exports", apps.get_model("certificates", "BulkExport"), "file"),
    ):
        report(folder, *public_files_move(folder=folder, model=model, field=field))


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("certificates", "0002_private_storage"),
    ]

    operations = [migrations.RunPython(move, migrations.RunPython.noop, elidable=True)]
