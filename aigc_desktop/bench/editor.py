"""The editor measured end to end: an offscreen MainWindow with the real worker thread,
the real engine loader and the real Continue / Stop flow.

The window runs in a process of its own (`python -m aigc_desktop.bench.editor
--serve`), driven by the bench over a pipe, one JSON line per command. That is
how the app runs: torch is used by the worker thread only. In one process with
the bench's own raw/engine runs on the main thread, two OpenMP thread teams
would exist, and libgomp then shortens its spin-waiting for everyone (more
threads than cores), which measurably slows the worker's decoding: a bench
artefact, not the app's behaviour.

Times are taken on the GUI thread: "inserted" when the document reports the
change (contentsChange), "painted" when the editor's viewport next receives a
paint event. The only thing run on the worker thread is a timestamp hooked to
the worker's `finished` signal with a direct connection (for Stop latency).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import IO, TYPE_CHECKING, Callable

from ..engine.backend import is_server_source
from ..engine.server.server_address import parse_server_source
from ..ui.settings.generation_settings import GenerationSettings
from ..ui.suggestion.event_loop import gui_event_loop
from .large_document import make_document
from .stats import percentile, summary

if TYPE_CHECKING:
    from ..ui.suggestion.worker import RunSummary

HEARTBEAT_MS = 5



def _pipe(stream: IO[str] | None) -> IO[str]:
    """One of the editor process's pipes (always there: it is started with PIPE)."""
    if stream is None:
        raise RuntimeError("the editor process has no pipe")
    return stream

class _Waiter:
    """Run the Qt event loop until a condition holds (checked whenever something pokes it)."""

    def __init__(self) -> None:
        self._loop = None
        self._predicate: Callable[[], bool] = lambda: False

    def poke(self, *_args) -> None:
        if self._loop is not None and self._predicate():
            self._loop.quit()

    def wait(self, predicate, timeout_s: float) -> bool:
        from PySide6.QtCore import QEventLoop, QTimer

        if predicate():
            return True
        loop = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        timer.start(max(1, int(timeout_s * 1000)))
        self._loop, self._predicate = loop, predicate
        try:
            loop.exec()
        finally:
            self._loop = None
            timer.stop()
        return predicate()

    def sleep(self, seconds: float) -> None:
        self.wait(lambda: False, seconds)


class Heartbeat:
    """A 5 ms timer on the GUI thread; the gaps between its ticks show how long the thread was busy."""

    def __init__(self, interval_ms: int = HEARTBEAT_MS) -> None:
        from PySide6.QtCore import Qt, QTimer

        self.ticks: list[float] = []
        self._timer = QTimer()
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(lambda: self.ticks.append(time.perf_counter()))

    def start(self) -> None:
        self.ticks = [time.perf_counter()]
        self._timer.start()

    def stop(self) -> dict:
        self._timer.stop()
        return gap_stats(self.ticks)


def gap_stats(ticks: list[float]) -> dict:
    gaps = [(b - a) * 1000 for a, b in zip(ticks, ticks[1:])]
    return {
        "ticks": len(gaps),
        "gap_p50_ms": percentile(gaps, 50),
        "gap_p99_ms": percentile(gaps, 99),
        "gap_max_ms": max(gaps) if gaps else None,
    }


