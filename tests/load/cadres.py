"""The load script: simulated cadres doing the online journey against a running server.

Each simulated cadre logs in, then loops until the deadline: my courses, the course page,
enrol, every lesson (open it, mark it done), the quiz page, each answer autosaved, submit,
the result page. Think time between steps (THINK_S on average) makes each thread behave like
a person, not a flood. Traffic goes to the given base URL only, which must be on the loopback
interface; the run stops by itself at the deadline.

Usage (against a server you started, with users cadre0..cadreN-1 and the course/quiz ids):
    python -m tests.load.cadres --base http://127.0.0.1:8000 --users 100 --seconds 120 \\
        --course 5 --quiz 2 --lessons '{"12": "/khoa-hoc/.../bai-1-1/", ...}'
`make bench` runs it through tests/benchmarks/bench_load.py, which prepares everything.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlparse

import requests

PASSWORD = "mat-khau-dai-123"  # noqa: S105 - throwaway benchmark users
LOOPBACK = ("127.", "localhost", "[::1]", "::1")
RAMP_S = 0.2


@dataclass
class Journey:
    base: str
    course_id: int
    course_url: str
    quiz_id: int
    lessons: list[tuple[int, str]]  # (id, url)
    deadline: float
    think_s: float = 1.0
    timings: dict = field(default_factory=lambda: defaultdict(list))
    errors: list = field(default_factory=list)
    counts: dict = field(default_factory=lambda: defaultdict(int))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, page: str, seconds: float, ok: bool, detail: str = "") -> None:
        with self.lock:
            self.timings[page].append(seconds)
            self.counts[page] += 1
            if not ok:
                self.errors.append(f"{page}: {detail}")


def _think(journey: Journey) -> None:
    time.sleep(random.uniform(0.5, 1.5) * journey.think_s)


def _call(journey, session, page, method, path, expect, **kwargs):
    if time.monotonic() >= journey.deadline:
        return None  # the run is over: no request is started after the deadline
    started = time.perf_counter()
    try:
        response = session.request(method, journey.base + path, timeout=30,
                                   allow_redirects=False, **kwargs)  # fmt: skip
    except requests.RequestException as exc:
        journey.record(page, time.perf_counter() - started, False, repr(exc))
        return None
    ok = response.status_code == expect
    journey.record(page, time.perf_counter() - started, ok, f"{response.status_code} {path}")
    return response if ok else None


def cadre(journey: Journey, username: str) -> None:
    session = requests.Session()
    referer = {"Referer": journey.base + "/"}
    if _call(journey, session, "login page", "GET", "/accounts/login/", 200) is None:
        return
    token = session.cookies.get("csrftoken")
    form = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
    if _call(journey, session, "login", "POST", "/accounts/login/", 302, data=form,
             headers=referer) is None:  # fmt: skip
        return
    while time.monotonic() < journey.deadline:
        token = session.cookies.get("csrftoken")
        post = {"csrfmiddlewaretoken": token}
        _call(journey, session, "my courses", "GET", "/learn/", 200)
        _think(journey)
        _call(journey, session, "course page", "GET", journey.course_url, 200)
        _call(journey, session, "enrol", "POST", f"/learn/courses/{journey.course_id}/enrol/",
              302, data=post, headers=referer)  # fmt: skip
        for lesson_id, url in journey.lessons:
            if time.monotonic() >= journey.deadline:
                return
            _think(journey)
            _call(journey, session, "lesson", "GET", url, 200)
            _call(journey, session, "mark done", "POST", f"/learn/lessons/{lesson_id}/done/",
                  302, data=post, headers=referer)  # fmt: skip
        _think(journey)
        quiz_path = f"/learn/courses/{journey.course_id}/quiz/{journey.quiz_id}/"
        page = _call(journey, session, "quiz", "GET", quiz_path, 200)
        if page is None:
            continue
        attempt = re.search(r"/learn/attempts/(\d+)/submit/", page.text).group(1)
        chosen: dict[str, str] = {}
        for question, choice in re.findall(r'name="q-(\d+)" id="c-(\d+)"', page.text):
            if question not in chosen or random.random() < 0.3:
                chosen[question] = choice
        for question, choice in chosen.items():
            _think(journey)
            _call(journey, session, "answer", "POST", f"/learn/attempts/{attempt}/answer/", 200,
                  json={"question": question, "choices": [choice]},
                  headers={"X-CSRFToken": token, "Referer": journey.base + quiz_path})  # fmt: skip
        form = {f"q-{q}": c for q, c in chosen.items()} | post
        if _call(journey, session, "submit", "POST", f"/learn/attempts/{attempt}/submit/", 302,
                 data=form, headers=referer) is None:  # fmt: skip
            continue
        _call(journey, session, "result", "GET", f"/learn/attempts/{attempt}/", 200)
        _think(journey)


# Staff traffic next to the cadres: province admins and a central admin reading the figures
# and the registry, trainers opening their sessions. Their pages are reported apart.
STAFF_PAGES = {
    "admin": [
        ("dashboard", "/admin/counters/"),
        ("counters API", "/api/counters/?by=province"),
        ("registry", "/admin/registry/cadres/"),
        ("certificates", "/admin/certificates/"),
        ("export CSV", "/admin/counters/export.csv"),
    ],
    "trainer": [("sessions", "/trainer/sessions/"), ("admin home", "/admin/")],
}


def staff(journey: Journey, username: str, kind: str) -> None:
    """A staff member logs in, then reads their pages in turn, with think time."""
    session = requests.Session()
    if _call(journey, session, "login page", "GET", "/accounts/login/", 200) is None:
        return
    form = {"username": username, "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies.get("csrftoken")}  # fmt: skip
    if _call(journey, session, "login", "POST", "/accounts/login/", 302, data=form,
             headers={"Referer": journey.base + "/"}) is None:  # fmt: skip
        return
    while time.monotonic() < journey.deadline:
        for page, path in STAFF_PAGES[kind]:
            if time.monotonic() >= journey.deadline:
                return
            _call(journey, session, page, "GET", path, 200)
            _think(journey)


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    if not values:
        return float("nan")
    k = max(0, min(len(values) - 1, round(p / 100 * (len(values) - 1))))
    return values[k]


def run(journey: Journey, usernames: list[str], staff_users: list[tuple[str, str]] = ()) -> float:
    """Cadres (and staff: (username, "admin" or "trainer")) until the deadline."""
    host = urlparse(journey.base).hostname or ""
    if not host.startswith(LOOPBACK):
        raise SystemExit(f"refusing to load {journey.base}: loopback addresses only")
    threads = [threading.Thread(target=cadre, args=(journey, u), daemon=True) for u in usernames]
    threads += [
        threading.Thread(target=staff, args=(journey, u, kind), daemon=True)
        for u, kind in staff_users
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
        time.sleep(RAMP_S)  # people arrive one by one: 100 cadres over about 20 s
    for thread in threads:  # each ends within one request (30 s timeout) and one think time
        thread.join()
    return time.perf_counter() - started


PAGES = ["login page", "login", "my courses", "course page", "enrol", "lesson", "mark done",
         "quiz", "answer", "submit", "result"]  # fmt: skip
PAGES += [page for pages in STAFF_PAGES.values() for page, _path in pages]


def report(journey: Journey, elapsed: float, users: int, staff_users: int = 0) -> None:
    total = sum(journey.counts.values())
    rate = total / elapsed
    others = f" and {staff_users} staff" if staff_users else ""
    print(f"{users} simulated cadres{others} for {elapsed:.0f} s "
          f"(think time ~{journey.think_s:.1f} s): "
          f"{total} requests, {rate:.1f} req/s, errors={len(journey.errors)}")  # fmt: skip
    for page in PAGES:
        ms = [v * 1000 for v in journey.timings.get(page, [])]
        if not ms:
            continue
        print(f"  {page:12s} n={len(ms):6d}  p50={percentile(ms, 50):7.1f} ms  "
              f"p95={percentile(ms, 95):7.1f} ms  max={max(ms):7.1f} ms")  # fmt: skip
    if journey.errors:
        print("  first errors:", journey.errors[:5])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--think", type=float, default=1.0)
    parser.add_argument("--course", type=int, required=True)
    parser.add_argument("--course-url", required=True)
    parser.add_argument("--quiz", type=int, required=True)
    parser.add_argument("--lessons", required=True, help='JSON [[id, "/url/"], ...]')
    parser.add_argument("--prefix", default="cadre")
    args = parser.parse_args()
    journey = Journey(
        base=args.base.rstrip("/"), course_id=args.course, course_url=args.course_url,
        quiz_id=args.quiz, lessons=[tuple(x) for x in json.loads(args.lessons)],
        deadline=time.monotonic() + args.seconds, think_s=args.think,
    )  # fmt: skip
    usernames = [f"{args.prefix}{n}" for n in range(args.users)]
    report(journey, run(journey, usernames), args.users)


if __name__ == "__main__":
    main()
