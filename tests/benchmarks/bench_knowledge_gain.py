"""Server time of /api/knowledge-gain/ (and of its selector) at 1x and 10x data, on PostgreSQL.

1x: 200,000 quiz attempts: 20,000 cadres, each enrolled in 5 courses that name a pre-test,
with one submitted pre-test attempt and one submitted final-quiz attempt per enrolment, and the
100,000 knowledge-score rows that follow from them; the rollup rebuilt from those rows by
knowledge_gain_recount. 10x: 2,000,000 attempts, 200,000 cadres, 1,000,000 score rows.
BENCH_GAIN_SCALES (default "1,10") picks the scales; any positive number is a scale (0.01:
2,000 attempts, to check the benchmark runs). The database keeps the data of the last scale
loaded, so that scale reruns without loading.

Runs in its own database (BENCH_GAIN_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/lms_bench_gain), created and migrated if needed, in a
child process with a process-local cache. Server time is measured in-process with Django's
test client (middleware, view, JSON), p50 over many requests:
- "cached": the figures are cached under the gain generation (while no score changes);
- "uncached": the gain generation moves on before each request, so every request aggregates
  the rollup;
- "selector": knowledge_gain() called directly, uncached.
It prints the number of SQL queries of one uncached request, the table sizes and the load
average.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lms_bench_gain"
ATTEMPTS = 200_000  # at 1x
COURSES = 5
PROVINCES = 34


def main() -> None:
    url = os.environ.get("BENCH_GAIN_DATABASE_URL", DEFAULT_URL)
    _database_create(url)
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="lms.settings")
    env.pop("REDIS_URL", None)  # a process-local cache: the figures, not the network, are timed
    code = "from tests.benchmarks.bench_knowledge_gain import run; run()"
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
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    scales = [float(n) for n in os.environ.get("BENCH_GAIN_SCALES", "1,10").split(",")]
    results = {}
    for scale in scales:
        results[scale] = _scenario(scale=scale)
    if len(results) < 2:
        return
    print()
    first, last = results[scales[0]], results[scales[-1]]
    for name in first:
        a, b = first[name], last[name]
        print(
            f"{name:<28} {scales[0]:g}x p50 {a:7.2f} ms   {scales[-1]:g}x p50 {b:7.2f} ms   "
            f"ratio {b / a:4.2f}"
        )


def _timed(call, n: int, *, bump: bool) -> float:
    from courses.counters.gain_selectors import GAIN_GENERATION
    from lms.cache import generation_bump

    samples = []
    for _ in range(n):
        if bump:
            generation_bump(GAIN_GENERATION)
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _scenario(*, scale: float) -> dict[str, float]:
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from courses.counters.gain import knowledge_gain_drift
    from courses.counters.gain_selectors import GAIN_GENERATION, knowledge_gain
    from courses.counters.models import GainRollup, KnowledgeScore
    from courses.learning.models import QuizAttempt
    from lms.cache import generation_bump

    attempts = max(int(ATTEMPTS * scale) // (2 * COURSES) * 2 * COURSES, 2 * COURSES)
    cadres = attempts // (2 * COURSES)
    started = time.monotonic()
    if QuizAttempt.objects.count() != attempts:
        _load(cadres=cadres)
    loaded = time.monotonic() - started
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    drift = len(knowledge_gain_drift())
    print(
        f"{scale:g}x: {QuizAttempt.objects.count():,} attempts, {cadres:,} cadres, "
        f"{KnowledgeScore.objects.count():,} score rows, {GainRollup.objects.count():,} rollup "
        f"rows (loaded in {loaded:.0f} s, drift {drift})"
    )
    User = get_user_model()
    admin = User.objects.filter(username="bench-admin").first() or User.objects.create_superuser(
        "bench-admin", password="bench-password-123"
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(admin)
    cache.clear()

    def get(url):
        def call():
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return call

    cases = {
        "api cached": (get("/api/knowledge-gain/?by=sex"), 300, False),
        "api uncached": (get("/api/knowledge-gain/"), 200, True),
        "api uncached by=sex": (get("/api/knowledge-gain/?by=sex"), 200, True),
        "api uncached by=ethnicity": (get("/api/knowledge-gain/?by=ethnicity"), 200, True),
        "api uncached by=province": (get("/api/knowledge-gain/?by=province"), 200, True),
        "api uncached by=course": (get("/api/knowledge-gain/?by=course"), 200, True),
        "api uncached province": (get("/api/knowledge-gain/?by=level&province=08"), 200, True),
        "api uncached course": (
            get("/api/knowledge-gain/?by=sex&course=bench-gain-course-0"),
            200,
            True,
        ),
        "selector uncached by=sex": (
            lambda: knowledge_gain(scope_province=None, by="sex"),
            300,
            True,
        ),
    }
    with open("/proc/loadavg") as f:
        print(f"  load average before timing: {' '.join(f.read().split()[:3])}")
    results = {}
    for name, (call, n, bump) in cases.items():
        results[name] = _timed(call, n, bump=bump)
        call()
        with CaptureQueriesContext(connection) as queries:
            if bump:
                generation_bump(GAIN_GENERATION)
            call()
        print(f"  {name:<28} p50 {results[name]:7.2f} ms  {len(queries)} queries")
    with open("/proc/loadavg") as f:
        print(f"  load average after timing: {' '.join(f.read().split()[:3])}")
    return results


def _load(*, cadres: int) -> None:
    """Bulk-load cadres, enrolments, attempts and the score rows with INSERT ... SELECT, then
    rebuild the rollup from the score rows."""
    from django.db import connection, transaction

    from courses.counters.gain import knowledge_gain_recount

    courses = _courses()
    with transaction.atomic(), connection.cursor() as c:
        c.execute(
            "TRUNCATE courses_knowledgescore, courses_gainrollup, courses_quizanswer, "
            "courses_quizattempt, courses_lessonprogress, courses_enrolment, courses_attendance, "
            "courses_cadre RESTART IDENTITY CASCADE"
        )
        c.execute(
            "INSERT INTO courses_cadre (full_name, name_key, sex, birth_year, ethnicity, "
            "target_group, level, agency, unit_id, province_code, district_code, commune_code, "
            "phone, email, consent_notice_version, created_at, updated_at, province_2025, "
            "commune_2025, consent_method) SELECT 'Cán bộ ' || g, 'can bo ' || g, "
            "CASE WHEN g %% 5 < 3 THEN 'female' ELSE 'male' END, 1960 + g %% 40, "
            "(ARRAY['08','03','09','02','06','01'])[1 + g %% 6], "
            "(ARRAY['key_cadre','leader','village_head','key_cadre','other'])[1 + g %% 5], "
            "(ARRAY['commune','commune','district','province','village'])[1 + (g / 7) %% 5], "
            "'', NULL, '', '', '', '', '', '', now(), now(), "
            "lpad((1 + g %% %s)::text, 2, '0'), '', '' FROM generate_series(1, %s) g",
            [PROVINCES, cadres],
        )
        values = ", ".join(f"({course}, {pre}, {final})" for course, pre, final in courses)
        c.execute(
            "CREATE TEMP TABLE bench_courses (course_id int, pre_id int, final_id int) "
            "ON COMMIT DROP"
        )
        c.execute(f"INSERT INTO bench_courses VALUES {values}")  # noqa: S608
        c.execute(
            "INSERT INTO courses_enrolment (cadre_id, course_id, enrolled_at, completed_via) "
            "SELECT k.id, b.course_id, now(), '' FROM courses_cadre k CROSS JOIN bench_courses b"
        )
        # Pre-test 20-80; post-test the pre-test plus 0-40, at most 100 (some at 100).
        pre = "(20 + mod(e.id * 7, 61))"
        post = f"LEAST(100, {pre} + mod(e.id * 13, 41))"
        for quiz, score in (("pre_id", pre), ("final_id", post)):
            c.execute(
                "INSERT INTO courses_quizattempt (enrolment_id, quiz_id, number, "
                "question_order, choice_order, started_at, submitted_at, score, correct_count, "
                f"question_count, passed) SELECT e.id, b.{quiz}, 1, '[]', '{{}}', now(), now(), "
                f"{score}, 0, 10, {score} >= 70 FROM courses_enrolment e JOIN bench_courses b "
                "ON b.course_id = e.course_id"
            )
        c.execute(
            "INSERT INTO courses_knowledgescore (cadre_id, course_id, session_id, pre, post, "
            "province_2025, level, sex, ethnicity, target_group, updated_at) "
            "SELECT k.id, e.course_id, NULL, p.score, f.score, k.province_2025, k.level, k.sex, "
            "k.ethnicity, k.target_group, now() FROM courses_enrolment e "
            "JOIN courses_cadre k ON k.id = e.cadre_id "
            "JOIN bench_courses b ON b.course_id = e.course_id "
            "JOIN courses_quizattempt p ON p.enrolment_id = e.id AND p.quiz_id = b.pre_id "
            "JOIN courses_quizattempt f ON f.enrolment_id = e.id AND f.quiz_id = b.final_id"
        )
    knowledge_gain_recount()


def _courses() -> list[tuple[int, int, int]]:
    """COURSES courses, each with a pre-test and a final quiz: (course, pre-test, final)."""
    from wagtail.models import Page

    from content.models import CoursePage, Quiz

    found = list(
        CoursePage.objects.filter(slug__startswith="bench-gain-course-")
        .order_by("slug")
        .values_list("pk", "pre_test_id", "final_quiz_id")
    )
    if len(found) >= COURSES:
        return found[:COURSES]
    root = Page.get_first_root_node()
    for n in range(len(found), COURSES):
        pre = Quiz.objects.create(title=f"Đầu vào {n}")
        final = Quiz.objects.create(title=f"Cuối khóa {n}")
        course = root.add_child(
            instance=CoursePage(title=f"Bench gain {n}", slug=f"bench-gain-course-{n}",
                                pre_test=pre, final_quiz=final)
        )  # fmt: skip
        found.append((course.pk, pre.pk, final.pk))
    return found


if __name__ == "__main__":
    main()
