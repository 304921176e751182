"""Private files: certificate PDFs, bulk exports and uploaded imports.

Public media (Wagtail images and documents) stay in Django's default storage under MEDIA_ROOT,
which the reverse proxy serves at /media/. Private files go to `STORAGES["private"]`: by
default a folder outside MEDIA_ROOT (PRIVATE_MEDIA_ROOT) that has no URL at all, so neither
Django nor the proxy can hand them out; only the views that check who is asking read them.
Pointing that alias at an S3 bucket (django-storages) needs no change in the code that uses
it, which goes through the storage API only.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage, default_storage, storages
from django.utils.crypto import salted_hmac
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property


@deconstructible(path="lms.storage.PrivateFileSystemStorage")
class PrivateFileSystemStorage(FileSystemStorage):
    """A folder (PRIVATE_MEDIA_ROOT unless `location` is given) whose files have no URL."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @cached_property
    def base_url(self):
        return None  # url() raises: a private file is only ever served by a view

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)


def private_storage() -> Storage:
    """The storage of private files (a callable, so that model fields follow the setting)."""
    return storages["private"]


def private_token(key: str) -> str:
    """128 bits that nobody without SECRET_KEY can compute from `key`.

    The same key always gives the same token, so a file named with it is overwritten by a
    retry instead of being left behind as a second copy."""
    return salted_hmac("lms.storage.private_token", key, algorithm="sha256").hexdigest()[:32]


def files_under(storage: Storage, folder: str) -> Iterator[str]:
    """Every file name below `folder` (recursively); nothing if the folder does not exist."""
    try:
        directories, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{folder}/{name}"
    for directory in directories:
        yield from files_under(storage, f"{folder}/{directory}")


def file_copy(*, source: Storage, target: Storage, name: str, new_name: str) -> str:
    """Copy `name` from one storage to `new_name` in the other, replacing a copy left there by
    an interrupted run. Returns the name in `target`."""
    if target.exists(new_name):
        target.delete(new_name)
    with source.open(name, "rb") as handle:
        return target.save(new_name, File(handle, name=PurePosixPath(new_name).name))


def public_files_move(*, folder: str, model, field: str) -> tuple[int, int]:
    """Move the files of `model` that are still under `folder` of the public media to the
    private storage, under a name with an unguessable part, and point their rows at it.

    One file at a time and outside any transaction: copied, its row updated, then the original
    deleted, so an interrupted run leaves each row naming a file that exists, and running it
    again finishes the work. Only files a row names are moved (a test database must not take
    a developer's files). Returns (files moved, files left under `folder` that no row names:
    still public, for the operator to delete)."""
    private = private_storage()
    # Read first: the loop renames the rows it would otherwise be reading.
    rows = list(
        model.objects.filter(**{f"{field}__startswith": f"{folder}/"})
        .order_by("pk")
        .values_list("pk", field)
    )
    moved = 0
    for pk, name in rows:
        if not default_storage.exists(name):
            continue  # moved already, or lost before
        new_name = file_copy(
            source=default_storage,
            target=private,
            name=name,
            new_name=token_name(name, key=f"moved:{name}"),
        )
        model.objects.filter(pk=pk).update(**{field: new_name})
        default_storage.delete(name)
        moved += 1
    left = sum(1 for _name in files_under(default_storage, folder))
    return moved, left


def token_name(name: str, *, key: str) -> str:
    """`folder/stem.ext` -> `folder/stem-<token>.ext`."""
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}-{private_token(key)}{path.suffix}"))


@contextmanager
def local_path(storage: Storage, name: str) -> Iterator[Path]:
    """A path on this machine holding the file: the file itself on a local storage, else a
    temporary copy (an object store), removed afterwards."""
    try:
        path = storage.path(name)
    except NotImplementedError:
        path = None
    if path is not None:
        yield Path(path)
        return
    with (
        tempfile.NamedTemporaryFile(suffix=PurePosixPath(name).suffix) as copy,
        storage.open(name, "rb") as handle,
    ):
        shutil.copyfileobj(handle, copy)
        copy.flush()
        yield Path(copy.name)
