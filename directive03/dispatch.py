"""Send Celery tasks after the current transaction commits.

With a broker, the tasks go to the workers. Without one (the embedded default) Celery runs tasks
in-process; long jobs (document runs) then go to one background thread of this process, so the page
that started them returns at once and shows the same progress as with real workers, and the periodic
jobs that keep background work alive (settings.IN_PROCESS_PERIODIC_TASKS, e.g. the document sweep)
run in another thread: once at start-up, to resume what a restart interrupted, then on their
schedule. Tests set RUN_TASKS_INLINE to run tasks synchronously.

A broker that is away when a task is sent does not fail the request that sent it (what the user
saved is committed already): the failure is logged and the rest of the batch is not tried; jobs
that must survive it are found again by their sweep.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import close_old_connections, transaction
from kombu.exceptions import OperationalError as BrokerError

log = logging.getLogger(__name__)
_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()
_periodic_started = False


def _background():
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inprocess-tasks")
    return _executor


def _run_in_thread(task, args, kwargs=None):
    close_old_connections()
    try:
        task.apply(args=args, kwargs=kwargs or {})
    except Exception:  # the task itself records failures; never kill the thread
        log.exception("in-process task %s failed", task.name)
    finally:
        close_old_connections()


def _go(task, args_list: list[tuple]) -> None:
    if getattr(settings, "RUN_TASKS_INLINE", False):
        for args in args_list:
            task.apply(args=args)  # tests: synchronous, in this process, even with a broker configured
    elif settings.CELERY_TASK_ALWAYS_EAGER:
        for args in args_list:
            _background().submit(_run_in_thread, task, args)
    else:
        for sent, args in enumerate(args_list):
            try:
                task.delay(*args)
            except (BrokerError, OSError):
                log.exception("broker unreachable: %s not sent for %d of %d jobs (the job's sweep sends them "
                              "again)", task.name, len(args_list) - sent, len(args_list))
                return


def send(task, *args) -> None:
    send_many(task, [args])


def send_many(task, args_list) -> None:
    """Send `task` once per argument tuple, after the current transaction commits."""
    args_list = [tuple(args) for args in args_list]
    if args_list:
        transaction.on_commit(lambda: _go(task, args_list))


def start_in_process_periodic_tasks() -> bool:
    """Without a broker (and outside tests): run IN_PROCESS_PERIODIC_TASKS in a daemon thread of
    this process. Called by the WSGI entry point (runserver, gunicorn). Returns whether it started."""
    global _periodic_started
    if not settings.CELERY_TASK_ALWAYS_EAGER or getattr(settings, "RUN_TASKS_INLINE", False):
        return False
    with _lock:
        if _periodic_started:
            return False
        _periodic_started = True
    threading.Thread(target=_periodic_loop, name="inprocess-periodic", daemon=True).start()
    return True


def _periodic_loop() -> None:
    from celery import current_app

    entries = [(current_app.tasks[e["task"]], float(e["every"]), e.get("on_start_kwargs", {}))
               for e in settings.IN_PROCESS_PERIODIC_TASKS]
    due = {task.name: 0.0 for task, _, _ in entries}
    first = True
    while True:
        now = time.monotonic()
        for task, every, on_start in entries:
            if now >= due[task.name]:
                _run_in_thread(task, (), on_start if first else {})
                due[task.name] = now + every
        first = False
        time.sleep(1.0)
