"""AI provenance: which characters of the document the model wrote.

Every accepted continuation becomes a span (model, settings, time). Spans ride
on QTextCursors, so they move with edits before them; an edit inside a span
splits it, so the characters a person typed there count as human text.
Spans are saved next to the document in `<file>.aigc.json` with a hash of the
text, so a file edited elsewhere drops its spans instead of misplacing them.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtGui import QColor, QTextCursor

from .highlights import background

SIDECAR_SUFFIX = ".aigc.json"
SIDECAR_VERSION = 1
HIGHLIGHT = QColor(96, 125, 255, 60)  # reads on light and dark backgrounds

LABELS = {
    "en": "This document contains AI-generated text, written with aigc-desktop{model}.",
    "zh_CN": "本文包含由人工智能生成的内容（使用 aigc-desktop{model} 生成）。",
}


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sidecar_path(document_path: str | os.PathLike) -> Path:
    return Path(str(document_path) + SIDECAR_SUFFIX)


@dataclass
class AiSpan:
    cursor: QTextCursor
    model: str
    settings: dict = field(default_factory=dict)
    time: str = ""

    @property
    def start(self) -> int:
        return self.cursor.selectionStart()

    @property
    def end(self) -> int:
        return self.cursor.selectionEnd()


class ProvenanceLayer:
    def __init__(self, document) -> None:
        self._document = document
        self._spans: list[AiSpan] = []
        self.enabled = False
        document.contentsChange.connect(self._on_change)

    # ----- recording -------------------------------------------------------
    def add(self, start: int, end: int, model: str, settings: dict | None = None, time: str = "") -> None:
        if end <= start:
            return
        self._spans.append(AiSpan(self._cursor(start, end), model, dict(settings or {}), time))

    def _cursor(self, start: int, end: int) -> QTextCursor:
        cursor = QTextCursor(self._document)
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.setKeepPositionOnInsert(True)  # text typed right after a span is the user's
        return cursor

    def clear(self) -> None:
        self._spans.clear()

    def spans(self) -> list[AiSpan]:
        self._spans = sorted((s for s in self._spans if s.end > s.start), key=lambda s: s.start)
        return list(self._spans)

    def _on_change(self, position: int, removed: int, added: int) -> None:
        """An insertion strictly inside a span is not the model's: split the span around it."""
        if not added:
            return
        for span in list(self._spans):
            if span.start < position < span.end:
                end = span.end
                span.cursor.setPosition(span.start)
                span.cursor.setPosition(position, QTextCursor.MoveMode.KeepAnchor)
                if position + added < end:
                    self._spans.append(AiSpan(self._cursor(position + added, end), span.model,
                                              dict(span.settings), span.time))

    # ----- reading ---------------------------------------------------------
    def ai_characters(self) -> int:
        return sum(len(span.cursor.selectedText()) for span in self.spans())

    def share(self, total_characters: int) -> float:
        return self.ai_characters() / total_characters if total_characters else 0.0

    def selections(self) -> list:
        if not self.enabled:
            return []
        return [background(span.cursor, HIGHLIGHT) for span in self.spans()]

    # ----- sidecar ---------------------------------------------------------
    def user_ranges(self, to_user=lambda position: position) -> list[tuple[int, int]]:
        ranges = [(to_user(s.start), to_user(s.end)) for s in self.spans()]
        return [(a, b) for a, b in ranges if b > a]

    def to_json(self, text: str, to_user=lambda position: position) -> str:
        spans = [{"start": to_user(s.start), "end": to_user(s.end), "model": s.model, "settings": s.settings,
                  "time": s.time} for s in self.spans() if to_user(s.end) > to_user(s.start)]
        return json.dumps({"version": SIDECAR_VERSION, "sha256": text_hash(text), "spans": spans},
                          ensure_ascii=False, indent=1)

    def load_json(self, data: str, text: str) -> bool:
        """Restore spans saved for exactly this text; False (and no spans) when the text differs."""
        self.clear()
        try:
            saved = json.loads(data)
            if saved.get("sha256") != text_hash(text):
                return False
            limit = self._document.characterCount() - 1
            for item in saved.get("spans", []):
                start, end = int(item["start"]), int(item["end"])
                if 0 <= start < end <= limit:
                    self.add(start, end, str(item.get("model", "")), item.get("settings") or {},
                             str(item.get("time", "")))
        except (ValueError, KeyError, TypeError, AttributeError):
            self.clear()
            return False
        return True


def export_text(text: str, spans: list[tuple[int, int]], label: str, kind: str) -> str:
    """A copy for others: the label on top and, for Markdown and HTML, the AI-written parts marked.

    spans are (start, end) in the text's UTF-16 positions, sorted and not overlapping.
    """
    units = text.encode("utf-16-le", "surrogatepass")

    def piece(a: int, b: int) -> str:
        return units[2 * a: 2 * b].decode("utf-16-le", "surrogatepass")

    merged: list[list[int]] = []
    for start, end in spans:  # adjacent spans (two accepts in a row) are one marked passage
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    parts, at = [], 0
    for start, end in merged:
        parts.append((False, piece(at, start)))
        parts.append((True, piece(start, end)))
        at = end
    parts.append((False, piece(at, len(units) // 2)))
    if kind == "html":
        body = "".join(f'<mark class="ai">{html.escape(t)}</mark>' if ai else html.escape(t) for ai, t in parts if t)
        body = body.replace("\n", "<br>\n")
        return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n"
                f"<p class=\"ai-label\">{html.escape(label)}</p>\n<p>{body}</p>\n</body></html>\n")
    if kind == "markdown":
        body = "".join(f"<mark>{t}</mark>" if ai else t for ai, t in parts if t)
        return f"> {label}\n\n{body}"
    return f"{label}\n\n{text}"
