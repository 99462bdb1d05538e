"""View → Line Spacing: a QPlainTextEdit with lines 1.0 / 1.15 / 1.5 / 2.0 times apart
(aigc_desktop/ui/window/line_spacing.py), measured on the real widget: positions, clicks, the
caret kept in view, painting, the setting, and what a spacing change must not touch."""

from __future__ import annotations

import pytest
from fake_backend import FakeBackend, fake_loader
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette, QTextCursor
from PySide6.QtWidgets import QApplication

from aigc_desktop.ui.settings.user_settings import LINE_SPACINGS

LINES = "\n".join(f"Line {n}: the quick brown fox jumps." for n in range(40))
PARAGRAPH = " ".join(f"word{n}" for n in range(400))  # wraps over many lines


def window_with(make_window, text: str, spacing: float | None = None):
    """A window showing text; at `spacing` (if given) and scrolled to the top."""
    window = make_window(fake_loader(FakeBackend()))
    window.resize(700, 500)
    window.editor.load_text(text)
    if spacing is not None:
        window.view.set_line_spacing(spacing)
        window.editor.verticalScrollBar().setValue(0)
    QApplication.processEvents()
    return window


def caret_rect_at(editor, position: int):
    cursor = QTextCursor(editor.document())
    cursor.setPosition(position)
    return editor.cursorRect(cursor)


def block_tops(editor, count: int) -> list[float]:
    return [editor.blockBoundingGeometry(editor.document().findBlockByNumber(n)).top() for n in range(count)]


def caret_tops(editor, count: int) -> list[int]:
    return [caret_rect_at(editor, editor.document().findBlockByNumber(n).position()).top() for n in range(count)]


def wrapped_line_starts(editor, block_number: int = 0) -> list[int]:
    block = editor.document().findBlockByNumber(block_number)
    editor.blockBoundingRect(block)  # laid out
    layout = block.layout()
    return [block.position() + layout.lineAt(i).textStart() for i in range(layout.lineCount())]


def steps(values) -> list[float]:
    return [b - a for a, b in zip(values, values[1:])]


def test_the_distance_between_lines_is_the_chosen_multiple(make_window):
    window = window_with(make_window, LINES)
    editor = window.editor
    assert editor.line_spacing() == 1.0 and window.view.line_spacing_actions[1.0].isChecked()
    editor.verticalScrollBar().setValue(0)
    base_blocks = steps(block_tops(editor, 10))
    base_carets = steps(caret_tops(editor, 10))
    base_height = caret_rect_at(editor, 0).height()
    assert len(set(base_blocks)) == 1 and base_blocks[0] > 0
    line = base_blocks[0]
    for spacing in LINE_SPACINGS:
        window.view.set_line_spacing(spacing)
        editor.verticalScrollBar().setValue(0)
        QApplication.processEvents()
        blocks, carets = steps(block_tops(editor, 10)), steps(caret_tops(editor, 10))
        # Whole pixels: within half a pixel of spacing × the line's own height.
        for measured, base in ((blocks, base_blocks), (carets, base_carets)):
            for step, step_at_1 in zip(measured, base):
                assert step / step_at_1 == pytest.approx(spacing, abs=0.5 / line + 1e-9), (spacing, step, step_at_1)
        # The text is not stretched: the caret is as tall as before.
        assert caret_rect_at(editor, editor.document().findBlockByNumber(3).position()).height() == base_height
    window.view.set_line_spacing(1.0)
    QApplication.processEvents()
    assert steps(block_tops(editor, 10)) == base_blocks


