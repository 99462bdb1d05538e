"""Progress of a model load's long step (a GGUF file's one-time conversion), for whoever asked for the load.

The thread that loads a model names a callback for itself (`reporting_to`); the loading code
calls `report(done, total)` as it goes. Thread-local, so the loaders' signatures stay as they are
and two loads in two threads never mix their figures.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterable, Iterator, TypeVar

Reporter = Callable[[int, int], None]  # (steps done, steps in all)
T = TypeVar("T")

_local = threading.local()


@contextmanager
def reporting_to(callback: Reporter | None) -> Iterator[None]:
    """While inside, report() in this thread calls callback."""
    before = getattr(_local, "callback", None)
    _local.callback = callback
    try:
        yield
    finally:
        _local.callback = before


def report(done: int, total: int) -> None:
    callback = getattr(_local, "callback", None)
    if callback is not None:
        callback(done, total)


def counted(items: Iterable[T], total: int, start: int = 0) -> Iterator[T]:
    """items, reporting (start + items taken, total) after each one."""
    done = start
    for item in items:
        yield item
        done += 1
        report(done, total)
