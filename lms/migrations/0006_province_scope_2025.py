"""Province admins' scopes move to the 2025 structure through the lineage (the Lào Cai 2023
admin and the Yên Bái 2023 admin both become admins of Lào Cai 2025). Prints each change."""

from django.db import migrations, models


def forwards(apps, schema_editor):
    Lineage = apps.get_model("courses", "AdminUnitLineage")
    Unit = apps.get_model("courses", "AdminUnit")
    User = apps.get_model("lms", "User")
    province = dict(
        Lineage.objects.filter(
            old__structure="2023", old__level="province", new__structure="2025"
        ).values_list("old__code", "new__code")
    )
    if not province:
        return
    names = {
        (s, c): n
        for s, c, n in Unit.objects.filter(level="province").values_list("structure", "code", "name")
    }
    for user in User.objects.exclude(province_code="").order_by("username"):
        old = user.province_code
        new = province.get(old)
        if new is None:
            print(f"\n  {user.username}: scope {old} is no 2023 province; left unchanged")
            continue
        user.province_code = new
        user.save(update_fields=["province_code"])
        print(
            f"\n  {user.username}: scope {old} ({names.get(('2023', old), '?')}, 2023) -> "
            f"{new} ({names.get(('2025', new), '?')}, 2025)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("lms", "0005_admin_api_token_permissions"),
        ("courses", "0011_places_2025_from_lineage"),
    ]

    operations = [
        migrations.AlterField(
            model_name="user",
            name="province_code",
            field=models.CharField(
                blank=True,
                default="",
                help_text="GSO code of the province (2025 structure) an admin is limited to. "
                "Empty means central: the whole country.",
                max_length=2,
                verbose_name="province scope",
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
