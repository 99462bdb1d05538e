"""The worker that owns the model, living in one long-lived QThread.

The window talks to it only through signals. Stop is not a signal: while the
worker's thread is inside a generation no queued slot can run, so each request
carries its own StopFlag that the window sets directly and the decoding loop
checks before every step.

The backend is anything with `stream(request, stop)` returning an iterable of
events with `.text` (an engine Backend: local or remote; or a fake in tests), made by a
`loader(source, device)` callable that runs in the worker thread, so that
torch and transformers are imported there and never block the window.

An inference server (a backend with `astream`) needs no thread to stream: when
the GUI thread runs an asyncio loop (qasync, in the app) its runs are tasks on
that loop, emitting the same signals; Stop also cancels the task, which closes
the HTTP stream at once.
"""

from __future__ import annotations

import asyncio
import math
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot

from ...engine.backend import Backend, is_server_source, open_backend
from ...engine.errors import EngineError, GenerationError, ModelNotDownloadedError
from ...engine.local import load_progress
from ...engine.server.server_address import parse_server_source
from ...engine.text.detokenizer import cjk_share
from ...engine.text.request import ContinuationRequest
from ...engine.text.stop_flag import StopFlag
from ..settings.secrets import load_api_key
from .engine_text import localize
from .event_loop import running_loop
from .probability_view import ChunkInfo


@dataclass(frozen=True)
class ModelInfo:
    source: str
    name: str
    device: str
    window: int
    load_seconds: float
    writes_chinese: bool = True  # its vocabulary has Chinese characters as whole tokens
    detected: str = ""  # the devices this machine offers
    notice: str = ""  # e.g. it fell back to the CPU


@dataclass(frozen=True)
class RunSummary:
    finish_reason: str
    new_tokens: int
    tokens_per_second: float
    context_tokens: int
    window: int
    first_token_seconds: float | None
    alternatives: tuple[str, ...] = ()  # the other candidates, generated in the same run


_NOT_STARTED = RunSummary("stopped", 0, 0.0, 0, 0, None)  # Stop came before the run began

# A vocabulary writes Chinese when many of its tokens are whole Chinese characters:
# GPT-2's byte-level BPE has 140 of 50,257; a Chinese BERT vocabulary has thousands.
_CHINESE_TOKENS, _CHINESE_SHARE = 1000, 0.2


def engine_loader(source: str, device: str, allow_download: bool = False, int8: bool | None = False) -> Backend:
    """The real backend, ready to run: made in the loading thread, so torch loads there.

    int8: the fast mode on a CPU; False: the exact fp32 graph there; None: the transformers
    model only (a caller that changes the weights first builds the graph itself).
    A server is checked now (engine.backend.open_backend), so a wrong URL or model says so at once.
    """
    api_key = None
    if is_server_source(source):

        api_key = load_api_key(parse_server_source(source)[0])
    return open_backend(source, device, allow_download=allow_download, fast=int8, api_key=api_key, warm_up=True)


def _writes_chinese(tokenizer) -> bool:
    size = len(tokenizer)
    pieces = tokenizer.batch_decode([[i] for i in range(size)])  # byte-level tokens need decoding
    chinese = sum(1 for piece in pieces if len(piece) == 1 and cjk_share(piece) == 1.0)
    return chinese >= _CHINESE_TOKENS or chinese >= _CHINESE_SHARE * size


def _is_loaded_model(loaded: object) -> bool:
    from ...engine.local.loading import LoadedModel  # torch: only for a backend that has a local model

    return isinstance(loaded, LoadedModel)


def describe_backend(backend: Backend, source: str, seconds: float) -> ModelInfo:
    loaded = getattr(backend, "loaded", None)
    if loaded is not None and _is_loaded_model(loaded):  # the local engine: look into its vocabulary
        from ...engine.local.devices import detected

        return ModelInfo(source, backend.name, localize(backend.device_label), backend.window, seconds,
                         writes_chinese=_writes_chinese(loaded.tokenizer), detected=detected(),
                         notice=loaded.notice)
    return ModelInfo(source, backend.name, localize(backend.device_label), backend.window, seconds,
                     notice=getattr(backend, "warning", None) or "")


