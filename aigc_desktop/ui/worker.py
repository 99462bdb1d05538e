"""The worker that owns the model, living in one long-lived QThread.

The window talks to it only through signals. Stop is not a signal: while the
worker's thread is inside a generation no queued slot can run, so each request
carries its own StopFlag that the window sets directly and the decoding loop
checks before every step.

The backend is anything with `stream(request, stop)` returning an iterable of
events with `.text` (the engine's Generator, or a fake in tests), made by a
`loader(source, device)` callable that runs in the worker thread, so that
torch and transformers are imported there and never block the window.
"""

from __future__ import annotations

import sys
import time
import traceback
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..engine.errors import EngineError, ModelNotDownloadedError
from ..engine.request import ContinuationRequest
from ..engine.stop_flag import StopFlag


@dataclass(frozen=True)
class ModelInfo:
    source: str
    name: str
    device: str
    window: int
    load_seconds: float


@dataclass(frozen=True)
class RunSummary:
    finish_reason: str
    new_tokens: int
    tokens_per_second: float
    context_tokens: int
    window: int
    first_token_seconds: float | None


def engine_loader(source: str, device: str, allow_download: bool = False):
    """The real backend: imported lazily so that torch loads in the worker thread."""
    from ..cli import quiet_transformers
    from ..engine.generator import Generator
    from ..engine.loading import load_model

    quiet_transformers()
    generator = Generator(load_model(source, device, allow_download=allow_download))
    generator.warm_up()
    return generator


def describe_backend(backend, source: str, seconds: float) -> ModelInfo:
    loaded = getattr(backend, "loaded", None)
    if loaded is not None:
        return ModelInfo(source, loaded.name, loaded.device_label, loaded.window, seconds)
    return ModelInfo(source, getattr(backend, "name", source), getattr(backend, "device", "?"),
                     getattr(backend, "window", 0), seconds)


class GenerationWorker(QObject):
    loading = Signal(str)  # source
    loaded = Signal(object)  # ModelInfo
    load_failed = Signal(str, str, bool)  # source, message, a download would fix it
    chunk = Signal(int, str)  # request id, text
    finished = Signal(int, object)  # request id, RunSummary
    failed = Signal(int, str)  # request id, message

    def __init__(self, loader: Callable = engine_loader) -> None:
        super().__init__()
        self._loader = loader
        self._backend = None

    @Slot(str, str, bool)
    def load(self, source: str, device: str, allow_download: bool) -> None:
        self.loading.emit(source)
        started = time.perf_counter()
        try:
            backend = self._loader(source, device, allow_download)
        except ModelNotDownloadedError as exc:
            self.load_failed.emit(source, str(exc), True)
            return
        except EngineError as exc:
            self.load_failed.emit(source, str(exc), False)
            return
        except Exception as exc:  # a broken model must never take the editor down
            traceback.print_exc(file=sys.stderr)
            self.load_failed.emit(source, f"Could not load model '{source}': {exc}", False)
            return
        self._backend = None  # free the old model before announcing the new one
        self._backend = backend
        self.loaded.emit(describe_backend(backend, source, time.perf_counter() - started))

    @Slot(int, object, object)
    def generate(self, request_id: int, request: ContinuationRequest, stop: StopFlag) -> None:
        if stop.is_set():
            self.finished.emit(request_id, RunSummary("stopped", 0, 0.0, 0, 0, None))
            return
        if self._backend is None:
            self.failed.emit(request_id, "No model is loaded yet. Choose a model in Settings.")
            return
        try:
            run = self._backend.stream(request, stop)
            for event in run:
                if event.text:
                    self.chunk.emit(request_id, event.text)
        except (EngineError, ValueError) as exc:
            self.failed.emit(request_id, str(exc))
            return
        except Exception as exc:
            traceback.print_exc(file=sys.stderr)
            self.failed.emit(request_id, f"Generation failed unexpectedly: {exc}")
            return
        self.finished.emit(request_id, RunSummary(
            finish_reason=run.finish_reason,
            new_tokens=len(run.new_token_ids),
            tokens_per_second=run.tokens_per_second,
            context_tokens=run.context_tokens,
            window=run.window,
            first_token_seconds=run.first_token_seconds,
        ))


class WorkerHost(QObject):
    """Starts the worker thread and forwards requests to it (queued, in order)."""

    _load = Signal(str, str, bool)
    _generate = Signal(int, object, object)

    def __init__(self, loader: Callable = engine_loader, parent=None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("generation-worker")
        self.worker = GenerationWorker(loader)
        self.worker.moveToThread(self.thread)
        self._load.connect(self.worker.load)
        self._generate.connect(self.worker.generate)
        self._active_stop: StopFlag | None = None
        self.thread.start()

    def load(self, source: str, device: str, allow_download: bool = False) -> None:
        self._load.emit(source, device, allow_download)

    def generate(self, request_id: int, request: ContinuationRequest) -> StopFlag:
        self.stop()  # a new request always stops the one before it
        stop = StopFlag()
        self._active_stop = stop
        self._generate.emit(request_id, request, stop)
        return stop

    def stop(self) -> None:
        if self._active_stop is not None:
            self._active_stop.request_stop()

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop generating and end the thread; True when it ended in time."""
        self.stop()
        self.thread.quit()
        return self.thread.wait(timeout_ms)
