"""Steps 1 and 2 away from the web process: the upload is stored as it arrives (the "imports" storage of
directive03.files: a folder under DATA_DIR or an S3 bucket, so the worker may run on another host), a task reads
and checks it (tasks.check_import, in a Celery worker, or in-process without a broker) and reports
its progress on the batch; the preview page follows it. The task parses the file in a child process
of its own (child.parse_in_child): in the in-process mode too, the web process never holds a
spreadsheet, only the rows read from it (at most MAX_ROWS).
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
import uuid
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directive03 import dispatch, files

from ..models import ImportBatch, Organization
from .child import parse_in_child
from .common import MAX_UPLOAD_BYTES, ImportFileError, is_importable
from .plan import check_sheet
from .reading import copy_upload, too_big

log = logging.getLogger(__name__)
#: A batch still "checking" after this long lost its worker (a web process restarted in-process mode).
STALE_AFTER = dt.timedelta(minutes=10)
Status = ImportBatch.Status


def batch_create(*, org: Organization, upload, by) -> ImportBatch:
    """Keep the uploaded file in the "imports" storage and queue its reading; the batch is "checking" until the task has
    read it. ImportFileError (nothing kept) for a unit that takes no import or a file over the size limit."""
    if not is_importable(org):
        raise ImportFileError(_("Chỉ nhập đảng viên cho chi bộ hoặc đảng bộ cấp cơ sở."))
    if not org.is_active:
        raise ImportFileError(_("Đơn vị đã thôi hoạt động; không thể nhập đảng viên."))
    # counted as it is copied (an upload's declared size may be absent), then stored under a new name
    with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
        copy_upload(upload, spool)
        spool.seek(0)
        name = files.write(files.IMPORTS, f"{uuid.uuid4().hex}.upload", File(spool))
    with transaction.atomic():
        ImportBatch.objects.filter(organization=org, created_by=by,
                                   status__in=[Status.PENDING, Status.CHECKING]).update(status=Status.DISCARDED)
        batch = ImportBatch.objects.create(organization=org, created_by=by, filename=(upload.name or "")[-255:],
                                           status=Status.CHECKING, stored_file=name)
        from .. import tasks

        dispatch.send(tasks.check_import, batch.pk)
    return batch


class _Progress:
    """Writes the batch's progress (%) at most every 10 points: ten writes at most, whatever the size."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id, self.shown = batch_id, 0

    def __call__(self, percent: float) -> None:
        percent = int(min(max(percent, 0), 99))
        if percent >= self.shown + 10:
            self.shown = percent
            ImportBatch.objects.filter(pk=self.batch_id, status=Status.CHECKING).update(progress=percent)


def _finish(batch_id: int, **fields) -> None:
    ImportBatch.objects.filter(pk=batch_id, status=Status.CHECKING).update(progress=100, stored_file="", **fields)


def _failed(message: str) -> dict:
    return {"status": Status.FAILED, "errors": [{"line": None, "column": None, "message": message}]}


def batch_check(batch_id: int) -> None:
    """Read and check the batch's file (the task's body). Idempotent: a batch no longer "checking" (done,
    discarded, or checked by an earlier delivery) is left alone."""
    batch = ImportBatch.objects.filter(pk=batch_id, status=Status.CHECKING).select_related(
        "organization", "created_by").first()
    if batch is None:
        return
    stored = batch.stored_file
    progress = _Progress(batch.pk)
    try:
        data = _stored_bytes(stored)
        if data is None:
            raise ImportFileError(_("Tệp đã tải lên không còn trên máy chủ; hãy tải lên lại."))
        with tempfile.NamedTemporaryFile(suffix=".upload") as local:
            # the child reads a local file: the stored upload (a folder or a bucket) is copied for it
            local.write(data)
            local.flush()
            sheet = parse_in_child(Path(local.name), progress=lambda share: progress(share * 60))
        rows, errors, token = check_sheet(sheet, org=batch.organization, user=batch.created_by,
                                   today=timezone.localdate(), progress=lambda share: progress(60 + share * 39))
    except ImportFileError as exc:
        _finish(batch.pk, **_failed(exc.message))
    except Exception:
        log.exception("member import %s could not be checked", batch.pk)
        _finish(batch.pk, **_failed(_("Không đọc được tệp do lỗi của hệ thống; hãy tải lên lại.")))
    else:
        _finish(batch.pk, status=Status.PENDING, rows=rows, errors=errors, base_token=token)
    finally:
        if stored:
            files.delete(files.IMPORTS, stored)


def _stored_bytes(stored: str) -> bytes | None:
    """The stored upload's bytes, None when it is gone; too_big beyond the limit (checked first)."""
    if not stored:
        return None
    storage = files.storage(files.IMPORTS)
    try:
        size = storage.size(stored)
    except FileNotFoundError:
        return None
    if size > MAX_UPLOAD_BYTES:
        raise too_big(size)
    try:
        return files.read(files.IMPORTS, stored)
    except FileNotFoundError:
        return None


def batch_expire(batch: ImportBatch) -> ImportBatch:
    """A batch "checking" for too long has lost its worker: it fails, saying so."""
    if batch.status == Status.CHECKING and batch.created_at < timezone.now() - STALE_AFTER:
        _finish(batch.pk, **_failed(_("Việc đọc tệp bị gián đoạn; hãy tải tệp lên lại.")))
        if batch.stored_file:
            files.delete(files.IMPORTS, batch.stored_file)
        batch.refresh_from_db()
    return batch
