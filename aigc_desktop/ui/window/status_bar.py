"""The status bar: fields with priorities, so a narrow window drops the least useful first.

Fields are the window's own labels; the window shows and hides them as their facts come
and go. This bar only decides which of the shown ones fit: from the lowest priority up it
squeezes a field to nothing (never hiding it, so the window's own show/hide stays true),
and a field that may be shortened (the model's name) is elided instead of cut. A
temporary message gets room too: fields give way to it while it is shown.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Qt, QTimer
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QLabel, QStatusBar, QWidget

_MESSAGE_SHARE = 0.6  # a temporary message may take this much of the bar's width
_SPACING = 10  # between fields, as QStatusBar lays them out (approximately, with the frame)


class ElidedLabel(QLabel):
    """A label that shows '…' where its text does not fit (text() stays the full text)."""

    MIN_CHARS = 12

    def minimumSizeHint(self) -> QSize:
        hint = super().minimumSizeHint()
        return QSize(min(hint.width(), self.fontMetrics().averageCharWidth() * self.MIN_CHARS), hint.height())

    def paintEvent(self, event) -> None:
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, rect.width())
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                                  self.palette(), self.isEnabled(), text, self.foregroundRole())


class StatusBar(QStatusBar):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._fields: list[tuple[int, QWidget, bool]] = []  # priority, widget, may be elided
        self._max_width: dict[QWidget, int] = {}  # each field's own maximum (a progress bar's, say)
        self._pending = QTimer(self)
        self._pending.setSingleShot(True)
        self._pending.setInterval(0)
        self._pending.timeout.connect(self.relayout)
        self.messageChanged.connect(lambda _text: self._pending.start())

    def add_field(self, widget: QWidget, priority: int, elide: bool = False) -> None:
        """Higher priority stays longer; fields appear from left to right in the order added."""
        self._fields.append((priority, widget, elide))
        self._max_width[widget] = widget.maximumWidth()
        self.addPermanentWidget(widget)
        widget.installEventFilter(self)
        self._pending.start()

    def eventFilter(self, watched, event) -> bool:
        if event.type() in (QEvent.Type.Show, QEvent.Type.Hide, QEvent.Type.LayoutRequest, QEvent.Type.FontChange):
            self._pending.start()  # a text or visibility changed: fit again once the event settles
        return super().eventFilter(watched, event)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._pending.start()

    def dropped(self) -> list[QWidget]:
        """Fields shown by the window but given no room (for tests and tooltips)."""
        return [w for _p, w, _e in self._fields if not w.isHidden() and w.maximumWidth() == 0]

    def relayout(self) -> None:
        message = self.currentMessage()
        reserve = 0
        if message:
            reserve = min(self.fontMetrics().horizontalAdvance(message) + 3 * _SPACING,
                          int(self.width() * _MESSAGE_SHARE))
        available = self.width() - reserve - 2 * _SPACING
        shown = [(p, w, e) for p, w, e in self._fields if not w.isHidden()]
        wanted = {w: self._natural_width(w) for _p, w, _e in shown}
        widths = dict(wanted)
        total = sum(widths.values()) + _SPACING * len(shown)
        for _priority, widget, elide in sorted(shown, key=lambda f: f[0]):
            if total <= available:
                break
            if elide:
                floor = widget.minimumSizeHint().width()
                give = min(widths[widget] - floor, total - available)
                if give > 0:
                    widths[widget] -= give
                    total -= give
                    continue
            total -= widths[widget] + _SPACING
            widths[widget] = 0
        for _p, widget, _e in self._fields:
            own = self._max_width[widget]
            limit = widths.get(widget, own)
            widget.setMaximumWidth(own if widget.isHidden() or limit >= wanted.get(widget, 0) else min(own, limit))
            if widget.isHidden():
                continue
            widget.setMinimumWidth(0 if limit == 0 else min(widget.minimumWidth(), limit))

    def _natural_width(self, widget: QWidget) -> int:
        if isinstance(widget, QLabel) and not widget.text():
            return 0
        return min(max(widget.sizeHint().width(), widget.minimumWidth()), self._max_width[widget])
