"""The editor's side of styles: the picker, Learn a Style… in the background, provenance, the loader."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest
from fake_backend import FakeBackend, fake_loader
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QPushButton
from test_style_engine import FAST, writer_text

from aigc_desktop.engine.local.loading import load_model
from aigc_desktop.engine.style.corpus import Corpus, Document
from aigc_desktop.engine.style.learn import learn_style
from aigc_desktop.engine.style.store import StyleStore
from aigc_desktop.engine.style.training_settings import TrainingSettings
from aigc_desktop.ui.suggestion.continuation import STREAMING
from aigc_desktop.ui.style.style_dialog import LearnStyleDialog
from aigc_desktop.ui.style.style_picker import style_of, styled_loader
from aigc_desktop.ui.suggestion.worker import engine_loader


@pytest.fixture
def store() -> StyleStore:
    return StyleStore()  # the test's own data folder ($AIGC_DESKTOP_DATA_DIR, conftest)


def learn_fox(model_dir, store: StyleStore, name: str = "Fox") -> None:
    corpus = Corpus((Document.from_text("drafts.txt", writer_text()),))
    learn_style(load_model(str(model_dir), "cpu"), corpus, name, store, TrainingSettings(**FAST))


def test_the_loader_merges_the_chosen_style_and_passes_everything_else_through(tiny_gpt2_dir, store):
    learn_fox(tiny_gpt2_dir, store)
    plain = styled_loader(engine_loader, lambda: "")(str(tiny_gpt2_dir), "cpu")
    assert style_of(plain) == ""
    styled = styled_loader(engine_loader, lambda: "Fox")(str(tiny_gpt2_dir), "cpu", False, True)
    assert style_of(styled) == "Fox" and styled.loaded.int8  # merged first, then made fast
    fake = styled_loader(fake_loader(FakeBackend()), lambda: "Fox")("test-model", "cpu")
    assert style_of(fake) == ""  # a backend without a local model is left alone


def test_a_style_that_does_not_fit_leaves_the_model_unstyled_with_a_notice(tiny_gpt2_dir, tiny_chinese_dir, store):
    learn_fox(tiny_gpt2_dir, store)
    backend = styled_loader(engine_loader, lambda: "Fox")(str(tiny_chinese_dir), "cpu")
    assert style_of(backend) == ""
    assert "was learned on" in backend.loaded.notice


def test_picking_a_style_reloads_the_model_and_provenance_names_it(qtbot, make_window, tiny_gpt2_dir, store):
    learn_fox(tiny_gpt2_dir, store)
    window = make_window(engine_loader, model=str(tiny_gpt2_dir), device="cpu", temperature=0.0, max_new_tokens=8)
    combo = window.style_controls.combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["No style", "Fox"]
    assert style_of(window.host.worker.backend) == ""
    combo.activated.emit(combo.findData("Fox"))
    qtbot.waitUntil(lambda: style_of(window.host.worker.backend) == "Fox", timeout=30000)
    assert store.current() == "Fox"  # remembered for the next start
    window.editor.load_text("Once upon a time")
    cursor = window.editor.textCursor()
    cursor.movePosition(QTextCursor.MoveOperation.End)
    window.editor.setTextCursor(cursor)
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state != STREAMING, timeout=20000)
    window.controller.accept()
    spans = window.editor.provenance.spans()
    assert spans and spans[-1].settings["style"] == "Fox"


def open_learning(qtbot, make_window, model_dir, monkeypatch):
    """The window on the tiny model with the writer's text, Learn a Style… open (quick settings), ready to Learn."""
    monkeypatch.setattr(LearnStyleDialog, "training_settings", lambda dialog: TrainingSettings(**FAST))
    window = make_window(engine_loader, model=str(model_dir), device="cpu")
    window.editor.load_text(writer_text())
    window.style_controls.learn()
    dialog = window.style_controls.dialog
    qtbot.waitUntil(lambda: dialog.learn_button.isEnabled(), timeout=10000)  # once the words are counted
    return window, dialog


