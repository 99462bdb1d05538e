"""ui/window/find_bar.py: find as you type, next/previous with wrap-around, keys and buttons."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import (
    QApplication,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from aigc_desktop.ui.window.find_bar import FindBar


@pytest.fixture
def find_setup(qtbot):
    window = QWidget()
    editor = QPlainTextEdit()
    bar = FindBar(editor)
    layout = QVBoxLayout(window)
    layout.addWidget(editor)
    layout.addWidget(bar)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    yield editor, bar  # the fixture keeps `window` (and so its children) alive


def selection(editor: QPlainTextEdit) -> tuple[int, int]:
    cursor = editor.textCursor()
    return cursor.selectionStart(), cursor.selectionEnd()


def put_cursor(editor: QPlainTextEdit, position: int) -> None:
    cursor = editor.textCursor()
    cursor.setPosition(position)
    editor.setTextCursor(cursor)


def test_find_bar_hidden_by_default(find_setup):
    _editor, bar = find_setup
    assert bar.isHidden()


def test_find_bar_show_prefills_selection(qtbot, find_setup):
    editor, bar = find_setup
    editor.setPlainText("alpha beta gamma")
    cursor = editor.textCursor()
    cursor.setPosition(6)
    cursor.setPosition(10, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)

    bar.show_and_focus()
    assert not bar.isHidden()
    assert bar.line_edit.text() == "beta"
    assert bar.line_edit.selectedText() == "beta"  # typing replaces it


def test_find_bar_show_keeps_previous_term_for_multiline_or_no_selection(find_setup):
    editor, bar = find_setup
    editor.setPlainText("one\ntwo")
    bar.line_edit.setText("two")
    editor.selectAll()  # spans two lines
    bar.show_and_focus()
    assert bar.line_edit.text() == "two"
    put_cursor(editor, 0)
    bar.show_and_focus()
    assert bar.line_edit.text() == "two"


def test_find_next_steps_through_matches_and_wraps(find_setup):
    editor, bar = find_setup
    editor.setPlainText("cat dog cat bird cat")
    put_cursor(editor, 0)
    bar.line_edit.setText("cat")

    assert bar.find_next() and selection(editor) == (0, 3)
    assert bar.find_next() and selection(editor) == (8, 11)
    assert bar.find_next() and selection(editor) == (17, 20)
    assert bar.find_next() and selection(editor) == (0, 3)  # wrapped around
    assert not bar.is_not_found()


def test_find_previous_steps_backwards_and_wraps(find_setup):
    editor, bar = find_setup
    editor.setPlainText("cat dog cat bird cat")
    put_cursor(editor, 12)  # just after the second "cat"
    bar.line_edit.setText("cat")

    assert bar.find_previous() and selection(editor) == (8, 11)
    assert bar.find_previous() and selection(editor) == (0, 3)
    assert bar.find_previous() and selection(editor) == (17, 20)  # wrapped to the end
    assert bar.find_previous() and selection(editor) == (8, 11)


def test_find_match_case(find_setup):
    editor, bar = find_setup
    editor.setPlainText("Apple apple APPLE")
    put_cursor(editor, 0)
    bar.line_edit.setText("apple")

    assert bar.find_next() and selection(editor) == (0, 5)  # case-insensitive by default
    bar.match_case_check.setChecked(True)
    put_cursor(editor, 0)
    assert bar.find_next() and selection(editor) == (6, 11)
    assert bar.find_next() and selection(editor) == (6, 11)  # the only exact match

    bar.line_edit.setText("APPLE")
    assert bar.find_next() and selection(editor) == (12, 17)
    bar.line_edit.setText("aPPle")
    assert not bar.find_next()


def test_find_not_found_state(find_setup):
    editor, bar = find_setup
    editor.setPlainText("nothing to see here")
    put_cursor(editor, 3)
    bar.line_edit.setText("zebra")

    assert not bar.find_next()
    assert not bar.find_previous()
    assert bar.is_not_found()
    assert bar.line_edit.property("notFound") is True
    assert bar.status_label.text() == "Not found"
    assert selection(editor) == (3, 3)  # the editor's cursor did not move

    bar.line_edit.setText("see")
    assert bar.find_next()
    assert not bar.is_not_found()
    assert bar.status_label.text() == ""


def test_find_empty_term_is_not_an_error(find_setup):
    editor, bar = find_setup
    editor.setPlainText("text")
    bar.line_edit.setText("")
    assert not bar.find_next()
    assert not bar.is_not_found()


def test_find_cjk_text(find_setup):
    editor, bar = find_setup
    editor.setPlainText("今天天气很好。明天天气也好。")
    put_cursor(editor, 0)
    bar.line_edit.setText("天气")

    assert bar.find_next() and selection(editor) == (2, 4)
    assert editor.textCursor().selectedText() == "天气"
    assert bar.find_next() and selection(editor) == (9, 11)
    assert bar.find_next() and selection(editor) == (2, 4)
    assert bar.find_previous() and selection(editor) == (9, 11)
    bar.line_edit.setText("后天")
    assert not bar.find_next() and bar.is_not_found()


def test_find_as_you_type_extends_the_current_match(qtbot, find_setup):
    editor, bar = find_setup
    editor.setPlainText("tea team teapot")
    put_cursor(editor, 0)
    bar.show_and_focus()

    qtbot.keyClicks(bar.line_edit, "tea")
    assert selection(editor) == (0, 3)
    qtbot.keyClicks(bar.line_edit, "p")
    assert selection(editor) == (9, 13)
    qtbot.keyClicks(bar.line_edit, "x")
    assert bar.is_not_found()


def test_find_bar_keys_enter_shift_enter_escape(qtbot, find_setup):
    editor, bar = find_setup
    editor.setPlainText("one two one two one")
    put_cursor(editor, 0)
    bar.show_and_focus()
    bar.line_edit.setText("one")

    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Return)
    assert selection(editor) == (0, 3)
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Enter)  # the keypad Enter key
    assert selection(editor) == (8, 11)
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert selection(editor) == (0, 3)

    editor.window().activateWindow()
    bar.line_edit.setFocus()
    qtbot.keyClick(bar.line_edit, Qt.Key.Key_Escape)
    assert bar.isHidden()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is editor)


def test_find_bar_escape_from_a_button_and_close_button(qtbot, find_setup):
    _editor, bar = find_setup
    bar.show_and_focus()
    qtbot.keyClick(bar.next_button, Qt.Key.Key_Escape)
    assert bar.isHidden()

    bar.show_and_focus()
    qtbot.mouseClick(bar.close_button, Qt.MouseButton.LeftButton)
    assert bar.isHidden()


def test_find_bar_buttons_search(qtbot, find_setup):
    editor, bar = find_setup
    editor.setPlainText("x a x a")
    put_cursor(editor, 0)
    bar.show_and_focus()
    bar.line_edit.setText("a")
    qtbot.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
    assert selection(editor) == (2, 3)
    qtbot.mouseClick(bar.next_button, Qt.MouseButton.LeftButton)
    assert selection(editor) == (6, 7)
    qtbot.mouseClick(bar.previous_button, Qt.MouseButton.LeftButton)
    assert selection(editor) == (2, 3)
