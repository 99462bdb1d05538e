"""A thread-safe stop request, checked by the decoding loop before every step."""

from __future__ import annotations

import threading


class StopFlag:
    """Set from any thread (the GUI's Stop button); read by the generating thread.

    A queued Qt slot could not run while the worker thread is busy decoding, so
    Stop must be a flag the loop polls, not a message.
    """

    def __init__(self) -> None:
        self._event = threading.Event()

    def request_stop(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def clear(self) -> None:
        self._event.clear()
