"""Issue 7, faults: the worker fails, the model writes NaNs, the worker thread dies,
the window closes mid-load or mid-stream, files are opened while text streams in.
Each gives a message (or a clean stop), the editor keeps working and the next Continue works."""

from __future__ import annotations

import threading
import time

import pytest
from fake_backend import FakeBackend, FakeRun, fake_loader
from PySide6.QtCore import QThread
from PySide6.QtWidgets import QMessageBox

from aigc_desktop.engine.errors import GenerationError
from aigc_desktop.ui.suggestion.continuation import IDLE, PENDING, STREAMING
from aigc_desktop.ui.suggestion.worker import detached_threads_running, engine_loader


def wait_state(qtbot, window, state, timeout=5000):
    qtbot.waitUntil(lambda: window.controller.state == state, timeout=timeout)


def continue_works(qtbot, window, backend, text="Next"):
    """The editor still works: type, Continue, accept."""
    backend.fail_with = None
    backend.pieces = [" fine"]
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(window.editor, text)
    before = window.editor.user_text()
    assert window.controller.continue_text()
    wait_state(qtbot, window, PENDING)
    window.controller.accept()
    assert window.editor.user_text() == before + " fine"


class FailingRun(FakeRun):
    """Streams some pieces, then raises (as the engine does when logits turn NaN)."""

    def __init__(self, *args, error, after, **kwargs):
        super().__init__(*args, **kwargs)
        self.error, self.after = error, after

    def __iter__(self):
        for i, event in enumerate(super().__iter__()):
            if i == self.after:
                raise self.error
            yield event


