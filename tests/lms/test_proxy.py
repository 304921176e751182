"""The reverse proxy of docker/compose.yaml, as an operator meets it.

- The compose file (as `docker-compose config` reads it) publishes only the proxy; gunicorn
  is reached on a network of the proxy and the web replicas, and believes forwarded headers
  from the proxy's fixed address only; private files have a volume the proxy never mounts.
- docker/nginx.conf, run by the machine's nginx: it writes X-Forwarded-For and
  X-Forwarded-Proto itself (a client's own are replaced, the other forwarding headers
  dropped), serves the images of the media volume and nothing else under /media/, and passes
  the rest, /static/ included, to gunicorn.
- The web container's health check passes when ALLOWED_HOSTS names only the public host.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "docker" / "nginx.conf"


def require_tool(name: str, *paths: str) -> str:
    found = shutil.which(name) or next((p for p in paths if Path(p).exists()), None)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{name} must be installed in CI (.ci/run installs it)")
    pytest.skip(f"{name} is not installed")


# --- The compose file ---------------------------------------------------------------------------


def compose_config(*overlays: str) -> dict:
    """`docker-compose config` as a dict (Compose v1 prints YAML: its own Python reads it),
    of docker/compose.yaml and the `overlays` given (paths from the repository's root)."""
    exe = require_tool("docker-compose")
    env = dict(os.environ, SECRET_KEY="compose-config-check", AWS_SECRET_ACCESS_KEY="k" * 20)
    files = [part for name in ("docker/compose.yaml", *overlays) for part in ("-f", name)]
    args = [exe, *files, "config"]
    first_line = Path(exe).read_bytes()[:200].split(b"\n")[0]
    if first_line.startswith(b"#!") and b"python" in first_line:
        text = subprocess.run(
            args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True
        ).stdout
        to_json = "import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"
        text = subprocess.run(
            [*first_line[2:].decode().split(), "-c", to_json],
            input=text, capture_output=True, text=True, timeout=60, check=True,
        ).stdout  # fmt: skip
    else:
        text = subprocess.run(
            [*args, "--format", "json"],
            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=True,
        ).stdout  # fmt: skip
    return json.loads(text)


def volume_mounts(service: dict) -> list[tuple[str, str, bool]]:
    """(source, target, read_only) of each volume of a service, short or long syntax."""
    mounts = []
    for volume in service.get("volumes", []):
        if isinstance(volume, str):
            source, target, *mode = volume.split(":")
            mounts.append((source, target, "ro" in mode))
        else:
            mounts.append((volume["source"], volume["target"], bool(volume.get("read_only"))))
    return mounts


def test_compose_publishes_the_proxy_only_and_gunicorn_believes_it_alone():
    config = compose_config()
    services = config["services"]
    proxy = services["proxy"]
    assert proxy["image"].startswith("nginx:")  # the official image
    assert [str(port.get("target", "")) for port in proxy["ports"]] == ["80"]
    published = sorted(name for name, service in services.items() if service.get("ports"))
    assert published == ["proxy"]  # gunicorn has no host port any more
    # The proxy shares a network with the web replicas only, at a fixed address.
    front = set(proxy["networks"])
    address = proxy["networks"]["front"]["ipv4_address"]
    on_front = sorted(name for name, s in services.items() if front & set(s.get("networks", [])))
    assert on_front == ["proxy", "web"]
    env = services["web"]["environment"]
    assert env["FORWARDED_ALLOW_IPS"] == address  # gunicorn: X-Forwarded-Proto
    assert env["TRUSTED_PROXIES"] == address  # the app: X-Forwarded-For
    for name, service in services.items():
        assert str(service.get("environment", {}).get("USE_X_FORWARDED_PROTO", "0")) == "0", name


def test_compose_gives_the_workers_the_cpu_the_web_leaves():
    for overlays in ((), ("docker/compose.s3.yaml",)):
        services = compose_config(*overlays)["services"]
        web = int(services["web"].get("cpu_shares", 1024))  # Docker's default weight
        for name in ("worker", "worker-certificates"):
            assert int(services[name]["cpu_shares"]) * 4 <= web, (overlays, name)


def test_compose_serves_public_media_from_the_proxy_and_keeps_private_files_away():
    services = compose_config()["services"]
    proxy_mounts = volume_mounts(services["proxy"])
    assert (str(NGINX_CONF), "/etc/nginx/conf.d/default.conf", True) in proxy_mounts
    web = services["web"]
    web_mounts = {target: source for source, target, _ro in volume_mounts(web)}
    media = web_mounts[web["environment"]["MEDIA_ROOT"]]
    private = web_mounts[web["environment"]["PRIVATE_MEDIA_ROOT"]]
    assert media != private
    assert (media, "/srv/media", True) in proxy_mounts  # read-only
    assert private not in {source for source, _target, _ro in proxy_mounts}
    for name in ("worker", "worker-certificates", "beat", "migrate"):
        mounts = {target: source for source, target, _ro in volume_mounts(services[name])}
        assert mounts[web["environment"]["PRIVATE_MEDIA_ROOT"]] == private, name


def test_the_object_store_overlay_runs_two_web_replicas_on_minio_with_separate_buckets():
    services = compose_config("docker/compose.s3.yaml")["services"]
    assert services["web"]["scale"] == 2
    assert services["minio"]["image"].startswith("minio/minio")
    assert "healthcheck" in services["minio"]
    buckets = services["minio-buckets"]
    assert buckets["depends_on"]["minio"]["condition"] == "service_healthy"
    app = ("migrate", "web", "worker", "worker-certificates", "beat")
    for name in app:
        env = services[name]["environment"]
        assert env["AWS_STORAGE_BUCKET_NAME"] == "lms-media", name
        assert env["AWS_PRIVATE_STORAGE_BUCKET_NAME"] not in ("", "lms-media"), name
        assert env["AWS_S3_ENDPOINT_URL"] == "http://minio:9000", name
        assert services[name]["depends_on"]["minio-buckets"]["condition"] == (
            "service_completed_successfully"
        ), name
    # Only the public bucket's public prefixes are readable without a key.
    script = " ".join(buckets["command"])
    for prefix in ("images", "original_images", "media", "media_thumbnails"):
        assert f"anonymous set download store/lms-media/{prefix} " in script + " ", prefix
    assert "store/lms-media &&" in script and "set download store/lms-media &&" not in script
    assert "anonymous set none store/$${PRIVATE_BUCKET}" in script or (
        "anonymous set none store/${PRIVATE_BUCKET}" in script
    )
    # Still only the proxy is published, and the proxy serves lms-media (docker/nginx.conf).
    assert sorted(n for n, svc in services.items() if svc.get("ports")) == ["proxy"]
    assert "rewrite ^/media/(.*)$ /lms-media/$1 break;" in NGINX_CONF.read_text()


# --- The web container's health check -------------------------------------------------------


def test_the_web_health_check_passes_with_only_the_public_host_allowed(live_server, settings):
    """Django answers 400 to a Host it does not serve: the check must not ask as 127.0.0.1."""
    settings.ALLOWED_HOSTS = ["lms.example.org", "www.lms.example.org"]
    check = compose_config()["services"]["web"]["healthcheck"]["test"]
    url = live_server.url  # http://localhost:<port>, for http://127.0.0.1:8000 in the container
    port = url.rsplit(":", 1)[1]
    env = {"PATH": os.environ["PATH"], "ALLOWED_HOSTS": "lms.example.org,www.lms.example.org"}
    # CMD-SHELL runs through the container's sh; compose writes a literal $ as $$.
    shell = check[0] == "CMD-SHELL"
    command = ["sh", "-c", check[1].replace("$$", "$")] if shell else check[1:]
    command = [part.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in command]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["database"]["status"] == "ok"


# --- nginx with docker/nginx.conf -----------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class EchoBackend:
    """Stands in for gunicorn: answers every request with the path and headers it got."""

    def __init__(self):
        seen = self.seen = []

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                seen.append(self.path)
                body = json.dumps({"path": self.path, "headers": dict(self.headers)}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def nginx(tmp_path):
    """The machine's nginx running docker/nginx.conf on a free port, with gunicorn replaced
    by an echo backend and the media volume by a folder of files."""
    yield from _nginx(tmp_path)


@pytest.fixture
def nginx_with_store(tmp_path):
    """The same, with the object store (MinIO in docker/compose.s3.yaml) replaced by a
    second echo backend: (port, web backend, store backend)."""
    store = EchoBackend()
    try:
        for port, backend in _nginx(tmp_path, store=store):
            yield port, backend, store
    finally:
        store.close()


def _nginx(tmp_path, store: EchoBackend | None = None):
    exe = require_tool("nginx", "/usr/sbin/nginx")
    backend = EchoBackend()
    port = free_port()
    site = NGINX_CONF.read_text()
    replacements = [
        ("listen 80 default_server;", f"listen 127.0.0.1:{port} default_server;"),
        ("http://web:8000", f"http://127.0.0.1:{backend.port}"),
        ("root /srv;", f"root {tmp_path};"),
    ]
    if store is not None:
        replacements.append(("http://minio:9000", f"http://127.0.0.1:{store.port}"))
    for old, new in replacements:
        assert old in site, f"docker/nginx.conf no longer has {old!r}: adjust this test"
        site = site.replace(old, new)
    (tmp_path / "site.conf").write_text(site)
    user = "user root;" if os.geteuid() == 0 else ""
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    (tmp_path / "nginx.conf").write_text(
        f"""{user}
worker_processes 1;
daemon off;
pid {tmp_path}/nginx.pid;
error_log {tmp_path}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path {temp["body"]};
    proxy_temp_path {temp["proxy"]};
    fastcgi_temp_path {temp["fastcgi"]};
    uwsgi_temp_path {temp["uwsgi"]};
    scgi_temp_path {temp["scgi"]};
    include {tmp_path}/site.conf;
}}
"""
    )
    media = tmp_path / "media"
    files = {
        "images/ma-tran.width-400.png": b"\x89PNG rendition",
        "original_images/ma-tran.png": b"\x89PNG original",
        "media/bai-1.mp3": b"ID3 doc bai",
        "documents/rieng.pdf": b"%PDF-1.4 tai lieu rieng",
        "certificates/2026/DA8-10-2026-000001.pdf": b"%PDF-1.4 chung nhan",
        "exports/1.pdf": b"%PDF-1.4 xuat",
        "imports/2026/11/can_bo.csv": b"ho_ten\nNguyen Thi A\n",
    }
    for name, content in files.items():
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(content)
    proc = subprocess.Popen(
        [exe, "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", "stderr"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                pytest.fail("nginx did not start: " + proc.stdout.read().decode())
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("nginx did not listen within 15 s")
                time.sleep(0.1)
        yield port, backend
    finally:
        proc.terminate()
        proc.wait(timeout=15)
        backend.close()


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": "lms.example.org", **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def test_nginx_writes_the_forwarded_headers_itself(nginx):
    port, _backend = nginx
    status, _headers, body = get(
        port,
        "/accounts/login/",
        {
            "X-Forwarded-For": "6.6.6.6",
            "X-Forwarded-Proto": "https",
            "X-Real-IP": "6.6.6.6",
            "Forwarded": "for=6.6.6.6;proto=https",
            "X-Forwarded-Host": "evil.example",
            "X-Forwarded-Ssl": "on",
        },
    )
    assert status == 200
    seen = {name.lower(): value for name, value in json.loads(body)["headers"].items()}
    assert seen["x-forwarded-for"] == "127.0.0.1"  # the address nginx saw, not the client's
    assert seen["x-forwarded-proto"] == "http"
    assert seen["host"] == "lms.example.org"
    for dropped in ("x-real-ip", "forwarded", "x-forwarded-host", "x-forwarded-ssl"):
        assert dropped not in seen


def test_nginx_serves_the_images_and_nothing_private_from_media(nginx):
    port, backend = nginx
    for path, content in (
        ("/media/images/ma-tran.width-400.png", b"\x89PNG rendition"),
        ("/media/original_images/ma-tran.png", b"\x89PNG original"),
        ("/media/media/bai-1.mp3", b"ID3 doc bai"),  # a lesson's narration (wagtailmedia)
    ):
        status, headers, body = get(port, path)
        assert (status, body) == (200, content), path
        assert headers["X-Content-Type-Options"] == "nosniff"
    for path in (
        "/media/documents/rieng.pdf",  # Django serves documents, checking their privacy
        "/media/certificates/2026/DA8-10-2026-000001.pdf",
        "/media/exports/1.pdf",
        "/media/imports/2026/11/can_bo.csv",
        "/media/images/../certificates/2026/DA8-10-2026-000001.pdf",
        "/media/images/%2e%2e/exports/1.pdf",
        "/media/",
    ):
        status, _headers, body = get(port, path)
        assert status == 404, path
        assert b"PDF" not in body and b"Nguyen" not in body, path
    assert not any(seen.startswith("/media/") for seen in backend.seen)
    # Static files are gunicorn's (WhiteNoise).
    status, _headers, body = get(port, "/static/css/site.css")
    assert status == 200 and json.loads(body)["path"] == "/static/css/site.css"


def test_with_the_object_store_public_media_come_from_the_public_bucket_only(nginx_with_store):
    """A public prefix the volume does not hold is asked of the store, in the bucket
    lms-media, without the visitor's cookies or credentials; nothing else under /media/
    (the private bucket's certificates, exports, imports) ever reaches the store."""
    port, backend, store = nginx_with_store
    status, headers, body = get(
        port, "/media/images/anh-moi.width-400.png",
        {"Cookie": "sessionid=bi-mat", "Authorization": "AWS4-HMAC-SHA256 khoa"},
    )  # fmt: skip
    assert status == 200
    asked = json.loads(body)
    assert asked["path"] == "/lms-media/images/anh-moi.width-400.png"
    sent = {name.lower() for name in asked["headers"]}
    assert "cookie" not in sent and "authorization" not in sent
    assert headers["X-Content-Type-Options"] == "nosniff"
    # The volume's own file still comes from the volume.
    status, _headers, body = get(port, "/media/images/ma-tran.width-400.png")
    assert (status, body) == (200, b"\x89PNG rendition")
    for path in (
        "/media/lms-private/certificates/2026/DA8-10-2026-000001.pdf",
        "/media/certificates/2026/DA8-10-2026-000002.pdf",
        "/media/exports/2.pdf",
        "/media/images/../lms-private/exports/2.pdf",
        "/lms-private/exports/2.pdf",
    ):
        get(port, path)
    assert all(seen.startswith("/lms-media/") for seen in store.seen), store.seen
    assert len(store.seen) == 1
    assert not any("lms-private" in seen for seen in backend.seen if seen.startswith("/media"))


def test_without_a_store_a_missing_public_file_is_a_plain_404(nginx):
    """The volume set-up has no store: a missing image is a 404, not the proxy's 502."""
    port, _backend = nginx
    status, _headers, body = get(port, "/media/images/khong-co.png")
    assert status == 404 and b"502" not in body


def test_an_upload_larger_than_the_proxy_takes_is_explained_in_vietnamese(nginx):
    port, backend = nginx
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.putrequest("POST", "/admin/registry/import/", skip_host=True)
        connection.putheader("Host", "lms.example.org")
        connection.putheader("Content-Type", "multipart/form-data; boundary=x")
        connection.putheader("Content-Length", str(30 * 1024 * 1024))
        connection.endheaders()
        response = connection.getresponse()
        body = response.read().decode()
    finally:
        connection.close()
    assert response.status == 413
    assert response.getheader("Content-Type").startswith("text/html")
    assert "Tệp quá lớn" in body and "20 MB" in body
    assert backend.seen == []  # refused before it reached gunicorn
