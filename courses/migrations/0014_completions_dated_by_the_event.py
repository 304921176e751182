"""Completions in person are dated by the end of their session, not by the day the attendance
was entered; the certificates' completion dates and the counts follow.

For every enrolment completed in person at a session: the completion moment becomes noon
(local time) of the session's last day. Certificates take that day as their completion date
(their issue date stays). Each person's achievements for the trained and certified counts move
to the earliest completion they count: the trained counts to the person's first completion,
the certified count to the first completion with an issued certificate. Then the counter
cells and their rollups are rebuilt from the achievements, as `recount_counters` does, so the
figures by month agree with a recount. PDFs already rendered keep the date they were printed
with until they are re-issued; the verification page shows the corrected one.
"""

import datetime as dt

from django.db import migrations
from django.utils import timezone

PERSON_COUNTS = ("CADRES_TRAINED", "VILLAGE_HEADS_TRAINED")
CERTIFIED = "CERTIFIED_LEARNERS"
CELL_COLUMNS = (
    "indicator_id", "month", "province_code", "district_code", "commune_code", "province_2025",
    "commune_2025", "level", "sex", "ethnicity",
)  # fmt: skip
ROLLUPS = (
    ("courses_counterrollup", ("indicator_id", "month", "province_code", "province_2025",
                               "level", "sex", "ethnicity")),
    ("courses_counteryearrollup", ("indicator_id", "year", "province_code", "province_2025",
                                   "level", "sex", "ethnicity")),
    ("courses_countermonthtotal", ("indicator_id", "month", "province_code", "province_2025")),
    ("courses_counternationalmonth", ("indicator_id", "month", "level", "sex", "ethnicity")),
)  # fmt: skip
BATCH = 2000


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


def _month(moment: dt.datetime) -> dt.date:
    return timezone.localdate(moment).replace(day=1)


def redate(apps, schema_editor):
    Enrolment = apps.get_model("courses", "Enrolment")
    Achievement = apps.get_model("courses", "Achievement")
    Indicator = apps.get_model("courses", "Indicator")
    Certificate = apps.get_model("certificates", "Certificate")

    changed = []
    rows = Enrolment.objects.filter(
        completed_via="in_person", completed_session__isnull=False
    ).values_list("pk", "completed_at", "completed_session__end_date")
    for pk, completed_at, end_date in rows.iterator(chunk_size=BATCH):
        moment = _noon(end_date)
        if completed_at != moment:
            changed.append(Enrolment(pk=pk, completed_at=moment))
    Enrolment.objects.bulk_update(changed, ["completed_at"], batch_size=BATCH)
    if not changed:
        return
    ids = [e.pk for e in changed]
    redated = {e.pk: e.completed_at for e in changed}

    certificates = []
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        for pk, enrolment_id in Certificate.objects.filter(enrolment_id__in=chunk).values_list(
            "pk", "enrolment_id"
        ):
            day = timezone.localdate(redated[enrolment_id])
            certificates.append(Certificate(pk=pk, completed_on=day))
    Certificate.objects.bulk_update(certificates, ["completed_on"], batch_size=BATCH)

    indicators = dict(Indicator.objects.values_list("code", "pk"))
    cadres = set(Enrolment.objects.filter(pk__in=ids).values_list("cadre_id", flat=True).distinct())
    first: dict[int, dt.datetime] = {}
    first_certified: dict[int, dt.datetime] = {}
    cadre_list = sorted(cadres)
    for start in range(0, len(cadre_list), BATCH):
        chunk = cadre_list[start : start + BATCH]
        completed = Enrolment.objects.filter(cadre_id__in=chunk, completed_at__isnull=False)
        for cadre_id, moment in completed.values_list("cadre_id", "completed_at"):
            if cadre_id not in first or moment < first[cadre_id]:
                first[cadre_id] = moment
        certified = completed.filter(certificate__status="issued").values_list(
            "cadre_id", "completed_at"
        )
        for cadre_id, moment in certified:
            if cadre_id not in first_certified or moment < first_certified[cadre_id]:
                first_certified[cadre_id] = moment
    wanted = [(indicators.get(code), first) for code in PERSON_COUNTS]
    wanted.append((indicators.get(CERTIFIED), first_certified))
    moved = []
    for indicator, moments in wanted:
        if indicator is None:
            continue
        for start in range(0, len(cadre_list), BATCH):
            chunk = cadre_list[start : start + BATCH]
            for achievement in Achievement.objects.filter(
                indicator_id=indicator, cadre_id__in=chunk
            ).only("pk", "cadre_id", "month", "achieved_at"):
                moment = moments.get(achievement.cadre_id)
                if moment is None or _month(moment) == achievement.month:
                    continue
                achievement.month = _month(moment)
                achievement.achieved_at = moment
                moved.append(achievement)
    Achievement.objects.bulk_update(moved, ["month", "achieved_at"], batch_size=BATCH)
    if moved:
        _rebuild_counters(schema_editor.connection)


def _rebuild_counters(connection):
    """The fine cells from the achievements, the rollups from the fine cells."""
    postgres = connection.vendor == "postgresql"
    year = (
        "CAST(EXTRACT(YEAR FROM month) AS integer)"
        if postgres
        else "CAST(strftime('%Y', month) AS integer)"
    )
    columns = ", ".join(CELL_COLUMNS)
    with connection.cursor() as cursor:
        for table in ("courses_countercell", *(name for name, _ in ROLLUPS)):
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608
        cursor.execute(
            f"INSERT INTO courses_countercell ({columns}, value) "  # noqa: S608
            f"SELECT {columns}, COUNT(*) FROM courses_achievement GROUP BY {columns}"
        )
        for table, key in ROLLUPS:
            names = ", ".join(key)
            select = names.replace("year", year)
            cursor.execute(
                f"INSERT INTO {table} ({names}, value) "  # noqa: S608
                f"SELECT {select}, SUM(value) FROM courses_countercell GROUP BY {select}"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0013_undecided_indexes"),
        ("certificates", "0004_province_2025"),
    ]

    operations = [migrations.RunPython(redate, migrations.RunPython.noop, elidable=True)]
