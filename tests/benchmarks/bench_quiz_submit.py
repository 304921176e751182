"""Quiz submission under load: 50 concurrent learners against gunicorn and PostgreSQL.

Each simulated learner behaves like a person taking the quiz: a short think time (THINK_S, on
average 1 s) between answers, each answer autosaved as it is given, then a submission. So 50
learners keep about 40-50 requests a second in flight, which is what 50 people answering at
once send; without think time the benchmark would measure a flood, not 50 users.

Prints the p50/p95/max of submission (and of autosave and the quiz page), the error count and
the number of lost answers (answers sent but not found in the database). Target: submission
p95 <= 150 ms with zero errors and zero lost answers.

Needs PostgreSQL on 127.0.0.1 (trust auth). Creates its own database `lms_bench_quiz`.
Run: `.venv/bin/python -m tests.benchmarks quiz_submit` (or `make bench`).
"""

from __future__ import annotations

import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
DB_NAME = "lms_bench_quiz"
USERS = 50
ROUNDS = 3
THINK_S = float(os.environ.get("BENCH_THINK_S", "1.0"))
RAMP_S = float(os.environ.get("BENCH_RAMP_S", "10"))
QUESTIONS = 10
PASSWORD = "mat-khau-dai-123"  # noqa: S105 - benchmark users on a throwaway database


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run(cmd: list[str], env: dict[str, str]) -> None:
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)


def prepare(env: dict[str, str]) -> dict:
    psql = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-q", "-c"]
    subprocess.run([*psql, f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"], check=True)
    subprocess.run([*psql, f"CREATE DATABASE {DB_NAME}"], check=True)
    run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], env)
    run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], env)
    script = f"""
import django, json
django.setup()
from tests.builders import make_course, make_quiz, make_learner
from courses.learning.services import enrolment_create, lesson_complete
quiz = make_quiz(questions={QUESTIONS}, unlimited_attempts=True, shuffle=True, pass_mark=101 - 1)
tree = make_course(quiz=quiz, modules=1, lessons_per_module=1)
users = []
for n in range({USERS}):
    user, cadre = make_learner(f"bench{{n}}")
    enrolment, _ = enrolment_create(cadre=cadre, course=tree.course)
    users.append(user.username)
print(json.dumps({{"course": tree.course.pk, "quiz": quiz.pk, "users": users}}))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    import json

    return json.loads(out.stdout.strip().splitlines()[-1])


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def learner(base, username, data, timings, errors, sent, logged_in):
    session = requests.Session()
    try:
        page = session.get(f"{base}/accounts/login/", timeout=30)
        token = session.cookies.get("csrftoken")
        session.post(
            f"{base}/accounts/login/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{base}/accounts/login/"},
            timeout=30,
        )
        # Logging in (an Argon2id hash each, lms/hashers.py) is not what is measured: every
        # learner logs in first, then arrivals at the quiz spread over RAMP_S seconds.
        logged_in.wait(timeout=600)
        time.sleep(random.uniform(0, RAMP_S))
        quiz_url = f"{base}/learn/courses/{data['course']}/quiz/{data['quiz']}/"
        for _ in range(ROUNDS):
            started = time.perf_counter()
            page = session.get(quiz_url, timeout=30)
            timings["quiz page"].append(time.perf_counter() - started)
            if page.status_code != 200:
                errors.append(f"quiz page {page.status_code}")
                return
            html = page.text
            attempt = re.search(r"/learn/attempts/(\d+)/submit/", html).group(1)
            token = session.cookies.get("csrftoken")
            pairs = re.findall(r'name="q-(\d+)" id="c-(\d+)"', html)
            chosen: dict[str, str] = {}
            for question, choice in pairs:
                chosen.setdefault(question, choice)
            for question, choice in chosen.items():
                time.sleep(random.uniform(0.5, 1.5) * THINK_S)
                started = time.perf_counter()
                response = session.post(
                    f"{base}/learn/attempts/{attempt}/answer/",
                    json={"question": question, "choices": [choice]},
                    headers={"X-CSRFToken": token, "Referer": quiz_url},
                    timeout=30,
                )
                timings["autosave"].append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors.append(f"autosave {response.status_code}")
            form = {f"q-{q}": c for q, c in chosen.items()}
            form["csrfmiddlewaretoken"] = token
            started = time.perf_counter()
            response = session.post(
                f"{base}/learn/attempts/{attempt}/submit/",
                data=form,
                headers={"Referer": quiz_url},
                allow_redirects=False,
                timeout=30,
            )
            timings["submit"].append(time.perf_counter() - started)
            if response.status_code != 302:
                errors.append(f"submit {response.status_code}")
            sent.append((int(attempt), {int(q): [int(c)] for q, c in chosen.items()}))
    except Exception as exc:  # noqa: BLE001 - every failure is an error to report
        errors.append(repr(exc))


def lost_answers(env: dict[str, str], sent: list) -> int:
    import json

    script = """
import django, json, sys
django.setup()
from courses.learning.models import QuizAnswer
rows = {}
for attempt, question, choices in QuizAnswer.objects.values_list(
        "attempt_id", "question_id", "choice_ids"):
    rows[f"{attempt}:{question}"] = choices
print(json.dumps(rows))
"""
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, check=True, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    saved = json.loads(out.stdout.strip().splitlines()[-1])
    lost = 0
    for attempt, answers in sent:
        for question, choices in answers.items():
            if saved.get(f"{attempt}:{question}") != choices:
                lost += 1
    return lost


def main() -> None:
    static_root = tempfile.mkdtemp(prefix="lms-bench-static-")
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-with-enough-length-1234567890abcdef",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=static_root,
        LOGIN_RATE_LIMIT="1000",
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="lms.settings",
    )
    env.pop("REDIS_URL", None)
    data = prepare(env)
    port = free_port()
    workers = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lms.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                requests.get(f"{base}/healthz", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        timings: dict[str, list[float]] = {"quiz page": [], "autosave": [], "submit": []}
        errors: list[str] = []
        sent: list = []
        logged_in = threading.Barrier(len(data["users"]))
        threads = [
            threading.Thread(
                target=learner, args=(base, name, data, timings, errors, sent, logged_in)
            )
            for name in data["users"]
        ]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    lost = lost_answers(env, sent)
    print(f"{USERS} concurrent learners x {ROUNDS} attempts x {QUESTIONS} questions "
          f"(think time ~{THINK_S:.1f} s, arrivals over {RAMP_S:.0f} s), "
          f"gunicorn {workers} workers, PostgreSQL; {elapsed:.1f} s")  # fmt: skip
    for name, values in timings.items():
        ms = [v * 1000 for v in values]
        print(
            f"  {name:10s} n={len(ms):5d}  p50={statistics.median(ms):7.1f} ms  "
            f"p95={percentile(ms, 95):7.1f} ms  max={max(ms):7.1f} ms"
        )
    print(f"  errors={len(errors)}  lost answers={lost}")
    if errors:
        print("  first errors:", errors[:5])


if __name__ == "__main__":
    main()
