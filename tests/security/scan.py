"""An outside web scanner (Debian's wapiti 3.0.4) against a production-like instance, as an
anonymous visitor, a cadre and a province admin; not part of `make test` (it takes minutes).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_scan .venv/bin/python -m tests.security.scan

The database is dropped and created again (its name must contain "scan"), so that each run
starts from the same demo and not from what the last scan wrote into it (SCAN_REUSE_DB=1 keeps
it, for a quicker run). It is migrated and the demo loaded, then served by gunicorn on
127.0.0.1 with DEBUG=0, a random SECRET_KEY and tasks run inline (no REDIS_URL).

Each role gets a fresh Django session (made through `manage.py shell`), handed to wapiti as a
cookie. Wapiti crawls from the role's own start page for at most SCAN_SECONDS, starting also
from every path that page names: Wagtail's sidebar is JSON drawn by JavaScript, which wapiti
does not read. The crawl is pruned to one resource per kind (`prune`), then every attack
module runs for about ATTACK_SECONDS. The script prints, per role, the requests the server
answered, wapiti's findings and every 5xx answer (gunicorn's access log), then the errors
Django logged and any worker gunicorn killed for taking too long.

Wapiti needs some help here:
- its `-x` builds a regular expression with its flags at the end, which Python 3.11 refuses,
  so it runs with that one function replaced (`WAPITI`). `-x` keeps it off the logout forms
  (the crawler submits every form it finds: a logout in the first seconds would scan the rest
  as an anonymous visitor), the language switch and the static files (`EXCLUDED`);
- its `-m` takes no value that starts with "-" (`-m -all` reads as another option), so the
  crawl runs with `-m ""`: no module;
- an attack module stops only between two resources, so one may overrun ATTACK_SECONDS on a
  form with many fields, and modules attack in the order of the paths: the time limits around
  wapiti are generous and ATTACK_SECONDS stays small;
- crash reports (sent to wapiti's authors) are off, its payloads that name an outside host
  name this server instead, and it gets an empty technology list instead of downloading one.

With the defaults a run takes about 10 to 15 minutes on two busy cores. It is a sample: each
module reaches a few dozen resources per role. Every process it starts is bounded in time and
stopped. Exit status: 0 with no server error, 1 with some, 2 when it could not run.
"""

from __future__ import annotations

import fnmatch
import json
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, defaultdict
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[2]
# Each role's user and its start page, in its own part of the site: the crawl goes breadth
# first from there and from the paths that page names.
ROLES = {
    "anonymous": (None, ""),
    "cadre": ("hocvien", "learn/"),
    "province-admin": ("tinh_laocai", "admin/"),
}
SCAN_SECONDS = int(os.environ.get("SCAN_SECONDS", "90"))  # crawling, per role
ATTACK_SECONDS = int(os.environ.get("ATTACK_SECONDS", "20"))  # per attack module and role
MODULES = ["exec", "file", "sql", "xss", "crlf", "redirect", "permanentxss", "methods",
           "backup", "http_headers", "cookieflags", "csp"]  # fmt: skip
# Never crawled nor attacked (wapiti wildcards, after the base URL): the logout forms;
# Django's language switch, a form on every page that would take most of each module's time;
# the static files (the proxy's, in production), which the crawler reads for links at length.
EXCLUDED = ["*logout*", "i18n/setlang/*", "static/*"]
# Parameters not attacked: a changed CSRF token is only ever refused (403).
SKIPPED = ["csrfmiddlewaretoken"]
# Wapiti's own entry point, with its wildcard translation fixed for Python 3.11 (global flags
# must open a pattern); the rest of wapiti is untouched.
WAPITI = r"""
import re, sys
from wapitiCore.net import crawler

def wildcard_translate(pattern):
    body = "".join(".*" if char == "*" else re.escape(char) for char in pattern)
    return re.compile("(?ms)" + body + r"\Z")

crawler.wildcard_translate = wildcard_translate
from wapitiCore.main.wapiti import wapiti_main
sys.argv[0] = "wapiti"
sys.exit(wapiti_main())
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=900, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def recreate_database(url: str) -> None:
    """Drops and creates the scan's database, connected to the server's `postgres` one."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if "scan" not in name or not re.fullmatch(r"\w+", name):
        raise RuntimeError(f"the database is dropped first: its name must contain 'scan' ({name})")
    maintenance = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


SESSION = """
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
user = get_user_model().objects.get(username={username!r})
session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "lms.auth.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
print(session.session_key)
"""


def cookie_file(folder: Path, role: str, username: str | None, env: dict) -> tuple:
    """The role's cookies, made just before its scan: a session of its user (none for the
    anonymous visitor) and a CSRF cookie of its own. Both the crawl and the attacks (two wapiti
    processes) send that same CSRF cookie, so the tokens of the forms crawled still hold in the
    attacks. The cookies and the wapiti cookie file that holds them."""
    alphabet = string.ascii_letters + string.digits  # Django's CSRF secret: 32 of these
    cookies = {"csrftoken": "".join(secrets.choice(alphabet) for _ in range(32))}
    if username is not None:
        output = manage("shell", "-c", SESSION.format(username=username), env=env)
        cookies["sessionid"] = output.strip().splitlines()[-1]
    jar = {
        name: {"value": value, "expires": None, "secure": False, "port": None, "version": 0}
        for name, value in cookies.items()
    }
    path = folder / f"cookies-{role}.json"
    path.write_text(json.dumps({"127.0.0.1": {"/": jar}}))
    return cookies, path


