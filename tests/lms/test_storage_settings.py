"""Which storages the settings choose: the two folders by default, the object store's two
buckets when configured, and a clear refusal of a configuration that would put private files
where public media are."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT

SHOW = (
    "import django, json; django.setup(); from django.conf import settings; "
    "from django.core.files.storage import storages; "
    "print(json.dumps({a: [type(storages[a]).__name__, getattr(storages[a], 'bucket_name', ''), "
    "getattr(storages[a], 'querystring_auth', None)] for a in ('default', 'private')}))"
)


def settings_in(**env) -> subprocess.CompletedProcess:
    full = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    full.update(DJANGO_SETTINGS_MODULE="lms.settings", DEBUG="1", **env)
    return subprocess.run(
        [sys.executable, "-c", SHOW], cwd=ROOT, env=full, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip


def test_by_default_files_stay_in_the_two_folders():
    out = settings_in()
    assert out.returncode == 0, out.stderr
    assert '"default": ["FileSystemStorage"' in out.stdout
    assert '"private": ["PrivateFileSystemStorage"' in out.stdout


def test_with_buckets_public_media_and_private_files_go_to_separate_buckets():
    out = settings_in(AWS_STORAGE_BUCKET_NAME="media", AWS_PRIVATE_STORAGE_BUCKET_NAME="rieng")
    assert out.returncode == 0, out.stderr
    # Public media unsigned (served through the proxy); private files signed if ever linked.
    assert '"default": ["S3Storage", "media", false]' in out.stdout
    assert '"private": ["S3Storage", "rieng", true]' in out.stdout


def test_a_public_bucket_without_a_private_one_is_refused():
    out = settings_in(AWS_STORAGE_BUCKET_NAME="media")
    assert out.returncode != 0
    assert "AWS_PRIVATE_STORAGE_BUCKET_NAME" in out.stderr
    out = settings_in(AWS_STORAGE_BUCKET_NAME="media", AWS_PRIVATE_STORAGE_BUCKET_NAME="media")
    assert out.returncode != 0
    assert "must differ" in out.stderr
