"""Line spacing for the plain-text editor.

QPlainTextEdit lays each line out at the font's own height and its document
layout ignores QTextBlockFormat.setLineHeight. QPlainTextEdit is kept for its
speed on multi-megabyte files, so the spacing is added here instead: a
QPlainTextDocumentLayout whose blockBoundingRect (virtual; the editor's painting,
caret, clicks and scrolling all go through it and through the lines' positions)
moves each line of a block down so that it takes `factor` times its height, the
extra space below the text, and reports the taller block.

Why below: QPlainTextEdit scrolls by lines and works out "is the caret's line
visible" from the text rectangles, assuming each line starts where the previous
one's text ends. With the space below the text that assumption holds for the
first line of every paragraph, and the last line's own space makes up for the
rest at the end of the document. (Editor corrects the remaining case, the caret
on a later line of a wrapped paragraph at the bottom edge; it also makes a click
in the space under a line land on that line.)

QPlainTextDocumentLayout lays blocks out lazily, only when they are shown, so
only visible blocks are ever spaced. A block it lays out afresh has its lines
edge to edge; a spaced one has at least one pixel between the first two, which
is how an already spaced block is recognised in O(1).
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QMouseEvent, QTextBlock, QTextDocument
from PySide6.QtWidgets import QPlainTextDocumentLayout, QPlainTextEdit


def line_slot(height: float, factor: float) -> int:
    """The height a line of `height` pixels takes at `factor` (> 1): whole pixels, so the text stays
    sharp, and at least one more than the text, so a spaced block is told from a fresh one."""
    return max(math.ceil(height) + 1, round(height * factor))


class SpacedLayout(QPlainTextDocumentLayout):
    """A plain-text document layout with adjustable line spacing (1.0 = Qt's own layout)."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._factor = 1.0

    def factor(self) -> float:
        return self._factor

    def set_factor(self, factor: float) -> None:
        """Space lines `factor` times their height; re-lays the document out (its text is untouched)."""
        factor = max(1.0, float(factor))
        if factor == self._factor:
            return
        self._factor = factor
        document = self.document()
        # Drops every block's layout (laid out again when next shown); no contentsChange,
        # no undo step, the modified flag unchanged.
        document.markContentsDirty(0, document.characterCount())
        # The line count is unchanged, but not how many lines fit at the end: the
        # editor recomputes its scroll range on this signal.
        self.documentSizeChanged.emit(self.documentSize())

    def blockBoundingRect(self, block: QTextBlock) -> QRectF:  # noqa: N802 - Qt's virtual
        rect = super().blockBoundingRect(block)  # lays the block out if it is not
        factor = self._factor
        if factor == 1.0 or rect.isNull() or not block.isVisible():
            return rect
        layout = block.layout()
        count = layout.lineCount()
        if count == 0:
            return rect
        if count > 1:
            first, second = layout.lineAt(0), layout.lineAt(1)
            if second.y() != first.y() + line_slot(first.height(), factor):  # laid out afresh
                y = first.y()
                for i in range(count):
                    line = layout.lineAt(i)
                    line.setPosition(QPointF(line.x(), y))
                    y += line_slot(line.height(), factor)
        last = layout.lineAt(count - 1)
        bottom = last.y() + line_slot(last.height(), factor)
        if not block.next().isValid():
            bottom += self.document().documentMargin()  # as Qt does below the last block
        rect.setHeight(bottom)
        return rect


def spacing_of(edit: QPlainTextEdit) -> float:
    """The editor's line spacing factor (1.0 when its layout is Qt's own)."""
    layout = edit.document().documentLayout()
    return layout.factor() if isinstance(layout, SpacedLayout) else 1.0


def point_on_text(edit: QPlainTextEdit, point: QPointF) -> QPointF:
    """A viewport point in the space under a spaced line, moved up onto that line's text.

    QPlainTextEdit's hit test only knows text rectangles: a click in the space under a
    line would put the caret at that line's end (or the next line's start), wherever
    the click was along it.
    """
    if spacing_of(edit) == 1.0:
        return point
    y = point.y()
    top = edit.contentOffset().y()
    block = edit.firstVisibleBlock()
    while block.isValid() and top <= y:
        height = edit.blockBoundingRect(block).height()
        if y < top + height and block.isVisible():
            layout = block.layout()
            count = layout.lineCount()
            for i in range(count):
                line = layout.lineAt(i)
                slot_end = top + (layout.lineAt(i + 1).y() if i + 1 < count else height)
                if y < slot_end:
                    text_bottom = top + line.y() + line.height()
                    return QPointF(point.x(), text_bottom - 1) if y >= text_bottom else point
            return point
        top += height
        block = block.next()
    return point


def event_on_text(edit: QPlainTextEdit, event: QMouseEvent) -> QMouseEvent:
    """A mouse event in the space under a spaced line, as if on the line's text."""
    point = point_on_text(edit, event.position())
    if point == event.position():
        return event
    moved = QMouseEvent(event.type(), point, event.scenePosition() + (point - event.position()),
                        event.globalPosition() + (point - event.position()), event.button(), event.buttons(),
                        event.modifiers(), event.pointingDevice())
    moved.setTimestamp(event.timestamp())
    return moved


def reveal_caret(edit: QPlainTextEdit) -> None:
    """Scroll on, a line at a time, until the caret's line is whole at the bottom edge.

    QPlainTextEdit.ensureCursorVisible picks the top line as if lines were edge to edge;
    with the caret on a later line of a wrapped paragraph it can stop up to one line's
    extra space short, cutting the caret's line at the bottom. Only a caret cut by the
    bottom edge is moved to: one the user scrolled away from stays where it is.
    """
    factor = spacing_of(edit)
    if factor == 1.0:
        return
    bar = edit.verticalScrollBar()
    height = edit.viewport().height()
    caret = edit.cursorRect()
    reach = height + line_slot(caret.height(), factor)
    while caret.bottom() >= height and 0 < caret.top() < reach and bar.value() < bar.maximum():
        bar.setValue(bar.value() + 1)
        caret = edit.cursorRect()
