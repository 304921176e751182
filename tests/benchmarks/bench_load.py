"""Load: 100 simulated cadres do the online journey for two minutes against gunicorn and
PostgreSQL on 127.0.0.1, and the p95 of each page is printed (target: zero errors).

Prepares its own database `lms_bench_load` (migrate, collectstatic, a course of 2 modules x 3
lessons with a 10-question quiz, 100 cadres with logins), starts gunicorn on a free loopback
port, runs tests/load/cadres.py in-process and stops everything by itself.

Settings through the environment: BENCH_LOAD_USERS (100), BENCH_LOAD_SECONDS (120),
BENCH_THINK_S (1.0 s average think time), BENCH_GUNICORN_WORKERS (4), BENCH_LOAD_ADMINS (5:
one central admin and four admins of the cadres' province reading the dashboard, the counters
API, the registry, the certificates and the CSV export) and BENCH_LOAD_TRAINERS (3).
Run: `.venv/bin/python -m tests.benchmarks load` (or `make bench`).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

from tests.benchmarks.cpu import cpu_seconds, postgres_cpu_seconds, postmaster_pid
from tests.load.cadres import Journey, report, run

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = "lms_bench_load"
USERS = int(os.environ.get("BENCH_LOAD_USERS", "100"))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "120"))
THINK_S = float(os.environ.get("BENCH_THINK_S", "1.0"))
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
# Staff next to the cadres: admin0 is a central admin, the others admins of province 10.
ADMINS = int(os.environ.get("BENCH_LOAD_ADMINS", "5"))
TRAINERS = int(os.environ.get("BENCH_LOAD_TRAINERS", "3"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(cmd: list[str], env: dict[str, str]) -> str:
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True,
                         timeout=900)  # fmt: skip
    return out.stdout


PREPARE = """
import django, json
django.setup()
from courses.counters.models import Indicator
from tests.builders import make_course, make_quiz, make_learner, make_units
for code in ("CADRES_TRAINED", "CERTIFIED_LEARNERS"):
    Indicator.objects.get_or_create(code=code, defaults={"name": code, "unit": "people"})
quiz = make_quiz(questions=10, unlimited_attempts=True, shuffle=True, pass_mark=60)
tree = make_course(title="Kiến thức cơ bản về bình đẳng giới", quiz=quiz, modules=2,
                   lessons_per_module=3)
unit = make_units(province_code="10").commune
for n in range(USERS):
    make_learner(f"cadre{n}", unit=unit, full_name=f"Nguyễn Thị Học Viên {n}")
from lms.roles import ADMIN, TRAINER
from tests.builders import make_user
for n in range(STAFF_ADMINS):
    make_user(f"admin{n}", role=ADMIN, province_code="15" if n else "")
for n in range(STAFF_TRAINERS):
    make_user(f"trainer{n}", role=TRAINER, province_code="15")
print(json.dumps({"course": tree.course.pk, "course_url": tree.course.url, "quiz": quiz.pk,
                  "lessons": [[lesson.pk, lesson.url] for lesson in tree.lessons]}))
"""


def prepare(env: dict[str, str]) -> dict:
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-q", "-c"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"], check=True)
    subprocess.run([*psql, f"CREATE DATABASE {DB_NAME}"], check=True)
    _run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], env)
    _run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], env)
    script = (
        PREPARE.replace("range(USERS)", f"range({USERS})")
        .replace("range(STAFF_ADMINS)", f"range({ADMINS})")
        .replace("range(STAFF_TRAINERS)", f"range({TRAINERS})")
    )
    out = _run([sys.executable, "-c", script], env)
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    static_root = tempfile.mkdtemp(prefix="lms-bench-static-")
    media_root = tempfile.mkdtemp(prefix="lms-bench-media-")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-with-enough-length-1234567890abcdef",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=static_root,
        MEDIA_ROOT=media_root,
        PRIVATE_MEDIA_ROOT=tempfile.mkdtemp(prefix="lms-bench-private-"),
        # The worker signs each certificate's credential: a key of the benchmark's own, so a
        # fresh clone without var/credential-key.pem issues them instead of failing each one.
        CREDENTIAL_KEY_FILE=media_root + "-key/credential-key.pem",
        CREDENTIAL_KEY_CREATE_MISSING="1",
        LOGIN_RATE_LIMIT="100000",
        CERTIFICATE_VERIFY_RATE="100000/m",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="lms.settings",
    )
    # As in production: tasks go through Redis to a Celery worker (certificates, emails).
    # Without REDIS_URL they run inline in the web process, as under `make run`.
    redis_url = env.get("REDIS_URL", "")
    if redis_url:
        subprocess.run(["redis-cli", "-u", redis_url, "flushdb"], check=True, capture_output=True)
    data = prepare(env)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lms.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", str(WORKERS), "--log-level", "warning", "--timeout", "60"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    worker = None
    if redis_url:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "lms", "worker", "-Q", "celery,certificates",
             "-c", "1", "--loglevel", "WARNING", "-n", f"bench-load-{os.getpid()}@127.0.0.1"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        journey = Journey(
            base=base, course_id=data["course"], course_url=data["course_url"],
            quiz_id=data["quiz"], lessons=[tuple(x) for x in data["lessons"]],
            deadline=time.monotonic() + SECONDS, think_s=THINK_S,
        )  # fmt: skip
        usernames = [f"cadre{n}" for n in range(USERS)]
        staff = [(f"admin{n}", "admin") for n in range(ADMINS)]
        staff += [(f"trainer{n}", "trainer") for n in range(TRAINERS)]
        postmaster = postmaster_pid(env["DATABASE_URL"])
        parts = {"web (gunicorn)": [server.pid], "worker (Celery)": [worker.pid] if worker else []}
        before = {name: cpu_seconds(pids) for name, pids in parts.items()}
        before["PostgreSQL"] = postgres_cpu_seconds(postmaster)
        before["load generator"] = time.process_time()
        elapsed = run(journey, usernames, staff)
        after = {name: cpu_seconds(pids) for name, pids in parts.items()}
        after["PostgreSQL"] = postgres_cpu_seconds(postmaster)
        after["load generator"] = time.process_time()
    finally:
        for process in (server, worker):
            if process is not None:
                process.terminate()
                process.wait(timeout=60)
    tasks = "a Celery worker through Redis" if redis_url else "tasks inline"
    print(f"gunicorn {WORKERS} workers, PostgreSQL, {tasks}, 2 cores; course of "
          f"{len(data['lessons'])} lessons and a 10-question quiz")  # fmt: skip
    report(journey, elapsed, USERS, ADMINS + TRAINERS)
    requests_made = sum(len(times) for times in journey.timings.values())
    used = {name: after[name] - before[name] for name in after}
    print(
        "CPU per request: "
        + ", ".join(f"{name} {1000 * s / max(requests_made, 1):.1f} ms" for name, s in used.items())
        + f"; all parts {sum(used.values()) / elapsed:.2f} cores of 2"
    )


if __name__ == "__main__":
    main()