def start_urls(base: str, start: str, cookies: dict) -> list[str]:
    """Every path of the site named in the role's start page, the crawl's first resources.

    Wagtail's sidebar (the admin's menu) is a JSON document drawn by JavaScript, which
    wapiti's crawler does not read: without these, a province admin's scan would never reach
    the registry, the sessions or the counters."""
    request = urllib.request.Request(base + start)
    request.add_header("Cookie", "; ".join(f"{name}={value}" for name, value in cookies.items()))
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 (our server)
        text = response.read().decode(errors="replace")
    paths = sorted(set(re.findall(r"""["'](/(?:[\w.-]+/)+)["']""", text)))
    excluded = [re.compile(fnmatch.translate("/" + pattern)) for pattern in EXCLUDED]
    return [base + path[1:] for path in paths if not any(x.match(path) for x in excluded)]


def wapiti(command: list[str], log: Path, limit: float) -> bool:
    """Runs one wapiti command, its output appended to the log; killed with its children past
    the limit. Whether it ended in time."""
    with log.open("a") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, env=dict(os.environ, HOME=str(log.parent)),
        )  # fmt: skip
        try:
            process.wait(timeout=limit)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return False
    return True


def prune(sessions: Path) -> tuple[int, int]:
    """Keeps one crawled resource of each kind (method, path with its numbers as N, parameter
    names) in wapiti's session, so that the attacks go to different views rather than to the
    seventeen "lesson done" forms or every page's copy of the same editor. The session is
    wapiti 3.0.4's SQLite file (tables `paths` and `params`). How many resources before and
    after."""
    (database,) = sessions.glob("*.db")
    with closing(sqlite3.connect(database)) as connection, connection:
        rows = connection.execute(
            "SELECT path_id, method, path FROM paths WHERE evil = 0 AND headers IS NOT NULL "
            "ORDER BY path_id"
        ).fetchall()
        names = defaultdict(set)
        for path_id, kind, name in connection.execute("SELECT path_id, type, name FROM params"):
            names[path_id].add(f"{kind}:{name}")
        seen, dropped = set(), []
        for path_id, method, path in rows:
            key = (method, re.sub(r"/\d+(?=/|$)", "/N", path), frozenset(names[path_id]))
            if key in seen:
                dropped.append((path_id,))
            seen.add(key)
        connection.executemany("DELETE FROM params WHERE path_id = ?", dropped)
        connection.executemany("DELETE FROM paths WHERE path_id = ?", dropped)
    return len(rows), len(rows) - len(dropped)


def run_wapiti(
    base: str, start: str, folder: Path, role: str, cookies: Path, seeds: list[str]
) -> dict:
    """Wapiti for one role: a crawl, the crawl pruned, then the attacks. Its report."""
    report = folder / f"wapiti-{role}.json"
    python = Path(shutil.which("wapiti")).read_text().splitlines()[0].removeprefix("#!").strip()
    sessions = folder / f"wapiti-session-{role}"
    command = [
        python, "-c", WAPITI, "-u", base + start, "--scope", "domain", "-f", "json",
        "-o", str(report), "--store-session", str(sessions),
        "--store-config", str(folder / "wapiti-config"), "--no-bugreport",
        "--endpoint", base, "--max-attack-time", str(ATTACK_SECONDS),
    ]  # fmt: skip
    for pattern in EXCLUDED:
        command += ["-x", base + pattern]
    for parameter in SKIPPED:
        command += ["--skip", parameter]
    command += ["-c", str(cookies)]
    seeds = [option for url in seeds for option in ("-s", url)]
    # An empty technology list: else every run would download wappalyzer's (module unused).
    (folder / "wapiti-config").mkdir(exist_ok=True)
    (folder / "wapiti-config" / "apps.json").write_text("{}")
    log = folder / f"wapiti-{role}.log"
    started = time.monotonic()
    found: dict = {}
    crawl = [*command, "--flush-session", "--max-scan-time", str(SCAN_SECONDS), *seeds, "-m", ""]
    if not wapiti(crawl, log, 3 * SCAN_SECONDS + 120):
        print(f"   wapiti's crawl took too long for {role}: stopped")
        return {"_seconds": round(time.monotonic() - started)}
    found["_crawled"], found["_kept"] = prune(sessions)
    attack = [*command, "--skip-crawl", "-m", ",".join(MODULES)]
    limit = 4 * ATTACK_SECONDS * len(MODULES) + 120
    if not wapiti(attack, log, limit):
        print(f"   wapiti's attacks took longer than {limit} s for {role}: stopped (no report)")
    text = log.read_text(errors="replace")
    if "Traceback" in text:
        print(f"   wapiti said (see {log}):", text[-1500:])
    found.update(json.loads(report.read_text()) if report.exists() else {})
    # The `methods` module only writes to its output, not to the report.
    found["_methods"] = re.findall(r"Interesting methods allowed on (\S+): (.+)", text)
    found["_seconds"] = round(time.monotonic() - started)
    return found


