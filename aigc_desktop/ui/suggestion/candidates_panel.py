"""Generate → All Candidates: every candidate in full, wrapped, each accepted with a click or its number key.

The panel only reads the controller (`candidates`, `candidates_changed`) and uses its
public actions (`show_candidate`, `accept`): candidates arriving later fill it as they come.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)


class _CandidateCard(QFrame):
    clicked = Signal(int)

    def __init__(self, index: int, text: str, shown: bool, parent=None) -> None:
        super().__init__(parent)
        self.index = index
        self.setObjectName("candidateCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        number = QLabel(f"<b>{index + 1}</b>", self)
        number.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.text_label = QLabel(self)
        self.text_label.setTextFormat(Qt.TextFormat.PlainText)  # model text is data, never markup
        self.text_label.setText(text.strip("\n") or " ")
        self.text_label.setWordWrap(True)
        self.text_label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        layout = QHBoxLayout(self)
        layout.addWidget(number)
        layout.addWidget(self.text_label, 1)
        if shown:
            self.setStyleSheet("#candidateCard { border: 2px solid palette(highlight); border-radius: 4px; }")

    def mouseReleaseEvent(self, event) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(self.index)
        super().mouseReleaseEvent(event)


class CandidatesPanel(QDialog):
    """Non-modal: the document stays visible beside it."""

    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("All Candidates"))
        self.setObjectName("candidatesPanel")
        self._controller = controller
        self._shown = 0
        self.hint = QLabel(self.tr("Click a candidate or press its number to accept it; Esc closes."), self)
        self.hint.setWordWrap(True)
        self._cards = QWidget(self)
        self._cards_layout = QVBoxLayout(self._cards)
        self._cards_layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self._cards)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.hint)
        layout.addWidget(scroll, 1)
        layout.addWidget(buttons)
        controller.candidates_changed.connect(self._on_changed)
        self.resize(560, 440)
        self.refresh()

    def cards(self) -> list[_CandidateCard]:
        items = (self._cards_layout.itemAt(i) for i in range(self._cards_layout.count() - 1))
        return [card for item in items if item is not None and isinstance(card := item.widget(), _CandidateCard)]

    def _on_changed(self, index: int, count: int) -> None:
        self._shown = index
        if count < 2 and self.isVisible():
            self.close()  # nothing left to choose from (accepted, rejected or partly accepted)
            return
        self.refresh()

    def refresh(self) -> None:
        for card in self.cards():
            self._cards_layout.removeWidget(card)
            card.deleteLater()
        for i, text in enumerate(self._controller.candidates):
            card = _CandidateCard(i, text, i == self._shown, self._cards)
            card.clicked.connect(self.accept_candidate)
            self._cards_layout.insertWidget(i, card)

    def keyPressEvent(self, event) -> None:
        if Qt.Key.Key_1 <= event.key() <= Qt.Key.Key_9 and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.accept_candidate(event.key() - Qt.Key.Key_1)
            return
        super().keyPressEvent(event)

    def accept_candidate(self, index: int) -> None:
        candidates = self._controller.candidates
        if not 0 <= index < len(candidates):
            return
        self._controller.show_candidate(index)
        if len(self._controller.candidates) > 1:  # still valid: the one asked for is what is pending now
            self._controller.accept()
        self.close()
