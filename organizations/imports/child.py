"""The parse of an uploaded member list in a child process, so that the process running the import
task (the web process itself in the in-process mode, without a broker) never holds a spreadsheet.

parse_in_child(path) hands the file to this process's parse child, `python -m
organizations.parse_upload` (Django set up before this package is imported, then main() here),
started on the first upload and kept for the next ones. For each file the child reads it with
reading.read_bytes() under a hard memory cap (RLIMIT_AS) and writes JSON lines on its standard
output: its pid, its progress, then the sheet (header, rows, formulas) or the message of the
ImportFileError, and its peak memory. The parent turns them back into a RawSheet, calls `progress`
along the way, kills a child that runs past its time, and replaces one that died or grew.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from .common import ImportFileError
from .reading import RawSheet, copy_upload, read_bytes

log = logging.getLogger(__name__)
#: The child's address-space cap: the limits on the file keep a parse far below it (tests measure ~100 MiB
#: for 5,000 rows); a parse that would pass it fails instead of swapping the machine.
MEMORY_CAP_BYTES = 1536 * 1024 * 1024
TIMEOUT_SECONDS = 100  # under the task's soft time limit (120 s)


def _encode(value):
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.date):
        return {"$date": value.isoformat()}
    return value


def _decode(value):
    if isinstance(value, dict):
        if "$datetime" in value:
            return dt.datetime.fromisoformat(value["$datetime"])
        if "$date" in value:
            return dt.date.fromisoformat(value["$date"])
        return None
    return value


def _system_error() -> ImportFileError:
    return ImportFileError(_("Không đọc được tệp do lỗi của hệ thống; hãy tải lên lại."))


class _Child:
    """The parse process of this process: started on the first upload, then kept for the next ones
    (starting Python and Django costs 1–8 s), replaced when it dies, after RECYCLE_AFTER files or
    when its memory passed RECYCLE_KIB."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen | None = None
        self.owner = 0  # the pid that started it (a forked process starts its own)
        self.files = 0
        self.errors = tempfile.TemporaryFile()  # noqa: SIM115 - the child's stderr, for the log

    def start(self) -> subprocess.Popen:
        module = os.environ.get("DJANGO_SETTINGS_MODULE") or getattr(settings, "SETTINGS_MODULE", None) \
            or "directive03.settings"
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": module, "DJANGO_LOG_LEVEL": "WARNING"}
        self.errors.seek(0)
        self.errors.truncate()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "organizations.parse_upload"], cwd=settings.BASE_DIR, env=env,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self.errors, start_new_session=True,
        )
        self.owner, self.files = os.getpid(), 0
        return self.proc

    def get(self) -> subprocess.Popen:
        if self.proc is None or self.owner != os.getpid() or self.proc.poll() is not None:
            return self.start()
        return self.proc

    def stop(self, *, kill: bool = False) -> None:
        if self.proc is not None and self.owner == os.getpid():
            if kill:
                self.proc.kill()
            else:
                self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            self.proc.stdout.close()
            if not self.proc.stdin.closed:
                self.proc.stdin.close()
        self.proc = None

    def stderr_tail(self) -> str:
        self.errors.seek(0)
        return self.errors.read()[-2000:].decode(errors="replace")


RECYCLE_AFTER = 50
RECYCLE_KIB = 400 * 1024
_child = _Child()
_child_lock = threading.Lock()


def parse_in_child(path: Path, progress: Callable[[float], None] | None = None, *,
                   timeout: float = TIMEOUT_SECONDS) -> RawSheet:
    """The file at `path` read in the child process: the RawSheet, or the ImportFileError it raised.
    progress(share of the lines read) is called as the child reports it."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    with _child_lock:
        child = _child.get()
        watchdog = threading.Timer(timeout, child.kill)  # a child past its time is killed
        watchdog.start()
        result: dict = {}
        try:
            child.stdin.write((json.dumps({"path": str(path), "language": language}) + "\n").encode())
            child.stdin.flush()
            for raw in child.stdout:
                message = json.loads(raw)
                if "progress" in message and progress is not None:
                    progress(float(message["progress"]))
                result.update({k: v for k, v in message.items() if k != "progress"})
                if "peak_kib" in message:
                    break
        except (ValueError, OSError):
            result = {}
        finally:
            watchdog.cancel()
        if "peak_kib" not in result or not ("sheet" in result or "error" in result):
            _child.stop(kill=True)
            log.error("member import parse of %s: child %s died or timed out (exit %s): %s", path, child.pid,
                      child.returncode, _child.stderr_tail())
            raise _system_error()
        _child.files += 1
        if _child.files >= RECYCLE_AFTER or result["peak_kib"] > RECYCLE_KIB:
            _child.stop()
    log.info("member import parse of %s in child process %s (peak %s MiB)", path.name, result.get("pid"),
             result.get("peak_kib", 0) // 1024)
    if "error" in result:
        raise ImportFileError(result["error"])
    sheet = result["sheet"]
    return RawSheet(header=[_decode(v) for v in sheet["header"]],
                    rows=[(line, [_decode(v) for v in values]) for line, values in sheet["rows"]],
                    formulas={(line, col) for line, col in sheet["formulas"]})


def read_upload_in_child(upload) -> RawSheet:
    """An uploaded file (Django's UploadedFile) read in the child process: written to a temporary
    file (at most MAX_UPLOAD_BYTES, refused beyond), parsed there, the file removed."""
    with tempfile.NamedTemporaryFile(suffix=".upload") as fh:
        copy_upload(upload, fh)
        fh.flush()
        return parse_in_child(Path(fh.name))


def _emit(**message) -> None:
    sys.stdout.write(json.dumps(message, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def _parse(path: Path, language: str) -> None:
    _emit(pid=os.getpid())
    with translation.override(language):
        try:
            sheet = read_bytes(path.read_bytes(), progress=lambda share: _emit(progress=round(share, 3)))
        except ImportFileError as exc:
            _emit(error=exc.message)
        except MemoryError:
            _emit(error=str(_system_error().message))
        else:
            _emit(sheet={"header": [_encode(v) for v in sheet.header],
                         "rows": [(line, [_encode(v) for v in values]) for line, values in sheet.rows],
                         "formulas": sorted(sheet.formulas)})
            del sheet
    _emit(peak_kib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


def main() -> int:
    """The child's loop: one request ({"path", "language"}) per line on stdin, until stdin closes."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP_BYTES, MEMORY_CAP_BYTES))
    for line in sys.stdin:
        request = json.loads(line)
        _parse(Path(request["path"]), request["language"])
    return 0
