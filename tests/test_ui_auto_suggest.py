"""Auto-suggest while typing: appears after a pause, consumed by matching typing, never steals a key."""

from __future__ import annotations

from fake_backend import FakeBackend, fake_loader
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from aigc_desktop.ui.suggestion.continuation import IDLE, PENDING, STREAMING


def window_with(qtbot, make_window, pieces, delay=0.0, **overrides):
    backend = FakeBackend(pieces=pieces, delay=delay)
    overrides.setdefault("auto_suggest", True)
    overrides.setdefault("auto_suggest_delay_ms", 100)
    window = make_window(fake_loader(backend), **overrides)
    window.editor.load_text("")
    window.editor.setFocus()
    window.activateWindow()
    qtbot.waitUntil(window.editor.hasFocus, timeout=2000)
    return window, backend


def test_off_by_default(qtbot, make_window):
    backend = FakeBackend(pieces=[" world"])
    window = make_window(fake_loader(backend))
    assert not window.generation_settings().auto_suggest
    window.editor.setFocus()
    qtbot.keyClicks(window.editor, "Hello")
    qtbot.wait(1000)  # longer than the default 800 ms pause
    assert backend.requests == [] and not window.editor.has_suggestion()


def test_appears_after_a_pause_and_is_short(qtbot, make_window):
    window, backend = window_with(qtbot, make_window, [" wor", "ld"])
    qtbot.keyClicks(window.editor, "Hello")
    assert backend.requests == []  # not while typing
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=3000)
    assert backend.requests[0].max_new_tokens == 8 and backend.requests[0].context == "Hello"
    assert window.editor.toPlainText() == "Hello world" and window.editor.user_text() == "Hello"
    assert window.editor.textCursor().position() == len("Hello")  # ghost text after the caret


def test_matching_typing_consumes_it_and_a_mismatch_dismisses_it(qtbot, make_window):
    window, backend = window_with(qtbot, make_window, [" world"])
    qtbot.keyClicks(window.editor, "Hello")
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=3000)
    qtbot.keyClicks(window.editor, " w")
    assert window.editor.user_text() == "Hello w"
    assert window.editor.suggestion_text() == "orld"
    assert window.editor.toPlainText() == "Hello world"
    qtbot.keyClicks(window.editor, "a")  # not what was suggested
    assert not window.editor.has_suggestion()
    assert window.editor.toPlainText() == "Hello wa" == window.editor.user_text()


def test_tab_accepts_and_enter_keeps_its_job(qtbot, make_window):
    window, _ = window_with(qtbot, make_window, [" world"])
    qtbot.keyClicks(window.editor, "Hello")
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=3000)
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.editor.user_text() == "Hello world"
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=3000)  # the next one comes
    qtbot.keyClick(window.editor, Qt.Key.Key_Return)
    assert window.editor.user_text() == "Hello world\n"  # Enter made a new line, as always
    assert window.editor.toPlainText() == "Hello world\n"


def test_typing_while_it_streams_cancels_the_generation(qtbot, make_window):
    window, backend = window_with(qtbot, make_window, [" w"] * 200, delay=0.02)
    qtbot.keyClicks(window.editor, "Hi")
    qtbot.waitUntil(lambda: window.controller.state == STREAMING and window.editor.suggestion_text() != "",
                    timeout=3000)
    qtbot.keyClicks(window.editor, "!")
    assert window.controller.state == IDLE and not window.editor.has_suggestion()
    assert window.editor.toPlainText() == "Hi!"
    qtbot.wait(100)
    assert window.editor.toPlainText() == "Hi!"  # nothing more arrives from the cancelled run


def commit(window, text: str) -> None:
    """Chinese arrives as an input method's commit, as it does for people typing pinyin."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(window.editor, event)


def test_silent_while_an_input_method_composes(qtbot, make_window):
    window, backend = window_with(qtbot, make_window, ["好"])
    commit(window, "今天天气真")
    QApplication.sendEvent(window.editor, QInputMethodEvent("hao", []))  # pinyin being composed
    assert window.editor.is_composing()
    qtbot.wait(400)  # well past the pause
    assert backend.requests == [] and not window.editor.has_suggestion()
    commit(window, "好")
    assert not window.editor.is_composing()
    assert window.editor.user_text() == "今天天气真好"
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=3000)
    assert backend.requests[-1].context == "今天天气真好"


def test_keys_keep_their_meaning_with_nothing_pending(qtbot, make_window):
    window, _ = window_with(qtbot, make_window, [" x"], auto_suggest=False)
    qtbot.keyClicks(window.editor, "a b")
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.editor.user_text() == "a b\t"
    qtbot.keyClick(window.editor, Qt.Key.Key_Escape)
    qtbot.keyClick(window.editor, Qt.Key.Key_Return)
    assert window.editor.user_text() == "a b\t\n"
