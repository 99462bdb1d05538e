"""What keys do while a suggestion is pending: Tab/Enter accept, Esc rejects, Alt+] and Alt+[
cycle the candidates, Ctrl+Right takes a word; edits that reach into the suggestion end it; and a
suggestion offered while typing never steals a key."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent, QKeySequence

from .partial_accept import next_line, next_word

_DELETE_KEYS = (
    QKeySequence.StandardKey.Delete,
    QKeySequence.StandardKey.DeleteStartOfWord,
    QKeySequence.StandardKey.DeleteEndOfWord,
    QKeySequence.StandardKey.DeleteEndOfLine,
    QKeySequence.StandardKey.DeleteCompleteLine,
    QKeySequence.StandardKey.Cut,
)


def is_candidate_key(event: QKeyEvent) -> bool:
    """Alt+] or Alt+[ (not Ctrl+Alt: that is AltGr on Windows, which types brackets on many keyboards)."""
    mods = event.modifiers()
    return (event.key() in (Qt.Key.Key_BracketRight, Qt.Key.Key_BracketLeft)
            and bool(mods & Qt.KeyboardModifier.AltModifier) and not mods & Qt.KeyboardModifier.ControlModifier)


def handle_suggestion_key(editor, event: QKeyEvent) -> bool:
    """Keys that decide the suggestion, or edits that reach into it. True if consumed.

    editor: the editor.Editor holding the suggestion (not named here: it imports this module)."""
    if editor.is_auto_suggestion():
        return _handle_auto_key(editor, event)
    key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if key == Qt.Key.Key_Tab and mods == Qt.KeyboardModifier.NoModifier or (
        key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods == Qt.KeyboardModifier.NoModifier
    ):
        editor.accept_requested.emit()
        return True
    if key == Qt.Key.Key_Escape:
        editor.reject_requested.emit()
        return True
    if is_candidate_key(event):
        editor.cycle_requested.emit(1 if key == Qt.Key.Key_BracketRight else -1)
        return True
    if key == Qt.Key.Key_Right and mods & Qt.KeyboardModifier.ControlModifier and not (
        mods & Qt.KeyboardModifier.AltModifier
    ):
        # Ctrl+Right takes the next word, Ctrl+Shift+Right the next line; with nothing
        # pending (handled above) they keep their usual meaning.
        pending = editor.suggestion_text()
        line = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        editor.accept_suggestion_part(next_line(pending) if line else next_word(pending))
        return True
    start, end = editor.pending_range()
    cursor = editor.textCursor()
    s, t = cursor.selectionStart(), cursor.selectionEnd()
    deleting = key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete) or any(event.matches(k) for k in _DELETE_KEYS)
    inserting = bool(event.text()) and event.text().isprintable() or event.matches(QKeySequence.StandardKey.Paste)
    if not (deleting or inserting):
        return False
    if s != t:
        if s < end and t > start:
            # A selection reaching into the suggestion: drop it, then edit the user's text.
            editor.end_suggestion_for_edit(accept_upto=None)
        return False
    if deleting and start <= s <= end and (s != start or key != Qt.Key.Key_Backspace):
        editor.end_suggestion_for_edit(accept_upto=None)  # deleting at the suggestion dismisses it
        return True
    if inserting and start < s < end:
        editor.end_suggestion_for_edit(accept_upto=s - start)  # typing inside keeps what is before the caret
    return False


def _handle_auto_key(editor, event: QKeyEvent) -> bool:
    """While typing, an offered suggestion never steals a key: matching characters are
    taken from it, Tab takes it all, anything else dismisses it and does its usual job."""
    key, mods = event.key(), event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if key in (Qt.Key.Key_Shift, Qt.Key.Key_Control, Qt.Key.Key_Alt, Qt.Key.Key_Meta, Qt.Key.Key_AltGr):
        return False
    if key == Qt.Key.Key_Tab and mods == Qt.KeyboardModifier.NoModifier:
        editor.accept_requested.emit()
        return True
    typed = event.text()
    caret = editor.textCursor()
    at_start = not caret.hasSelection() and caret.position() == editor.pending_range()[0]
    if typed and typed.isprintable() and at_start and editor.suggestion_text().startswith(typed):
        editor.accept_suggestion_part(typed)  # the user typed what was suggested
        return True
    editor.end_suggestion_for_edit(accept_upto=None)
    return key == Qt.Key.Key_Escape  # Esc only dismisses; every other key goes on as usual
