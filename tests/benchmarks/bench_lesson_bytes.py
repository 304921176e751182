"""Bytes on the wire of a lesson on a phone, measured in Debian's Chromium against gunicorn
with production settings (DEBUG=0, collected static files with hashed names, WhiteNoise,
compressed HTML): a first visit with an empty cache, a revisit, and a revisit offline.

Budget: first visit at most 40 KB, revisit at most 8 KB, offline 0. The bytes are counted by a
relay between the browser and gunicorn (headers and compressed bodies, each way), so the
service worker's requests count too: its one-off copy of the site's shell (styles, fonts,
scripts, the offline page) is part of the first visit's figure. The browser's check for a new
service worker (a 304 for /sw.js) is counted even offline: Playwright's offline mode does not
stop that request of the browser's own, which a phone without a connection does not send.
BENCH_VERBOSE=1 lists the requests of each phase.

Prepares its own SQLite database in a temporary folder (migrate, collectstatic, a course of
one module with two lessons of a few paragraphs, a learner enrolled), starts gunicorn on a free
loopback port and stops it by itself. Run: `.venv/bin/python -m tests.benchmarks lesson_bytes`.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
BUDGET = {"first visit": 40 * 1024, "revisit": 8 * 1024, "offline revisit": 0}

PREPARE = """
import django, json
django.setup()
from django.test import Client
from content.models import LessonPage
from courses.learning.services import enrolment_create
from tests.builders import make_course, make_learner, make_units, seed_indicators
seed_indicators()
tree = make_course(title="Kiến thức cơ bản về bình đẳng giới", modules=1, lessons_per_module=2)
text = ("Bình đẳng giới là việc nam, nữ có vị trí, vai trò ngang nhau, được tạo điều kiện và "
        "cơ hội phát huy năng lực của mình cho sự phát triển của cộng đồng, của gia đình. ") * 12
LessonPage.objects.filter(pk__in=[l.pk for l in tree.lessons]).update(summary=text)
user, cadre = make_learner("hocvien", unit=make_units().commune)
enrolment_create(cadre=cadre, course=tree.course)
client = Client()
client.force_login(user)
print(json.dumps({"lesson": tree.lessons[0].url, "session": client.cookies["sessionid"].value}))
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _run(cmd: list[str], env: dict[str, str]) -> str:
    out = subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, text=True,
                         timeout=900)  # fmt: skip
    return out.stdout


class CountingProxy:
    """A loopback TCP relay in front of gunicorn that counts the bytes each way: everything the
    browser sends and receives, the service worker's requests included."""

    def __init__(self, target_port: int):
        self.target = ("127.0.0.1", target_port)
        self.down = self.up = 0
        self.requests: list[str] = []
        self.lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _pipe(self, source, sink, direction: str) -> None:
        try:
            while chunk := source.recv(65536):
                with self.lock:
                    setattr(self, direction, getattr(self, direction) + len(chunk))
                    if direction == "up" and chunk[:4] in (b"GET ", b"POST", b"HEAD"):
                        self.requests.append(chunk.split(b"\r\n", 1)[0].decode("latin-1"))
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def _accept(self) -> None:
        while True:
            try:
                client, _addr = self.sock.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            threading.Thread(target=self._pipe, args=(client, upstream, "up"), daemon=True).start()
            threading.Thread(
                target=self._pipe, args=(upstream, client, "down"), daemon=True
            ).start()

    def reset(self) -> None:
        with self.lock:
            self.down = self.up = 0
            self.requests = []


def measure(page, proxy: CountingProxy, url: str, *, offline: bool = False) -> tuple[int, int]:
    """Bytes received and sent by the browser while loading `url` (until the network is idle)."""
    page.context.set_offline(offline)
    proxy.reset()
    page.goto(url, wait_until="networkidle")
    page.wait_for_timeout(2500)
    if os.environ.get("BENCH_VERBOSE"):
        print("   requests:", proxy.requests)
    return proxy.down, proxy.up


def main() -> None:
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"bench_lesson_bytes needs Debian's Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    work = Path(tempfile.mkdtemp(prefix="lms-bench-bytes-"))
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"sqlite:///{work / 'db.sqlite3'}",
        DEBUG="0",
        SECRET_KEY="bench-only-secret-key-with-enough-length-1234567890abcdef",
        ALLOWED_HOSTS="127.0.0.1,localhost",
        STATIC_ROOT=str(work / "static"),
        MEDIA_ROOT=str(work / "media"),
        PRIVATE_MEDIA_ROOT=str(work / "private"),
        LOG_LEVEL="WARNING",
        DJANGO_SETTINGS_MODULE="lms.settings",
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    _run([sys.executable, "manage.py", "migrate", "--no-input", "-v0"], env)
    _run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], env)
    data = json.loads(_run([sys.executable, "-c", PREPARE], env).strip().splitlines()[-1])
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "lms.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", "1", "--log-level", "warning"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    proxy = CountingProxy(port)
    base = f"http://127.0.0.1:{proxy.port}"
    figures: dict[str, tuple[int, int]] = {}
    try:
        for _ in range(300):
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2)
                break
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
            context.add_cookies([{"name": "sessionid", "value": data["session"], "url": base}])
            page = context.new_page()
            url = base + data["lesson"]
            figures["first visit"] = measure(page, proxy, url)
            page.evaluate("navigator.serviceWorker.ready.then(() => true)")
            shell = page.evaluate(
                "caches.keys().then(ks => Promise.all(ks.filter(k => k.startsWith('shell-'))"
                ".map(k => caches.open(k).then(c => c.keys()).then(r => r.length))))"
            )
            figures["revisit"] = measure(page, proxy, url)
            figures["offline revisit"] = measure(page, proxy, url, offline=True)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)
    for name, (down, up) in figures.items():
        verdict = "within" if down <= BUDGET[name] else "OVER"
        print(f"   lesson, {name}: {down / 1024:.1f} KB received, {up / 1024:.1f} KB sent "
              f"({verdict} the budget of {BUDGET[name] / 1024:.0f} KB received)")  # fmt: skip
    print(f"   service worker's copy of the shell on the first visit: {sum(shell)} files")
