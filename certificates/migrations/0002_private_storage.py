import lms.storage
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0001_certificates_serials_verification_exports"),
    ]

    operations = [
        migrations.AlterField(
            model_name="bulkexport",
            name="file",
            field=models.FileField(
                blank=True,
                max_length=200,
                storage=lms.storage.private_storage,
                upload_to="",
                verbose_name="file",
            ),
        ),
        migrations.AlterField(
            model_name="certificate",
            name="pdf",
            field=models.FileField(
                blank=True,
                max_length=200,
                storage=lms.storage.private_storage,
                upload_to="",
                verbose_name="PDF file",
            ),
        ),
    ]
