"""Continue / Stop / Accept / Reject / Regenerate: the flow between editor and worker.

Widget-free logic in the spirit of Mu's controller: it owns no widgets, only
connects the editor (where the suggestion lives) to the worker host.
"""

from __future__ import annotations

import dataclasses
import time

from PySide6.QtCore import QObject, QTimer, Signal

from ..window.editor import Editor
from .probability_view import ChunkInfo
from .worker import RunSummary, WorkerHost

# Text arriving faster than this is painted in batches: each paint takes the GUI thread's
# share of two cores away from the model (the benchmark's py-spy profile), and a word
# every 40 ms still reads as streaming.
_PAINT_INTERVAL_S = 0.04

IDLE, STREAMING, PENDING = "idle", "streaming", "pending"


class ContinuationController(QObject):
    state_changed = Signal(str)  # IDLE | STREAMING | PENDING
    run_finished = Signal(object)  # RunSummary
    error = Signal(str)
    candidates_changed = Signal(int, int)  # index shown (0-based), how many; fewer than 2: nothing to cycle
    candidates_coming = Signal(int)  # how many more candidates are being made (0: none any more)

    def __init__(self, editor: Editor, host: WorkerHost, make_request, parent=None) -> None:
        """make_request(context, regenerate_count) -> ContinuationRequest from the current settings."""
        super().__init__(parent)
        self._editor = editor
        self._host = host
        self._make_request = make_request
        self._state = IDLE
        self._request_id = 0
        self._live_id = None  # the only request whose text may still be inserted
        self._buffer: list[tuple[str, object]] = []  # (text, ChunkInfo or None), not yet painted
        self._last_paint = 0.0
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self._flush)
        self._last_context: tuple[str, int] | None = None
        self._context_span: int | None = None  # length of the selection it came from, or None: the caret
        self._regenerations = 0
        self._candidates: list[str] = []
        self._candidate = 0
        self._candidates_for: int | None = None  # the request whose other candidates are being made
        self._requested_alternatives = 1
        self._streamed = ""  # the first candidate as it stood when the others were asked for
        self.model_ready = False
        worker = host.worker
        worker.chunk.connect(self._on_chunk)
        worker.finished.connect(self._on_finished)
        worker.alternatives_ready.connect(self._on_alternatives)
        worker.failed.connect(self._on_failed)
        host.thread_died.connect(self._on_worker_died)
        editor.accept_requested.connect(self.accept)
        editor.reject_requested.connect(self.reject)
        editor.suggestion_ended_by_edit.connect(self._on_ended_by_edit)
        editor.suggestion_consumed.connect(self._on_consumed)
        editor.cycle_requested.connect(self.cycle)

    @property
    def state(self) -> str:
        return self._state

    def _set_state(self, state: str) -> None:
        if state != PENDING and self._candidates:
            self._set_candidates([])
        if state != PENDING and self._candidates_for is not None:
            self._host.stop()  # the suggestion is settled: its other candidates are no longer wanted
            self._set_candidates_coming(None, 0)
        if state != self._state:
            self._state = state
            self.state_changed.emit(state)

    # ----- candidates --------------------------------------------------------
    @property
    def candidates(self) -> list[str]:
        return list(self._candidates)

    def _set_candidates(self, candidates: list[str], index: int = 0) -> None:
        self._candidates, self._candidate = candidates, index
        self.candidates_changed.emit(index, len(candidates))

    def cycle(self, step: int) -> None:
        """Alt+] / Alt+[: show the next or previous candidate in place of the pending one."""
        if len(self._candidates) > 1:
            self.show_candidate((self._candidate + step) % len(self._candidates))

    def show_candidate(self, index: int) -> None:
        if self._state != PENDING or not 0 <= index < len(self._candidates):
            return
        if self._editor.suggestion_text() != self._candidates[self._candidate]:
            self._set_candidates([])  # part of it was accepted: the others no longer fit
            return
        self._editor.replace_suggestion(self._candidates[index])
        self._candidate = index
        self.candidates_changed.emit(index, len(self._candidates))

    # ----- user actions ----------------------------------------------------
    def continue_text(self) -> bool:
        """Continue from the selection, or from the text before the cursor."""
        if self._state != IDLE:
            self.reject()  # a new Continue replaces the one before; its tokens never land
        cursor = self._editor.textCursor()
        if cursor.hasSelection():
            start, end = cursor.selectionStart(), cursor.selectionEnd()
            context = self._editor.text_between(start, end)
            self._context_span = end - start
        else:
            end = cursor.position()
            context = self._editor.text_before(end)
            self._context_span = None
        self._regenerations = 0
        return self._start(context, end)

    def regenerate(self) -> bool:
        """Reject what is pending and ask again from the same place with a new seed."""
        if self._last_context is None or self._state == IDLE and not self._editor.has_suggestion():
            return self.continue_text()
        # The suggestion moves with edits made before it since the last run: ask again from
        # where it is now, with the text as it is now (the old position may be past the end).
        current = self._editor.suggestion_range()
        position = current[0] if current is not None else self._last_context[1]
        self.reject()
        position = min(position, self._editor.document().characterCount() - 1)
        span = self._context_span
        if span is None:
            context = self._editor.text_before(position)
        else:
            context = self._editor.text_between(max(0, position - span), position)
        self._regenerations += 1
        return self._start(context, position)

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
    def suggest(self, max_new_tokens: int) -> bool:
        """A short suggestion at the caret while the user types (auto-suggest); quiet when it cannot run."""
        cursor = self._editor.textCursor()
        if self._state != IDLE or not self.model_ready or cursor.hasSelection():
            return False
        context = self._editor.text_before(cursor.position())
        if not context.strip():
            return False
        self._regenerations = 0
        return self._start(context, cursor.position(), auto_tokens=max_new_tokens)

    def rewrite_from(self, position: int, replacement: str, probability: float | None = None) -> bool:
        """Use another word at `position` (inside the suggestion) and write on from there, as mikupad does.

        The suggestion keeps its text before `position`, takes `replacement`, and the
        model continues after it; nothing becomes the user's text until accepted.
        """
        suggestion = self._editor.suggestion_range()
        if suggestion is None or not suggestion[0] <= position < suggestion[1] or not replacement:
            return False
        self._halt()
        start = suggestion[0]
        self._editor.truncate_suggestion(position - start)
        info = None if probability is None else ChunkInfo(probability, ())
        self._editor.append_suggestion(replacement, ((replacement, info),))
        self._set_candidates([])
        context = self._editor.text_before(start) + self._editor.suggestion_text()
        return self._start(context, start, keep_suggestion=True)

    def _start(self, context: str, position: int, keep_suggestion: bool = False,
               auto_tokens: int | None = None) -> bool:
        if not self.model_ready:
            self.error.emit(self.tr("The model is not ready yet: wait for it to load, or choose one in Settings."))
            return False
        if not context.strip():
            self.error.emit(self.tr("There is no text to continue: write something first, or select a passage."))
            return False
        try:
            request = self._make_request(context, self._regenerations)
            if auto_tokens is not None:
                request = dataclasses.replace(request, max_new_tokens=auto_tokens, alternatives=1)
            request.validate()
        except ValueError as exc:
            self.error.emit(str(exc))
            return False
        self._requested_alternatives = request.alternatives
        self._set_candidates_coming(None, 0)
        if not keep_suggestion:
            self._last_context = (context, position)
            cursor = self._editor.textCursor()
            if cursor.hasSelection() or cursor.position() != position:
                # The caret waits where the text will go, so the suggestion is not hidden under a selection.
                cursor.setPosition(position)
                self._editor.setTextCursor(cursor)
            self._editor.start_suggestion(position, auto=auto_tokens is not None)
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

    def _on_chunk(self, request_id: int, text: str, info=None) -> None:
        if request_id != self._live_id:
            return  # from a request that was stopped, rejected or replaced
        self._buffer.append((text, info))
        wait = self._last_paint + _PAINT_INTERVAL_S - time.perf_counter()
        if wait <= 0:
            self._flush()
        elif not self._flush_timer.isActive():
            self._flush_timer.start(max(1, int(wait * 1000)))

    def _flush(self) -> None:
        self._flush_timer.stop()
        if self._buffer:
            chunks = tuple(self._buffer)
            self._buffer.clear()
            self._editor.append_suggestion("".join(text for text, _ in chunks), chunks)
            self._last_paint = time.perf_counter()

    def _on_finished(self, request_id: int, summary: RunSummary) -> None:
        if request_id != self._live_id:
            return
        self._flush()
        self._live_id = None
        self._settle()
        if self._state == PENDING and summary.alternatives:
            self._offer_candidates(summary.alternatives)  # a server sends them with the first
        elif self._state == PENDING and self._requested_alternatives > 1 and summary.finish_reason != "stopped":
            self._streamed = self._editor.suggestion_text()
            self._set_candidates_coming(request_id, self._requested_alternatives - 1)
        self.run_finished.emit(summary)

    def _on_alternatives(self, request_id: int, alternatives: tuple[str, ...]) -> None:
        if request_id != self._candidates_for:
            return  # settled, replaced or stopped meanwhile
        self._set_candidates_coming(None, 0)
        if self._state == PENDING and self._editor.suggestion_text() == self._streamed:
            self._offer_candidates(alternatives)  # (after a partial accept they no longer fit)

    def _set_candidates_coming(self, request_id: int | None, count: int) -> None:
        self._candidates_for = request_id
        self.candidates_coming.emit(count)

    def _offer_candidates(self, alternatives) -> None:
        shown = self._editor.suggestion_text()
        others = [alt for alt in dict.fromkeys(alternatives) if alt and alt != shown]
        if others:
            self._set_candidates([shown, *others])

    def _on_failed(self, request_id: int, message: str) -> None:
        if request_id != self._live_id:
            return
        self._flush()
        self._live_id = None
        self._settle()  # text that already arrived stays pending for the user to decide
        self.error.emit(message)

    def _on_worker_died(self) -> None:
        """The worker thread ended unexpectedly (the host has restarted it)."""
        if self._live_id is not None:
            self._flush()
            self._live_id = None
            self._settle()  # no more text comes for this run
        self.error.emit(self.tr("The text generator stopped unexpectedly and has been restarted. "
                                "Your text is safe; press Continue to try again."))

    def _on_consumed(self) -> None:
        """Word-by-word accept took everything: done, unless more text is still streaming in."""
        if self._state == PENDING:
            self._editor.reject_suggestion()  # nothing left: just close the empty suggestion
            self._set_state(IDLE)

    def _on_ended_by_edit(self) -> None:
        self._halt()
        self._set_state(IDLE)
