"""Text-level stopping: stop sequences, end of sentence, end of paragraph.

Text passes through a StopMatcher before the user sees it. It holds back a tail
that could still turn into a stop (a partial stop sequence, a '.' that may end
a sentence), and reports when a stop is reached, with the text to keep.
"""

from __future__ import annotations

# CJK terminal punctuation ends a sentence by itself; ASCII needs a space after it
# (so "3.14" and "e.g" do not stop mid-way).
_CJK_SENTENCE_END = "。！？"
_ASCII_SENTENCE_END = ".!?"
_CLOSERS = "\"')]}”’」』）》"


def _sentence_end(text: str) -> int | None:
    """Index just past the first complete sentence end in text, else None."""
    for i, ch in enumerate(text):
        if ch in _CJK_SENTENCE_END:
            end = i + 1
        elif ch in _ASCII_SENTENCE_END and i + 1 < len(text) and text[i + 1] in _CLOSERS + " \n\t":
            end = i + 1
        else:
            continue
        while end < len(text) and text[end] in _CLOSERS:
            end += 1
        if end == len(text):
            return None  # more closing quotes or brackets may follow: wait for the next character
        return end
    return None


class StopMatcher:
    def __init__(self, stop_sequences=(), stop_at: str = "length") -> None:
        self._sequences = tuple(stop_sequences)
        if stop_at == "paragraph":
            self._sequences += ("\n\n",)
        self._sentences = stop_at == "sentence"
        self._pending = ""
        self.stopped = False

    def feed(self, piece: str) -> str:
        """Add text; return what can be shown now. Sets `stopped` when a stop is hit."""
        if self.stopped:
            return ""
        text = self._pending + piece
        cut = None
        for seq in self._sequences:
            at = text.find(seq)
            if at != -1 and (cut is None or at < cut):
                cut = at
        if self._sentences:
            end = _sentence_end(text)
            if end is not None and (cut is None or end < cut):
                cut = end
        if cut is not None:
            self.stopped = True
            self._pending = ""
            return text[:cut]
        hold = self._holdback(text)
        self._pending = text[len(text) - hold:] if hold else ""
        return text[: len(text) - hold]

    def flush(self) -> str:
        rest, self._pending = self._pending, ""
        return "" if self.stopped else rest

    def _holdback(self, text: str) -> int:
        """Length of the longest tail of text that could still become a stop."""
        hold = 0
        for seq in self._sequences:
            for n in range(min(len(seq) - 1, len(text)), 0, -1):
                if seq.startswith(text[-n:]):
                    hold = max(hold, n)
                    break
        ends = _ASCII_SENTENCE_END + _CJK_SENTENCE_END
        if self._sentences and text and text[-1] in ends + _CLOSERS:
            # Wait for the next character to know whether the sentence ended (ASCII) and
            # whether closing quotes or brackets follow (both).
            tail = len(text) - len(text.rstrip(_CLOSERS))
            if len(text) > tail and text[len(text) - tail - 1] in ends:
                hold = max(hold, tail + 1)
        return hold