def test_wrapped_paragraphs_are_spaced_too_and_follow_resizing(make_window):
    window = window_with(make_window, PARAGRAPH + "\n" + PARAGRAPH)
    editor = window.editor
    starts = wrapped_line_starts(editor)
    assert len(starts) > 5  # really wrapped
    base = steps([caret_rect_at(editor, p).top() for p in starts[:6]])
    base_block = editor.blockBoundingRect(editor.document().firstBlock()).height()
    window.view.set_line_spacing(2.0)
    QApplication.processEvents()
    assert wrapped_line_starts(editor) == starts
    spaced = steps([caret_rect_at(editor, p).top() for p in starts[:6]])
    assert [s / b for s, b in zip(spaced, base)] == pytest.approx([2.0] * len(base), abs=0.05)
    assert editor.blockBoundingRect(editor.document().firstBlock()).height() == pytest.approx(2 * base_block, rel=0.05)

    # A narrower window wraps into more lines, still two line-heights apart.
    window.resize(450, 500)
    QApplication.processEvents()
    narrower = wrapped_line_starts(editor)
    assert len(narrower) > len(starts)
    tops = [caret_rect_at(editor, p).top() for p in narrower[:6]]
    assert [s / b for s, b in zip(steps(tops), base)] == pytest.approx([2.0] * 5, abs=0.05)


@pytest.mark.parametrize("spacing", LINE_SPACINGS)
def test_a_click_puts_the_caret_on_the_line_clicked(qtbot, make_window, spacing):
    window = window_with(make_window, LINES + "\n" + PARAGRAPH, spacing)
    editor = window.editor
    document = editor.document()
    for n in (0, 1, 2, 5, 9):
        block = document.findBlockByNumber(n)
        target = block.position() + 8
        qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=caret_rect_at(editor, target).center())
        assert editor.textCursor().blockNumber() == n
        assert editor.textCursor().position() == pytest.approx(target, abs=1)

    # The lines of a wrapped paragraph, scrolled into view.
    paragraph = document.lastBlock()
    editor.verticalScrollBar().setValue(paragraph.firstLineNumber())  # its first line at the top
    QApplication.processEvents()
    starts = wrapped_line_starts(editor, paragraph.blockNumber())
    viewport_height = editor.viewport().height()
    clicked = 0
    for i, start in enumerate(starts[:-1]):
        rect = caret_rect_at(editor, start + 5)
        if rect.top() < 0 or rect.bottom() >= viewport_height:
            continue
        qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        assert starts[i] <= editor.textCursor().position() < starts[i + 1]
        clicked += 1
    assert clicked >= 3


@pytest.mark.parametrize("spacing", [1.5, 2.0])
def test_a_click_in_the_space_under_a_line_lands_on_that_line(qtbot, make_window, spacing):
    window = window_with(make_window, LINES + "\n" + PARAGRAPH, spacing)
    editor = window.editor
    for n in (1, 4):
        rect = caret_rect_at(editor, editor.document().findBlockByNumber(n).position() + 12)
        qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        on_text = editor.textCursor().position()
        next_top = caret_rect_at(editor, editor.document().findBlockByNumber(n + 1).position()).top()
        assert next_top - rect.bottom() > 3  # there is space between the lines
        qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center().x(), next_top - 2))
        assert editor.textCursor().position() == on_text  # not the line's end, not the next line

    # Between two lines of a wrapped paragraph, too.
    paragraph = editor.document().lastBlock()
    editor.verticalScrollBar().setValue(paragraph.firstLineNumber())
    QApplication.processEvents()
    starts = wrapped_line_starts(editor, paragraph.blockNumber())
    rect, below = caret_rect_at(editor, starts[0] + 10), caret_rect_at(editor, starts[1])
    qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    on_text = editor.textCursor().position()
    qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.center().x(), below.top() - 2))
    assert editor.textCursor().position() == on_text


def caret_in_view(editor) -> bool:
    rect = editor.cursorRect()
    return rect.top() >= 0 and rect.bottom() < editor.viewport().height()


