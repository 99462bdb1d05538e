"""The editor's side of styles: the picker, Learn a Style… in the background, provenance, the loader."""

from __future__ import annotations

import time

import pytest
from fake_backend import FakeBackend, fake_loader
from PySide6.QtCore import QTimer
from PySide6.QtGui import QTextCursor
from test_style_engine import FAST, writer_text

from aigc_desktop.engine.loading import load_model
from aigc_desktop.engine.style.corpus import Corpus, Document
from aigc_desktop.engine.style.learn import learn_style
from aigc_desktop.engine.style.store import StyleStore
from aigc_desktop.engine.style.training import TrainingSettings
from aigc_desktop.ui.continuation import STREAMING
from aigc_desktop.ui.style_picker import style_of, styled_loader
from aigc_desktop.ui.worker import engine_loader


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


def test_learning_in_the_dialog_keeps_the_editor_responsive(qtbot, make_window, tiny_gpt2_dir, store, monkeypatch):
    from aigc_desktop.engine.style import training

    monkeypatch.setattr(training, "TrainingSettings", lambda minutes: TrainingSettings(**{**FAST, "minutes": minutes}))
    window = make_window(engine_loader, model=str(tiny_gpt2_dir), device="cpu")
    window.editor.load_text(writer_text())
    window.style_controls.learn()
    dialog = window.style_controls.dialog
    assert "words: about" in dialog.summary.text() and dialog.learn_button.isEnabled()
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
    from aigc_desktop.engine.style import training

    monkeypatch.setattr(training, "TrainingSettings", lambda minutes: TrainingSettings(**{**FAST, "minutes": minutes}))
    window = make_window(engine_loader, model=str(tiny_gpt2_dir), device="cpu")
    window.editor.load_text(writer_text())
    window.style_controls.learn()
    dialog = window.style_controls.dialog
    dialog.learn_button.click()
    qtbot.waitUntil(lambda: dialog.progress.value() >= 2, timeout=60000)
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
    assert dialog.summary.text() == "4 words: learning a style needs at least 1,000 words."
    assert not dialog.learn_button.isEnabled()
    dialog.close()