class EditorSession:
    """One offscreen main window whose model (source, device) is loaded and ready."""

    def __init__(self, source: str, device: str, load_timeout_s: float = 600) -> None:
        os.environ["QT_QPA_PLATFORM"] = os.environ.get("AIGC_BENCH_QPA", "offscreen")
        from PySide6.QtCore import QEvent, QObject, QSettings, Qt
        from PySide6.QtWidgets import QApplication, QMessageBox

        from ..ui.settings.user_settings import AppSettings
        from ..ui.window.main_window import MainWindow

        existing = QApplication.instance()
        self.app = existing if isinstance(existing, QApplication) else QApplication(["aigc-desktop-bench"])
        self._tmp = tempfile.TemporaryDirectory(prefix="aigc-bench-settings-")
        # Settings of this run only: the user's own settings are neither read nor changed.
        self.settings = AppSettings(QSettings(os.path.join(self._tmp.name, "settings.ini"),
                                              QSettings.Format.IniFormat))
        server = {}

        if is_server_source(source):
            # An inference server (server_address.server_source), streamed as the app does: on qasync's loop,
            # which runs whenever Qt processes events (the waits below included).

            self._loop = gui_event_loop(self.app, already_running=True)
            url, model, timeout = parse_server_source(source)
            server = {"use_server": True, "server_url": url, "server_model": model or "", "server_timeout": timeout}
        self._generation = GenerationSettings(model=source, device=device, max_new_tokens=64,
                                              temperature=0.0, seed=0, **server)
        # Candidates per Continue (newer settings): the product's default, unless a run asks for one.
        self.default_candidates = getattr(self._generation, "alternatives", 1)
        self.settings.save_generation(self._generation)
        self.waiter = _Waiter()
        self.changes: list[tuple[float, int]] = []  # (time, characters added), GUI thread
        self.paints: list[float] = []  # viewport paint events, GUI thread
        self.worker_finished: list[tuple[int, float, RunSummary]] = []  # (request id, time, summary), worker thread
        self.summaries: list[RunSummary] = []

        started = time.perf_counter()
        self.window = window = MainWindow(self.settings)
        # The bench's documents are throwaway: closing never asks to save them.
        window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
        self.editor = window.editor
        self.controller = window.controller
        waiter = self.waiter

        class PaintClock(QObject):
            def eventFilter(self, obj, event):  # noqa: N802 - Qt's name
                if event.type() == QEvent.Type.Paint:
                    session.paints.append(time.perf_counter())
                    waiter.poke()
                return False

        session = self
        self._paint_clock = PaintClock()
        self.editor.viewport().installEventFilter(self._paint_clock)
        self.editor.document().contentsChange.connect(self._on_change)
        self.controller.state_changed.connect(waiter.poke)
        self.controller.run_finished.connect(self._on_run_finished)
        worker = window.host.worker
        worker.finished.connect(self._on_worker_finished, Qt.ConnectionType.DirectConnection)
        worker.finished.connect(waiter.poke)
        worker.loaded.connect(waiter.poke)
        worker.load_failed.connect(waiter.poke)
        window.shown.connect(waiter.poke)

        window.show()
        waiter.wait(lambda: window.isVisible() and bool(self.paints), 10)
        window.session.start_model()
        if not waiter.wait(lambda: window.session.model_info is not None or window.banner.isVisible(), load_timeout_s):
            raise RuntimeError("the editor's model did not load in time")
        if window.session.model_info is None:
            raise RuntimeError(f"the editor could not load the model: {window.banner.text()}")
        self.ready_seconds = time.perf_counter() - started

    # ----- hooks -------------------------------------------------------------
    def _on_change(self, position: int, removed: int, added: int) -> None:
        self.changes.append((time.perf_counter(), added - removed))
        self.waiter.poke()

    def _on_worker_finished(self, request_id: int, run_summary) -> None:  # worker thread
        self.worker_finished.append((request_id, time.perf_counter(), run_summary))

    def _on_run_finished(self, run_summary) -> None:
        self.summaries.append(run_summary)
        self.waiter.poke()

    # ----- helpers -----------------------------------------------------------
    def configure(self, new_tokens: int, candidates: int | None) -> None:
        """max new tokens, and candidates per Continue (None: the product's default)."""
        changes = {"max_new_tokens": new_tokens}
        if hasattr(self._generation, "alternatives"):
            changes["alternatives"] = candidates or self.default_candidates
        self._generation = dataclasses.replace(self._generation, **changes)
        self.settings.save_generation(self._generation)

    def load_document(self, text: str) -> float:
        """Put text in the editor with the caret at its end; seconds until it is painted."""
        from PySide6.QtGui import QTextCursor

        self.controller.reject()
        self.paints.clear()
        started = time.perf_counter()
        self.editor.load_text(text)
        cursor = self.editor.textCursor()
        cursor.movePosition(QTextCursor.MoveOperation.End)
        self.editor.setTextCursor(cursor)
        self.editor.setFocus()
        self.waiter.wait(lambda: bool(self.paints), 30)
        painted = (self.paints[-1] if self.paints else time.perf_counter()) - started
        self.settle()
        return painted

    def load_large_document(self, size_bytes: int) -> dict:
        """Open a generated mixed English/Chinese document of size_bytes; seconds until painted."""

        text = make_document(size_bytes)
        return {"open_s": self.load_document(text), "bytes": len(text.encode("utf-8")), "characters": len(text)}

    def context(self) -> dict:
        """What Continue would send from the caret: its extraction time, and the text itself."""
        end = self.editor.textCursor().position()
        started = time.perf_counter()
        text = self.editor.text_before(end)
        return {"seconds": time.perf_counter() - started, "text": text}

    def reject(self) -> dict:
        self.controller.reject()
        self.settle(0.02)
        return {}

    def settle(self, seconds: float = 0.05) -> None:
        """Let queued events (paints, timers) run before the next measurement."""
        self.waiter.sleep(seconds)

    def _streaming(self) -> bool:
        from ..ui.suggestion.continuation import STREAMING

        return self.controller.state == STREAMING

    # ----- measurements ------------------------------------------------------
    def continue_run(self, text: str | None, new_tokens: int, heartbeat: bool = False, candidates: int | None = 1,
                     timeout_s: float = 600) -> dict:
        """Press Continue at the end of text (None: the document as it is) and wait for the end.

        candidates=1 is the same work as one greedy generate(); None is the product's default.
        """
        self.configure(new_tokens, candidates)
        if text is not None:
            self.load_document(text)
        self.changes.clear()
        self.summaries.clear()
        beat = Heartbeat() if heartbeat else None
        if beat:
            beat.start()
        started = time.perf_counter()
        self.paints.clear()
        if not self.controller.continue_text():
            raise RuntimeError("Continue was refused (no model or no text)")
        self.waiter.wait(lambda: not self._streaming() and bool(self.summaries), timeout_s)
        ended = time.perf_counter()
        self.waiter.wait(lambda: self.paints and self.changes and self.paints[-1] >= self.changes[-1][0], 1)
        gaps = beat.stop() if beat else None
        result = self._run_figures(started, ended)
        result["heartbeat"] = gaps
        result["on_event_loop"] = self.window.host.active_task is not None  # a server, streamed as the app does
        return result

    def _run_figures(self, started: float, ended: float) -> dict:
        run = self.summaries[-1] if self.summaries else None
        changes = [t for t, added in self.changes if added > 0]
        first_change = changes[0] if changes else None
        last_change = changes[-1] if changes else None
        first_paint = next((p for p in self.paints if first_change is not None and p >= first_change), None)
        last_paint = next((p for p in self.paints if last_change is not None and p >= last_change), None)
        tokens = run.new_tokens if run else 0
        span = (last_paint - first_paint) if first_paint is not None and last_paint is not None else 0
        return {
            "ttft_s": first_paint - started if first_paint is not None else None,
            "ttft_inserted_s": first_change - started if first_change is not None else None,
            "decode_tps": (tokens - 1) / span if tokens > 1 and span > 0 else None,
            "engine_decode_tps": run.tokens_per_second if run else None,
            "tokens": tokens,
            "context_tokens": run.context_tokens if run else None,
            "finish_reason": run.finish_reason if run else None,
            "seconds": ended - started,
            "paint_batches": len(changes),
        }

    def idle_heartbeat(self, seconds: float) -> dict:
        """The heartbeat's gaps while nothing runs, for seconds."""
        beat = Heartbeat()
        beat.start()
        self.waiter.sleep(seconds)
        return beat.stop()

    def stop_run(self, text: str, new_tokens: int, stop_after_s: float, candidates: int | None = None) -> dict:
        """Continue, press Stop stop_after_s after the first text appears; time until the worker ends."""
        self.configure(new_tokens, candidates)
        self.load_document(text)
        self.changes.clear()
        self.summaries.clear()
        finished_before = len(self.worker_finished)
        if not self.controller.continue_text():
            raise RuntimeError("Continue was refused (no model or no text)")
        self.waiter.wait(lambda: bool(self.changes) or not self._streaming(), 600)
        self.waiter.sleep(stop_after_s)
        if not self._streaming():
            return {"stopped_mid_run": False}
        stopped_at = time.perf_counter()
        self.controller.stop()
        stop_call_s = time.perf_counter() - stopped_at
        text_at_stop = self.editor.document().toRawText()
        suggestion_at_stop = self.editor.suggestion_text()
        self.waiter.wait(lambda: len(self.worker_finished) > finished_before, 600)
        delivered_at = time.perf_counter()
        self.settle(0.2)  # anything still queued from the stopped run would land now
        request_id, finished_at, run_summary = self.worker_finished[finished_before]
        latency = finished_at - stopped_at
        step = 1 / run_summary.tokens_per_second if run_summary.tokens_per_second else None
        return {
            "stopped_mid_run": True,
            "latency_s": latency,
            "gui_notified_s": delivered_at - stopped_at,
            "stop_call_s": stop_call_s,
            "decode_step_s": step,
            "latency_over_step": latency / step if step else None,
            "tokens_before_stop": run_summary.new_tokens,
            "finish_reason": run_summary.finish_reason,
            "text_after_stop": self.editor.document().toRawText() != text_at_stop
            or self.editor.suggestion_text() != suggestion_at_stop,
        }

    def keystroke_latency(self, count: int) -> dict:
        """Type count letters at the caret (QTest key clicks); seconds from key to the next paint."""
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest

        latencies = []
        for i in range(count):
            self.settle(0.02)
            self.paints.clear()
            started = time.perf_counter()
            QTest.keyClick(self.editor, Qt.Key.Key_A if i % 2 == 0 else Qt.Key.Key_B)
            handled = time.perf_counter()
            painted = self.waiter.wait(lambda: bool(self.paints), 2)
            latencies.append(((self.paints[0] if painted else time.perf_counter()) - started, handled - started))
        return {
            "key_to_paint_s": summary(a for a, _ in latencies),
            "key_handled_s": summary(b for _, b in latencies),
        }

    def close(self) -> None:
        window = self.window
        window.close()
        window.deleteLater()
        self.settle(0.05)
        self._tmp.cleanup()


