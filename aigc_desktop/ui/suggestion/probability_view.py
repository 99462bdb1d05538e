"""Explainability: generated text coloured by how likely the model found it.

Every chunk the model streams is remembered as a span of the document with the
probability of its tokens (taken from the same run, no second pass) and the
top alternatives for its first token. Spans ride on QTextCursors, so they move
with edits elsewhere; a span whose text no longer matches is dropped, which is
how colours "survive accept for as long as the text is unchanged".
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import QCoreApplication, QPoint
from PySide6.QtGui import QColor, QHelpEvent, QTextCursor
from PySide6.QtWidgets import QPlainTextEdit, QToolTip

from ..document.edit_history import units
from ..window.line_spacing import point_on_text
from .highlights import CursorRange, background

# Probability bands: (lower bound, label, colour). Saturated hues at low alpha
# read on light and dark backgrounds alike.
BANDS = (
    (0.5, "≥ 50%", QColor(46, 160, 67, 70)),
    (0.1, "10–50%", QColor(212, 167, 44, 90)),
    (0.0, "< 10%", QColor(218, 54, 51, 90)),
)


def band_colour(probability: float) -> QColor:
    return next(colour for bound, _label, colour in BANDS if probability >= bound)


@dataclass(frozen=True)
class ChunkInfo:
    """What the model thought of one streamed chunk."""

    probability: float  # joint probability of the chunk's tokens
    alternatives: tuple[tuple[str, float], ...]  # top tokens at the chunk's first position


@dataclass
class ProbabilitySpan(CursorRange):
    cursor: QTextCursor  # selects the span's text in the document
    text: str
    info: ChunkInfo

    def valid(self) -> bool:
        return self.cursor.hasSelection() and self.cursor.selectedText() == self.text


class ProbabilityLayer:
    def __init__(self, document) -> None:
        self._document = document
        self._spans: list[ProbabilitySpan] = []
        self.enabled = False

    def add(self, start: int, text: str, info: ChunkInfo | None) -> None:
        if info is None or not text:
            return
        cursor = QTextCursor(self._document)
        cursor.setPosition(start)
        cursor.setPosition(start + units(text), QTextCursor.MoveMode.KeepAnchor)
        cursor.setKeepPositionOnInsert(True)  # text appended right after must not join this span
        self._spans.append(ProbabilitySpan(cursor, cursor.selectedText(), info))

    def spans(self) -> list[ProbabilitySpan]:
        self._spans = [span for span in self._spans if span.valid()]
        return list(self._spans)

    def span_at(self, position: int) -> ProbabilitySpan | None:
        return next((s for s in self.spans() if s.cursor.selectionStart() <= position < s.cursor.selectionEnd()), None)

    def clear(self) -> None:
        self._spans.clear()

    def selections(self) -> list:
        if not self.enabled:
            return []
        return [background(span.cursor, band_colour(span.info.probability)) for span in self.spans()]


def visible(text: str) -> str:
    """Spaces and line breaks shown, since they are often what the model chose."""
    return text.replace(" ", "␣").replace("\n", "↵").replace("\t", "⇥")


def tooltip_html(span: ProbabilitySpan) -> str:
    rows = "".join(
        f"<tr><td>{escape(visible(text))}</td><td align='right'>{probability:.1%}</td></tr>"
        for text, probability in span.info.alternatives
    )
    instead = escape(QCoreApplication.translate("ProbabilityView", "instead"))
    hint = escape(QCoreApplication.translate("ProbabilityView", "Click to use another word and write on from there."))
    return (f"<b>{escape(visible(span.text))}</b>: {span.info.probability:.1%}<br>"
            f"<table><tr><th align='left'>{instead}</th><th>p</th></tr>{rows}</table>"
            f"<i>{hint}</i>")


def span_under(edit: QPlainTextEdit, layer: ProbabilityLayer, point: QPoint) -> ProbabilitySpan | None:
    """The span at a viewport point (a point under a spaced line counts as on it)."""

    cursor = edit.cursorForPosition(point_on_text(edit, point.toPointF()).toPoint())
    return layer.span_at(cursor.position())


def show_span_tooltip(edit: QPlainTextEdit, layer: ProbabilityLayer, event: QHelpEvent) -> None:
    """Hovering with the probability view on: how likely the word was, and what else was."""

    span = span_under(edit, layer, event.pos())
    if span is not None:
        QToolTip.showText(event.globalPos(), tooltip_html(span), edit)
    else:
        QToolTip.hideText()
