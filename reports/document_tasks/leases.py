"""Leases on document jobs: the one rule of who may build a document now.

A worker that claims a document holds a lease: an owner ("host#pid-namespace/pid/nonce") and an
expiry. While it builds, one heartbeat thread per process renews the leases the process holds, every
HEARTBEAT seconds, for LEASE. Anyone may take a job over

- when its lease lapsed (the holder stopped renewing: its process or machine is gone, or it hung and
  the task's time limit killed it), or
- at once, when the holder is a process of this machine that no longer exists (a worker child killed
  by `kill -9`, the OOM killer, a restart): the redelivered task or the sweep sees it and takes over.

Only the lease holder may write the result (`finish`), so two deliveries of one task never both
store a document. `reports.document_tasks.jobs` uses these functions; nothing else touches the lease
columns.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from ..models import Document

log = logging.getLogger(__name__)

#: How long a claim is valid without renewal, and how often the holder renews it.
LEASE = dt.timedelta(seconds=30)
HEARTBEAT_SECONDS = 10

_lock = threading.Lock()
_held: dict[int, str] = {}  # document id -> owner token, the leases this process holds now
_renewed: dict[int, float] = {}  # document id -> when (monotonic) its lease was taken or last renewed
_heartbeat: tuple[int, threading.Thread] | None = None  # (pid, thread): a forked child starts its own


def _host() -> str:
    """This machine and pid namespace: pids are comparable only between processes that share both."""
    try:
        namespace = os.readlink("/proc/self/ns/pid")
    except OSError:
        namespace = ""
    return f"{socket.gethostname()}#{namespace}"


HOST = _host()


def new_owner() -> str:
    return f"{HOST}/{os.getpid()}/{uuid.uuid4().hex[:12]}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child its parent has not reaped yet is a zombie: gone all the same
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def owner_is_gone(owner: str) -> bool:
    """True when the lease's holder certainly no longer works on it: a process of this machine that
    is dead, or this very process, which no longer holds it. Another machine's holder: unknown (False)."""
    if not owner:
        return True  # a document marked building by code older than leases
    try:
        host, pid_text, _nonce = owner.rsplit("/", 2)
        pid = int(pid_text)
    except ValueError:
        return True
    if host != HOST:
        return False
    if pid == os.getpid():
        with _lock:
            return owner not in _held.values()
    return not _pid_alive(pid)


def lapsed(doc: Document, now: dt.datetime | None = None) -> bool:
    """The document is building but nobody works on it any more: its job may be taken over."""
    now = now or timezone.now()
    return doc.status == Document.Status.BUILDING and (
        doc.lease_until is None or doc.lease_until < now or owner_is_gone(doc.lease_owner))


def claim(doc_id: int) -> str | None:
    """Take the document's job: returns the lease's owner token, or None when someone else
    holds a live lease or the job is not waiting (done, failed). One winner per job, however many
    deliveries of the task."""
    now = timezone.now()
    owner = new_owner()
    taken = {"status": Document.Status.BUILDING, "started_at": now, "attempts": F("attempts") + 1,
             "lease_owner": owner, "lease_until": now + LEASE}
    rows = Document.objects.filter(pk=doc_id)
    won = rows.filter(Q(status=Document.Status.QUEUED)
                      | Q(status=Document.Status.BUILDING, lease_until__lt=now)
                      | Q(status=Document.Status.BUILDING, lease_until__isnull=True)).update(**taken)
    if not won:
        current = rows.filter(status=Document.Status.BUILDING).values_list("lease_owner", flat=True).first()
        if current is not None and owner_is_gone(current):
            won = rows.filter(status=Document.Status.BUILDING, lease_owner=current).update(**taken)
            if won:
                log.warning("document %s: took over the job of %s, which is gone", doc_id, current)
    if not won:
        return None
    _hold(doc_id, owner)
    return owner


def finish(doc_id: int, owner: str, **fields) -> bool:
    """Store the result as the document's, if `owner` still holds the lease; ends the lease."""
    done = Document.objects.filter(pk=doc_id, status=Document.Status.BUILDING, lease_owner=owner).update(
        status=Document.Status.READY, lease_owner="", lease_until=None, **fields)
    drop(doc_id)
    return bool(done)


def release(doc_id: int, owner: str, *, status: str, error: str = "") -> bool:
    """Give the job back (QUEUED: to be tried again) or give up (FAILED, with the error shown)."""
    changes = {"status": status, "lease_owner": "", "lease_until": None}
    if status == Document.Status.FAILED:
        changes["error"] = error[:2000]
    done = Document.objects.filter(pk=doc_id, status=Document.Status.BUILDING, lease_owner=owner).update(**changes)
    drop(doc_id)
    return bool(done)


def drop(doc_id: int) -> None:
    """Stop renewing: if the lease was not ended in the database, it lapses within LEASE."""
    with _lock:
        _held.pop(doc_id, None)
        _renewed.pop(doc_id, None)


def renew(min_age: float = HEARTBEAT_SECONDS / 2) -> int:
    """Extend the leases this process holds and has not renewed for `min_age` seconds (what the
    heartbeat thread does every HEARTBEAT s; a short build never writes a renewal)."""
    now = time.monotonic()
    with _lock:
        held = {doc_id: owner for doc_id, owner in _held.items() if now - _renewed.get(doc_id, 0) >= min_age}
        _renewed.update(dict.fromkeys(held, now))
    if not held:
        return 0
    return Document.objects.filter(pk__in=list(held), lease_owner__in=list(held.values()),
                                   status=Document.Status.BUILDING).update(lease_until=timezone.now() + LEASE)


def _hold(doc_id: int, owner: str) -> None:
    with _lock:
        _held[doc_id] = owner
        _renewed[doc_id] = time.monotonic()
    if not getattr(settings, "RUN_TASKS_INLINE", False):  # tests build synchronously: nothing to renew
        _ensure_heartbeat()


def _ensure_heartbeat() -> None:
    global _heartbeat
    with _lock:
        if _heartbeat is not None and _heartbeat[0] == os.getpid() and _heartbeat[1].is_alive():
            return
        if _heartbeat is not None and _heartbeat[0] != os.getpid():
            # a forked child inherits its parent's memory, not its threads: those leases are not ours
            _held.clear()
            _renewed.clear()
        thread = threading.Thread(target=_beat, name="document-lease-heartbeat", daemon=True)
        _heartbeat = (os.getpid(), thread)
    thread.start()


def _beat() -> None:
    while True:
        time.sleep(HEARTBEAT_SECONDS)
        try:
            renew()
        except Exception:  # the database is away for a moment: the lease may lapse, the job is taken over
            log.warning("could not renew the document leases", exc_info=True)
            connection.close()
