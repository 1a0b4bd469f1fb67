"""Steps 1 and 2 away from the web process: the upload is written to disk as it arrives, a task reads
and checks it (tasks.check_import, in a Celery worker, or in-process without a broker) and reports
its progress on the batch; the preview page follows it. The task parses the file in a child process
of its own (child.parse_in_child): in the in-process mode too, the web process never holds a
spreadsheet, only the rows read from it (at most MAX_ROWS).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from directive03 import dispatch

from ..models import ImportBatch, Organization
from .child import parse_in_child
from .common import MAX_UPLOAD_BYTES, ImportFileError, is_importable
from .plan import check_sheet
from .reading import too_big

log = logging.getLogger(__name__)
#: A batch still "checking" after this long lost its worker (a web process restarted in-process mode).
STALE_AFTER = dt.timedelta(minutes=10)
Status = ImportBatch.Status


def imports_root() -> Path:
    return Path(getattr(settings, "IMPORTS_ROOT", Path(settings.DATA_DIR) / "imports"))


def batch_create(*, org: Organization, upload, by) -> ImportBatch:
    """Keep the uploaded file on disk and queue its reading; the batch is "checking" until the task has
    read it. ImportFileError (nothing kept) for a unit that takes no import or a file over the size limit."""
    if not is_importable(org):
        raise ImportFileError(_("Chỉ nhập đảng viên cho chi bộ hoặc đảng bộ cấp cơ sở."))
    if not org.is_active:
        raise ImportFileError(_("Đơn vị đã thôi hoạt động; không thể nhập đảng viên."))
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise too_big(upload.size)
    root = imports_root()
    root.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}.upload"
    written = 0
    try:
        with (root / name).open("wb") as fh:
            for chunk in upload.chunks():
                written += len(chunk)
                if written > MAX_UPLOAD_BYTES:
                    raise too_big(written)
                fh.write(chunk)
    except BaseException:
        (root / name).unlink(missing_ok=True)
        raise
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
    path = imports_root() / batch.stored_file
    progress = _Progress(batch.pk)
    try:
        if not batch.stored_file or not path.is_file():
            raise ImportFileError(_("Tệp đã tải lên không còn trên máy chủ; hãy tải lên lại."))
        if path.stat().st_size > MAX_UPLOAD_BYTES:
            raise too_big(path.stat().st_size)
        sheet = parse_in_child(path, progress=lambda share: progress(share * 60))
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
        path.unlink(missing_ok=True)


def batch_expire(batch: ImportBatch) -> ImportBatch:
    """A batch "checking" for too long has lost its worker: it fails, saying so."""
    if batch.status == Status.CHECKING and batch.created_at < timezone.now() - STALE_AFTER:
        _finish(batch.pk, **_failed(_("Việc đọc tệp bị gián đoạn; hãy tải tệp lên lại.")))
        if batch.stored_file:
            (imports_root() / batch.stored_file).unlink(missing_ok=True)
        batch.refresh_from_db()
    return batch
