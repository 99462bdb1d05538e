"""The text widget: a QPlainTextEdit that can hold a pending suggestion.

The suggestion is real text in the document (so it wraps, scrolls and paints
like any other text) but it is not the user's text until accepted:
- it never enters the undo history (see edit_history.py);
- saving, counting and the user's text exclude it;
- edits the user makes around it move it; edits into it end it.
What each key does to it is decided in suggestion_keys.py.

`_mirror` is a copy of the document's raw text (UTF-16-LE bytes, so positions
match Qt's UTF-16 positions). It tells what an edit removed, which Qt's
contentsChange signal does not.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QTextCursor, QTextDocument
from PySide6.QtWidgets import QPlainTextEdit

from ..document.edit_history import Change, EditHistory, units
from ..document.provenance import ProvenanceLayer
from ..suggestion.highlights import pending
from ..suggestion.probability_view import ProbabilityLayer, show_span_tooltip, span_under
from ..suggestion.suggestion_keys import handle_suggestion_key, is_candidate_key
from .line_spacing import SpacedLayout, event_on_text, reveal_caret, spacing_of
from .raw_text import decode, encode, to_document, to_plain, to_raw


class Editor(QPlainTextEdit):
    modification_changed = Signal(bool)  # the user's text differs from the last save
    history_changed = Signal()  # undo/redo availability may have changed
    user_text_changed = Signal()
    accept_requested = Signal()  # Tab/Enter while a suggestion is pending
    reject_requested = Signal()  # Esc while a suggestion is pending
    suggestion_ended_by_edit = Signal()  # a user edit accepted or dropped the suggestion
    suggestion_consumed = Signal()  # word-by-word accept took all of it
    cycle_requested = Signal(int)  # Alt+] (+1) / Alt+[ (-1): show the next or previous candidate
    text_accepted = Signal(int, int)  # start, end of suggestion text that became the user's (provenance)
    alternatives_requested = Signal(object, object)  # a ProbabilitySpan in the suggestion was clicked; where

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        # A document of our own, laid out with adjustable line spacing (see line_spacing.py).
        # Opening a file (setPlainText) keeps the document, so the spacing stays.
        document = QTextDocument(self)
        document.setDocumentLayout(SpacedLayout(document))
        self.setDocument(document)
        self._reveal = QTimer(self)  # after Qt's own scrolling to the caret (see reveal_caret)
        self._reveal.setSingleShot(True)
        self._reveal.setInterval(0)
        self._reveal.timeout.connect(lambda: reveal_caret(self))
        self.cursorPositionChanged.connect(self._caret_moved)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.document().setUndoRedoEnabled(False)
        self._history = EditHistory()
        self._mirror = b""
        self._internal = 0  # > 0 while the editor itself changes the document
        self._typing = False
        self._pending_start: int | None = None
        self._pending_text = ""  # raw form (paragraph separators)
        self._modified = False
        self.probabilities = ProbabilityLayer(self.document())
        self.provenance = ProvenanceLayer(self.document())
        self._auto = False
        self._composing = False
        self.document().contentsChange.connect(self._on_contents_change)

    # ----- the user's text -------------------------------------------------
    def load_text(self, text: str) -> None:
        """Replace everything (opening a file): no suggestion, empty history, not modified."""
        self.probabilities.clear()
        self.provenance.clear()
        self._clear_pending()
        self._internal += 1
        try:
            self.setPlainText(to_document(text))
        finally:
            self._internal -= 1
        self._mirror = encode(self.document().toRawText())
        self._history.clear()
        self._sync_modified()
        self.history_changed.emit()
        self.user_text_changed.emit()

    def user_text(self) -> str:
        """The document as the user wrote it: without any pending suggestion, newlines as '\\n'."""
        raw = decode(self._mirror)
        if self._pending_start is not None:
            b = self._pending_start
            raw_units = encode(raw)
            e = b + units(self._pending_text)
            raw = decode(raw_units[: 2 * b] + raw_units[2 * e:])
        return to_plain(raw)

    def text_before(self, position: int) -> str:
        """Document text before a position (the context for a continuation)."""
        return to_plain(decode(self._mirror[: 2 * position]))

    def text_between(self, start: int, end: int) -> str:
        return to_plain(decode(self._mirror[2 * start: 2 * end]))

    def to_user_position(self, position: int) -> int:
        """A document position as a position in user_text() (the pending suggestion left out)."""
        suggestion = self.suggestion_range()
        if suggestion is None or position <= suggestion[0]:
            return position
        return max(suggestion[0], position - (suggestion[1] - suggestion[0]))

    def mark_saved(self) -> None:
        self._history.mark_clean()
        self._sync_modified()

    def mark_modified(self) -> None:
        """The text differs from the file (restored after a crash, or the file changed on disk):
        no state in the undo history is the saved one any more."""
        self._history.forget_clean()
        self._sync_modified()

    def is_modified(self) -> bool:
        return self._modified

    # ----- line spacing ------------------------------------------------------
    def line_spacing(self) -> float:
        return spacing_of(self)

    def set_line_spacing(self, factor: float) -> None:
        """Lines `factor` times the font's height (1.0, 1.15, 1.5, 2.0...). Only the view changes:
        not the text, not the undo history, not the modified flag."""
        layout = self.document().documentLayout()
        if not isinstance(layout, SpacedLayout) or layout.factor() == factor:
            return
        caret_shown = self.viewport().rect().intersects(self.cursorRect())
        layout.set_factor(factor)
        self.viewport().update()
        if caret_shown:  # keep it in view; a caret the user scrolled away from stays away
            self.ensureCursorVisible()
            reveal_caret(self)

    def _caret_moved(self) -> None:
        if self.line_spacing() != 1.0:
            self._reveal.start()

    # ----- undo / redo -----------------------------------------------------
    def can_undo(self) -> bool:
        return self._history.can_undo

    def can_redo(self) -> bool:
        return self._history.can_redo

    def undo(self) -> None:  # noqa: D401 - overrides QPlainTextEdit.undo
        self.end_suggestion_for_edit(accept_upto=None)
        self._apply(self._history.undo())

    def redo(self) -> None:
        self.end_suggestion_for_edit(accept_upto=None)
        self._apply(self._history.redo())

    def _apply(self, change: Change | None) -> None:
        if change is None:
            return
        self._edit(change.position, units(change.removed), change.added)
        cursor = self.textCursor()
        cursor.setPosition(change.position + units(change.added))
        self.setTextCursor(cursor)
        self._after_user_change()

    # ----- the pending suggestion -------------------------------------------
    def has_suggestion(self) -> bool:
        return self._pending_start is not None

    def suggestion_range(self) -> tuple[int, int] | None:
        if self._pending_start is None:
            return None
        return self._pending_start, self._pending_start + units(self._pending_text)

    def pending_range(self) -> tuple[int, int]:
        """suggestion_range() where the caller has made sure a suggestion is pending."""
        found = self.suggestion_range()
        if found is None:
            raise RuntimeError("no suggestion is pending")
        return found

    def suggestion_text(self) -> str:
        return to_plain(self._pending_text)

    def start_suggestion(self, position: int, auto: bool = False) -> None:
        """Begin an (empty) suggestion at position; text arrives through append_suggestion.

        auto: a suggestion offered while typing, which typing consumes or dismisses.
        """
        self._clear_pending()
        # Never outside the document: the mirror and the document would part ways.
        position = max(0, min(position, self.document().characterCount() - 1))
        self._pending_start = position
        self._pending_text = ""
        self._auto = auto

    def is_auto_suggestion(self) -> bool:
        return self._pending_start is not None and self._auto

    def is_composing(self) -> bool:
        """An input method is composing text (pinyin, kana...): suggestions keep out of its way."""
        return self._composing

    def append_suggestion(self, text: str, chunks: tuple = ()) -> None:
        """Append streamed text; chunks are (text, ChunkInfo) pieces of it for the probability view."""
        if self._pending_start is None or not text:
            return
        raw = to_raw(text)
        start, end = self.pending_range()
        offset = end
        caret = self.textCursor()
        keep = (caret.anchor(), caret.position()) if caret.position() == end and not caret.hasSelection() else None
        self._edit(end, 0, raw)
        self._pending_text += raw
        for piece, info in chunks:
            self.probabilities.add(offset, piece, info)
            offset += units(to_raw(piece))
        if keep is not None:
            # The caret stays before the suggestion, so Tab accepts and typing goes where it was.
            caret.setPosition(keep[0])
            caret.setPosition(keep[1], QTextCursor.MoveMode.KeepAnchor)
            self.setTextCursor(caret)
        self._highlight()
        self._follow_suggestion()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if self._pending_start is not None:
            self._follow_suggestion()  # a banner shown above the text shortens the view: keep the suggestion in it

    def _follow_suggestion(self) -> None:
        """Scroll on, a line at a time, while the suggestion's end is below the view and the caret,
        where the suggestion starts, stays in it: continuing at the end of a document shows what
        is written, not only its first line. A caret the user scrolled away from stays away."""
        end = QTextCursor(self.document())
        end.setPosition(self.pending_range()[1])
        bar, height = self.verticalScrollBar(), self.viewport().height()
        caret = self.cursorRect()
        while (0 < caret.top() < height and self.cursorRect(end).bottom() >= height
               and bar.value() < bar.maximum()):
            bar.setValue(bar.value() + 1)
            caret = self.cursorRect()
        if caret.top() < 0 and bar.value() > 0:
            bar.setValue(bar.value() - 1)  # one line too far: the caret's line comes back

    def accept_suggestion(self, upto: int | None = None) -> str:
        """Make the suggestion (or its first `upto` units) the user's text: one undo step."""
        if self._pending_start is None:
            return ""
        start, end = self.pending_range()
        raw = self._pending_text
        if upto is not None and upto < units(raw):
            kept = decode(encode(raw)[: 2 * upto])
            self._edit(start + upto, end - start - upto, "")
            raw = kept
        self._clear_pending()
        if raw:
            self._history.record(Change(start, "", raw))
            self.text_accepted.emit(start, start + units(raw))
            cursor = self.textCursor()
            cursor.setPosition(start + units(raw))
            self.setTextCursor(cursor)
            self._after_user_change()
        return to_plain(raw)

    def replace_suggestion(self, text: str) -> None:
        """Show another candidate in place of the pending text (no undo step, like the first)."""
        if self._pending_start is None:
            return
        start, end = self.pending_range()
        raw = to_raw(text)
        caret = self.textCursor()
        keep = caret.position() <= start and not caret.hasSelection()
        self._edit(start, end - start, raw)
        self._pending_text = raw
        if keep:
            caret.setPosition(start)
            self.setTextCursor(caret)
        self._highlight()

    def truncate_suggestion(self, keep: int) -> None:
        """Drop the pending text after its first `keep` UTF-16 units (no undo step)."""
        if self._pending_start is None:
            return
        start, end = self.pending_range()
        keep = max(0, min(keep, end - start))
        self._edit(start + keep, end - start - keep, "")
        self._pending_text = decode(encode(self._pending_text)[: 2 * keep])
        self._highlight()

    def accept_suggestion_part(self, text: str) -> str:
        """Accept the first characters of the suggestion (`text`, a prefix of it); the rest stays pending.

        Each part is its own undo step. Returns what was accepted.
        """
        if self._pending_start is None or not text:
            return ""
        raw = to_raw(text)
        if not self._pending_text.startswith(raw):
            return ""
        start = self._pending_start
        self._history.record(Change(start, "", raw))
        self.text_accepted.emit(start, start + units(raw))
        self._pending_start = start + units(raw)
        self._pending_text = self._pending_text[len(raw):]
        cursor = self.textCursor()
        cursor.setPosition(self._pending_start)
        self.setTextCursor(cursor)
        self._highlight()
        self._after_user_change()
        if not self._pending_text:
            self.suggestion_consumed.emit()
        return text

    def reject_suggestion(self) -> None:
        """Remove the suggestion: the document is byte-for-byte what it was; no undo step."""
        if self._pending_start is None:
            return
        start, end = self.pending_range()
        self._clear_pending()
        self._edit(start, end - start, "")
        self._highlight()

    def _clear_pending(self) -> None:
        self._pending_start = None
        self._pending_text = ""
        self._highlight()

    def end_suggestion_for_edit(self, accept_upto: int | None) -> None:
        """A user edit reached the suggestion: accept its first `accept_upto` units, or drop it (None)."""
        if self._pending_start is None:
            return
        if accept_upto is None:
            self.reject_suggestion()
        else:
            self.accept_suggestion(accept_upto)
        self.suggestion_ended_by_edit.emit()

    def set_probability_view(self, on: bool) -> None:
        self.probabilities.enabled = on
        self._highlight()

    def set_provenance_view(self, on: bool) -> None:
        self.provenance.enabled = on
        self._highlight()

    def _highlight(self) -> None:
        colours = self.provenance.selections() + self.probabilities.selections()
        if self._pending_start is None:
            self.setExtraSelections(colours)
            return
        start, end = self.pending_range()
        selection = pending(self.document(), start, end, self.palette())
        if colours:
            selection.format.clearBackground()  # the probability colours show instead,
        self.setExtraSelections([*colours, selection])  # under the pending grey and italic

    # ----- probability view: hover and click ---------------------------------
    def event(self, event) -> bool:
        if event.type() == QEvent.Type.ToolTip and self.probabilities.enabled:
            show_span_tooltip(self, self.probabilities, event)
            return True
        return super().event(event)

    def insertFromMimeData(self, source) -> None:  # noqa: N802 - Qt's name
        """Paste and drop: a NUL in the text becomes U+FFFD (see raw_text.to_document)."""
        if source.hasText() and "\0" in source.text():
            self.insertPlainText(source.text().replace("\0", "\ufffd"))
            return
        super().insertFromMimeData(source)

    def mousePressEvent(self, event) -> None:
        if self.probabilities.enabled and event.button() == Qt.MouseButton.LeftButton:
            span = span_under(self, self.probabilities, event.position().toPoint())
            suggestion = self.suggestion_range()
            if span is not None and suggestion is not None and suggestion[0] <= span.start < suggestion[1]:
                self.alternatives_requested.emit(span, self.viewport().mapToGlobal(event.position().toPoint()))
                return
        self._forward(super().mousePressEvent, event)

    def mouseMoveEvent(self, event) -> None:
        self._forward(super().mouseMoveEvent, event)

    def mouseReleaseEvent(self, event) -> None:
        self._forward(super().mouseReleaseEvent, event)

    def mouseDoubleClickEvent(self, event) -> None:
        self._forward(super().mouseDoubleClickEvent, event)

    def _forward(self, handler, event) -> None:
        """Qt's handler, with a click in the space under a spaced line moved onto the line."""
        moved = event_on_text(self, event)
        handler(moved)
        event.setAccepted(moved.isAccepted())

    # ----- keys ------------------------------------------------------------
    def keyPressEvent(self, event) -> None:
        if event.matches(QKeySequence.StandardKey.Undo):
            self.undo()
            return
        if event.matches(QKeySequence.StandardKey.Redo):
            self.redo()
            return
        if self._pending_start is not None and handle_suggestion_key(self, event):
            return
        if is_candidate_key(event):
            return  # no candidates to cycle: the shortcut types no stray bracket into the text
        self._typing = True
        try:
            super().keyPressEvent(event)
        finally:
            self._typing = False
        reveal_caret(self)  # now rather than after a paint with the caret's line cut

    def inputMethodEvent(self, event) -> None:
        self._composing = bool(event.preeditString())
        if self.is_auto_suggestion() and (event.preeditString() or event.commitString()):
            self.end_suggestion_for_edit(accept_upto=None)
        super().inputMethodEvent(event)

    # ----- bookkeeping -----------------------------------------------------
    def _edit(self, position: int, remove: int, text: str) -> None:
        """Change the document without recording a user edit."""
        self._internal += 1
        try:
            cursor = QTextCursor(self.document())
            cursor.setPosition(position)
            cursor.setPosition(position + remove, QTextCursor.MoveMode.KeepAnchor)
            cursor.insertText(to_plain(text))
        finally:
            self._internal -= 1
        raw = encode(to_raw(to_plain(text)))
        self._mirror = self._mirror[: 2 * position] + raw + self._mirror[2 * (position + remove):]
        self._sync_modified()

    def _document_slice(self, position: int, length: int) -> str:
        cursor = QTextCursor(self.document())
        end = min(position + length, self.document().characterCount() - 1)
        cursor.setPosition(min(position, end))
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        return cursor.selectedText()

    def _on_contents_change(self, position: int, removed: int, added: int) -> None:
        if self._internal:
            return
        old = decode(self._mirror[2 * position: 2 * (position + removed)])
        new = self._document_slice(position, added)
        # Qt sometimes reports a wider range than really changed: narrow it down.
        prefix = len(os.path.commonprefix([old, new]))
        position += units(old[:prefix])
        old, new = old[prefix:], new[prefix:]
        suffix = len(os.path.commonprefix([old[::-1], new[::-1]]))
        if suffix:
            old, new = old[:-suffix], new[:-suffix]
        if not old and not new:
            return
        self._mirror = self._mirror[: 2 * position] + encode(new) + self._mirror[2 * (position + units(old)):]
        user_position = position
        if self._pending_start is not None:
            start, end = self.pending_range()
            delta = units(new) - units(old)
            if position + units(old) <= start and (old or position <= start):
                self._pending_start += delta  # before the suggestion: it moves along
                self._highlight()
            elif position >= end:
                user_position -= end - start  # after it: the user's text has no suggestion in it
            else:
                # An edit that reached into the suggestion by another way (input method,
                # drop, paste): the suggestion becomes the user's text first, then the edit.
                self._history.record(Change(start, "", self._pending_text))
                self._clear_pending()
                self.suggestion_ended_by_edit.emit()
        self._history.record(Change(user_position, old, new), typed=self._typing)
        self._after_user_change()

    def _after_user_change(self) -> None:
        if self.probabilities.enabled or self.provenance.enabled:
            self._highlight()  # spans whose text changed lose their colour
        self._sync_modified()
        self.history_changed.emit()
        self.user_text_changed.emit()

    def _sync_modified(self) -> None:
        modified = not self._history.is_clean
        self.document().setModified(modified)
        if modified != self._modified:
            self._modified = modified
            self.modification_changed.emit(modified)

