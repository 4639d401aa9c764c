"""Small after-commit jobs sent to Celery in batches: one broker message for many jobs.

Publishing one Celery message costs about as much CPU as the rest of a public
registration's Python (building the message, the broker round trip), and a
popular forum opens with hundreds of registrations a second. A `TaskBatch`
takes jobs from request threads for the price of a queue put; one background
thread per process publishes everything that arrived within a short window as
a single task call.

What this trades: a job lives only in this process's memory for up to the
window (20 ms) before it reaches the broker, so a process killed in that
instant loses it, exactly as a broker outage at publish time would. Every
batched job therefore has a periodic sweep that finds what was not done and
does it (for registrations: `registration.tasks.registration_notifications_send_due_task`).
Without a broker (CELERY_TASK_ALWAYS_EAGER) the task runs at once, in the caller.
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

_FLUSH = object()


class TaskBatch:
    """Jobs for the Celery task `task` (the task object itself), which takes them as `items=[...]`.

    `publish(items)`, when given, is called instead of `task.delay(items=items)` (tests, benchmarks).
    """

    def __init__(self, task, *, window: float = 0.02, limit: int = 500,
                 publish: Callable[[list], None] | None = None):
        self.task = task
        self.task_name = getattr(task, "name", None) or repr(task)
        self.window = window
        self.limit = limit
        self._publish_override = publish
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._flushed = threading.Event()

    # -- callers ------------------------------------------------------------------------------

    def add(self, item) -> None:
        """Queue one job (JSON-serializable). Never raises: a lost job is the sweep's to find."""
        if self._publish_override is None and self._eager():
            self._publish([item])
            return
        self._ensure_thread()
        self._queue.put(item)

    def flush(self, timeout: float = 5.0) -> None:
        """Publish every job queued so far before returning (tests, process exit)."""
        if self._pid != os.getpid():
            return  # no thread of this process has anything
        self._flushed.clear()
        self._queue.put(_FLUSH)
        self._flushed.wait(timeout)

    # -- the publishing thread ------------------------------------------------------------------

    def _eager(self) -> bool:
        from celery import current_app

        return bool(current_app.conf.task_always_eager)

    def _ensure_thread(self) -> None:
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            # A forked child (gunicorn worker) inherits neither the parent's thread nor what
            # the parent had queued: it starts its own.
            self._queue = queue.SimpleQueue()
            thread = threading.Thread(target=self._run, name=f"batch:{self.task_name}", daemon=True)
            thread.start()
            self._pid = os.getpid()
            atexit.register(self.flush)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            batch, flush = ([], True) if first is _FLUSH else ([first], False)
            deadline = time.monotonic() + self.window
            while not flush and len(batch) < self.limit:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    item = self._queue.get(timeout=remaining)
                except queue.Empty:
                    break
                if item is _FLUSH:
                    flush = True
                else:
                    batch.append(item)
            if flush:  # take whatever else is already waiting, then report
                while True:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is not _FLUSH:
                        batch.append(item)
            for start in range(0, len(batch), self.limit):
                self._publish(batch[start:start + self.limit])
            if flush:
                self._flushed.set()

    def _publish(self, items: list) -> None:
        try:
            if self._publish_override is not None:
                self._publish_override(items)
                return
            self.task.delay(items=items)
        except Exception:  # logged; the sweep of this kind of job picks the items up
            log.exception("could not publish %s jobs for %s", len(items), self.task_name)