class GenerationWorker(QObject):
    loading = Signal(str)  # source
    # source, steps done, steps in all: a long load's progress (a GGUF file's one-time conversion, per tensor)
    load_progress = Signal(str, int, int)
    loaded = Signal(object)  # ModelInfo
    load_failed = Signal(str, str, bool)  # source, message, a download would fix it
    chunk = Signal(int, str, object)  # request id, text, ChunkInfo (or None) for the probability view
    finished = Signal(int, object)  # request id, RunSummary
    alternatives_ready = Signal(int, object)  # request id, tuple of the other candidates' texts (after finished)
    failed = Signal(int, str)  # request id, message
    notice = Signal(str)  # something the user should know, not an error
    _load_done = Signal(int, object, object)  # from the loading thread: token, backend or None, info or error

    def __init__(self, loader: Callable = engine_loader) -> None:
        super().__init__()
        self._loader = loader
        self._backend = None
        self._load_token = 0
        # Queued: the slot runs in the worker's own thread, never while it is generating.
        self._load_done.connect(self._on_load_done, Qt.ConnectionType.QueuedConnection)

    @Slot(str, str, bool, bool)
    def load(self, source: str, device: str, allow_download: bool, int8: bool) -> None:
        """Load in a helper thread: the current model keeps serving Continue until the new one is ready."""
        self._load_token += 1
        self.loading.emit(source)
        loader = threading.Thread(target=self._load_in_background, name="model-load", daemon=True,
                                  args=(self._load_token, source, device, allow_download, int8))
        _LOADS.append(loader)
        loader.start()

    def _load_in_background(self, token: int, source: str, device: str, allow_download: bool, int8: bool) -> None:
        started = time.perf_counter()

        def progress(done: int, total: int) -> None:
            if token == self._load_token:  # a load that was replaced says nothing more
                self.load_progress.emit(source, done, total)

        try:
            with load_progress.reporting_to(progress):
                backend = self._loader(source, device, allow_download, int8)
            info = describe_backend(backend, source, time.perf_counter() - started)
        except ModelNotDownloadedError as exc:
            self._load_done.emit(token, None, (source, str(exc), True))
        except EngineError as exc:
            self._load_done.emit(token, None, (source, str(exc), False))
        except Exception as exc:  # a broken model must never take the editor down
            traceback.print_exc(file=sys.stderr)
            self._load_done.emit(token, None, (source, self.tr("Could not load model '%s': %s") % (source, exc), False))
        else:
            self._load_done.emit(token, backend, info)

    @Slot(int, object, object)
    def _on_load_done(self, token: int, backend, result) -> None:
        """Back in the worker thread, between generations: swap models."""
        if token != self._load_token:
            return  # a newer load was asked for meanwhile; this model is dropped
        if backend is None:
            self.load_failed.emit(*result)
            return
        self._backend = backend  # the old model is freed here
        self.loaded.emit(result)

    @property
    def backend(self):
        """The model serving Continue now (None before the first load)."""
        return self._backend

    @Slot(int, object, object)
    def generate(self, request_id: int, request: ContinuationRequest, stop: StopFlag) -> None:
        """A run in this thread: the local engine, or a server when no event loop runs the GUI."""
        backend = self._ready(request_id, stop)
        if backend is None:
            return
        try:
            run = backend.stream(request, stop)
            for event in run:
                if event.text:
                    self.chunk.emit(request_id, event.text, chunk_info(event, backend))
        except BaseException as exc:
            self._report_failure(request_id, exc, backend)
            return
        self._finish(request_id, run)
        self._make_alternatives(request_id, request, run, stop, backend)

    def _make_alternatives(self, request_id: int, request: ContinuationRequest, run, stop: StopFlag, backend) -> None:
        """The other candidates, made after the first has streamed (the writer reads it meanwhile).

        A new request, Accept or Reject sets `stop`, which ends this at the next step.
        """
        make = getattr(run, "make_alternatives", None)
        if request.alternatives < 2 or make is None or stop.is_set():
            return
        alternatives: list[str] = []
        try:
            alternatives = make()
        except BaseException as exc:  # the first candidate is safe in the editor; say why there are no others
            if not isinstance(exc, (EngineError, ValueError)):
                traceback.print_exception(exc, file=sys.stderr)
            self.notice.emit(self.tr("The other candidates could not be made: %s")
                             % (localize(str(exc)) or type(exc).__name__))
        # Always answered, so the window's "making candidates" indicator never outlives the attempt.
        self.alternatives_ready.emit(request_id, () if stop.is_set() else tuple(alternatives))

    async def generate_async(self, request_id: int, request: ContinuationRequest, stop: StopFlag, backend) -> None:
        """A server run on the GUI thread's event loop (qasync): the HTTP client needs no thread of its own.

        The same signals as `generate`, emitted from the GUI thread. Stop cancels the run's own
        task (StopFlag.on_set), which closes the stream at once; the host cancels this task too. `backend`
        is the server the run was started for, even if another model is being swapped in.
        """
        if self._ready(request_id, stop, backend) is None:
            return
        run = None
        try:
            run = backend.stream(request, stop)
            async for event in backend.astream(request, stop, run=run):
                if event.text:
                    self.chunk.emit(request_id, event.text, chunk_info(event, backend))
        except asyncio.CancelledError:
            self.finished.emit(request_id, _summary(run, "stopped") if run is not None else _NOT_STARTED)
            return
        except BaseException as exc:
            self._report_failure(request_id, exc, backend)
            return
        self._finish(request_id, run)

    def _finish(self, request_id: int, run) -> None:
        self.finished.emit(request_id, _summary(run))
        for kind, facts in getattr(run, "notices", {}).items():
            self.notice.emit(self._notice_text(kind, facts))

    def _notice_text(self, kind: str, facts: dict) -> str:
        """A server's notice (remote_errors.NOTICES) in the interface's language."""
        if kind == "ignores-n":
            return self.tr("The server at %s sent %d of the %d candidates asked for: it ignores the Candidates "
                           "setting. Set Candidates to 1 for this server.") % (
                facts["server"], facts["sent"], facts["asked"])
        if kind == "lossy-logprobs":
            return self.tr("The server at %s loses characters that span several tokens when it sends token "
                           "probabilities, so the probability view is off for it.") % facts["server"]
        from ...engine.server.remote_errors import english_notice

        return english_notice(kind, facts)  # a kind without a translation yet

    def _ready(self, request_id: int, stop: StopFlag, backend=None):
        """The backend to run on (the current one unless given), or None after saying why there is none."""
        backend = backend if backend is not None else self._backend
        if stop.is_set():
            self.finished.emit(request_id, _NOT_STARTED)
            return None
        if backend is None:
            self.failed.emit(request_id, self.tr("No model is loaded yet. Choose a model in Settings."))
        return backend

    def _report_failure(self, request_id: int, exc: BaseException, backend) -> None:
        if isinstance(exc, GenerationError):
            self.failed.emit(request_id, str(exc))
            if exc.out_of_memory and self._on_gpu(backend):
                backend.fall_back_to_cpu()
                self.notice.emit(self.tr("The GPU ran out of memory: the model now runs on the CPU. "
                                         "Continue again to retry there."))
        elif isinstance(exc, (EngineError, ValueError)):
            self.failed.emit(request_id, str(exc))
        else:  # anything else, even SystemExit: the editor keeps working
            traceback.print_exception(exc, file=sys.stderr)
            self.failed.emit(request_id, self.tr("Generation failed unexpectedly: %s") % (exc or type(exc).__name__))

    @staticmethod
    def _on_gpu(backend) -> bool:
        loaded = getattr(backend, "loaded", None)
        return loaded is not None and loaded.device.type != "cpu" and hasattr(backend, "fall_back_to_cpu")


