"""Pause and Resume for a training: no torch here, so the window can hold one."""

from __future__ import annotations

import threading
from typing import Callable

from ..text.stop_flag import StopFlag


class PauseFlag:
    """Pause and Resume, set from any thread (the dialog's button); the training checks it between steps.

    While paused the training sleeps (no CPU) and the time limit does not run.
    """

    def __init__(self) -> None:
        self._running = threading.Event()
        self._running.set()
        self._listeners: list[Callable[[bool], None]] = []

    def pause(self) -> None:
        self._running.clear()
        self._tell(True)

    def resume(self) -> None:
        self._running.set()
        self._tell(False)

    def on_change(self, listener: Callable[[bool], None]) -> None:
        """Call listener(paused) after each pause() and resume() (a training in another process follows it)."""
        self._listeners.append(listener)

    def _tell(self, paused: bool) -> None:
        for listener in list(self._listeners):
            listener(paused)

    def is_paused(self) -> bool:
        return not self._running.is_set()

    def wait_while_paused(self, stop: StopFlag, poll_seconds: float = 0.2) -> None:
        """Return once resumed, or once stop is set (Cancel while paused)."""
        while not self._running.wait(poll_seconds):
            if stop.is_set():
                return
