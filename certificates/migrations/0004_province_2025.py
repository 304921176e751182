"""Certificates and bulk exports keep the province of the admins who may see them; that scope
is now a province of the 2025 structure, so existing rows move through the lineage (serial
numbers are not changed)."""

from django.db import migrations


def forwards(apps, schema_editor):
    Lineage = apps.get_model("courses", "AdminUnitLineage")
    province = dict(
        Lineage.objects.filter(
            old__structure="2023", old__level="province", new__structure="2025"
        ).values_list("old__code", "new__code")
    )
    for name in ("Certificate", "BulkExport"):
        model = apps.get_model("certificates", name)
        # Old and new codes collide (15 is Yên Bái in 2023, Lào Cai in 2025): read the rows
        # first, then write each group by primary key.
        rows = list(model.objects.exclude(province_code="").values_list("pk", "province_code"))
        groups = {}
        for pk, old in rows:
            if old in province:
                groups.setdefault(province[old], []).append(pk)
        for new, pks in groups.items():
            model.objects.filter(pk__in=pks).update(province_code=new)
        if groups:
            print(f"\n  {name}: {sum(map(len, groups.values()))} rows scoped to 2025 provinces")


class Migration(migrations.Migration):
    dependencies = [
        ("certificates", "0003_move_files_to_private_storage"),
        ("courses", "0011_places_2025_from_lineage"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
