import courses.registry.models.imports
import lms.storage
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0006_counter_national_month"),
    ]

    operations = [
        migrations.AlterField(
            model_name="importjob",
            name="file",
            field=models.FileField(
                blank=True,
                storage=lms.storage.private_storage,
                upload_to=courses.registry.models.imports.import_file_name,
                verbose_name="file",
            ),
        ),
    ]
