"""A thread-safe stop request: polled by the local decoding loop, pushed to a server run's task."""

from __future__ import annotations

import threading
from typing import Callable


class StopFlag:
    """Set from any thread (the GUI's Stop button); read by the generating thread.

    A queued Qt slot could not run while the worker thread is busy decoding, so
    Stop must be a flag the local loop polls, not a message. A server run waits on
    the network instead of looping, so it registers `on_set` to have its task
    cancelled the moment Stop is pressed.
    """

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self._callbacks: list[Callable[[], None]] = []

    def request_stop(self) -> None:
        with self._lock:
            if self._event.is_set():
                return
            self._event.set()
            callbacks, self._callbacks = self._callbacks, []
        for callback in callbacks:
            callback()

    def is_set(self) -> bool:
        return self._event.is_set()

    def on_set(self, callback: Callable[[], None]) -> Callable[[], None]:
        """Call `callback` once, in the thread that requests Stop (now, if it is already set).

        Returns a function that unregisters it; a run calls it when it ends.
        """
        with self._lock:
            if not self._event.is_set():
                self._callbacks.append(callback)
                return lambda: self._forget(callback)
        callback()
        return lambda: None

    def _forget(self, callback: Callable[[], None]) -> None:
        with self._lock:
            if callback in self._callbacks:
                self._callbacks.remove(callback)

