"""Undo/redo of the user's own text, kept apart from the document's undo stack.

QTextDocument records every insertion, including the streaming suggestion, and
its undo stack cannot have entries removed. So the editor turns the document's
own undo off and records here only what the user did: an accepted continuation
becomes exactly one step and a rejected one leaves none.

Positions are in UTF-16 code units, as QTextDocument counts them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

_MERGE_WINDOW_S = 2.0


def units(text: str) -> int:
    """Length of text in UTF-16 code units (an emoji counts 2)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


@dataclass
class Change:
    position: int
    removed: str
    added: str
    typed: bool = False  # a keystroke-sized edit that may merge with the next one
    at: float = 0.0

    def inverse(self) -> "Change":
        return Change(self.position, self.added, self.removed)


class EditHistory:
    def __init__(self) -> None:
        self._done: list[Change] = []
        self._undone: list[Change] = []
        self._clean_depth: int | None = 0  # len(_done) at the last save; None: unreachable

    @property
    def can_undo(self) -> bool:
        return bool(self._done)

    @property
    def can_redo(self) -> bool:
        return bool(self._undone)

    @property
    def is_clean(self) -> bool:
        return self._clean_depth == len(self._done)

    def clear(self) -> None:
        self._done.clear()
        self._undone.clear()
        self._clean_depth = 0

    def mark_clean(self) -> None:
        self._clean_depth = len(self._done)

    def forget_clean(self) -> None:
        """No state in the history matches the file any more (it changed on disk, or was restored)."""
        self._clean_depth = None

    def record(self, change: Change, typed: bool = False) -> None:
        change.typed, change.at = typed, time.monotonic()
        if self._clean_depth is not None and self._clean_depth > len(self._done):
            self._clean_depth = None  # the saved state was in the discarded redo branch
        self._undone.clear()
        last = self._done[-1] if self._done else None
        if last is not None and typed and self._merge(last, change):
            if self._clean_depth == len(self._done):
                self._clean_depth = None  # merging into the saved step moves away from it
            return
        self._done.append(change)

    def undo(self) -> Change | None:
        """The change to apply to the document to undo the last step."""
        if not self._done:
            return None
        change = self._done.pop()
        self._undone.append(change)
        return change.inverse()

    def redo(self) -> Change | None:
        if not self._undone:
            return None
        change = self._undone.pop()
        self._done.append(change)
        return change

    @staticmethod
    def _merge(last: Change, new: Change) -> bool:
        """Fold consecutive typing (or backspacing) into one undo step, as editors do."""
        if not last.typed or new.at - last.at > _MERGE_WINDOW_S:
            return False
        if "\n" in new.added or "\u2029" in new.added:
            return False
        # Typing continues the last step, including one that replaced a selection.
        if last.added and not new.removed and new.position == last.position + units(last.added):
            if last.added[-1:].isspace() and not new.added.isspace():
                return False  # a new word starts a new step
            last.added += new.added
            last.at = new.at
            return True
        if not last.added and not new.added and new.position + units(new.removed) == last.position:
            last.position = new.position  # backspace runs leftwards
            last.removed = new.removed + last.removed
            last.at = new.at
            return True
        return False
