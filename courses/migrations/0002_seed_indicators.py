"""Seed the seven programme indicators (Project 8 of the National Target Program).

Period: 2021-01-01 to 2030-12-31, the whole programme. The July 2023 report counts the
sessions held since the programme began, so a 2023-2025 window would hide them; the
dashboard's period filter narrows the figures to any window (e.g. the 2023-2025
communication strategy). Admins can change targets and periods in the Wagtail admin;
this migration only creates missing rows and never overwrites an edited one.
"""

import datetime as dt

from django.db import migrations

START = dt.date(2021, 1, 1)
END = dt.date(2030, 12, 31)

INDICATORS = [
    # code, Vietnamese name, unit, target, target_percent
    (
        "CADRES_TRAINED",
        "Cán bộ lãnh đạo, cán bộ chủ chốt cấp tỉnh, huyện, xã được tập huấn",
        "people", 40000, None,
    ),
    (
        "VILLAGE_HEADS_TRAINED",
        "Trưởng thôn, bản được tập huấn về nhận thức giới và lồng ghép giới",
        "people", None, 100,
    ),
    (
        "SESSIONS_DISTRICT_COMMUNE",
        "Lớp tập huấn lồng ghép giới cho cán bộ cấp huyện, xã",
        "sessions", 480, None,
    ),
    (
        "SESSIONS_VILLAGE",
        "Lớp tập huấn cho trưởng thôn, bản và người có uy tín",
        "sessions", 1600, None,
    ),
    (
        "SESSIONS_ME",
        "Lớp tập huấn về giám sát, đánh giá thực hiện bình đẳng giới",
        "sessions", 1600, None,
    ),
    (
        "ME_PARTICIPANTS",
        "Cán bộ tham dự tập huấn giám sát, đánh giá bình đẳng giới",
        "people", None, None,
    ),
    (
        "CERTIFIED_LEARNERS",
        "Học viên có chứng nhận còn hiệu lực",
        "people", None, None,
    ),
]  # fmt: skip


def seed(apps, schema_editor):
    Indicator = apps.get_model("courses", "Indicator")
    for order, (code, name, unit, target, percent) in enumerate(INDICATORS, start=1):
        Indicator.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "unit": unit,
                "target": target,
                "target_percent": percent,
                "period_start": START,
                "period_end": END,
                "sort_order": order * 10,
            },
        )


def unseed(apps, schema_editor):
    Indicator = apps.get_model("courses", "Indicator")
    Indicator.objects.filter(code__in=[row[0] for row in INDICATORS], achievements=None).delete()


class Migration(migrations.Migration):
    dependencies = [("courses", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
