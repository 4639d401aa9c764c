"""TaskBatch: many small after-commit jobs reach the broker as few messages, none lost or doubled."""

import multiprocessing
import threading
import time

from forum.batching import TaskBatch


class StubTask:
    """Stands for a Celery task: with `publish` given, TaskBatch reads only its name."""

    def __init__(self, name: str):
        self.name = name


def collecting_batch(**options):
    batches, lock = [], threading.Lock()

    def publish(items):
        with lock:
            batches.append(list(items))

    return TaskBatch(StubTask("tests.collect"), publish=publish, **options), batches


def test_task_batch_delivers_every_job_once_from_many_threads():
    batch, batches = collecting_batch(window=0.01, limit=50)

    def producer(n):
        for i in range(40):
            batch.add([n, i])

    threads = [threading.Thread(target=producer, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    batch.flush()
    delivered = [tuple(item) for items in batches for item in items]
    assert sorted(delivered) == sorted((n, i) for n in range(20) for i in range(40))
    assert all(len(items) <= 50 for items in batches)
    assert len(batches) < len(delivered) / 5  # coalesced, not one message per job


def test_task_batch_flush_publishes_waiting_jobs_without_waiting_for_the_window():
    batch, batches = collecting_batch(window=30)
    for i in range(3):
        batch.add(i)
    started = time.monotonic()
    batch.flush(timeout=5)
    assert time.monotonic() - started < 5
    assert [item for items in batches for item in items] == [0, 1, 2]


def test_task_batch_survives_a_failed_publish():
    calls = []

    def publish(items):
        calls.append(list(items))
        if len(calls) == 1:
            raise ConnectionError("broker down")

    batch = TaskBatch(StubTask("tests.flaky"), publish=publish, window=0.01)
    batch.add("lost")
    batch.flush()
    batch.add("kept")
    batch.flush()
    assert calls == [["lost"], ["kept"]]  # the first is the sweep's to find; the thread went on


def _child_adds(batch, connection):
    batch.add("from the child")
    batch.flush()
    connection.close()


def test_task_batch_forked_child_runs_its_own_thread():
    received_in_child = multiprocessing.get_context("fork").Pipe(duplex=False)
    reader, writer = received_in_child

    def publish(items):
        writer.send(items)

    batch = TaskBatch(StubTask("tests.fork"), publish=publish, window=0.01)
    batch.add("from the parent")
    batch.flush()
    assert reader.recv() == ["from the parent"]
    child = multiprocessing.get_context("fork").Process(target=_child_adds, args=(batch, writer))
    child.start()
    child.join(timeout=20)
    assert child.exitcode == 0
    # The parent's thread does not exist in the child; the child started one and published.
    assert reader.poll(5) and reader.recv() == ["from the child"]
