"""Learning a style in a child process, so the editor's process keeps its GIL and its CPU.

A training thread inside the app shares the GIL with the window: each time it holds the
GIL between torch calls, the window's thread waits, and at a lowered priority it may
wait for as long as the kernel keeps that thread off the CPU (the heartbeat's p99
during a Continue read 40 ms that way). A child process has a GIL of its own. It is
spawned, not forked (forking a process that runs Qt and torch threads is unsafe),
lowers its whole priority before it imports torch, loads its own copy of the model,
and reports progress through a queue; Stop and Pause go the other way through a pipe.
If the app goes away, the pipe closes and the child stops after its step, keeping the
checkpoint; if the child dies (killed, out of memory), the app says so in one line.
"""

from __future__ import annotations

import multiprocessing
import queue
import signal
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..errors import error_line
from ..text.stop_flag import StopFlag
from .corpus import Corpus
from .pause_flag import PauseFlag
from .priority import lower_this_process_priority
from .training_settings import TrainingSettings

_POLL_SECONDS = 0.5  # how often the relay checks that a silent child is still alive


@dataclass(frozen=True)
class LearningJob:
    """Everything the child needs, as plain data (it is pickled across)."""

    source: str  # a local model folder, GGUF file or downloaded model id (never a server)
    device: str
    corpus: Corpus
    name: str
    store_root: str
    settings: TrainingSettings
    lower_priority: bool = True


def lost_process_message(exitcode: int | None) -> str:
    return (f"Learning stopped unexpectedly (the learning process ended with code {exitcode}); "
            "learning again resumes from the last checkpoint.")


class LearningProcess:
    """One training in a child process; its news arrive through the callbacks, in a relay thread.

    Exactly one of on_finished(LearnOutcome) and on_failed(message) is called at the end.
    `stop` and `pause` are the app's own flags: setting them is forwarded to the child.
    """

    def __init__(self, job: LearningJob, stop: StopFlag, pause: PauseFlag | None,
                 on_progress: Callable[[Any], None], on_finished: Callable[[Any], None],
                 on_failed: Callable[[str], None]) -> None:
        self.job = job
        self._stop, self._pause = stop, pause
        self._on_progress, self._on_finished, self._on_failed = on_progress, on_finished, on_failed
        context = multiprocessing.get_context("spawn")
        self._events = context.Queue()
        self._control, child_end = context.Pipe()
        self._process = context.Process(target=_child_main, args=(job, self._events, child_end),
                                        name="aigc-desktop-style-learning", daemon=True)
        self._child_end = child_end
        self._send_lock = threading.Lock()
        self._relay: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def exitcode(self) -> int | None:
        return self._process.exitcode

    def start(self) -> None:
        """Spawn the child (about 0.1 s: call it off the window's thread); a failure to spawn is reported."""
        try:
            self._process.start()
        except (OSError, RuntimeError) as exc:  # no memory or no processes left to start one
            with self._send_lock:
                self._control.close()
            self._on_failed(f"Could not start learning: {getattr(exc, 'strerror', None) or exc}.")
            return
        self._child_end.close()  # the child holds its end now; when either side goes, the other sees EOF
        self._stop.on_set(lambda: self._send("stop"))
        if self._pause is not None:
            self._pause.on_change(lambda paused: self._send("pause" if paused else "resume"))
            if self._pause.is_paused():
                self._send("pause")
        self._relay = threading.Thread(target=self._relay_events, name="style-learning-relay", daemon=True)
        self._relay.start()

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the end to be reported; True if it was."""
        if self._relay is not None:
            self._relay.join(timeout)
            return not self._relay.is_alive()
        return True

    def _send(self, message: str) -> None:
        with self._send_lock:
            try:
                self._control.send(message)
            except (OSError, EOFError, ValueError):
                pass  # the child has ended: nothing left to stop or pause

    def _relay_events(self) -> None:
        try:
            while True:
                try:
                    kind, payload = self._events.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    if self._process.is_alive():
                        continue
                    try:  # it may have put its last word just before it ended
                        kind, payload = self._events.get(timeout=_POLL_SECONDS)
                    except queue.Empty:
                        self._on_failed(lost_process_message(self._process.exitcode))
                        return
                if kind == "progress":
                    self._on_progress(payload)
                elif kind == "finished":
                    self._on_finished(payload)
                    return
                else:
                    self._on_failed(str(payload))
                    return
        finally:
            self._process.join(10)
            if self._process.is_alive():
                self._process.terminate()
            with self._send_lock:  # not while the window's thread is sending Stop or Pause
                self._control.close()


def _child_main(job: LearningJob, events, control) -> None:
    """The child's whole life: lower its priority, listen for Stop/Pause, load, learn, report."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C in the app's terminal is the app's to handle
    if job.lower_priority:
        lower_this_process_priority()  # before torch starts its threads: they inherit it
    stop, pause = StopFlag(), PauseFlag()

    def listen() -> None:
        try:
            while True:
                message = control.recv()
                if message == "stop":
                    stop.request_stop()
                elif message == "pause":
                    pause.pause()
                elif message == "resume":
                    pause.resume()
        except (EOFError, OSError):
            stop.request_stop()  # the app is gone: stop after this step, keeping the checkpoint

    threading.Thread(target=listen, name="style-learning-control", daemon=True).start()
    try:
        from ..local.loading import load_model
        from ..quiet_libraries import quiet_transformers
        from .learn import learn_style
        from .store import StyleStore

        quiet_transformers()
        loaded = load_model(job.source, job.device, allow_download=False)
        outcome = learn_style(loaded, job.corpus, job.name, StyleStore(Path(job.store_root)), job.settings, stop,
                              lambda p: events.put(("progress", p)), pause=pause)
    except BaseException as exc:  # noqa: B036 - the child reports everything, then ends
        events.put(("failed", error_line(exc)))
    else:
        events.put(("finished", outcome))
    events.close()
    events.join_thread()  # the last word is written before the process ends
