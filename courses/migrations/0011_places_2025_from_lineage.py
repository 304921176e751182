"""Give every record already stored its place in the 2025 structure, through the lineage: the
2025 province of its 2023 province, and its 2025 commune where the 2023 commune went wholly
into one (a split commune stays undecided until an admin picks). Prints what it changed."""

from collections import defaultdict

from django.db import migrations

PLACED = ("Cadre", "TrainingSession", "Achievement", "CounterCell")
ROLLUPS = ("CounterRollup", "CounterYearRollup", "CounterMonthTotal")


def _maps(apps):
    Lineage = apps.get_model("courses", "AdminUnitLineage")
    province, commune = {}, defaultdict(list)
    links = Lineage.objects.filter(old__structure="2023", new__structure="2025").values_list(
        "old__level", "old__code", "new__code"
    )
    for level, old, new in links:
        if level == "province":
            province[old] = new
        elif level == "commune":
            commune[old].append(new)
    whole = {old: new[0] for old, new in commune.items() if len(new) == 1}
    return province, whole


def forwards(apps, schema_editor):
    province, commune = _maps(apps)
    if not province:
        return
    for name in PLACED + ROLLUPS:
        model = apps.get_model("courses", name)
        changed = 0
        present = set(model.objects.values_list("province_code", flat=True).distinct())
        for old in sorted(present & set(province)):
            changed += model.objects.filter(province_code=old).update(
                province_2025=province[old]
            )
        undecided = 0
        if name in PLACED:
            codes = set(model.objects.exclude(commune_code="").values_list(
                "commune_code", flat=True).distinct())  # fmt: skip
            by_new = defaultdict(list)
            for old in codes & set(commune):
                by_new[commune[old]].append(old)
            for new, olds in by_new.items():
                model.objects.filter(commune_code__in=olds).update(commune_2025=new)
            undecided = model.objects.exclude(commune_code="").filter(commune_2025="").count()
        if changed:
            print(
                f"\n  {name}: {changed} rows placed in the 2025 structure"
                + (f", {undecided} in a split commune (new commune undecided)" if undecided else "")
            )


class Migration(migrations.Migration):
    dependencies = [("courses", "0010_places_in_both_structures")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
