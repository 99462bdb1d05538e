"""An inline find bar for the editor (like a browser's Ctrl+F bar)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

# A dynamic property drives the colour, so the style follows the state without code
# fiddling with palettes (and a theme can override it).
_NOT_FOUND_STYLE = 'QLineEdit[notFound="true"] { background-color: #ffd6d6; }'


class FindBar(QWidget):
    def __init__(self, editor: QPlainTextEdit, parent: QWidget | None = None):
        super().__init__(parent)
        self._editor = editor

        self.line_edit = QLineEdit()
        self.line_edit.setPlaceholderText(self.tr("Find"))
        self.line_edit.setClearButtonEnabled(True)
        self.line_edit.setStyleSheet(_NOT_FOUND_STYLE)
        self.line_edit.setProperty("notFound", False)
        self.previous_button = QPushButton(self.tr("Previous"))
        self.next_button = QPushButton(self.tr("Next"))
        self.match_case_check = QCheckBox(self.tr("Match case"))
        self.status_label = QLabel()
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setToolTip(self.tr("Close (Esc)"))
        self.close_button.setAutoRaise(True)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        layout.addWidget(self.line_edit, 1)
        layout.addWidget(self.previous_button)
        layout.addWidget(self.next_button)
        layout.addWidget(self.match_case_check)
        layout.addWidget(self.status_label)
        layout.addStretch(0)
        layout.addWidget(self.close_button)

        self.next_button.clicked.connect(self.find_next)
        self.previous_button.clicked.connect(self.find_previous)
        self.close_button.clicked.connect(self.hide_bar)
        self.line_edit.textEdited.connect(self._search_as_you_type)
        self.match_case_check.toggled.connect(lambda _checked: self._set_not_found(False))
        # Enter, Shift+Enter and Esc are handled before QLineEdit sees them.
        self.line_edit.installEventFilter(self)

        self.hide()

    # --- public API ---------------------------------------------------------------

    def show_and_focus(self) -> None:
        """Show the bar, seeded with the editor's selection, ready to type."""
        selected = self._editor.textCursor().selectedText()
        # A multi-line selection (Qt uses U+2029 between paragraphs) is not a useful
        # search term; keep the previous one instead.
        if selected and "\u2029" not in selected:
            self.line_edit.setText(selected)
            self._set_not_found(False)
        self.show()
        self.line_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.line_edit.selectAll()

    def hide_bar(self) -> None:
        self.hide()
        self._editor.setFocus(Qt.FocusReason.OtherFocusReason)

    def find_next(self) -> bool:
        return self._find(backward=False)

    def find_previous(self) -> bool:
        return self._find(backward=True)

    # --- searching ----------------------------------------------------------------

    def _flags(self, backward: bool) -> QTextDocument.FindFlag:
        flags = QTextDocument.FindFlag(0)
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        if self.match_case_check.isChecked():
            flags |= QTextDocument.FindFlag.FindCaseSensitively
        return flags

    def _find(self, backward: bool, start: QTextCursor | None = None) -> bool:
        term = self.line_edit.text()
        if not term:
            self._set_not_found(False)
            return False
        document = self._editor.document()
        flags = self._flags(backward)
        # Forward searches start after the selection, backward ones before it, so
        # repeated Next/Previous step through the matches.
        found = document.find(term, start or self._editor.textCursor(), flags)
        if found.isNull():
            # Wrap around: search again from the other end of the document.
            wrap = QTextCursor(document)
            wrap.movePosition(
                QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start
            )
            found = document.find(term, wrap, flags)
        if found.isNull():
            self._set_not_found(True)
            return False
        self._editor.setTextCursor(found)
        self._set_not_found(False)
        return True

    def _search_as_you_type(self, _text: str) -> None:
        # Search from the start of the current match, so that typing more letters
        # extends the match in place instead of jumping to the next one.
        cursor = self._editor.textCursor()
        cursor.setPosition(cursor.selectionStart())
        self._find(backward=False, start=cursor)

    def _set_not_found(self, not_found: bool) -> None:
        self.status_label.setText(self.tr("Not found") if not_found else "")
        if self.line_edit.property("notFound") != not_found:
            self.line_edit.setProperty("notFound", not_found)
            # Style sheets read dynamic properties only when the widget is re-polished.
            self.line_edit.style().unpolish(self.line_edit)
            self.line_edit.style().polish(self.line_edit)

    def is_not_found(self) -> bool:
        """Whether the last search failed (the line edit shows the red background)."""
        return bool(self.line_edit.property("notFound"))

    # --- keys ---------------------------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.line_edit and isinstance(event, QKeyEvent) and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    self.find_previous()
                else:
                    self.find_next()
                return True
            if key == Qt.Key.Key_Escape:
                self.hide_bar()
                return True
        return super().eventFilter(watched, event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Esc also works while a button or the checkbox has the focus.
        if event.key() == Qt.Key.Key_Escape:
            self.hide_bar()
        else:
            super().keyPressEvent(event)
