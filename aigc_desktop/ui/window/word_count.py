"""Word count for the status bar: text_stats' counts, taken in a helper thread for long documents."""

from __future__ import annotations

import threading
from typing import Callable

from PySide6.QtCore import QObject, Signal

from .text_stats import count_in_slices, count_words_and_chars


class WordCounter(QObject):
    """count(text) emits `counted`: at once for a short text, from a helper thread for a long one.

    A count asked for while a helper thread still counts is not started beside it: once the
    running count is shown, `recount` asks the owner for the text as it is then.
    """

    counted = Signal(int, int)  # words, characters
    recount = Signal()
    _done = Signal(int, int)  # from the helper thread, queued to this object's thread

    # Counting a multi-megabyte document takes most of a second of pure Python: beyond this
    # size it runs in a helper thread, which gives the GUI thread the GIL every few ms.
    IN_BACKGROUND_FROM = 200_000  # characters

    def __init__(self, closing: Callable[[], bool], parent: QObject | None = None) -> None:
        """closing(): true once the owner is going away (a late result is then dropped)."""
        super().__init__(parent)
        self._closing = closing
        self._thread: threading.Thread | None = None
        self._again = False
        self._done.connect(self._on_done)

    def count(self, text: str) -> None:
        if len(text) < self.IN_BACKGROUND_FROM:
            self.counted.emit(*count_words_and_chars(text))
            return
        if self._thread is not None and self._thread.is_alive():
            self._again = True  # counted once more when the running count ends
            return
        self._again = False
        self._thread = threading.Thread(target=self._count_in_background, args=(text,),
                                        name="word-count", daemon=True)
        self._thread.start()

    def _count_in_background(self, text: str) -> None:
        counts = count_in_slices(text)
        if self._closing():
            return  # the window went away while counting
        try:
            self._done.emit(*counts)
        except (RuntimeError, TypeError):
            pass  # deleted between the check and the emit: nothing to show it in

    def _on_done(self, words: int, chars: int) -> None:
        self.counted.emit(words, chars)
        if self._again:
            self.recount.emit()
