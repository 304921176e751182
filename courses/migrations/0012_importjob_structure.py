"""Import jobs state the structure of their file's unit codes.

Jobs uploaded before this were checked against the 2023 codes (the only ones an import read
then), so they keep "2023": a job checked but not yet confirmed is written as it was
previewed. New jobs default to the 2025 structure, in force since 1 July 2025.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0011_places_2025_from_lineage"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="structure",
            field=models.CharField(
                choices=[
                    ("2023", "2023 structure (province, district, commune)"),
                    ("2025", "2025 structure (province, commune)"),
                ],
                default="2023",
                max_length=4,
                verbose_name="structure",
            ),
        ),
        migrations.AlterField(
            model_name="importjob",
            name="structure",
            field=models.CharField(
                choices=[
                    ("2023", "2023 structure (province, district, commune)"),
                    ("2025", "2025 structure (province, commune)"),
                ],
                default="2025",
                max_length=4,
                verbose_name="structure",
            ),
        ),
    ]
