"""A non-modal message strip above the editor: errors and hints that never block typing."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton


class MessageBanner(QFrame):
    closed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("messageBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # messages quote servers, model files and paths
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # server and file messages are data, never markup
        layout.addWidget(self.label, 1)
        self._buttons: list[QPushButton] = []
        self._layout = layout
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip(self.tr("Dismiss"))
        close.setAutoRaise(True)
        close.clicked.connect(self.dismiss)
        layout.addWidget(close)
        self._close = close
        self.hide()

    def show_message(self, text: str, kind: str = "error", actions: tuple = ()) -> None:
        """Show text with optional (label, callback) buttons; kind is 'error' or 'info'."""
        for button in self._buttons:
            button.deleteLater()
        self._buttons.clear()
        for label, callback in actions:
            button = QPushButton(label, self)
            button.clicked.connect(callback)
            self._layout.insertWidget(self._layout.count() - 1, button)
            self._buttons.append(button)
        colour = "#fdecea" if kind == "error" else "#e8f0fe"
        border = "#e0a09a" if kind == "error" else "#a8c0ec"
        self.setStyleSheet(f"#messageBanner {{ background: {colour}; border: 1px solid {border}; }}"
                           "#messageBanner QLabel { color: #202020; }")
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def dismiss(self) -> None:
        self.hide()
        self.closed.emit()
