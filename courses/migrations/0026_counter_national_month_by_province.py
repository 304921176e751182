"""The national month rollup keeps the 2025 province in its key, so that completions in
different provinces never write the same row; its rows are summed again from the month rollup,
which holds the province already."""

from django.db import migrations, models
from django.db.models import Sum


def _checks_now(schema_editor) -> None:
    """Run the foreign-key checks the writes left pending, so that the same migration can
    change the table's constraints afterwards (PostgreSQL refuses with triggers pending)."""
    if schema_editor is not None and schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def national_month_rebuild(apps, schema_editor):
    national = apps.get_model("courses", "CounterNationalMonth")
    rollup = apps.get_model("courses", "CounterRollup")
    columns = ("indicator_id", "month", "province_2025", "level", "sex", "ethnicity")
    national.objects.all().delete()
    rows = rollup.objects.values(*columns).annotate(total=Sum("value")).exclude(total=0).order_by()
    national.objects.bulk_create(
        [
            national(**{name: row[name] for name in columns}, value=row["total"])
            for row in rows.iterator()
        ],
        batch_size=2000,
    )
    _checks_now(schema_editor)


def national_month_collapse(apps, schema_editor):
    """Back to one row per month and filter (before the province leaves the key)."""
    national = apps.get_model("courses", "CounterNationalMonth")
    columns = ("indicator_id", "month", "level", "sex", "ethnicity")
    rows = list(national.objects.values(*columns).annotate(total=Sum("value")).order_by())
    national.objects.all().delete()
    national.objects.bulk_create(
        [national(**{name: row[name] for name in columns}, value=row["total"]) for row in rows],
        batch_size=2000,
    )
    _checks_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0025_offline_action"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="counternationalmonth",
            name="unique_counter_national_month",
        ),
        migrations.AddField(
            model_name="counternationalmonth",
            name="province_2025",
            field=models.CharField(blank=True, db_default="", max_length=2),
        ),
        migrations.RunPython(national_month_rebuild, national_month_collapse),
        migrations.AddConstraint(
            model_name="counternationalmonth",
            constraint=models.UniqueConstraint(
                fields=("indicator", "month", "province_2025", "level", "sex", "ethnicity"),
                name="unique_counter_national_month_by_province",
            ),
        ),
    ]