@pytest.mark.parametrize("spacing", LINE_SPACINGS)
def test_the_caret_stays_in_view_when_moving_typing_and_at_the_end(qtbot, make_window, spacing):
    """Qt's own scrolling to the caret assumes lines edge to edge; whether that cuts the caret's
    line at the bottom depends on the viewport's height, so several heights are tried."""
    window = window_with(make_window, "\n".join([PARAGRAPH[:1500]] * 6))
    editor = window.editor
    window.view.set_line_spacing(spacing)
    editor.setFocus()
    lost = []
    for height in range(460, 500, 5):  # more than one line slot (2 × ~19 px) of different heights
        window.resize(700, height)
        QApplication.processEvents()
        editor.moveCursor(QTextCursor.MoveOperation.Start)
        for step in range(45):
            qtbot.keyClick(editor, Qt.Key.Key_Down)
            QApplication.processEvents()
            if not caret_in_view(editor):
                lost.append(("down", height, step, editor.cursorRect().getRect()))
        for step in range(25):
            qtbot.keyClick(editor, Qt.Key.Key_Up)
            QApplication.processEvents()
            if not caret_in_view(editor):
                lost.append(("up", height, step, editor.cursorRect().getRect()))
    for height in (470, 485):
        window.resize(700, height)
        editor.moveCursor(QTextCursor.MoveOperation.End)
        for step in range(20):
            qtbot.keyClicks(editor, "more words ")
            QApplication.processEvents()
            if not caret_in_view(editor):
                lost.append(("typing", height, step, editor.cursorRect().getRect()))
    assert not lost, f"caret out of view at {spacing}: {lost[:5]}"

    # Scrolled to the very end, the last line (with the caret) is whole.
    bar = editor.verticalScrollBar()
    bar.setValue(0)
    bar.setValue(bar.maximum())
    QApplication.processEvents()
    assert caret_in_view(editor)


def test_painting_selection_and_highlights_follow_the_spaced_lines(qtbot, make_window):
    window = window_with(make_window, LINES)
    editor = window.editor
    window.view.set_line_spacing(2.0)
    editor.verticalScrollBar().setValue(0)
    palette = editor.palette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor(255, 0, 0))
    editor.setPalette(palette)
    block = editor.document().findBlockByNumber(3)
    cursor = QTextCursor(block)
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
    editor.setTextCursor(cursor)
    QApplication.processEvents()

    def red_rows(image) -> set[int]:
        return {y for y in range(image.height()) for x in range(10, 60, 4)
                if QColor(image.pixel(x, y)).red() > 200 and QColor(image.pixel(x, y)).green() < 80}

    line = caret_rect_at(editor, block.position())
    rows = red_rows(editor.viewport().grab().toImage())
    assert rows, "no selection painted"
    assert min(rows) >= line.top() - 1 and max(rows) <= line.bottom() + 1  # on the line's text, nowhere else

    # Extra selections (the pending suggestion, probability and AI views use them) too.
    editor.setTextCursor(QTextCursor(editor.document()))
    position = editor.document().findBlockByNumber(6).position()
    editor.start_suggestion(position)
    editor.append_suggestion("SUGGESTED ")
    editor.set_provenance_view(True)
    from PySide6.QtWidgets import QTextEdit

    extra = QTextEdit.ExtraSelection()
    extra.cursor = QTextCursor(editor.document())
    extra.cursor.setPosition(editor.document().findBlockByNumber(8).position())
    extra.cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
    extra.format.setBackground(QColor(255, 0, 0))
    editor.setExtraSelections([extra])
    QApplication.processEvents()
    line = caret_rect_at(editor, extra.cursor.position())
    rows = red_rows(editor.viewport().grab().toImage())
    assert rows and min(rows) >= line.top() - 1 and max(rows) <= line.bottom() + 1
    editor.reject_suggestion()