def test_learning_in_the_dialog_keeps_the_editor_responsive(qtbot, make_window, tiny_gpt2_dir, store, monkeypatch):
    window, dialog = open_learning(qtbot, make_window, tiny_gpt2_dir, monkeypatch)
    assert "words: about" in dialog.summary.text()
    dialog.name_edit.setText("Mine")
    gaps, last = [], [time.perf_counter()]

    def beat():
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    heartbeat = QTimer()
    heartbeat.timeout.connect(beat)
    heartbeat.start(10)
    with qtbot.waitSignal(dialog.learned, timeout=180000) as learned:
        dialog.learn_button.click()
        qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=60000)
        assert "Step" in dialog.status.text() and "left" in dialog.status.text()
    heartbeat.stop()
    assert learned.args == ["Mine"]
    assert store.names() == ["Mine"]
    assert "Held-out perplexity" in dialog.report.toPlainText()
    assert "Mine" in [window.style_controls.combo.itemText(i) for i in range(window.style_controls.combo.count())]
    assert len(gaps) > 20  # the window's event loop kept running while the model trained


def test_cancel_in_the_dialog_stops_and_keeps_a_checkpoint(qtbot, make_window, tiny_gpt2_dir, store, monkeypatch):
    window, dialog = open_learning(qtbot, make_window, tiny_gpt2_dir, monkeypatch)
    dialog.learn_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 2, timeout=60000)
    choosing = [b for b in dialog.findChildren(QPushButton) if b.text() in ("Add Files…", "Add Folder…", "Clear")]
    assert len(choosing) == 3 and not any(b.isEnabled() for b in choosing)  # the text is fixed while it learns
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: not dialog.training, timeout=60000)
    assert dialog.status.text().startswith("Stopped at step")
    assert store.names() == []
    assert (store.root / ".training" / "My style" / "checkpoint.safetensors").is_file()


def test_too_little_text_is_one_line_in_the_dialog(qtbot, make_window):
    window = make_window(fake_loader(FakeBackend()))
    window.editor.load_text("A few words only.")
    window.style_controls.learn()
    dialog = window.style_controls.dialog
    qtbot.waitUntil(lambda: not dialog.reader.busy, timeout=10000)
    assert dialog.summary.text() == "4 words: learning a style needs at least 1,000 words."
    assert not dialog.learn_button.isEnabled()
    dialog.close()


def test_the_dialog_counts_words_in_a_helper_thread_and_shows_them_when_ready(qtbot, make_window, monkeypatch):
    from aigc_desktop.engine.style import corpus as corpus_module
    from aigc_desktop.ui.style import style_dialog

    counted_in = []
    real_count = corpus_module.count_words

    def count_words(text):
        counted_in.append(threading.current_thread())
        return real_count(text)

    monkeypatch.setattr(corpus_module, "count_words", count_words)
    window = make_window(fake_loader(FakeBackend()))
    text = writer_text(3000) + "\n\n" + "今天天气真好。" * 50
    window.editor.load_text(text)
    window.style_controls.learn()
    dialog = window.style_controls.dialog
    assert dialog.summary.text() == "Counting words…" and not dialog.learn_button.isEnabled()
    qtbot.waitUntil(lambda: "words: about" in dialog.summary.text(), timeout=10000)
    assert counted_in and all(t is not threading.main_thread() for t in counted_in)
    assert dialog.corpus.words == real_count(text) and f"{real_count(text):,} words" in dialog.summary.text()
    assert dialog.learn_button.isEnabled()
    assert isinstance(dialog.reader, style_dialog.CorpusReader)


def test_text_chosen_while_counting_replaces_the_count_under_way(qtbot, make_window, tmp_path, monkeypatch):
    from aigc_desktop.ui.style import style_dialog

    first, second = tmp_path / "first.txt", tmp_path / "second.md"
    first.write_text(writer_text(1200), encoding="utf-8")
    second.write_text(writer_text(900, seed=1), encoding="utf-8")
    release = threading.Event()
    real_read = style_dialog.read_corpus

    def slow_read(paths):
        if len(paths) == 1:
            release.wait(10)  # the first count is still running when the second file is added
        return real_read(paths)

    monkeypatch.setattr(style_dialog, "read_corpus", slow_read)
    window = make_window(fake_loader(FakeBackend()))
    window.style_controls.learn()
    dialog = window.style_controls.dialog
    shown = []
    dialog.reader.done.connect(lambda corpus, error: shown.append(corpus))
    dialog.add_paths([str(first)])
    dialog.add_paths([str(second)])
    assert dialog.summary.text() == "Counting words…"
    release.set()
    qtbot.waitUntil(lambda: not dialog.reader.busy, timeout=10000)
    assert len(shown) == 1 and len(shown[0].documents) == 2  # the out-of-date count was never shown
    assert dialog.summary.text().startswith("2 file(s), ")


