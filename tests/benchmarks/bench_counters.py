"""Server time of /api/counters/ and the dashboard at 1x and 10x data, on PostgreSQL.

1x: 40,000 cadres, 200,000 enrolments, 1,000,000 lesson-progress rows, with achievements and
counter cells consistent with them (cells rebuilt by counters_recount). 10x: 400,000 cadres,
2,000,000 enrolments and, by default, 2,000,000 lesson-progress rows (set
BENCH_COUNTERS_FULL=1 for the full 10,000,000: the rows are never read by the figures, they
only make the load take minutes on a 2-core machine). Achievements and cells are 10x.

Runs in its own database (BENCH_COUNTERS_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/lms_bench_counters), created and migrated if needed, in a
child process so that other benchmarks' settings do not matter. Server time is measured
in-process with Django's test client (middleware, view, template), p50 over many requests:
- "cached": the figures are cached under the counters generation (the normal case while no
  counter changes);
- "uncached": the cache is cleared before each request, so every request aggregates the
  rollups (and rebuilds every other cached thing: unit names, registry counts).
It also prints the number of SQL queries of one uncached request of each kind, the sizes of
the counter tables, and the load average. The figures are asked for in both unit structures:
the 50 provinces of the data merge two by two into 25 provinces of 2025, and the ten communes
of a district into one commune of 2025 (with the lineage); every URL without "2025" in its name
asks for the 2023 structure explicitly, so the same URLs can be timed on an older revision.
BENCH_COUNTERS_SCALES=10 (or 1) runs one scale only: the database keeps the data of the last
scale loaded, so that scale reruns without loading.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lms_bench_counters"
PROVINCES, DISTRICTS, COMMUNES = 50, 10, 10  # 5,000 communes in the programme area
MONTHS = 36


def main() -> None:
    url = os.environ.get("BENCH_COUNTERS_DATABASE_URL", DEFAULT_URL)
    _database_create(url)
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="lms.settings")
    env.pop("REDIS_URL", None)  # a process-local cache: the figures, not the network, are timed
    code = "from tests.benchmarks.bench_counters import run; run()"
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


def _database_create(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def run() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # No collectstatic here: serve static names without the hashed manifest (as the tests do).
    from django.test.utils import override_settings

    override_settings(
        STORAGES={
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
    ).enable()

    call_command("migrate", verbosity=0)
    full = os.environ.get("BENCH_COUNTERS_FULL") == "1"
    scales = [int(n) for n in os.environ.get("BENCH_COUNTERS_SCALES", "1,10").split(",")]
    results = {}
    for scale in scales:
        progress = 1_000_000 if scale == 1 else (10_000_000 if full else 2_000_000)
        results[scale] = _scenario(scale=scale, progress=progress)
    if len(results) < 2:
        return
    print()
    first, second = results[scales[0]], results[scales[-1]]
    for name in first:
        a, b = first[name], second[name]
        print(f"{name:<28} 1x p50 {a:6.1f} ms   10x p50 {b:6.1f} ms   ratio {b / a:4.2f}")


def _invalidate(clear: str | None) -> None:
    """ "generation": a counter changed (the figures and panels are recomputed, the registry
    counts and unit names stay cached as they do for 10 minutes / an hour); "cold": the whole
    cache is emptied."""
    from django.core.cache import cache

    from courses.counters.selectors import COUNTERS_GENERATION
    from lms.cache import generation_bump

    if clear == "generation":
        generation_bump(COUNTERS_GENERATION)
    elif clear == "cold":
        cache.clear()


def _timed(client, url: str, n: int, clear: str | None) -> float:
    samples = []
    for _ in range(n):
        _invalidate(clear)
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    return statistics.median(samples)


def _scenario(*, scale: int, progress: int) -> dict[str, float]:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from courses.counters.models import Achievement, CounterCell
    from courses.counters.recount import counters_drift
    from courses.counters.services import ROLLUPS
    from courses.learning.models import LessonProgress
    from courses.registry.models import AdminUnit, Cadre

    started = time.monotonic()
    if (
        Cadre.objects.count() != 40_000 * scale
        or LessonProgress.objects.count() != progress
        or not AdminUnit.objects.filter(structure="2025").exists()
    ):
        _load(cadres=40_000 * scale, enrolments_per_cadre=5, progress=progress)
    loaded = time.monotonic() - started
    with connection.cursor() as cursor:
        # What autovacuum does to a live database after a bulk load: statistics, and the
        # visibility map that lets a count read the index alone.
        cursor.execute("VACUUM ANALYZE")
    cells = CounterCell.objects.count()
    achievements = Achievement.objects.count()
    drift = len(counters_drift())
    rollups = ", ".join(f"{m.__name__} {m.objects.count():,}" for m, _c in ROLLUPS)
    print(
        f"{scale}x: {40_000 * scale:,} cadres, {200_000 * scale:,} enrolments, "
        f"{progress:,} lesson-progress rows, {achievements:,} achievements, {cells:,} cells; "
        f"{rollups} (loaded in {loaded:.0f} s, drift {drift})"
    )
    User = get_user_model()
    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", password="bench-password-123"
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    cache.clear()
    province = "&province=01"
    g, cold = "generation", "cold"
    old, new = "structure=2023", "structure=2025"
    urls = {
        "api": (f"/api/counters/?{old}", 300, None),
        "dashboard": (f"/admin/counters/?{old}", 200, None),
        "api uncached": (f"/api/counters/?{old}&by=province", 100, g),
        "api uncached by=sex": (f"/api/counters/?{old}&by=sex", 100, g),
        "api uncached province": (f"/api/counters/?{old}&by=level" + province, 100, g),
        "api cold cache": (f"/api/counters/?{old}&by=province", 40, cold),
        "dashboard uncached": (f"/admin/counters/?{old}", 60, g),
        "dashboard uncached female": (f"/admin/counters/?{old}&sex=female", 60, g),
        "dashboard uncached 2023": (
            f"/admin/counters/?{old}&start=2023-03-01&end=2023-12-31",
            60,
            g,
        ),
        "dashboard uncached province": (f"/admin/counters/?{old}&province=01", 60, g),
        "dashboard cold cache": (f"/admin/counters/?{old}", 40, cold),
        "api uncached 2025": (f"/api/counters/?{new}&by=province", 100, g),
        "api uncached 2025 province": (f"/api/counters/?{new}&by=level" + province, 100, g),
        "dashboard uncached 2025": (f"/admin/counters/?{new}", 60, g),
        "dashboard uncached 2025 prov.": (f"/admin/counters/?{new}&province=01", 60, g),
    }
    results = {}
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"  load average before timing: {load}")
    for name, (url, n, clear) in urls.items():
        results[name] = _timed(client, url, n, clear=clear)
        cache.clear()
        client.get(url)  # the cached case's first request fills the cache
        with CaptureQueriesContext(connection) as queries:
            _invalidate(clear)
            client.get(url)
        print(f"  {name:<28} p50 {results[name]:6.1f} ms  {len(queries)} queries  {url}")
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"  load average after timing: {load}")
    return results


def _load(*, cadres: int, enrolments_per_cadre: int, progress: int) -> None:
    """Bulk-load the registry, learning rows, achievements and cells with INSERT ... SELECT."""
    from django.db import connection, transaction

    from courses.counters.models import Indicator
    from courses.counters.recount import counters_recount
    from courses.counters.services import indicator_cache_clear

    indicator_cache_clear()
    ids = dict(Indicator.objects.values_list("code", "pk"))
    courses, lessons = _pages(enrolments_per_cadre)
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "TRUNCATE courses_countercell, courses_achievement, courses_lessonprogress, "
            "courses_enrolment, courses_attendance, courses_trainingsession, courses_cadre, "
            "courses_adminunitlineage, courses_adminunit RESTART IDENTITY CASCADE"
        )
        # Units: provinces 01..50, districts ppd, communes ppdcc (codes unique per level).
        c.execute(
            "INSERT INTO courses_adminunit (structure, level, code, name, province_code, "
            "district_code, commune_code) SELECT '2023', 'province', lpad(p::text, 2, '0'), "
            "'Tỉnh ' || p, lpad(p::text, 2, '0'), '', '' FROM generate_series(1, %s) p",
            [PROVINCES],
        )
        c.execute(
            "INSERT INTO courses_adminunit (structure, level, code, name, province_code, "
            "district_code, commune_code) SELECT '2023', 'commune', "
            "lpad((p * 100 + d * 10 + x)::text, 5, '0'), 'Xã ' || p || '-' || d || '-' || x, "
            "lpad(p::text, 2, '0'), lpad((p * 10 + d)::text, 3, '0'), "
            "lpad((p * 100 + d * 10 + x)::text, 5, '0') FROM generate_series(1, %s) p, "
            "generate_series(0, %s) d, generate_series(0, %s) x",
            [PROVINCES, DISTRICTS - 1, COMMUNES - 1],
        )
        # 2025: provinces 1 and 2 became province 01, 3 and 4 province 02...; the communes of a
        # 2023 district became one commune (code of its first commune).
        new_province = "lpad(((p + 1) / 2)::text, 2, '0')"
        c.execute(
            "INSERT INTO courses_adminunit (structure, level, code, name, province_code, "
            f"district_code, commune_code) SELECT DISTINCT '2025', 'province', {new_province}, "
            f"'Tỉnh mới ' || {new_province}, {new_province}, '', '' "
            "FROM generate_series(1, %s) p",
            [PROVINCES],
        )
        c.execute(
            "INSERT INTO courses_adminunit (structure, level, code, name, province_code, "
            "district_code, commune_code) SELECT '2025', 'commune', "
            "lpad((p * 100 + d * 10)::text, 5, '0'), 'Xã mới ' || p || '-' || d, "
            f"{new_province}, '', lpad((p * 100 + d * 10)::text, 5, '0') "
            "FROM generate_series(1, %s) p, generate_series(0, %s) d",
            [PROVINCES, DISTRICTS - 1],
        )
        c.execute(
            "INSERT INTO courses_adminunitlineage (old_id, new_id, partial) SELECT o.id, n.id, "
            "false FROM courses_adminunit o JOIN courses_adminunit n ON n.structure = '2025' "
            "AND o.structure = '2023' AND ((o.level = 'province' AND n.level = 'province' AND "
            "n.code = lpad(((o.code::int + 1) / 2)::text, 2, '0')) OR (o.level = 'commune' AND "
            "n.level = 'commune' AND n.code = lpad((o.district_code::int * 10)::text, 5, '0')))"
        )
        places = _has_places()
        c.execute(
            "CREATE TEMP TABLE bench_communes ON COMMIT DROP AS SELECT row_number() OVER "
            "(ORDER BY id) - 1 AS n, id, province_code, district_code, commune_code, "
            "lpad(((province_code::int + 1) / 2)::text, 2, '0') AS province_2025, "
            "lpad((district_code::int * 10)::text, 5, '0') AS commune_2025 "
            "FROM courses_adminunit WHERE level = 'commune' AND structure = '2023'"
        )
        c.execute("ANALYZE bench_communes")
        c.execute("SELECT count(*) FROM bench_communes")
        communes = c.fetchone()[0]
        extra = ", province_2025, commune_2025" if places else ""
        extra_u = ", u.province_2025, u.commune_2025" if places else ""
        c.execute(
            "INSERT INTO courses_cadre (full_name, name_key, sex, birth_year, ethnicity, "
            "target_group, level, agency, unit_id, province_code, district_code, commune_code, "
            f"phone, email, consent_notice_version, created_at, updated_at{extra}) "
            "SELECT 'Cán bộ ' || g, 'can bo ' || g, "
            "CASE WHEN g %% 5 < 3 THEN 'female' ELSE 'male' END, 1960 + g %% 40, "
            "(ARRAY['08','03','09','02','06'])[1 + g %% 5], "
            "(ARRAY['key_cadre','leader','village_head','key_cadre','other'])[1 + g %% 5], "
            "(ARRAY['commune','commune','district','province','village'])[1 + (g / 7) %% 5], "
            "'', u.id, u.province_code, u.district_code, u.commune_code, '', '', '', now(), "
            f"now(){extra_u} FROM generate_series(1, %s) g JOIN bench_communes u "
            "ON u.n = g %% %s",
            [cadres, communes],
        )
        values = ", ".join(f"({pk})" for pk in courses)
        c.execute(
            "INSERT INTO courses_enrolment (cadre_id, course_id, enrolled_at, completed_at, "
            "completed_via) SELECT k.id, c.course_id, now(), "
            "CASE WHEN (k.id + c.course_id) %% 3 = 0 THEN timestamp '2021-01-15' + "
            "((k.id %% %s) || ' months')::interval ELSE NULL END, "
            "CASE WHEN (k.id + c.course_id) %% 3 = 0 THEN 'online' ELSE '' END "
            f"FROM courses_cadre k CROSS JOIN (VALUES {values}) "
            "c(course_id) WHERE k.id IS NOT NULL",
            [MONTHS],
        )
        c.execute("ANALYZE courses_cadre, courses_enrolment")
        per_enrolment = max(progress // (cadres * enrolments_per_cadre), 1)
        lesson_values = ", ".join(f"({pk})" for pk in lessons[:per_enrolment])
        c.execute(
            "INSERT INTO courses_lessonprogress (enrolment_id, lesson_id, completed_at) "
            f"SELECT e.id, l.lesson_id, now() FROM courses_enrolment e CROSS JOIN "
            f"(VALUES {lesson_values}) l(lesson_id)"
        )
        c.execute("ANALYZE courses_cadre, courses_enrolment, courses_adminunit")
        # Achievements: one per person and indicator, in the cell of their unit and month.
        key = "k.province_code, k.district_code, k.commune_code, k.level, k.sex, k.ethnicity"
        columns = (
            "indicator_id, cadre_id, achieved_at, month, province_code, district_code, "
            "commune_code, level, sex, ethnicity"
        )
        if places:
            key += ", k.province_2025, k.commune_2025"
            columns += ", province_2025, commune_2025"
        first_completion = (
            "SELECT cadre_id, min(completed_at) AS at FROM courses_enrolment "
            "WHERE completed_at IS NOT NULL GROUP BY cadre_id"
        )
        c.execute(
            f"INSERT INTO courses_achievement ({columns}) SELECT %s, k.id, f.at, "
            f"date_trunc('month', f.at)::date, {key} FROM ({first_completion}) f "
            "JOIN courses_cadre k ON k.id = f.cadre_id WHERE k.level IN "
            "('province','district','commune') AND k.target_group IN ('leader','key_cadre')",
            [ids["CADRES_TRAINED"]],
        )
        c.execute(
            f"INSERT INTO courses_achievement ({columns}) SELECT %s, k.id, f.at, "
            f"date_trunc('month', f.at)::date, {key} FROM ({first_completion}) f "
            "JOIN courses_cadre k ON k.id = f.cadre_id WHERE k.target_group = 'village_head'",
            [ids["VILLAGE_HEADS_TRAINED"]],
        )
        c.execute(
            f"INSERT INTO courses_achievement ({columns}) SELECT %s, k.id, f.at, "
            f"date_trunc('month', f.at)::date, {key} FROM ({first_completion}) f "
            "JOIN courses_cadre k ON k.id = f.cadre_id",
            [ids["CERTIFIED_LEARNERS"]],
        )
        c.execute(
            f"INSERT INTO courses_achievement ({columns}) SELECT %s, k.id, now(), "
            f"date '2021-01-01' + ((k.id %% %s) || ' months')::interval, {key} "
            "FROM courses_cadre k WHERE k.id %% 9 = 0",
            [ids["ME_PARTICIPANTS"], MONTHS],
        )
    counters_recount()


def _has_places() -> bool:
    """Whether this revision stores the 2025 place columns (an older one maps at read time)."""
    from courses.registry.models import Cadre

    return "province_2025" in {field.name for field in Cadre._meta.fields}


def _pages(count: int) -> tuple[list[int], list[int]]:
    """`count` courses and 10 lessons (created once; lessons are shared by the bench rows)."""
    from wagtail.models import Page

    from content.models import CoursePage, LessonPage

    courses = list(
        CoursePage.objects.filter(slug__startswith="bench-course-").values_list("pk", flat=True)
    )
    lessons = list(
        LessonPage.objects.filter(slug__startswith="bench-lesson-").values_list("pk", flat=True)
    )
    if len(courses) >= count and len(lessons) >= 10:
        return courses[:count], lessons
    root = Page.get_first_root_node()
    for n in range(len(courses), count):
        course = root.add_child(instance=CoursePage(title=f"Bench {n}", slug=f"bench-course-{n}"))
        courses.append(course.pk)
    parent = Page.objects.get(pk=courses[0])
    for n in range(len(lessons), 10):
        lesson = parent.add_child(instance=LessonPage(title=f"Bài {n}", slug=f"bench-lesson-{n}"))
        lessons.append(lesson.pk)
    return courses, lessons


if __name__ == "__main__":
    main()
