"""Highlights on document ranges, as the editor's extra selections: backgrounds, and the pending suggestion."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette, QTextCharFormat, QTextCursor, QTextDocument, QTextFormat
from PySide6.QtWidgets import QTextEdit


class CursorRange:
    """A range of the document held as a QTextCursor's selection, so it moves with edits elsewhere."""

    cursor: QTextCursor

    @property
    def start(self) -> int:
        return self.cursor.selectionStart()

    @property
    def end(self) -> int:
        return self.cursor.selectionEnd()


def background(cursor: QTextCursor, colour: QColor) -> QTextEdit.ExtraSelection:
    """The cursor's selected range with a background colour (a copy of the cursor: it keeps tracking edits)."""
    selection = QTextEdit.ExtraSelection()
    selection.cursor = QTextCursor(cursor)
    selection.format.setBackground(colour)
    selection.format.setProperty(QTextFormat.Property.FullWidthSelection, False)
    return selection


def pending(document: QTextDocument, start: int, end: int, palette: QPalette) -> QTextEdit.ExtraSelection:
    """The look of a suggestion not yet accepted: greyed, on a faint highlight, with a dotted underline."""
    selection = QTextEdit.ExtraSelection()
    selection.cursor = QTextCursor(document)
    selection.cursor.setPosition(start)
    selection.cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
    highlight = palette.color(QPalette.ColorRole.Highlight)
    background = QColor(highlight)
    background.setAlpha(45)
    selection.format.setBackground(background)
    selection.format.setForeground(palette.color(QPalette.ColorRole.PlaceholderText))
    # Pending, not yet the writer's: a dotted underline says so under probability colours too
    # (an extra selection cannot change the font, so italic is not an option here).
    selection.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
    selection.format.setUnderlineColor(palette.color(QPalette.ColorRole.PlaceholderText))
    selection.format.setProperty(QTextFormat.Property.FullWidthSelection, False)
    return selection
