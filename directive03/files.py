"""Stored files, the one home: generated documents and uploaded member lists are written and read
through Django's storage API (the STORAGES setting), never through a path of this host's disk, so
the web process and the workers may run on different machines.

- `FILE_STORAGE=local` (the default): folders under DATA_DIR (settings.DOCUMENTS_ROOT and
  IMPORTS_ROOT, read at every use, so a test or a command that points them elsewhere is followed).
  Web and workers on several hosts then need that folder shared (one volume, NFS).
- `FILE_STORAGE=s3`: an S3-compatible bucket (django-storages, boto3), each kind of file under its
  own prefix ("documents/", "imports/"). See README, "Files on several machines".

Files are never served by the storage itself: the views check permissions and stream them
(`stream`), so the bucket needs no public access and its address is never shown to a user.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.deconstruct import deconstructible

#: The names of the two storages in settings.STORAGES.
DOCUMENTS = "documents"
IMPORTS = "imports"


@deconstructible(path="directive03.files.SettingFolderStorage")
class SettingFolderStorage(FileSystemStorage):
    """A FileSystemStorage whose folder is the setting `root_setting` (e.g. "DOCUMENTS_ROOT"), read at
    every use instead of once."""

    def __init__(self, root_setting: str, **kwargs) -> None:
        self.root_setting = root_setting
        super().__init__(**kwargs)

    @property
    def base_location(self) -> str:  # FileSystemStorage caches it; here it follows the setting
        return str(getattr(settings, self.root_setting))

    @property
    def location(self) -> str:
        return os.path.abspath(self.base_location)


def storage(name: str) -> Storage:
    """settings.STORAGES[name] (DOCUMENTS or IMPORTS), built once per process."""
    return storages[name]


def write(name: str, path: str, data: bytes | File) -> str:
    """Write `data` at `path` in storage `name` and return the name it was stored under. Callers use
    names no other write uses (a random token), and make the file known (a database row) only once
    this returns, so no reader ever sees half a file on either backend."""
    content = ContentFile(data) if isinstance(data, bytes) else data
    return storage(name).save(path, content)


def read(name: str, path: str) -> bytes:
    with storage(name).open(path, "rb") as fh:
        return fh.read()


def delete(name: str, path: str) -> None:
    """Remove a file; one already gone is not an error (a second cleanup, a retried task)."""
    try:
        storage(name).delete(path)
    except FileNotFoundError:
        pass


def listdir(name: str, folder: str) -> list[str]:
    """The names of the files directly in `folder` (none when the folder does not exist)."""
    try:
        return storage(name).listdir(folder)[1]
    except FileNotFoundError:
        return []


def stream(name: str, path: str) -> File:
    """The file opened for a streamed response (FileResponse); FileNotFoundError when it is gone."""
    return storage(name).open(path, "rb")
