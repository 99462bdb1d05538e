"""Background highlights on document ranges, as the editor's extra selections."""

from __future__ import annotations

from PySide6.QtGui import QColor, QTextCursor, QTextFormat
from PySide6.QtWidgets import QTextEdit


def background(cursor: QTextCursor, colour: QColor) -> QTextEdit.ExtraSelection:
    """The cursor's selected range with a background colour (a copy of the cursor: it keeps tracking edits)."""
    selection = QTextEdit.ExtraSelection()
    selection.cursor = QTextCursor(cursor)
    selection.format.setBackground(colour)
    selection.format.setProperty(QTextFormat.Property.FullWidthSelection, False)
    return selection
