"""A non-modal message strip above the editor: errors and hints that never block typing."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton

from ..suggestion.engine_text import localize
from .appearance import is_dark

# (kind, dark theme) -> background, border, text
_COLOURS = {
    ("error", False): ("#fdecea", "#e0a09a", "#202020"),
    ("info", False): ("#e8f0fe", "#a8c0ec", "#202020"),
    ("error", True): ("#4a2427", "#9a4a4f", "#f4dede"),
    ("info", True): ("#1f3350", "#4a6fa5", "#dde7f7"),
}


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

    def show_error(self, message: str, actions: tuple = (), topic: str = "") -> None:
        """An error from the engine, a document or a server, in the interface language."""

        self.show_message(localize(message), "error", actions, topic)

    def show_notice(self, message: str, actions: tuple = (), topic: str = "") -> None:
        self.show_message(localize(message), "info", actions, topic)

    def show_message(self, text: str, kind: str = "error", actions: tuple = (), topic: str = "") -> None:
        """Show text with optional (label, callback) buttons; kind is 'error' or 'info'.

        topic: what the message is about ("model", "labels"), so that it goes when that is settled."""
        for button in self._buttons:
            button.deleteLater()
        self._buttons.clear()
        for label, callback in actions:
            button = QPushButton(label, self)
            button.clicked.connect(callback)
            self._layout.insertWidget(self._layout.count() - 1, button)
            self._buttons.append(button)
        self._kind = kind
        self._topic = topic
        self.restyle()
        self.label.setText(text)
        self.show()

    def restyle(self) -> None:
        """Colours for the message's kind in the current theme: readable text and × in light and dark."""

        kind = getattr(self, "_kind", "error")
        background, border, text = _COLOURS[(kind, is_dark())]
        self.setStyleSheet(f"#messageBanner {{ background: {background}; border: 1px solid {border}; }}"
                           f"#messageBanner QLabel, #messageBanner QToolButton {{ color: {text}; }}")

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def dismiss_topic(self, topic: str) -> None:
        """Dismiss the message shown if it is about `topic` (a model that loaded after all, say)."""
        if self.isVisible() and getattr(self, "_topic", "") == topic:
            self.dismiss()

    def dismiss(self) -> None:
        self.hide()
        self.closed.emit()