# ----- the window's own process, and the bench's handle on it -------------------
_MARK = "AIGC_BENCH_EDITOR "
_COMMANDS = ("continue_run", "idle_heartbeat", "stop_run", "load_large_document", "context",
             "keystroke_latency", "reject")


def serve(source: str, device: str) -> int:
    """Answer one JSON command per stdin line with one JSON line on stdout, until stdin closes."""
    def reply(message: dict) -> None:
        sys.stdout.write(_MARK + json.dumps(message, ensure_ascii=False) + "\n")
        sys.stdout.flush()

    try:
        session = EditorSession(source, device)
    except Exception as exc:  # reported to the bench, which shows it
        reply({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    torch = sys.modules.get("torch")  # loaded by the worker by now, unless the model is on a server
    reply({"ready": True, "ready_seconds": session.ready_seconds,
           "torch_threads": torch.get_num_threads() if torch else None,
           "default_candidates": session.default_candidates})
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            command = json.loads(line)
            op = command.pop("op")
            try:
                if op not in _COMMANDS:
                    raise ValueError(f"unknown command {op}")
                reply({"result": getattr(session, op)(**command)})
            except Exception as exc:
                reply({"error": f"{type(exc).__name__}: {exc}"})
    finally:
        session.close()
    return 0


class EditorClient:
    """The bench's side: the same measurements as EditorSession, run in the window's process."""

    def __init__(self, source: str, device: str) -> None:
        self._log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONIOENCODING": "utf-8"}
        self._process = subprocess.Popen(
            [sys.executable, "-m", "aigc_desktop.bench.editor", "--serve", "--model", source, "--device", device],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log, text=True, encoding="utf-8", env=env)
        ready = self._read()
        self.ready_seconds = ready["ready_seconds"]
        self.torch_threads = ready["torch_threads"]  # what the app chose for its worker
        self.default_candidates = ready["default_candidates"]

    def _read(self) -> dict:
        for line in _pipe(self._process.stdout):
            if line.startswith(_MARK):
                message = json.loads(line[len(_MARK):])
                if "error" in message:
                    raise RuntimeError(f"editor process: {message['error']}")
                return message
        self._log.seek(0)
        raise RuntimeError(f"the editor process ended (exit {self._process.wait()}): {self._log.read()[-1500:]}")

    def _call(self, op: str, **arguments):
        stdin = _pipe(self._process.stdin)
        stdin.write(json.dumps({"op": op, **arguments}, ensure_ascii=False) + "\n")
        stdin.flush()
        return self._read()["result"]

    def continue_run(self, text: str | None, new_tokens: int, heartbeat: bool = False,
                     candidates: int | None = 1) -> dict:
        return self._call("continue_run", text=text, new_tokens=new_tokens, heartbeat=heartbeat,
                          candidates=candidates)

    def idle_heartbeat(self, seconds: float) -> dict:
        return self._call("idle_heartbeat", seconds=seconds)

    def stop_run(self, text: str, new_tokens: int, stop_after_s: float, candidates: int | None = None) -> dict:
        return self._call("stop_run", text=text, new_tokens=new_tokens, stop_after_s=stop_after_s,
                          candidates=candidates)

    def load_large_document(self, size_bytes: int) -> dict:
        return self._call("load_large_document", size_bytes=size_bytes)

    def context(self) -> dict:
        return self._call("context")

    def keystroke_latency(self, count: int) -> dict:
        return self._call("keystroke_latency", count=count)

    def reject(self) -> None:
        self._call("reject")

    def close(self) -> None:
        if self._process.poll() is None:
            _pipe(self._process.stdin).close()
            try:
                self._process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._log.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m aigc_desktop.bench.editor")
    parser.add_argument("--serve", action="store_true", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--device", default="auto")
    args = parser.parse_args(argv)
    return serve(args.model, args.device)


if __name__ == "__main__":
    sys.exit(main())