class FaultyBackend(FakeBackend):
    def __init__(self, *args, run_error=None, after=2, on_stream=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.run_error, self.after, self.on_stream = run_error, after, on_stream

    def stream(self, request, stop):
        if self.on_stream is not None:
            self.on_stream()
        if self.run_error is None:
            return super().stream(request, stop)
        self.requests.append(request)
        return FailingRun(list(self.pieces), self.delay, stop, self.started, error=self.run_error, after=self.after)


@pytest.mark.parametrize("error", [
    RuntimeError("CUDA error: device-side assert triggered"),
    GenerationError("The model produced invalid numbers (NaN); its weights may be broken."),
    MemoryError(),
    SystemExit(3),
    KeyError("past_key_values"),
], ids=["exception", "nan", "memory", "system-exit", "key-error"])
def test_failure_mid_stream_shows_message_and_next_continue_works(qtbot, make_window, error, reliability_tally):
    reliability_tally["faults injected"] += 1
    backend = FaultyBackend(pieces=[" a", " b", " c", " d"], run_error=error, after=2)
    window = make_window(fake_loader(backend))
    window.editor.insertPlainText("Precious words")
    assert window.controller.continue_text()
    qtbot.waitUntil(window.banner.isVisible, timeout=5000)
    assert window.banner.text()
    if isinstance(error, GenerationError):
        assert "NaN" in window.banner.text()
    # What arrived before the failure is a suggestion for the user to judge; their text is intact.
    assert window.controller.state == PENDING
    assert window.editor.suggestion_text() == " a b"
    assert window.editor.user_text() == "Precious words"
    window.controller.reject()
    assert window.editor.toPlainText() == "Precious words"
    backend.run_error = None
    continue_works(qtbot, window, backend)
    assert window.host.worker_thread.isRunning()


def test_failure_before_any_text(qtbot, make_window, reliability_tally):
    reliability_tally["faults injected"] += 1
    backend = FakeBackend(fail_with=ValueError("context is empty after truncation"))
    window = make_window(fake_loader(backend))
    window.editor.insertPlainText("Words")
    window.controller.continue_text()
    qtbot.waitUntil(window.banner.isVisible, timeout=5000)
    assert window.controller.state == IDLE
    assert window.editor.toPlainText() == "Words"
    continue_works(qtbot, window, backend)


def test_real_engine_nan_model(qtbot, make_window, tiny_gpt2_dir, tmp_path, reliability_tally):
    """A model whose weights are NaN: the engine raises GenerationError, the window says so."""
    import shutil

    import torch
    from transformers import GPT2LMHeadModel

    reliability_tally["faults injected"] += 1
    broken = tmp_path / "nan-model"
    shutil.copytree(tiny_gpt2_dir, broken)
    model = GPT2LMHeadModel.from_pretrained(tiny_gpt2_dir)
    with torch.no_grad():
        model.transformer.ln_f.weight.fill_(float("nan"))
    model.save_pretrained(broken)
    window = make_window(engine_loader, model=str(broken), device="cpu")
    assert window.session.model_info is not None, window.banner.text()
    window.editor.insertPlainText("Once upon a time")
    window.controller.continue_text()
    qtbot.waitUntil(window.banner.isVisible, timeout=10000)
    assert "NaN" in window.banner.text()
    assert window.editor.toPlainText() == "Once upon a time"
    assert window.controller.state == IDLE
    # The editor keeps working, and Continue with a good model works again.
    window.session.overrides["model"] = str(tiny_gpt2_dir)
    window.session.model_info = None
    window.session.start_model()
    qtbot.waitUntil(lambda: window.session.model_info is not None and window.session.model_info.source == str(tiny_gpt2_dir),
                    timeout=20000)
    window.session.overrides["max_new_tokens"] = 5
    assert window.controller.continue_text()
    wait_state(qtbot, window, PENDING, timeout=10000)
    window.controller.accept()
    assert window.editor.user_text().startswith("Once upon a time")
    assert len(window.editor.user_text()) > len("Once upon a time")


def test_worker_thread_that_dies_while_idle_is_restarted(qtbot, make_window, reliability_tally):
    reliability_tally["faults injected"] += 1
    backend = FakeBackend()
    window = make_window(fake_loader(backend))
    window.editor.insertPlainText("Text")
    window.host.worker_thread.quit()
    assert window.host.worker_thread.wait(2000)
    qtbot.waitUntil(window.banner.isVisible, timeout=3000)
    assert "stopped unexpectedly" in window.banner.text()
    assert window.host.worker_thread.isRunning()  # restarted, model kept
    continue_works(qtbot, window, backend)


def test_worker_thread_that_dies_after_a_run(qtbot, make_window, reliability_tally):
    reliability_tally["faults injected"] += 1
    backend = FaultyBackend(pieces=[" x", " y"], on_stream=lambda: QThread.currentThread().quit())
    window = make_window(fake_loader(backend))
    window.editor.insertPlainText("Text")
    window.controller.continue_text()
    qtbot.waitUntil(window.banner.isVisible, timeout=3000)
    assert "stopped unexpectedly" in window.banner.text()
    assert window.controller.state in (IDLE, PENDING)
    assert window.editor.user_text() == "Text"
    window.controller.reject()
    backend.on_stream = None
    continue_works(qtbot, window, backend)
    assert window.host.restarts >= 1


def test_continue_right_after_the_thread_died(qtbot, make_window, reliability_tally):
    reliability_tally["faults injected"] += 1
    backend = FakeBackend(pieces=[" ok"])
    window = make_window(fake_loader(backend))
    window.editor.insertPlainText("Text")
    window.host.worker_thread.quit()
    assert window.host.worker_thread.wait(2000)
    assert window.controller.continue_text()  # before the window heard of the death
    wait_state(qtbot, window, PENDING)
    assert window.editor.toPlainText() == "Text ok"


# ----- shutting down ----------------------------------------------------------------------


def test_close_during_model_load_returns_within_two_seconds(qtbot, make_window):
    release = threading.Event()
    loading = threading.Event()

    def slow_loader(*args, **kwargs):
        loading.set()
        release.wait(20)  # a load cannot be interrupted
        return FakeBackend()

    window = make_window(slow_loader, wait_for_model=False)
    assert loading.wait(5)
    window.editor.insertPlainText("draft")
    window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    started = time.perf_counter()
    assert window.close()
    assert time.perf_counter() - started < 2.0
    assert detached_threads_running()  # left to finish on its own; run_editor then os._exit()s
    assert window.document.recovery.own_entries() == []
    release.set()
    qtbot.waitUntil(window.host.worker_thread.isFinished, timeout=5000)
    qtbot.waitUntil(lambda: not detached_threads_running(), timeout=5000)


def test_close_during_generation_with_save(qtbot, make_window, tmp_path):
    backend = FakeBackend(pieces=[" w"] * 1000, delay=0.01)
    window = make_window(fake_loader(backend))
    path = tmp_path / "doc.txt"
    path.write_text("Start", encoding="utf-8")
    assert window.document.open_file(str(path))
    window.editor.moveCursor(window.editor.textCursor().MoveOperation.End)
    qtbot.keyClicks(window.editor, " typed")
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.editor.suggestion_text() != "", timeout=5000)
    window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Save
    started = time.perf_counter()
    assert window.close()
    assert time.perf_counter() - started < 2.0
    assert window.host.worker_thread.isFinished()
    assert path.read_text(encoding="utf-8") == "Start typed"  # never the suggestion


