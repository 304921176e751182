from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0008_move_import_files_to_private_storage"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importjob",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "waiting to be checked"),
                    ("validating", "checking"),
                    ("validated", "checked, waiting for confirmation"),
                    ("invalid", "has errors"),
                    ("importing", "importing"),
                    ("done", "imported"),
                    ("failed", "failed"),
                    ("expired", "expired: not confirmed in time"),
                ],
                default="pending",
                max_length=12,
                verbose_name="status",
            ),
        ),
    ]
