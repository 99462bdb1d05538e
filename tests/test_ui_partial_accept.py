"""Word-by-word and line-by-line accept (Ctrl+Right, Ctrl+Shift+Right)."""

from __future__ import annotations

from fake_backend import FakeBackend, fake_loader
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor

from aigc_desktop.ui.suggestion.continuation import IDLE, PENDING
from aigc_desktop.ui.suggestion.partial_accept import next_line, next_word

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def start(qtbot, make_window, text, pieces):
    window = make_window(fake_loader(FakeBackend(pieces=pieces)))
    window.editor.load_text(text)
    window.editor.moveCursor(QTextCursor.MoveOperation.End)
    window.editor.setFocus()
    window.controller.continue_text()
    qtbot.waitUntil(lambda: window.controller.state == PENDING, timeout=5000)
    return window


def test_word_boundaries():
    assert next_word(" hello world") == " hello"
    assert next_word("don't stop") == "don't"
    assert next_word("  well-known fact") == "  well-known"
    assert next_word("... and") == "..."
    assert next_word("今天天气") == "今"
    assert next_word("，我们") == "，"
    assert next_word("") == ""
    assert next_line("one two\nthree") == "one two\n"
    assert next_line("no break") == "no break"


def test_ctrl_right_accepts_english_word_by_word(qtbot, make_window):
    window = start(qtbot, make_window, "I will", [" take a", " walk.\nThen home"])
    qtbot.keyClick(window.editor, Qt.Key.Key_Right, CTRL)
    assert window.editor.user_text() == "I will take"
    assert window.editor.suggestion_text() == " a walk.\nThen home"
    assert window.controller.state == PENDING
    assert window.editor.textCursor().position() == len("I will take")
    qtbot.keyClick(window.editor, Qt.Key.Key_Right, CTRL | SHIFT)
    assert window.editor.user_text() == "I will take a walk.\n"
    assert window.editor.suggestion_text() == "Then home"
    window.editor.undo()  # each part is its own undo step
    assert window.editor.user_text() == "I will take"
    assert not window.editor.has_suggestion()  # undo ends what was left of the suggestion
    assert window.editor.toPlainText() == "I will take"


def test_ctrl_right_accepts_chinese_character_by_character(qtbot, make_window):
    window = start(qtbot, make_window, "今天天气真好，", ["我想", "去公园"])
    for expected in ("今天天气真好，我", "今天天气真好，我想", "今天天气真好，我想去"):
        qtbot.keyClick(window.editor, Qt.Key.Key_Right, CTRL)
        assert window.editor.user_text() == expected
    assert window.editor.suggestion_text() == "公园"
    qtbot.keyClick(window.editor, Qt.Key.Key_Tab)
    assert window.editor.user_text() == "今天天气真好，我想去公园"


def test_accepting_the_last_word_ends_the_suggestion(qtbot, make_window):
    window = start(qtbot, make_window, "Go", [" now"])
    qtbot.keyClick(window.editor, Qt.Key.Key_Right, CTRL)
    assert window.controller.state == IDLE
    assert not window.editor.has_suggestion()
    assert window.editor.toPlainText() == "Go now"


def test_ctrl_right_keeps_its_meaning_with_nothing_pending(qtbot, make_window):
    window = make_window(fake_loader(FakeBackend()))
    window.editor.load_text("alpha beta gamma")
    window.editor.setFocus()
    qtbot.keyClick(window.editor, Qt.Key.Key_Right, CTRL)
    assert window.editor.textCursor().position() == len("alpha ")
    qtbot.keyClick(window.editor, Qt.Key.Key_Right, CTRL | SHIFT)
    assert window.editor.textCursor().selectedText() == "beta "
    assert window.editor.user_text() == "alpha beta gamma"
