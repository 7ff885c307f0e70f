"""Run a producer ahead of its consumer in a background thread (a bounded two-stage pipeline).

The importer reads, validates and encodes the next chunk while the database writes this one.
Both stages spend most of their time outside the GIL (Arrow's compute kernels and CSV reader,
SQLite's ``sqlite3_step``, a PostgreSQL ``COPY`` waiting on the server), so on two cores the
import takes about as long as the slower stage instead of the sum of both.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")

_DONE = object()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def ahead(items: Iterable[T], depth: int = 2) -> Iterator[T]:
    """Yield ``items`` as produced by a background thread, at most ``depth`` ahead.

    An exception in the producer is raised here, in the consumer, at the point where its item
    would have come; when the consumer stops early (an error, ``close()``), the producer stops
    at its next item. The producer must not touch the consumer's database connection.
    """
    q: queue.Queue[object] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in items:
                if not put(item):
                    return
        except BaseException as exc:  # handed to the consumer, raised there
            put(_Failed(exc))
            return
        finally:
            close = getattr(items, "close", None)
            if close is not None:
                close()  # a generator's files are closed in the thread that opened them
        put(_DONE)

    worker = threading.Thread(target=produce, name="ninety-import-reader", daemon=True)
    worker.start()
    try:
        while True:
            item = q.get()
            if item is _DONE:
                return
            if isinstance(item, _Failed):
                raise item.exc
            yield item  # type: ignore[misc]
    finally:
        stop.set()
        worker.join()
