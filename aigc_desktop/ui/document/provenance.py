"""AI provenance: which characters of the document the model wrote.

Every accepted continuation becomes a span (model, settings, time). Spans ride
on QTextCursors, so they move with edits before them; an edit inside a span
splits it, so the characters a person typed there count as human text.
Spans are saved next to the document in `<file>.aigc.json` with a hash of the
text, so a file edited elsewhere drops its spans instead of misplacing them.
A sidecar is data from outside: it is read with a size bound and strict types
(anything odd means it is ignored, with a notice), never through a symlink,
and written atomically, replacing a planted link rather than its target.
"""

from __future__ import annotations

import errno
import hashlib
import html
import json
import math
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtGui import QColor, QTextCursor

from ..suggestion.highlights import CursorRange, background
from .document_io import write_bytes_atomic

SIDECAR_SUFFIX = ".aigc.json"
SIDECAR_VERSION = 1
HIGHLIGHT = QColor(96, 125, 255, 60)  # reads on light and dark backgrounds
MAX_SPANS = 10_000  # every keystroke visits each span; real documents have far fewer
MAX_SIDECAR_BYTES = 16 << 20
# What load_json found
LOADED, CHANGED, DAMAGED = "loaded", "changed", "damaged"

LABELS = {
    "en": "This document contains AI-generated text, written with aigc-desktop{model}.",
    "zh_CN": "本文包含由人工智能生成的内容（使用 aigc-desktop{model} 生成）。",
}


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def sidecar_path(document_path: str | os.PathLike) -> Path:
    return Path(str(document_path) + SIDECAR_SUFFIX)


@dataclass
class AiSpan(CursorRange):
    cursor: QTextCursor
    model: str
    settings: dict = field(default_factory=dict)
    time: str = ""


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
        """Sorted, non-empty and not overlapping (a span inside another is dropped, an overlap trimmed),
        so the AI share never passes 100% and an export never repeats text."""
        kept, last_end = [], 0
        for span in sorted((s for s in self._spans if s.end > s.start), key=lambda s: (s.start, -s.end)):
            if span.end <= last_end:
                continue
            if span.start < last_end:
                end = span.end
                span.cursor.setPosition(last_end)
                span.cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
            kept.append(span)
            last_end = span.end
        self._spans = kept
        return list(kept)

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
        return min(1.0, self.ai_characters() / total_characters) if total_characters else 0.0

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

    def load_json(self, data: str, text: str) -> str:
        """Restore spans saved for exactly this text: LOADED, CHANGED (the text differs) or DAMAGED
        (not a sidecar this version wrote); no spans unless LOADED."""
        self.clear()
        saved = parse_sidecar(data)
        if saved is None:
            return DAMAGED
        if saved["sha256"] != text_hash(text):
            return CHANGED
        limit = self._document.characterCount() - 1
        for item in saved["spans"]:
            start, end = max(0, min(item["start"], limit)), max(0, min(item["end"], limit))
            self.add(start, end, item["model"], item["settings"], item["time"])
        self.spans()  # merge overlaps now
        return LOADED


def parse_sidecar(data: str) -> dict | None:
    """The sidecar's content with every type checked, or None when anything is off."""
    try:
        saved = json.loads(data, parse_constant=_reject, parse_float=_finite)
    except (ValueError, RecursionError, TypeError):
        return None
    if not isinstance(saved, dict) or not isinstance(saved.get("sha256"), str):
        return None
    spans = saved.get("spans", [])
    if not isinstance(spans, list) or len(spans) > MAX_SPANS:
        return None
    clean = []
    for item in spans:
        if not isinstance(item, dict):
            return None
        start, end = item.get("start"), item.get("end")
        model, settings, time = item.get("model", ""), item.get("settings") or {}, item.get("time", "")
        if not (_whole(start) and _whole(end) and isinstance(model, str) and isinstance(settings, dict)
                and isinstance(time, str)):
            return None
        clean.append({"start": start, "end": end, "model": model[:500], "settings": settings, "time": time[:100]})
    return {"sha256": saved["sha256"], "spans": clean}


def _whole(value) -> bool:
    return type(value) is int and value >= 0


def _reject(name: str):
    raise ValueError(name)


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(text)
    return value


class SidecarError(Exception):
    """The sidecar exists but cannot be used; str() is for the user."""


def read_sidecar(document_path: str | os.PathLike) -> str | None:
    """The sidecar's text; None when there is none. A link, a special file or a huge file is refused."""
    path = sidecar_path(document_path)
    try:
        info = os.lstat(path)
    except OSError:  # none there, or a name too long to have one
        return None
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_SIDECAR_BYTES:
        raise SidecarError(str(path))
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as handle:
            return handle.read(MAX_SIDECAR_BYTES + 1).decode("utf-8", "surrogatepass")
    except (OSError, UnicodeError):
        raise SidecarError(str(path)) from None


def write_sidecar(document_path: str | os.PathLike, data: str | None) -> None:
    """Write (or, for None, remove) the sidecar atomically, never through a symlink. Raises OSError
    or DocumentError."""
    path = sidecar_path(document_path)
    if data is not None:
        write_bytes_atomic(path, data.encode("utf-8", "surrogatepass"), follow_symlinks=False)
        return
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            return  # a folder of that name is not ours
        os.unlink(path)  # a link is removed, never what it points to
    except FileNotFoundError:
        pass
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:  # such a name cannot have a sidecar
            raise


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