def chunk_info(event, backend):
    """The chunk's probability and its first token's alternatives, decoded where it was generated."""
    probabilities = getattr(event, "probabilities", None)
    token_text = getattr(backend, "token_text", None)
    if not probabilities or token_text is None:
        return None

    alternatives = ((token_text(token_id), p) for token_id, p in event.alternatives[0])
    return ChunkInfo(math.prod(probabilities), tuple((t, p) for t, p in alternatives if t))


def _summary(run, finish_reason: str | None = None) -> RunSummary:
    return RunSummary(
        finish_reason=finish_reason or run.finish_reason,
        new_tokens=len(run.new_token_ids),
        tokens_per_second=run.tokens_per_second,
        context_tokens=run.context_tokens,
        window=run.window,
        first_token_seconds=run.first_token_seconds,
        alternatives=tuple(getattr(run, "alternatives", ())),
    )


# Worker threads still busy (a model load cannot be interrupted) when their window
# closed: kept referenced so Qt never destroys a running QThread (which aborts).
_DETACHED: list[tuple[QThread, QObject]] = []


# Model loads run in plain threads (torch cannot be interrupted mid-load).
_LOADS: list[threading.Thread] = []


def detached_threads_running() -> bool:
    """True when a closed window left a worker thread or a model load still busy (see WorkerHost.shutdown)."""
    return any(thread.isRunning() for thread, _ in _DETACHED) or any(t.is_alive() for t in _LOADS)