def test_closing_the_dialog_while_the_text_is_read_starts_nothing(qtbot, make_window, tiny_gpt2_dir, tmp_path,
                                                                  monkeypatch):
    from aigc_desktop.ui.style import style_dialog

    release = threading.Event()
    real_read = style_dialog.read_corpus

    def slow_read(paths):
        release.wait(10)
        return real_read(paths)

    monkeypatch.setattr(style_dialog, "read_corpus", slow_read)
    started = []
    monkeypatch.setattr(style_dialog, "train_in_background", lambda *args: started.append(args))
    drafts = tmp_path / "drafts.txt"
    drafts.write_text(writer_text(), encoding="utf-8")
    window = make_window(engine_loader, model=str(tiny_gpt2_dir), device="cpu")
    window.style_controls.learn()
    dialog = window.style_controls.dialog
    dialog.add_paths([str(drafts)])
    dialog.start()  # Learn pressed: the text is read afresh first
    assert dialog.starting and not dialog.training
    dialog.close()
    release.set()
    qtbot.waitUntil(lambda: not dialog.reader.busy, timeout=10000)
    qtbot.wait(100)
    assert started == [] and not dialog.training and not dialog.starting


def test_pause_and_resume_in_the_dialog(qtbot, make_window, tiny_gpt2_dir, store, monkeypatch):
    window, dialog = open_learning(qtbot, make_window, tiny_gpt2_dir, monkeypatch)
    assert dialog.pause_button.isHidden()
    priorities = []  # every thread of the learning process (torch's included), read at each progress report

    def read_priorities(_progress) -> None:
        task = f"/proc/{dialog.learning.pid}/task"
        priorities.extend(os.getpriority(os.PRIO_PROCESS, int(tid)) for tid in os.listdir(task))

    if sys.platform.startswith("linux"):
        dialog.relay.progress.connect(read_priorities, Qt.ConnectionType.DirectConnection)
    with qtbot.waitSignal(dialog.learned, timeout=180000):
        dialog.learn_button.click()
        qtbot.waitUntil(lambda: dialog.progress.value() >= 1, timeout=60000)
        assert dialog.learning.pid != os.getpid()  # trained in a process of its own: the window keeps its GIL
        assert dialog.pause_button.isVisible() and dialog.pause_button.text() == "Pause"
        dialog.pause_button.click()
        assert dialog.pause_button.text() == "Resume"
        qtbot.waitUntil(lambda: dialog.status.text().startswith("Paused at step"), timeout=60000)
        step = dialog.progress.value()
        assert (store.root / ".training" / "My style" / "checkpoint.safetensors").is_file()
        qtbot.wait(1500)
        assert dialog.progress.value() == step and dialog.training  # no step while paused
        dialog.pause_button.click()
        assert dialog.pause_button.text() == "Pause"
    assert store.names() == ["My style"] and dialog.pause_button.isHidden()
    if sys.platform.startswith("linux"):
        assert len(priorities) > 1 and min(priorities) >= min(19, os.getpriority(os.PRIO_PROCESS, 0) + 10)


def test_a_learning_process_that_dies_is_one_line_and_learning_again_resumes(qtbot, make_window, tiny_gpt2_dir,
                                                                             store, monkeypatch):
    window, dialog = open_learning(qtbot, make_window, tiny_gpt2_dir, monkeypatch)
    dialog.learn_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 1, timeout=60000)
    dialog.pause_button.click()  # a checkpoint is written on pausing, and the kill lands before the last step
    qtbot.waitUntil(lambda: dialog.status.text().startswith("Paused at step"), timeout=60000)
    os.kill(dialog.learning.pid, signal.SIGKILL)  # as the kernel's out-of-memory killer would
    qtbot.waitUntil(lambda: not dialog.training, timeout=30000)
    assert dialog.status.text().startswith("Learning stopped unexpectedly")
    assert "\n" not in dialog.status.text() and "Traceback" not in dialog.status.text()
    assert store.names() == []
    qtbot.waitUntil(dialog.learn_button.isEnabled, timeout=10000)  # once the text is counted again
    assert window.isVisible() and window.editor.toPlainText() == writer_text()  # the editor never noticed
    with qtbot.waitSignal(dialog.learned, timeout=180000):
        dialog.learn_button.click()
        qtbot.waitUntil(lambda: "resumed from a checkpoint" in dialog.status.text(), timeout=60000)
    assert store.names() == ["My style"]
