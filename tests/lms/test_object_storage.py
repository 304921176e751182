"""Files in an S3-compatible object store, across processes that share no disk.

The store is moto's standalone server (`moto_server`), which speaks the S3 protocol over
HTTP: a stand-in for MinIO, which the registries this project installs from do not have.
`.ci/run` starts it and sets S3_TEST_ENDPOINT_URL; without that, the test starts its own.

A real Celery worker issues a certificate and builds a bulk export into the private bucket;
a second web process (gunicorn), with its own empty media folders, serves the certificate
to its owner and refuses it to others, and serves the export to the admin who asked.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from certificates.models import (
    BulkExport,
    Certificate,
    CertificateStatus,
    ExportFormat,
    ExportStatus,
)
from certificates.services import bulk_export_request
from tests.builders import complete, make_course, make_units, make_user, seed_indicators
from tests.certificates.conftest import cadre_create
from tests.conftest import ROOT, WorkerProcess, require_real_services, wait_for
from tests.conftest import test_database_url as database_url

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

PUBLIC_BUCKET = "lms-media-test"
PRIVATE_BUCKET = "lms-private-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_http(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)  # noqa: S310 - a local test server
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


@pytest.fixture(scope="module")
def s3_endpoint():
    """The S3 endpoint: CI's (S3_TEST_ENDPOINT_URL), else a moto server of this module's."""
    url = os.environ.get("S3_TEST_ENDPOINT_URL")
    if url:
        yield url
        return
    binary = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    if not Path(binary).exists():
        message = "the object-storage test needs moto_server (pip install 'moto[s3]')"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_http(url)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def s3(s3_endpoint):
    """Two empty buckets, public and private, and a boto3 client on them."""
    import boto3

    client = boto3.client(
        "s3", endpoint_url=s3_endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    for bucket in (PUBLIC_BUCKET, PRIVATE_BUCKET):
        try:
            objects = client.list_objects_v2(Bucket=bucket).get("Contents", [])
            for item in objects:
                client.delete_object(Bucket=bucket, Key=item["Key"])
        except client.exceptions.NoSuchBucket:
            client.create_bucket(Bucket=bucket)
    return client


def keys(client, bucket: str) -> list[str]:
    return sorted(item["Key"] for item in client.list_objects_v2(Bucket=bucket).get("Contents", []))


def storage_env(endpoint: str, folder: Path) -> dict[str, str]:
    """The object store's settings, and media folders of the process's own (left empty)."""
    (folder / "media").mkdir(parents=True)
    (folder / "private").mkdir()
    return {
        "AWS_STORAGE_BUCKET_NAME": PUBLIC_BUCKET,
        "AWS_PRIVATE_STORAGE_BUCKET_NAME": PRIVATE_BUCKET,
        "AWS_S3_ENDPOINT_URL": endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "MEDIA_ROOT": str(folder / "media"),
        "PRIVATE_MEDIA_ROOT": str(folder / "private"),
    }


class WebProcess:
    """gunicorn serving the project on the test database, with the given environment."""

    def __init__(self, extra_env: dict[str, str]):
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = dict(os.environ)
        env.update(
            DATABASE_URL=database_url(),
            REDIS_URL=settings.REDIS_URL or "",
            DJANGO_SETTINGS_MODULE="lms.settings",
            SECRET_KEY=settings.SECRET_KEY,
            DEBUG="1",
            ALLOWED_HOSTS="127.0.0.1",
        )
        env.update(extra_env)
        self.log = ROOT / ".pytest_cache" / f"web-{self.port}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "lms.wsgi", "-b", f"127.0.0.1:{self.port}",
             "-w", "1", "--timeout", "60"],
            cwd=ROOT, env=env, stdout=self.log.open("ab"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        _wait_http(self.url + "/healthz", timeout=60)

    def get(self, path: str, session_cookie: str | None = None):
        request = urllib.request.Request(self.url + path)
        if session_cookie:
            request.add_header("Cookie", f"{settings.SESSION_COOKIE_NAME}={session_cookie}")
        opener = urllib.request.build_opener(_NoRedirect)
        try:
            with opener.open(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=20)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_of(user) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_a_worker_writes_to_the_bucket_and_another_web_process_serves_it(
    transactional_db, s3, s3_endpoint, tmp_path
):
    require_real_services("the object-storage test")
    seed_indicators()
    course = make_course(modules=1, lessons_per_module=1, quiz=False).course
    unit = make_units().commune
    owner = make_user("hoc_vien_s3", role="Cadre")
    cadre = cadre_create(unit=unit, user=owner)
    stranger = make_user("nguoi_khac_s3", role="Cadre")
    cadre_create(unit=unit, user=stranger, full_name="Người Khác", phone="0912999888")
    admin = make_user("quan_tri_s3", role="Admin")

    worker = WorkerProcess(extra_env=storage_env(s3_endpoint, tmp_path / "worker")).start()
    web = None
    try:
        enrolment = complete(cadre=cadre, course=course)
        certificate = wait_for(
            lambda: Certificate.objects.filter(
                pk=enrolment.certificate.pk, status=CertificateStatus.ISSUED
            ).first(),
            timeout=90,
            message="the worker issued no certificate",
        )
        # In the private bucket, nowhere on the worker's disk, nothing in the public bucket.
        assert keys(s3, PRIVATE_BUCKET) == [certificate.pdf.name]
        assert keys(s3, PUBLIC_BUCKET) == []
        assert not any((tmp_path / "worker").rglob("*.pdf"))
        stored = s3.get_object(Bucket=PRIVATE_BUCKET, Key=certificate.pdf.name)["Body"].read()
        assert stored.startswith(b"%PDF")

        web = WebProcess(storage_env(s3_endpoint, tmp_path / "web"))
        path = reverse("certificates:download", args=[certificate.pk])
        status, body = web.get(path, session_of(owner))
        assert status == 200 and body == stored
        status, _body = web.get(path, session_of(stranger))
        assert status == 404
        status, _body = web.get(path)
        assert status == 302  # to the login page

        export = bulk_export_request(format=ExportFormat.ZIP, by=admin)
        export = wait_for(
            lambda: BulkExport.objects.filter(pk=export.pk, status=ExportStatus.DONE).first(),
            timeout=90,
            message="the worker built no export",
        )
        assert export.file.name in keys(s3, PRIVATE_BUCKET)
        assert keys(s3, PUBLIC_BUCKET) == []
        status, body = web.get(
            reverse("certificate_export_file", args=[export.pk]), session_of(admin)
        )
        assert status == 200 and body[:2] == b"PK"
        status, _body = web.get(
            reverse("certificate_export_file", args=[export.pk]), session_of(owner)
        )
        assert status in (302, 403, 404)
        assert not any((tmp_path / "web").rglob("*.pdf"))
    finally:
        if web is not None:
            web.stop()
        worker.stop()