class WorkerHost(QObject):
    """Starts the worker thread and forwards requests to it (queued, in order)."""

    _load = Signal(str, str, bool, bool)
    _generate = Signal(int, object, object)
    thread_died = Signal()  # the worker thread ended without being asked to; it was restarted

    def __init__(self, loader: Callable = engine_loader, parent=None) -> None:
        super().__init__(parent)
        self.worker_thread = QThread()
        self.worker_thread.setObjectName("generation-worker")
        self.worker = GenerationWorker(loader)
        self.worker.moveToThread(self.worker_thread)
        self._load.connect(self.worker.load)
        self._generate.connect(self.worker.generate)
        self._active_stop: StopFlag | None = None
        self._active_task: asyncio.Task | None = None  # a server run on the GUI's event loop
        self._shutting_down = False
        self.restarts = 0
        self.worker_thread.finished.connect(self._on_thread_finished)
        self.worker_thread.start()

    def ensure_running(self) -> None:
        """Restart the worker thread if it ended (the worker and its model are kept)."""
        if not self._shutting_down and not self.worker_thread.isRunning():
            self.worker_thread.wait(1000)  # finishing: let it get all the way out first
            self.restarts += 1
            self.worker_thread.start()

    def _on_thread_finished(self) -> None:
        if self._shutting_down or self.worker_thread.isRunning():
            return  # closing, or a new request has restarted it already
        self.stop()
        self.ensure_running()
        self.thread_died.emit()

    def load(self, source: str, device: str, allow_download: bool = False, int8: bool = False) -> None:
        self.ensure_running()
        self._load.emit(source, device, allow_download, int8)

    def generate(self, request_id: int, request: ContinuationRequest) -> StopFlag:
        self.stop()  # a new request always stops the one before it
        stop = StopFlag()
        self._active_stop = stop
        loop = running_loop()
        self._active_task = None
        backend = self.worker.backend
        if loop is not None and hasattr(backend, "astream"):
            # A server streams through the async client on qasync's loop: no thread is involved.
            self._active_task = loop.create_task(self.worker.generate_async(request_id, request, stop, backend))
            return stop
        self.ensure_running()
        self._generate.emit(request_id, request, stop)
        return stop

    @property
    def active_task(self) -> "asyncio.Task | None":
        """The asyncio task of the latest server run on the event loop (None: it ran in the thread)."""
        return self._active_task

    def stop(self) -> None:
        if self._active_stop is not None:
            self._active_stop.request_stop()
        if self._active_task is not None and not self._active_task.done():
            self._active_task.cancel()  # ends it even before its run has begun

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop generating and end the thread; True when it ended in time.

        A thread that does not end in time (a model load cannot be interrupted) is
        detached: kept referenced until it finishes, so closing never blocks longer
        than timeout_ms; run_editor then leaves the process without waiting for it.
        """
        self._shutting_down = True
        self.stop()
        self.worker_thread.quit()
        if self.worker_thread.wait(timeout_ms):
            return True
        _DETACHED.append((self.worker_thread, self.worker))
        return False