def print_findings(found: dict) -> None:
    for url, methods in found.get("_methods", [])[:6]:
        print(f"   methods: {urlsplit(url).path} allows {methods}")
    for kind in ("vulnerabilities", "anomalies"):
        for name, items in (found.get(kind) or {}).items():
            if not items:
                continue
            print(f"   {kind}: {name}: {len(items)}")
            for item in items[:6]:
                where = f"{item.get('method')} {item.get('path')} [{item.get('parameter') or ''}]"
                print(f"      {where} {(item.get('info') or '')[:150]}")


def print_errors(lines: list[str]) -> None:
    """The 5xx answers of the access log, by status, method and path, with an example each."""
    groups = defaultdict(list)
    for line in lines:
        found = re.match(r'(\d{3}) "(\S+) (\S+)', line)
        if found:
            status, method, target = found.groups()
            groups[(status, method, target.split("?")[0])].append(target)
    for (status, method, path), targets in sorted(groups.items(), key=lambda g: -len(g[1])):
        print(f"   {len(targets)} x {status} {method} {path}, e.g. {targets[0][:160]}")


def read_log(path: Path) -> list[str]:
    return path.read_text(errors="replace").splitlines() if path.exists() else []


LOG_LINE = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ ")


def server_errors(server_log: Path) -> None:
    """The errors Django logged, by path, exception and the last frame in the project's code,
    and the workers gunicorn killed for taking too long."""
    lines = read_log(server_log)
    kinds: Counter = Counter()
    for index, line in enumerate(lines):
        found = re.search(r"ERROR django.request: .*?: (\S+)", line)
        if not found:
            continue
        block = []
        for after in lines[index + 1 :]:
            if LOG_LINE.match(after) or after.startswith("["):
                break
            block.append(after)
        final = next((b for b in reversed(block) if b and not b.startswith(" ")), "")
        frames = [b.strip() for b in block if b.strip().startswith("File ") and "/.venv/" not in b]
        kinds[(found.group(1).split("?")[0], final[:200], frames[-1] if frames else "")] += 1
    timeouts = sum("WORKER TIMEOUT" in line for line in lines)
    print(f"server log: {sum(kinds.values())} errors, {timeouts} workers killed for time")
    for (path, error, frame), count in kinds.most_common(30):
        print(f"   {count} x {path}: {error}\n        at {frame}")


def main() -> int:
    if shutil.which("wapiti") is None:
        print("wapiti is not installed: apt-get install wapiti")
        return 2
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        print("set DATABASE_URL to a PostgreSQL database of its own (it is dropped and filled)")
        return 2
    folder = Path(tempfile.mkdtemp(prefix="lms-scan-"))
    print(f"scan files in {folder}")
    port = free_port()
    env = dict(os.environ, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50),
               ALLOWED_HOSTS="127.0.0.1",
               DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "lms.settings"),
               MEDIA_ROOT=str(folder / "media"), STATIC_ROOT=str(folder / "static"),
               PRIVATE_MEDIA_ROOT=str(folder / "private"))  # fmt: skip
    env.pop("REDIS_URL", None)  # tasks inline: the scan is of the web face
    started = time.monotonic()
    if os.environ.get("SCAN_REUSE_DB") != "1":
        recreate_database(url)
    for step in (["migrate", "--no-input"], ["load_admin_units"], ["load_demo"],
                 ["collectstatic", "--no-input"]):  # fmt: skip
        manage(*step, env=env)
    print(f"database ready in {round(time.monotonic() - started)} s")
    access_log, server_log = folder / "access.log", folder / "server.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lms.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--timeout", "60", "--access-logfile", str(access_log),
         "--access-logformat", '%(s)s "%(r)s" %(L)ss'],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=server_log.open("wb"),
        start_new_session=True,
    )  # fmt: skip
    errors: list[str] = []
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            print("the server did not start:", server_log.read_text(errors="replace")[-2000:])
            return 2
        base = f"http://127.0.0.1:{port}/"
        for role, (username, start) in ROLES.items():
            before = len(read_log(access_log))
            cookies, jar = cookie_file(folder, role, username, env)
            seeds = start_urls(base, start, cookies)
            found = run_wapiti(base, start, folder, role, jar, seeds)
            answered = read_log(access_log)[before:]
            failed = [line for line in answered if re.match(r"5\d\d ", line)]
            errors += failed
            print(
                f"== {role}: {found['_seconds']} s, {len(seeds)} start URLs, "
                f"{found.get('_crawled', '?')} URLs and forms crawled, "
                f"{found.get('_kept', '?')} kept for the attacks, {len(answered)} requests "
                f"answered, {len(failed)} with a 5xx status"
            )
            print_findings(found)
            print_errors(failed)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"server: {len(read_log(access_log))} requests answered, {len(errors)} with a 5xx "
          f"status, in {round(time.monotonic() - started)} s")  # fmt: skip
    server_errors(server_log)
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
