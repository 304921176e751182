"""The folded name of every administrative unit (AdminUnit.name_key), so that units are found
by name with or without diacritics in one indexed query; the rows already stored get it here,
new and renamed ones on save (and from load_admin_units)."""

from django.db import migrations, models

from lms.text import text_fold


def fill_name_keys(apps, schema_editor):
    AdminUnit = apps.get_model("courses", "AdminUnit")
    batch = []
    for unit in AdminUnit.objects.only("pk", "name").iterator(chunk_size=2000):
        unit.name_key = text_fold(unit.name)
        batch.append(unit)
        if len(batch) >= 2000:
            AdminUnit.objects.bulk_update(batch, ["name_key"])
            batch = []
    AdminUnit.objects.bulk_update(batch, ["name_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0015_session_sign_off"),
    ]

    operations = [
        migrations.AddField(
            model_name="adminunit",
            name="name_key",
            field=models.CharField(db_index=True, default="", editable=False, max_length=200),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop, elidable=True),
    ]