# ----- editing while streaming ----------------------------------------------------------------


@pytest.fixture
def streaming(qtbot, make_window):
    backend = FakeBackend(pieces=[f" w{i}" for i in range(300)], delay=0.005)
    window = make_window(fake_loader(backend))
    window.editor.insertPlainText("Mine")
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.editor.suggestion_text() != "", timeout=5000)
    assert window.controller.state == STREAMING
    return window


def _no_more_text_arrives(qtbot, window, expected):
    qtbot.wait(100)
    assert window.editor.toPlainText() == expected
    assert not window.editor.has_suggestion()
    assert window.controller.state == IDLE


def test_open_file_during_streaming_ends_the_suggestion(qtbot, streaming, tmp_path):
    window = streaming
    path = tmp_path / "other.txt"
    path.write_text("Other file", encoding="utf-8")
    window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    assert window.document.open_file(str(path))
    assert window.editor.user_text() == "Other file"
    assert not window.isWindowModified()
    _no_more_text_arrives(qtbot, window, "Other file")


def test_new_during_streaming_ends_the_suggestion(qtbot, streaming):
    window = streaming
    window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    window.document.new_document()
    _no_more_text_arrives(qtbot, window, "")


def test_cancelled_new_during_streaming_keeps_everything(qtbot, streaming):
    window = streaming
    window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Cancel
    window.document.new_document()
    assert window.editor.user_text() == "Mine"
    assert window.editor.has_suggestion()


def test_save_during_streaming_saves_only_the_users_text(qtbot, streaming, tmp_path):
    window = streaming
    path = tmp_path / "doc.txt"
    assert window.document._write(str(path))
    assert path.read_text(encoding="utf-8") == "Mine"
    assert window.editor.has_suggestion() and window.editor.user_text() == "Mine"
    assert not window.isWindowModified()


def test_failed_open_during_streaming_keeps_streaming(qtbot, streaming, tmp_path):
    window = streaming
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"\x00\x01\x02")
    window.document.ask_save_changes = lambda: QMessageBox.StandardButton.Discard
    assert not window.document.open_file(str(bad))
    assert "binary" in window.banner.text()
    assert window.editor.user_text() == "Mine"


def test_regenerate_after_editing_before_the_suggestion(qtbot, make_window):
    """Found by the random walk: Regenerate reused the old position after the text before the
    suggestion had changed, and a position past the end put the document and the editor's
    copy of it out of step (the user's text gained a character of the suggestion)."""
    from PySide6.QtCore import Qt

    backend = FakeBackend(pieces=[" one", " two"])
    window = make_window(fake_loader(backend))
    window.editor.insertPlainText("Hello worldx")
    window.controller.continue_text()
    wait_state(qtbot, window, PENDING)
    qtbot.keyClick(window.editor, Qt.Key.Key_Backspace)  # fix a typo right before the suggestion
    assert window.editor.user_text() == "Hello world"
    backend.pieces = [" three"]
    window.controller.regenerate()
    wait_state(qtbot, window, PENDING)
    assert backend.requests[-1].context == "Hello world"
    assert window.editor.user_text() == "Hello world"
    assert window.editor.toPlainText() == "Hello world three"
    window.controller.accept()
    assert window.editor.user_text() == "Hello world three"
