"""An outside web scanner (Debian's wapiti) against a production-like instance, as an anonymous
visitor, a cadre and a province admin; not part of `make test` (it takes minutes).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/lms_scan .venv/bin/python -m tests.security.scan

It migrates and loads the demo into DATABASE_URL (a database of its own: it is filled with the
demo), serves it with gunicorn on 127.0.0.1 with DEBUG=0 and a random SECRET_KEY, logs each
role in through a Django session cookie handed to wapiti, runs wapiti's attack modules for at
most SCAN_SECONDS per role, and prints the findings and every 5xx answer the server gave
(from gunicorn's access log). Every process it starts is bounded in time and stopped.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROLES = {"anonymous": None, "cadre": "hocvien", "province-admin": "tinh_laocai"}
SCAN_SECONDS = int(os.environ.get("SCAN_SECONDS", "60"))  # crawling, per role
ATTACK_SECONDS = int(os.environ.get("ATTACK_SECONDS", "15"))  # per attack module and role
MODULES = ["exec", "file", "sql", "xss", "crlf", "redirect", "permanentxss", "methods",
           "backup", "http_headers", "cookieflags", "csp"]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def manage(*args: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True,
        text=True, timeout=900, check=True,
    )  # fmt: skip
    return result.stdout


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


def cookie_file(folder: Path, role: str, username: str | None, env: dict) -> Path | None:
    if username is None:
        return None
    key = manage("shell", "-c", SESSION.format(username=username), env=env).strip().splitlines()
    cookie = {"value": key[-1], "expires": None, "secure": False, "port": None, "version": 0}
    path = folder / f"cookies-{role}.json"
    path.write_text(json.dumps({"127.0.0.1": {"/": {"sessionid": cookie}}}))
    return path


def main() -> int:
    if shutil.which("wapiti") is None:
        print("wapiti is not installed: apt-get install wapiti")
        return 2
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("set DATABASE_URL to a PostgreSQL database of its own (it is filled with the demo)")
        return 2
    folder = Path(tempfile.mkdtemp(prefix="lms-scan-"))
    port = free_port()
    env = dict(os.environ, DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50),
               ALLOWED_HOSTS="127.0.0.1", DJANGO_SETTINGS_MODULE="lms.settings",
               MEDIA_ROOT=str(folder / "media"), STATIC_ROOT=str(folder / "static"))  # fmt: skip
    env.pop("REDIS_URL", None)  # tasks inline: the scan is of the web face
    for step in (["migrate", "--no-input"], ["load_admin_units"], ["load_demo"],
                 ["collectstatic", "--no-input"]):  # fmt: skip
        manage(*step, env=env)
    access_log = folder / "access.log"
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lms.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2",
         "--access-logfile", str(access_log), "--access-logformat", '%(s)s "%(r)s"'],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=(folder / "server.log").open("wb"),
        start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.2)
        base = f"http://127.0.0.1:{port}/"
        for role, username in ROLES.items():
            cookies = cookie_file(folder, role, username, env)
            report = folder / f"wapiti-{role}.json"
            command = [
                "wapiti", "-u", base, "--scope", "folder", "-f", "json", "-o", str(report),
                "--max-scan-time", str(SCAN_SECONDS + ATTACK_SECONDS * len(MODULES)),
                "--max-attack-time", str(ATTACK_SECONDS), "--flush-session",
                "-m", ",".join(MODULES),
            ]  # fmt: skip
            if cookies:
                command += ["-c", str(cookies)]
            limit = 2 * (SCAN_SECONDS + ATTACK_SECONDS * len(MODULES)) + 60
            run = subprocess.run(
                command, capture_output=True, text=True, timeout=limit, check=False
            )
            if run.returncode != 0:
                print(f"wapiti failed for {role}:", run.stderr[-2000:])
            found = json.loads(report.read_text()) if report.exists() else {}
            print(f"== {role}: {len(found.get('infos', {}).get('crawled_pages', [])) or '?'} "
                  "pages crawled")  # fmt: skip
            for kind in ("vulnerabilities", "anomalies"):
                for name, items in (found.get(kind) or {}).items():
                    if items:
                        print(f"   {kind[:-3] if kind.endswith('ies') else kind}: {name}: "
                              f"{len(items)}")  # fmt: skip
                        for item in items[:3]:
                            print(f"      {item.get('method')} {item.get('path')} "
                                  f"{(item.get('info') or '')[:120]}")  # fmt: skip
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    lines = access_log.read_text(errors="replace").splitlines() if access_log.exists() else []
    errors = [line for line in lines if re.match(r"5\d\d ", line)]
    print(f"server: {len(lines)} requests answered, {len(errors)} with a 5xx status")
    for line in errors[:20]:
        print("   ", line[:200])
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
