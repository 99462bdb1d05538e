"""A slow, scripted stand-in for the engine, so GUI tests control timing exactly.

It follows the engine's contract: `stream(request, stop)` returns an iterable run
of events with `.text`, checks the StopFlag before each step, and afterwards
carries the summary fields the worker reads.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field


@dataclass
class FakeEvent:
    text: str


@dataclass
class FakeRun:
    pieces: list[str]
    delay: float
    stop: object
    started: threading.Event
    new_token_ids: list[int] = field(default_factory=list)
    finish_reason: str = "length"
    context_tokens: int = 3
    window: int = 1024
    first_token_seconds: float | None = 0.001
    tokens_per_second: float = 100.0

    def __iter__(self):
        self.started.set()
        for i, piece in enumerate(self.pieces):
            self.wait_for_turn()
            if self.stop.is_set():
                self.finish_reason = "stopped"
                return
            time.sleep(self.delay)
            self.new_token_ids.append(i)
            yield FakeEvent(piece)

    def wait_for_turn(self) -> None:
        """Before each piece: subclasses hold it back here (the stop check follows)."""


class FakeBackend:
    name = "fake"
    device_label = "CPU"
    window = 1024

    def __init__(self, pieces=None, delay: float = 0.0, fail_with: Exception | None = None) -> None:
        self.pieces = pieces or [" one", " two", " three", " four", " five"]
        self.delay = delay
        self.fail_with = fail_with
        self.requests = []
        self.started = threading.Event()

    def stream(self, request, stop):
        self.requests.append(request)
        if self.fail_with is not None:
            raise self.fail_with
        return self.make_run(stop)

    def make_run(self, stop) -> FakeRun:
        return FakeRun(list(self.pieces), self.delay, stop, self.started)


def fake_loader(backend: FakeBackend):
    def load(source: str, device: str, allow_download: bool = False, int8: bool = False):
        return backend

    return load
