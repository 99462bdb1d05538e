"""Continue / Stop / Accept / Reject / Regenerate: the flow between editor and worker.

Widget-free logic in the spirit of Mu's controller: it owns no widgets, only
connects the editor (where the suggestion lives) to the worker host.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QTimer, Signal

from ..engine.request import ContinuationRequest
from .editor import Editor
from .worker import RunSummary, WorkerHost

# Text arriving faster than the screen refreshes is painted in batches.
_PAINT_INTERVAL_S = 0.016

IDLE, STREAMING, PENDING = "idle", "streaming", "pending"


class ContinuationController(QObject):
    state_changed = Signal(str)  # IDLE | STREAMING | PENDING
    run_finished = Signal(object)  # RunSummary
    error = Signal(str)

    def __init__(self, editor: Editor, host: WorkerHost, make_request, parent=None) -> None:
        """make_request(context, regenerate_count) -> ContinuationRequest from the current settings."""
        super().__init__(parent)
        self._editor = editor
        self._host = host
        self._make_request = make_request
        self._state = IDLE
        self._request_id = 0
        self._live_id = None  # the only request whose text may still be inserted
        self._buffer: list[str] = []
        self._last_paint = 0.0
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self._flush)
        self._last_context: tuple[str, int] | None = None
        self._regenerations = 0
        self.model_ready = False
        worker = host.worker
        worker.chunk.connect(self._on_chunk)
        worker.finished.connect(self._on_finished)
        worker.failed.connect(self._on_failed)
        editor.accept_requested.connect(self.accept)
        editor.reject_requested.connect(self.reject)
        editor.suggestion_ended_by_edit.connect(self._on_ended_by_edit)

    @property
    def state(self) -> str:
        return self._state

    def _set_state(self, state: str) -> None:
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    # ----- user actions ----------------------------------------------------
    def continue_text(self) -> bool:
        """Continue from the selection, or from the text before the cursor."""
        if self._state != IDLE:
            self.reject()  # a new Continue replaces the one before; its tokens never land
        cursor = self._editor.textCursor()
        if cursor.hasSelection():
            start, end = cursor.selectionStart(), cursor.selectionEnd()
            context = self._editor.text_between(start, end)
        else:
            end = cursor.position()
            context = self._editor.text_before(end)
        self._regenerations = 0
        return self._start(context, end)

    def regenerate(self) -> bool:
        """Reject what is pending and ask again from the same place with a new seed."""
        if self._last_context is None or self._state == IDLE and not self._editor.has_suggestion():
            return self.continue_text()
        self.reject()
        self._regenerations += 1
        return self._start(*self._last_context)

    def stop(self) -> None:
        if self._state != STREAMING:
            return
        self._host.stop()
        self._flush()
        self._live_id = None  # nothing more is inserted once Stop is pressed
        self._settle()

    def accept(self) -> None:
        self._halt()
        self._editor.accept_suggestion()
        self._set_state(IDLE)

    def reject(self) -> None:
        self._halt()
        self._editor.reject_suggestion()
        self._set_state(IDLE)

    # ----- internals -------------------------------------------------------
    def _start(self, context: str, position: int) -> bool:
        if not self.model_ready:
            self.error.emit("The model is not ready yet: wait for it to load, or choose one in Settings.")
            return False
        if not context.strip():
            self.error.emit("There is no text to continue: write something first, or select a passage.")
            return False
        try:
            request = self._make_request(context, self._regenerations)
            request.validate()
        except ValueError as exc:
            self.error.emit(str(exc))
            return False
        self._last_context = (context, position)
        cursor = self._editor.textCursor()
        if cursor.hasSelection() or cursor.position() != position:
            # The caret waits where the text will go, so the suggestion is not hidden under a selection.
            cursor.setPosition(position)
            self._editor.setTextCursor(cursor)
        self._editor.start_suggestion(position)
        self._request_id += 1
        self._live_id = self._request_id
        self._buffer.clear()
        self._last_paint = 0.0
        self._set_state(STREAMING)
        self._host.generate(self._request_id, request)
        return True

    def _halt(self) -> None:
        if self._state == STREAMING:
            self._host.stop()
        self._live_id = None
        self._buffer.clear()
        self._flush_timer.stop()

    def _settle(self) -> None:
        """After a run ends: keep the suggestion pending, or drop it if it is empty."""
        if self._editor.has_suggestion() and self._editor.suggestion_text():
            self._set_state(PENDING)
        else:
            self._editor.reject_suggestion()
            self._set_state(IDLE)

    def _on_chunk(self, request_id: int, text: str) -> None:
        if request_id != self._live_id:
            return  # from a request that was stopped, rejected or replaced
        self._buffer.append(text)
        wait = self._last_paint + _PAINT_INTERVAL_S - time.perf_counter()
        if wait <= 0:
            self._flush()
        elif not self._flush_timer.isActive():
            self._flush_timer.start(max(1, int(wait * 1000)))

    def _flush(self) -> None:
        self._flush_timer.stop()
        if self._buffer:
            text = "".join(self._buffer)
            self._buffer.clear()
            self._editor.append_suggestion(text)
            self._last_paint = time.perf_counter()

    def _on_finished(self, request_id: int, summary: RunSummary) -> None:
        if request_id != self._live_id:
            return
        self._flush()
        self._live_id = None
        self._settle()
        self.run_finished.emit(summary)

    def _on_failed(self, request_id: int, message: str) -> None:
        if request_id != self._live_id:
            return
        self._flush()
        self._live_id = None
        self._settle()  # text that already arrived stays pending for the user to decide
        self.error.emit(message)

    def _on_ended_by_edit(self) -> None:
        self._halt()
        self._set_state(IDLE)