def test_a_spacing_change_leaves_text_modified_flag_and_undo_alone(qtbot, make_window, app_settings):
    window = window_with(make_window, "First line\nSecond line")
    editor = window.editor
    editor.setFocus()
    editor.moveCursor(QTextCursor.MoveOperation.End)
    qtbot.keyClicks(editor, "typed")  # one undo step
    text, raw = editor.user_text(), editor.document().toRawText()
    assert editor.is_modified() and editor.can_undo() and not editor.can_redo()
    editor.start_suggestion(editor.textCursor().position())
    editor.append_suggestion(" and a suggestion")
    suggestion = editor.suggestion_range()

    for spacing in (2.0, 1.15, 1.5, 1.0, 2.0):
        window.view.line_spacing_actions[spacing].trigger()
        assert editor.user_text() == text
        assert editor.is_modified() and window.isWindowModified()
        assert editor.can_undo() and not editor.can_redo()
        assert editor.suggestion_range() == suggestion  # still pending, same place
    editor.reject_suggestion()
    assert editor.document().toRawText() == raw
    editor.undo()  # the one step is the typing: spacing added none
    assert editor.user_text() == "First line\nSecond line"
    assert not editor.is_modified() and not editor.can_undo()
    editor.redo()
    assert editor.user_text() == text


def test_spacing_is_remembered_and_bad_stored_values_fall_back(make_window, app_settings):
    window = make_window(fake_loader(FakeBackend()))
    window.view.line_spacing_actions[1.5].trigger()
    assert app_settings.line_spacing() == 1.5
    assert [s for s, a in window.view.line_spacing_actions.items() if a.isChecked()] == [1.5]  # exclusive
    again = make_window(fake_loader(FakeBackend()))
    assert again.editor.line_spacing() == 1.5 and again.view.line_spacing_actions[1.5].isChecked()

    app_settings._qs.setValue("editor/line_spacing", "2.0")  # INI files give strings back
    assert app_settings.line_spacing() == 2.0
    for garbage in ("garbage", "", "nan", "inf", "-1", "0", "1.3", "7", [1, 2], True):
        app_settings._qs.setValue("editor/line_spacing", garbage)
        assert app_settings.line_spacing() == 1.0, garbage
    app_settings._qs.setValue("editor/line_spacing", "wide")
    fallback = make_window(fake_loader(FakeBackend()))
    assert fallback.editor.line_spacing() == 1.0 and fallback.view.line_spacing_actions[1.0].isChecked()
    app_settings.set_line_spacing(3.7)  # not offered: stored as 1.0
    assert app_settings.line_spacing() == 1.0


def test_spacing_survives_opening_a_file_and_a_new_document(make_window, tmp_path):
    window = window_with(make_window, LINES)
    editor = window.editor
    base = steps(block_tops(editor, 6))
    window.view.set_line_spacing(2.0)
    path = tmp_path / "draft.txt"
    path.write_text(LINES + "\n", encoding="utf-8")
    assert window.document.open_file(str(path))
    QApplication.processEvents()
    assert editor.line_spacing() == 2.0 and window.view.line_spacing_actions[2.0].isChecked()
    assert [s / b for s, b in zip(steps(block_tops(editor, 6)), base)] == pytest.approx([2.0] * 5, abs=0.05)
    assert not editor.is_modified() and not editor.can_undo()
    window.document.new_document()
    editor.load_text(LINES)
    QApplication.processEvents()
    assert [s / b for s, b in zip(steps(block_tops(editor, 6)), base)] == pytest.approx([2.0] * 5, abs=0.05)


def test_view_menu_has_the_spacing_choices_and_the_shortcut_list_still_opens(make_window):
    window = make_window(fake_loader(FakeBackend()))
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    spacing_menu = next(a.menu() for a in view.actions() if a.menu() is not None and a.text() == "&Line Spacing")
    assert [a.text() for a in spacing_menu.actions()] == ["1.0", "1.15", "1.5", "2.0"]
    assert all(a.isCheckable() for a in spacing_menu.actions())
    window.shortcuts_action.trigger()
    rows = dict(window.shortcuts_dialog.rows())
    assert rows["Continue"] == "Ctrl+Return, Ctrl+Enter"
    window.shortcuts_dialog.close()
