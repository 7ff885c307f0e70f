"""The importer's two-stage pipeline: order, errors where they belong, and an early stop."""

from __future__ import annotations

import threading

import pytest

from ninety.ingest.pipeline import ahead


def test_items_arrive_in_order_from_another_thread() -> None:
    seen_in: set[str] = set()

    def produce():
        for i in range(50):
            seen_in.add(threading.current_thread().name)
            yield i

    assert list(ahead(produce(), depth=3)) == list(range(50))
    assert seen_in == {"ninety-import-reader"}


def test_a_producer_error_is_raised_after_the_items_before_it() -> None:
    def produce():
        yield 1
        yield 2
        raise ValueError("row 7: bad date")

    got = []
    with pytest.raises(ValueError, match="row 7"):
        for item in ahead(produce()):
            got.append(item)
    assert got == [1, 2]


def test_a_consumer_that_stops_early_stops_the_producer_and_closes_it() -> None:
    produced = []
    closed = threading.Event()

    def produce():
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    items = ahead(produce(), depth=2)
    for item in items:
        if item == 5:
            break
    items.close()  # what a for loop's exception or a return does to the generator
    assert closed.is_set()
    # At most the queue's depth (and the item in hand) beyond what was consumed.
    assert len(produced) <= 6 + 2 + 1


def test_a_consumer_error_does_not_hang_on_a_full_queue() -> None:
    def produce():
        yield from range(1_000)

    with pytest.raises(RuntimeError):
        for item in ahead(produce(), depth=1):
            if item == 3:
                raise RuntimeError("database refused the chunk")
