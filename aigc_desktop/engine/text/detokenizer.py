"""Turning a growing list of token ids into text that is safe to show piece by piece.

Two tokenizer habits would otherwise leak into the document:
- byte-level BPE (GPT-2) splits one Chinese character over several tokens, so a
  prefix of the ids can decode to a trailing U+FFFD;
- BERT-vocabulary tokenizers (Chinese GPT-2 models) decode with a space between
  every pair of CJK characters.
"""

from __future__ import annotations

import re

# CJK ideographs, kana, hangul and full-width punctuation: scripts written without spaces.
_CJK = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3190-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
)
CJK_CHARACTERS = _CJK  # for character classes elsewhere
_SPACE_NEXT_TO_CJK = re.compile(f"(?<=[{_CJK}]) +| +(?=[{_CJK}])")
_CJK_CHAR = re.compile(f"[{_CJK}]")


def remove_cjk_spaces(text: str) -> str:
    """Drop the spaces a BERT-style decode puts before or after CJK characters."""
    return _SPACE_NEXT_TO_CJK.sub("", text)


def cjk_share(text: str) -> float:
    """Fraction of non-space characters that are CJK (0.0 for empty text)."""
    letters = [c for c in text if not c.isspace()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if _CJK_CHAR.match(c)) / len(letters)


def spaces_between_cjk(tokenizer) -> bool:
    """Does this tokenizer's decode put spaces between CJK characters?"""
    # Probe with two CJK characters the vocabulary really has (an [UNK] would prove nothing).
    probe = []
    for token, token_id in tokenizer.get_vocab().items():
        if len(token) == 1 and _CJK_CHAR.match(token):
            probe.append(token_id)
            if len(probe) == 2:
                return " " in tokenizer.decode(probe, skip_special_tokens=True)
    return False


class IncrementalDetokenizer:
    """Feed ids one at a time; get back only text that will not change later.

    Text is held back while it ends in an incomplete character (U+FFFD) or in
    spaces that a following CJK character may remove. `flush()` returns the
    rest, so the concatenation of everything returned equals `full_text()`.
    """

    def __init__(self, tokenizer, remove_spaces_next_to_cjk: bool) -> None:
        self._tokenizer = tokenizer
        self._clean_cjk = remove_spaces_next_to_cjk
        self._ids: list[int] = []
        self._emitted = 0  # characters of full_text() already handed out

    @property
    def ids(self) -> list[int]:
        return self._ids

    def full_text(self) -> str:
        text = self._tokenizer.decode(self._ids, skip_special_tokens=True)
        return remove_cjk_spaces(text) if self._clean_cjk else text

    def push(self, token_id: int) -> str:
        """Add one token; return the newly stable text (often '')."""
        self._ids.append(token_id)
        text = self.full_text()
        stable = len(text)
        if text.endswith("\ufffd"):
            stable = len(text.rstrip("\ufffd"))
        if self._clean_cjk:
            stable = len(text[:stable].rstrip(" "))
        if stable <= self._emitted:
            return ""
        piece = text[self._emitted:stable]
        self._emitted = stable
        return piece

    def flush(self) -> str:
        """Everything not yet returned, incomplete or not (end of the run)."""
        text = self.full_text()
        piece = text[self._emitted:]
        self._emitted = len(text)
        return piece
