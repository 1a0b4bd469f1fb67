"""Send a Celery task after the current transaction commits.

With a broker, the task goes to the workers. Without one (the embedded default) Celery runs tasks
in-process; long jobs (document runs) then go to one background thread of this process, so the page
that started them returns at once and shows the same progress as with real workers. Tests set
RUN_TASKS_INLINE to run them synchronously.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, transaction

log = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()


def _background():
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inprocess-tasks")
    return _executor


def _run_in_thread(task, args):
    close_old_connections()
    try:
        task.apply(args=args)
    except Exception:  # the task itself records failures; never kill the thread
        log.exception("in-process task %s failed", task.name)
    finally:
        close_old_connections()


def send(task, *args) -> None:
    def go():
        if getattr(settings, "RUN_TASKS_INLINE", False):
            task.apply(args=args)  # tests: synchronous, in this process, even with a broker configured
        elif settings.CELERY_TASK_ALWAYS_EAGER:
            _background().submit(_run_in_thread, task, args)
        else:
            task.delay(*args)

    transaction.on_commit(go)
